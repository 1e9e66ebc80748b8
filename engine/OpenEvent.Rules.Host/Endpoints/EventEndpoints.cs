using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Ingestion;
using OpenEvent.Rules.Host.Observability;
using OpenEvent.Rules.Host.Policies;

namespace OpenEvent.Rules.Host.Endpoints;

/// <summary>
/// POST /events (evaluate, log, hand actions to the pipeline, then answer) and POST /evaluate (the dry run over
/// HTTP: the decision in the `oer dry-run --format json` shape, nothing performed). Both read and admit events the
/// same way, so a bad input gets the same status and errorId from both: a problem body and a 4xx status, never a 500.
/// </summary>
internal static class EventEndpoints
{
    private const string RequestFile = "request";

    public static void Map(WebApplication app)
    {
        app.MapPost("/events", HandleEventsAsync);
        app.MapPost("/evaluate", HandleEvaluateAsync);
    }

    private static async Task HandleEventsAsync(HttpContext context, PolicySetState state, IOptions<RulesHostOptions> options,
        RulesMetrics metrics, EventPipeline pipeline, TimeProvider time)
    {
        var arrivedAt = time.GetTimestamp();
        if (await ReadAndAdmitAsync(context, state, options.Value.Limits, metrics) is not var (admitted, lease))
        {
            return;
        }

        var pending = admitted.Events.Where(a => a.Event is not null).Select(a => new PendingEvent(a.Event!)).ToList();
        await pipeline.RunAsync(pending, lease, arrivedAt, context.RequestAborted);

        if (pending.FirstOrDefault(p => p.State == PendingState.StoreFailed) is { } failed)
        {
            await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, FallbackAnswerer.OutboxUnavailable,
                $"the actions of event {failed.Event.Id} could not be stored: {failed.StoreFailure?.Message}{AnsweredNote(failed)}");
            return;
        }

