using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Endpoints;
using OpenEvent.Rules.Host.Observability;
using OpenEvent.Rules.Host.Policies;

namespace OpenEvent.Rules.Host.WebConsole;

/// <summary>
/// The Decisions page: the recent decisions (GET /console/api/decisions), the live stream of new ones as server-sent
/// events (GET /console/api/decisions/stream, resumable with Last-Event-ID), and one decision with its masked event and
/// its explanation (GET /console/api/decisions/{sequence}).
/// </summary>
internal static class DecisionApi
{
    private static readonly TimeSpan s_heartbeat = TimeSpan.FromSeconds(15);

    public static void Map(WebApplication app)
    {
        app.MapGet("/console/api/decisions", (HttpContext context, DecisionFeed feed) =>
            ConsoleEndpoints.WriteJsonAsync(context, json =>
            {
                json.WriteStartObject();
                json.WriteNumber("total", feed.Total);
                json.WriteStartArray("decisions");
                foreach (var recent in feed.Recent(0, 500))
                {
                    WriteSummary(json, recent);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }));
        app.MapGet("/console/api/decisions/stream", StreamAsync);
        app.MapGet("/console/api/decisions/{sequence:long}", DetailAsync);
    }

    /// <summary>The decision as a row of the Decisions page: the decision log's fields (the waivers that relaxed a match included), the event's scope, and whether its event is kept.</summary>
    public static void WriteSummary(Utf8JsonWriter json, RecentDecision recent)
    {
        var decision = recent.Decision;
        json.WriteStartObject();
        json.WriteNumber("sequence", recent.Sequence);
        json.WriteString("time", recent.Time);
        json.WriteString("eventId", decision.Event.Id);
        json.WriteString("type", decision.Event.Type);
        json.WriteString("verdict", decision.Verdict is { } verdict ? DecisionJson.VerdictText(verdict) : null);
        WriteNames(json, "matched", decision.Matched.Select(m => m.Policy));
        WriteNames(json, "audit", decision.Audit.Select(m => m.Policy));
        WriteNames(json, "actions", decision.Matched.SelectMany(m => m.Actions).Select(a => a.Kind));
        json.WriteStartArray("waived");
        foreach (var match in decision.Matched.Where(m => m.Waiver is not null))
        {
            json.WriteStartObject();
            json.WriteString("policy", match.Policy);
            json.WriteString("waiver", match.Waiver!.Name);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteNumber("conditionErrors", decision.ConditionFailures.Length);
        json.WriteString("revision", recent.Revision);
        json.WriteNumber("latencyMs", Math.Round(recent.LatencySeconds * 1000, 3));
        json.WriteString("fallback", recent.Note.Fallback);
        json.WriteBoolean("late", recent.Note.Late);
        if (decision.Error is { } error)
        {
            json.WriteString("error", $"{error.Id}: {error.Message}");
        }

        json.WriteString("tenant", recent.Scope.Tenant);
        json.WriteString("workspace", recent.Scope.Workspace);
        json.WriteString("region", recent.Scope.Region);
        json.WriteString("environment", recent.Scope.Environment);
        json.WriteBoolean("hasEvent", recent.HasEvent);
        json.WriteEndObject();
    }

    private static void WriteNames(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    /// <summary>
    /// Server-sent events: one "decision" event per new decision (id = its sequence), a comment every 15 s so that
    /// proxies keep the connection. A reconnecting browser sends Last-Event-ID and first gets what it missed that is still
    /// kept. The stream ends when the client leaves or the host stops.
    /// </summary>
    private static async Task StreamAsync(HttpContext context, DecisionFeed feed, ConsoleSessions sessions, IHostApplicationLifetime lifetime)
    {
        using var subscription = feed.Subscribe();
        if (subscription is null)
        {
            await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "too-many-streams",
                "too many live decision streams are open (OpenEventRules:Console:MaxStreams); close a console tab");
            return;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-store";
        context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();
        await context.Response.WriteAsync("retry: 2000\n\n", stop.Token);
        // A reconnect says what it saw in Last-Event-ID; a first connection, ?after= the newest of the list the page just
        // fetched: what was decided between that fetch and this stream would otherwise never be shown.
        if (long.TryParse(context.Request.Headers["Last-Event-ID"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var lastSeen)
            || long.TryParse(context.Request.Query["after"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out lastSeen))
        {
            foreach (var missed in feed.Recent(lastSeen, 500).Where(r => r.Sequence <= subscription.StartedAfter))
            {
                await WriteEventAsync(context, missed, stop.Token);
            }
        }

        await context.Response.Body.FlushAsync(stop.Token);
        try
        {
            await PumpAsync(context, subscription, StillSignedIn(context, sessions), stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The tab was closed or the host is stopping: the stream simply ends.
        }
    }

    /// <summary>
    /// Whether the caller may still read the stream: a stream opened with a session cookie ends when that session is
    /// logged out or expires (it used to go on sending every decision); one opened with the token header, or without a
    /// token configured, goes on.
    /// </summary>
    private static Func<bool> StillSignedIn(HttpContext context, ConsoleSessions sessions)
    {
        if (!sessions.TokenRequired || ConsoleGate.Caller(context).ByTokenHeader)
        {
            return static () => true;
        }

        var cookie = context.Request.Cookies[ConsoleSessions.CookieName];
        return () => sessions.Validate(cookie) is not null;
    }

    private static async Task PumpAsync(HttpContext context, DecisionFeed.Subscription subscription, Func<bool> signedIn, CancellationToken cancellationToken)
    {
        var reader = subscription.Reader;
        while (!cancellationToken.IsCancellationRequested)
        {

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(s_heartbeat);
            bool ready;
            try
            {
                ready = await reader.WaitToReadAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                if (!signedIn())
                {
                    return;
                }

                await context.Response.WriteAsync(": keep-alive\n\n", cancellationToken);
                await context.Response.Body.FlushAsync(cancellationToken);
                continue;
            }

            // Checked before anything is sent: the browser's EventSource reconnects, is refused (401), and the page
            // offers the login.
            if (!ready || !signedIn())
            {
                return;
            }

            while (reader.TryRead(out var recent))
            {
                await WriteEventAsync(context, recent, cancellationToken);
            }

            await context.Response.Body.FlushAsync(cancellationToken);
        }
    }

    private static async Task WriteEventAsync(HttpContext context, RecentDecision recent, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            WriteSummary(json, recent);
        }

        // The JSON is on one line (the writer does not indent, and escapes line breaks in strings): one data field.
        await context.Response.WriteAsync($"id: {recent.Sequence.ToString(CultureInfo.InvariantCulture)}\nevent: decision\ndata: ", cancellationToken);
        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken);
        await context.Response.WriteAsync("\n\n", cancellationToken);
    }

    /// <summary>
    /// One decision: its summary, the event masked as the decision log masks it (DecisionLog:Mask), and the explanation
    /// of the set in service now (with masked values as "***"); when the set changed since, "explainedWith" says so.
    /// </summary>
    private static async Task DetailAsync(HttpContext context, long sequence, DecisionFeed feed, PolicySetState state, IOptions<RulesHostOptions> options)
    {
        if (feed.Find(sequence) is not { } recent)
        {
            await Problems.WriteAsync(context, StatusCodes.Status404NotFound, "not-kept",
                $"decision {sequence} is no longer kept in memory (OpenEventRules:Console:RecentDecisions); the decision log has it");
            return;
        }

        var bytes = feed.EventOf(recent);
        var masked = options.Value.DecisionLog.Mask;
        var lease = bytes is null ? null : state.Acquire();
        try
        {
            await ConsoleEndpoints.WriteJsonAsync(context, json =>
            {
                json.WriteStartObject();
                json.WritePropertyName("decision");
                WriteSummary(json, recent);
                if (bytes is null)
                {
                    json.WriteNull("event");
                    json.WriteString("eventMissing", options.Value.DecisionLog.IncludeEvent
                        ? "the event is no longer kept in memory (OpenEventRules:Console:MaxRecentEventBytes)"
                        : "events are not kept: OpenEventRules:DecisionLog:IncludeEvent is false");
                }
                else
                {
                    var maskedEvent = MaskedEvent(masked, bytes);
                    json.WritePropertyName("event");
                    json.WriteRawValue(maskedEvent.WrittenSpan, skipInputValidation: true);
                    json.WriteString("eventText", IndentedText(maskedEvent.WrittenMemory));
                    WriteExplain(json, lease, bytes, recent, masked, context.RequestAborted);
                }

                json.WriteEndObject();
            });
        }
        finally
        {
            lease?.Release();
        }
    }

    /// <summary>The event masked as the decision log masks it, once: written as it is, and as text.</summary>
    private static System.Buffers.ArrayBufferWriter<byte> MaskedEvent(IReadOnlyList<string> masked, byte[] bytes)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            new MaskedEventWriter(masked).Write(writer, bytes);
        }

        return buffer;
    }

    /// <summary>
    /// The masked event as indented text, its numbers as they were written: the page showed JSON.parse's copy, in which
    /// 9007199254740993 read 9007199254740992 (ids run to 16 digits).
    /// </summary>
    private static string IndentedText(ReadOnlyMemory<byte> maskedEvent)
    {
        using var document = JsonDocument.Parse(maskedEvent);
        var indented = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(indented, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            document.RootElement.WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(indented.WrittenSpan);
    }

    private static void WriteExplain(Utf8JsonWriter json, LoadedPolicySet? lease, byte[] bytes, RecentDecision recent, IReadOnlyList<string> masked, CancellationToken cancellationToken)
    {
        if (lease is null)
        {
            return;
        }

        json.WriteString("explainedWith", lease.Revision);
        using var e = lease.Compiled.TryRead(EventInputReader.Single(bytes, "event").First(), out var error);
        if (e is null)
        {
            // Read by an older set with other limits: say why rather than explain something else.
            json.WriteString("explainError", $"{error!.Id}: {error.Message}");
            return;
        }

        var decision = lease.Compiled.Evaluator.Evaluate(e, cancellationToken);
        if (lease.Revision != recent.Revision)
        {
            json.WriteString("explainNote", $"the decision was made by revision {recent.Revision}; it is explained with the set in service now, {lease.Revision}");
        }

        ConsoleExplainer.Write(json, lease.Compiled, e, decision, masked);
    }
}
