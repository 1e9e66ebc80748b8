using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Ingestion;
using OpenEvent.Rules.Host.Observability;

namespace OpenEvent.Rules.Host.Endpoints;

/// <summary>
/// POST /events (decide, log, store the actions, then answer) and POST /evaluate (the dry run over HTTP: the decision
/// in the `oer dry-run --format json` shape, nothing performed). Both read the body within its limit and hand it to
/// <see cref="EventIngestion"/>, so a bad input gets the same status and errorId from both: a problem body and a 4xx
/// status, never a 500.
/// </summary>
internal static class EventEndpoints
{
    public static void Map(WebApplication app)
    {
        // The services are singletons, resolved once (at the first request, as the framework would: building them reads
        // and validates the settings, which the host does as it starts, not as the app is built): handlers that take only
        // the HttpContext never open the request's service scope (a scope, its dictionary and four lookups per event,
        // which the floor endpoint of bench/README.md does not pay either).
        var services = new Lazy<Services>(() => new Services(app.Services.GetRequiredService<EventIngestion>(),
            app.Services.GetRequiredService<IOptions<RulesHostOptions>>(), app.Services.GetRequiredService<RulesMetrics>(), app.Services.GetRequiredService<TimeProvider>()),
            LazyThreadSafetyMode.PublicationOnly); // a failure is not kept: the next request tries again
        app.MapPost("/events", context => HandleEventsAsync(context, services.Value));
        app.MapPost("/evaluate", context => HandleEvaluateAsync(context, services.Value));

        // What routing answers with a bare status gets a problem body: a path the host does not serve (POST /event), and
        // GET on the event routes. Endpoints of their own, not a status-code middleware: nothing is added to each event's request.
        app.MapMethods("/events", ["GET", "HEAD", "PUT", "DELETE", "PATCH"], context => Problems.WriteStatusAsync(context, StatusCodes.Status405MethodNotAllowed));
        app.MapMethods("/evaluate", ["GET", "HEAD", "PUT", "DELETE", "PATCH"], context => Problems.WriteStatusAsync(context, StatusCodes.Status405MethodNotAllowed));
        app.MapFallback(context => Problems.WriteStatusAsync(context, StatusCodes.Status404NotFound));
    }

    private static async Task HandleEventsAsync(HttpContext context, Services services)
    {
        var (ingestion, options, metrics, time) = services;
        var content = RequestBody.Content(context.Request, time.GetTimestamp(), UntypedIsJson(options.Value));
        if (await ReadAsync(context, content, options.Value.Limits, metrics) is not { } body)
        {
            return;
        }

        var result = await ingestion.IngestAsync(body, content, context.RequestAborted);
        if (await WriteProblemAsync(context, result))
        {
            return;
        }

        await JsonResponse.WriteAsync(context, StatusCodes.Status200OK, "application/json", result.Events, static (json, events) =>
        {
            json.WriteStartObject();
            json.WriteNumber("accepted", events.Count);
            json.WriteStartArray("results");
            for (var i = 0; i < events.Count; i++)
            {
                WriteOutcome(json, events[i]);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    private static void WriteOutcome(Utf8JsonWriter json, IngestedEvent item)
    {
        json.WriteStartObject();
        json.WriteString("id", item.Id);
        json.WriteString("type", item.Type);
        if (item.Verdict is { } verdict)
        {
            json.WriteString("verdict", DecisionJson.VerdictText(verdict));
        }
        else
        {
            json.WriteNull("verdict");
        }

        json.WriteStartArray("matched");
        for (var i = 0; i < item.Matched.Count; i++)
        {
            json.WriteStringValue(item.Matched[i]);
        }

        json.WriteEndArray();
        if (item.Fallback is { } fallback)
        {
            json.WriteString("fallback", fallback);
        }

        json.WriteEndObject();
    }

    private static async Task HandleEvaluateAsync(HttpContext context, Services services)
    {
        var (ingestion, options, metrics, time) = services;
        var content = RequestBody.Content(context.Request, time.GetTimestamp(), UntypedIsJson(options.Value));
        if (await ReadAsync(context, content, options.Value.Limits, metrics) is not { } body)
        {
            return;
        }

        IngestionResult result;
        try
        {
            // A caller that left stops the dry run: its conditions stop at their next guard.
            result = await ingestion.EvaluateAsync(body, content, context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        if (await WriteProblemAsync(context, result))
        {
            return;
        }

        await JsonResponse.WriteAsync(context, StatusCodes.Status200OK, "application/json", json =>
        {
            if (result.IsBatch)
            {
                json.WriteStartArray();
            }

            foreach (var item in result.Events)
            {
                DecisionJson.Write(json, item.Decision!);
            }

            if (result.IsBatch)
            {
                json.WriteEndArray();
            }
        }, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    /// <summary>
    /// The input's problem, or else a 400 naming the first refused event (its errorId) and listing the refused ones (the first MaxListedErrors),
    /// when there is any. Events that were valid have been evaluated (and, on /events, handed on): a retry of the request
    /// cannot fix the others. False when there is nothing to refuse.
    /// </summary>
    /// <summary>
    /// The refused events a problem lists, at most: the first ones say what is wrong, and an answer listing every one was
    /// ~50 times the size of a batch of tiny bad elements (the rest are counted in errorsOmitted).
    /// </summary>
    internal const int MaxListedErrors = 100;

    private static async Task<bool> WriteProblemAsync(HttpContext context, IngestionResult result)
    {
        if (result.Problem is { } problem)
        {
            await Problems.WriteAsync(context, problem.Status, problem.Id, problem.Message);
            return true;
        }

        var failed = result.Refused;
        if (failed.Count == 0)
        {
            return false;
        }

        var total = result.Total;
        await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, failed[0].ErrorId,
            failed.Count == 1 && total == 1 ? failed[0].Message : $"{failed.Count} of {total} events are invalid",
            writer =>
            {
                writer.WriteNumber("accepted", total - failed.Count);
                writer.WriteStartArray("errors");
                foreach (var refused in failed.Take(MaxListedErrors))
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("index", refused.Index);
                    writer.WriteString("id", refused.ErrorId);
                    writer.WriteString("message", refused.Message);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                if (failed.Count > MaxListedErrors)
                {
                    writer.WriteNumber("errorsOmitted", failed.Count - MaxListedErrors);
                }
            });
        return true;
    }

    /// <summary>The body, read within the limit for its content type; null once a refusal has been answered.</summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<ReadOnlyMemory<byte>?> ReadAsync(HttpContext context, EventContent content, LimitOptions limits, RulesMetrics metrics)
    {
        try
        {
            return await RequestBody.ReadAsync(context.Request, content.Classify(), limits, context.RequestAborted);
        }
        catch (RequestRejectedException rejection)
        {
            metrics.Rejected(rejection.Id);
            if (rejection.Id == EventContent.UnsupportedContentEncoding)
            {
                // RFC 9110 15.5.16: a 415 for a content coding says which codings would be taken.
                context.Response.Headers.AcceptEncoding = "identity";
            }

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

    /// <summary>
    /// With a token, a body without a JSON content type is read by its shape: EventBridge does not document the Content-Type
    /// of its HTTP target, and a 415 for each event would lose them all. Without a token the host answers only loopback
    /// names, and a web page can send text/plain (or no type) to 127.0.0.1 without asking first: there, 415 stays.
    /// </summary>
    private static bool UntypedIsJson(RulesHostOptions options) => !string.IsNullOrEmpty(options.Auth.Token);

    private sealed record Services(EventIngestion Ingestion, IOptions<RulesHostOptions> Options, RulesMetrics Metrics, TimeProvider Time);
}