        if (pending.FirstOrDefault(p => p.State == PendingState.Running && (p.Fallback is null || p.Phase == PendingPhase.Storing)) is { } late)
        {
            // Still being stored (or, for a regular event, not processed yet) at the deadline: not acknowledged, so
            // EventBridge sends it again; what is stored meanwhile is not repeated (idempotency keys).
            var storing = late.Phase == PendingPhase.Storing;
            await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, storing ? FallbackAnswerer.OutboxUnavailable : "deadline-passed",
                storing
                    ? $"the actions of event {late.Event.Id} were not stored within {options.Value.DataWorks.AnswerWithin.TotalSeconds:0.###} s (OpenEventRules:DataWorks:AnswerWithin){AnsweredNote(late)}"
                    : $"event {late.Event.Id} was not processed within {options.Value.DataWorks.AnswerWithin.TotalSeconds:0.###} s (OpenEventRules:DataWorks:AnswerWithin)");
            return;
        }

        if (await WriteRefusalsAsync(context, admitted))
        {
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteNumber("accepted", pending.Count);
        json.WriteStartArray("results");
        foreach (var item in pending)
        {
            var decision = item.Fallback is null ? item.Decision! : null;
            json.WriteStartObject();
            json.WriteString("id", item.Event.Id);
            json.WriteString("type", item.Event.Type);
            var verdict = item.Fallback is null ? decision!.Verdict : item.FallbackVerdict;
            if (verdict is { } v)
            {
                json.WriteString("verdict", DecisionJson.VerdictText(v));
            }
            else
            {
                json.WriteNull("verdict");
            }

            json.WriteStartArray("matched");
            foreach (var match in decision?.Matched ?? [])
            {
                json.WriteStringValue(match.Policy);
            }

            json.WriteEndArray();
            if (item.Fallback is { } fallback)
            {
                json.WriteString("fallback", fallback);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static string AnsweredNote(PendingEvent pending) =>
        pending.Fallback is null ? "" : $"; DataWorks was answered {DecisionJson.VerdictText(pending.FallbackVerdict!.Value)} by the fallback";

    private static async Task HandleEvaluateAsync(HttpContext context, PolicySetState state, IOptions<RulesHostOptions> options, RulesMetrics metrics, IEventDetailSource details)
    {
        if (await ReadAndAdmitAsync(context, state, options.Value.Limits, metrics) is not var ((admitted, isBatch), lease))
        {
            return;
        }

        var decisions = new List<Decision>();
        try
        {
            foreach (var item in admitted.Where(a => a.Event is not null))
            {
                using var e = item.Event!;
                // A caller that left stops the dry run: its conditions stop at their next guard.
                decisions.Add(await lease.Compiled.Evaluator.EvaluateAsync(e, details, context.RequestAborted));
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            foreach (var item in admitted.Where(a => a.Event is not null))
            {
                item.Event!.Dispose();
            }

            return;
        }
        finally
        {
            lease.Release();
        }

        if (await WriteRefusalsAsync(context, (admitted, isBatch)))
        {
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        if (isBatch)
        {
            json.WriteStartArray();
        }

        foreach (var decision in decisions)
        {
            DecisionJson.Write(json, decision);
        }

        if (isBatch)
        {
            json.WriteEndArray();
        }
    }

    /// <summary>
    /// 400 naming the first refused event (its errorId) and listing every refused one, when there is any. Events that
    /// were valid have been evaluated (and, on /events, handed on): a retry of the request cannot fix the others.
    /// </summary>
    private static async Task<bool> WriteRefusalsAsync(HttpContext context, (List<AdmittedEvent> Events, bool IsBatch) admitted)
    {
        var failed = admitted.Events.Where(a => a.Error is not null).ToList();
        if (failed.Count == 0)
        {
            return false;
        }

        var total = admitted.Events.Count;
        await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, failed[0].Error!.Id,
            failed.Count == 1 && total == 1 ? failed[0].Error!.Message : $"{failed.Count} of {total} events are invalid",
            writer =>
            {
                writer.WriteNumber("accepted", total - failed.Count);
                writer.WriteStartArray("errors");
                foreach (var refused in failed)
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("index", refused.Origin.Index);
                    writer.WriteString("id", refused.Error!.Id);
                    writer.WriteString("message", refused.Error.Message);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            });
        return true;
    }

    /// <summary>One event of the request: read and admitted, or refused with its error.</summary>
    private sealed record AdmittedEvent(EventOrigin Origin, DataWorksEvent? Event, EventError? Error);

    /// <summary>
    /// The request's events, each read and checked at the door (<see cref="EventAdmission"/>), and a lease on the
    /// policy set in service; null once a refusal of the whole request has been answered.
    /// </summary>
    private static async Task<((List<AdmittedEvent> Events, bool IsBatch) Admitted, LoadedPolicySet Lease)?> ReadAndAdmitAsync(
        HttpContext context, PolicySetState state, LimitOptions limits, RulesMetrics metrics)
    {
        if (await ReadAsync(context, limits, metrics) is not var (bytes, isBatch))
        {
            return null;
        }

        if (state.Acquire() is not { } lease)
        {
            await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "not-ready", "the policy set is not loaded yet");
            return null;
        }

        var events = new List<AdmittedEvent>();
        foreach (var slice in isBatch ? EventInputReader.Split(bytes, RequestFile) : EventInputReader.Single(bytes, RequestFile))
        {
            var e = lease.Compiled.TryRead(slice, out var error);
            if (e is not null && EventAdmission.Check(e) is { } refused)
            {
                e.Dispose();
                (e, error) = (null, refused);
            }

            if (e is null)
            {
                metrics.Rejected(error!.Id);
            }

            events.Add(new AdmittedEvent(slice.Origin, e, error));
        }

        return ((events, isBatch), lease);
    }

    private static async Task<(ReadOnlyMemory<byte> Bytes, bool IsBatch)?> ReadAsync(HttpContext context, LimitOptions limits, RulesMetrics metrics)
    {
        try
        {
            return await RequestBody.ReadEventsAsync(context.Request, limits, context.RequestAborted);
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
