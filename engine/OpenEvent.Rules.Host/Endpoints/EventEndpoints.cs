using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Host.Actions;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Observability;
using OpenEvent.Rules.Host.Policies;

namespace OpenEvent.Rules.Host.Endpoints;

/// <summary>
/// POST /events (evaluate, log, hand actions to the pipeline, then answer) and POST /evaluate (the dry run over
/// HTTP: the decision in the `oer dry-run --format json` shape, nothing performed). Bad input gets a problem
/// body and a 4xx status, never a 500.
/// </summary>
public static class EventEndpoints
{
    private const string RequestFile = "request";

    public static void Map(WebApplication app)
    {
        app.MapPost("/events", HandleEventsAsync);
        app.MapPost("/evaluate", HandleEvaluateAsync);
    }

    private static async Task HandleEventsAsync(HttpContext context, PolicySetState state, IOptions<RulesHostOptions> options,
        RulesMetrics metrics, DecisionLog decisionLog, IActionDispatcher dispatcher)
    {
        if (await ReadAndLeaseAsync(context, state, options.Value.Limits, metrics) is not var (body, lease))
        {
            return;
        }

        var results = new List<Decision>();
        try
        {
            var compiled = lease.Compiled;
            foreach (var slice in body.IsBatch ? EventInputReader.Split(body.Bytes, RequestFile) : EventInputReader.Single(body.Bytes, RequestFile))
            {
                var started = Stopwatch.GetTimestamp();
                using var e = compiled.TryRead(slice, out var error);
                if (e is null)
                {
                    metrics.Rejected(error!.Id);
                    results.Add(Decision.ForError(slice.Origin, error));
                    continue;
                }

                metrics.Received(RulesMetrics.TypeLabel(e));
                Decision decision;
                try
                {
                    decision = compiled.Evaluator.Evaluate(e);
                }
                catch (Exception ex) when (e.IsExtensionPoint)
                {
                    // DataWorks holds the operation until it is answered: answer with the configured fail mode.
                    await dispatcher.DispatchEvaluationFailureAsync(e, ex, CancellationToken.None);
                    decision = new Decision(new EventDescriptor(e.Id, e.Type, e.Origin.File, e.Origin.Index),
                        RulesHostOptionsValidator.ParseVerdict(options.Value.DataWorks.FailMode), [], [], [], null);
                    results.Add(decision);
                    continue;
                }

                var seconds = RulesMetrics.Seconds(started);
                metrics.Evaluated(decision, RulesMetrics.TypeLabel(e), seconds);
                decisionLog.Append(decision, e, lease.Revision, seconds);
                // Not cancelled with the request: once evaluated, the actions are stored whole or the request fails.
                try
                {
                    await dispatcher.DispatchAsync(decision, e, lease.Snapshot.Set, CancellationToken.None);
                }
                catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException)
                {
                    // Not acknowledged, so EventBridge sends the event again; the actions stored so far are not repeated (idempotency keys).
                    metrics.Rejected("outbox-unavailable");
                    await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "outbox-unavailable",
                        $"the actions of event {e.Id} could not be stored: {ex.Message}");
                    return;
                }

                results.Add(decision);
            }
        }
        finally
        {
            lease.Release();
        }

        var failed = results.Where(r => r.Error is not null).ToList();
        if (failed.Count > 0)
        {
            // Events that were valid have been evaluated and handed on; a retry of the request cannot fix the others.
            await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, failed[0].Error!.Id,
                failed.Count == 1 && results.Count == 1 ? failed[0].Error!.Message : $"{failed.Count} of {results.Count} events are invalid",
                writer =>
                {
                    writer.WriteNumber("accepted", results.Count - failed.Count);
                    writer.WriteStartArray("errors");
                    foreach (var decision in failed)
                    {
                        writer.WriteStartObject();
                        writer.WriteNumber("index", decision.Event.Index);
                        writer.WriteString("id", decision.Error!.Id);
                        writer.WriteString("message", decision.Error.Message);
                        writer.WriteEndObject();
                    }

                    writer.WriteEndArray();
                });
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteNumber("accepted", results.Count);
        json.WriteStartArray("results");
        foreach (var decision in results)
        {
            json.WriteStartObject();
            json.WriteString("id", decision.Event.Id);
            json.WriteString("type", decision.Event.Type);
            if (decision.Verdict is { } verdict)
            {
                json.WriteString("verdict", DecisionJson.VerdictText(verdict));
            }
            else
            {
                json.WriteNull("verdict");
            }

            json.WriteStartArray("matched");
            foreach (var match in decision.Matched)
            {
                json.WriteStringValue(match.Policy);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static async Task HandleEvaluateAsync(HttpContext context, PolicySetState state, IOptions<RulesHostOptions> options, RulesMetrics metrics)
    {
        if (await ReadAndLeaseAsync(context, state, options.Value.Limits, metrics) is not var (body, lease))
        {
            return;
        }

        List<Decision> decisions;
        try
        {
            decisions = lease.Compiled.EvaluateInput(body.Bytes, RequestFile).ToList();
        }
        finally
        {
            lease.Release();
        }

        if (!body.IsBatch)
        {
            if (decisions.Count != 1 || decisions[0].Error is { } error)
            {
                var first = decisions.FirstOrDefault(d => d.Error is not null)?.Error ?? new EventError("invalid-json", "the body holds more than one event");
                await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, first.Id, first.Message);
                return;
            }
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        if (body.IsBatch)
        {
            json.WriteStartArray();
        }

        foreach (var decision in decisions)
        {
            DecisionJson.Write(json, decision);
        }

        if (body.IsBatch)
        {
            json.WriteEndArray();
        }
    }

    /// <summary>The request's events and a lease on the policy set in service; null once a refusal has been answered.</summary>
    private static async Task<((ReadOnlyMemory<byte> Bytes, bool IsBatch) Body, LoadedPolicySet Lease)?> ReadAndLeaseAsync(
        HttpContext context, PolicySetState state, LimitOptions limits, RulesMetrics metrics)
    {
        if (await ReadAsync(context, limits, metrics) is not { } body)
        {
            return null;
        }

        if (state.Acquire() is not { } lease)
        {
            await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "not-ready", "the policy set is not loaded yet");
            return null;
        }

        return (body, lease);
    }

    private static async Task<(ReadOnlyMemory<byte> Bytes, bool IsBatch)?> ReadAsync(HttpContext context, LimitOptions limits, RulesMetrics metrics)
    {
        try
        {
            var kind = RequestBody.Classify(context.Request);
            var bytes = await RequestBody.ReadAsync(context.Request, kind, limits, context.RequestAborted);
            var isBatch = kind == BodyKind.Batch || RequestBody.StartsWithArray(bytes.Span);
            if (kind == BodyKind.Batch && !isBatch)
            {
                throw new RequestRejectedException(StatusCodes.Status400BadRequest, "not-a-batch",
                    "application/cloudevents-batch+json requires a JSON array of events");
            }

            if (bytes.IsEmpty)
            {
                throw new RequestRejectedException(StatusCodes.Status400BadRequest, "empty", "the request body is empty");
            }

            return (bytes, isBatch);
        }
        catch (RequestRejectedException rejection)
        {
            metrics.Rejected(rejection.Id);
            await Problems.WriteAsync(context, rejection.Status, rejection.Id, rejection.Message);
            return null;
        }
        catch (BadHttpRequestException ex)
        {
            var id = ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? "too-large" : "bad-request";
            metrics.Rejected(id);
            await Problems.WriteAsync(context, ex.StatusCode, id, ex.Message);
            return null;
        }
    }
}
