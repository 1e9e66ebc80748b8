using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Host.Actions;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Policies;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Host.Endpoints;

/// <summary>GET /policies (the set in service and the last reload error), /outbox (action counts), /healthz and /readyz.</summary>
public static class StatusEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Json(new { status = "ok" }));
        app.MapGet("/readyz", (PolicySetState state) => state.IsReady
            ? Results.Json(new { status = "ready", revision = state.Current!.Revision })
            : Results.Json(new { status = "loading" }, statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapGet("/policies", WritePoliciesAsync);
        app.MapGet("/outbox", (OutboxStore store, NotificationThrottle throttle) =>
        {
            var (pending, delivered, dead) = store.Counts();
            return Results.Json(new { path = store.Path, pending, delivered, dead, suppressedNotReported = throttle.Pending() });
        });
    }

    private static async Task WritePoliciesAsync(HttpContext context, PolicySetState state, IOptions<RulesHostOptions> options)
    {
        var current = state.Current;
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("source", options.Value.PoliciesPath);
        if (current is null)
        {
            json.WriteNull("revision");
            json.WriteNull("loadedAt");
        }
        else
        {
            json.WriteString("revision", current.Revision);
            json.WriteString("loadedAt", current.LoadedAt);
            json.WriteStartArray("files");
            foreach (var file in current.Snapshot.Files)
            {
                json.WriteStringValue(file);
            }

            json.WriteEndArray();
            json.WriteStartArray("policies");
            foreach (var policy in current.Snapshot.Set.Policies)
            {
                json.WriteStartObject();
                json.WriteString("name", policy.Name);
                json.WriteString("mode", policy.Mode.ToString().ToLowerInvariant());
                json.WriteNumber("priority", policy.Priority);
                json.WriteString("file", policy.Location.File);
                json.WriteNumber("line", policy.Location.Line);
                json.WriteNumber("column", policy.Location.Column);
                json.WriteString("location", policy.Location.ToString());
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("channels");
            foreach (var channel in current.Snapshot.Set.Channels)
            {
                json.WriteStartObject();
                json.WriteString("name", channel.Name);
                json.WriteString("type", channel.Type.ToString().ToLowerInvariant());
                json.WriteString("location", channel.Location.ToString());
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("targets");
            foreach (var target in current.Snapshot.Set.Targets)
            {
                json.WriteStartObject();
                json.WriteString("name", target.Name);
                json.WriteString("type", target.Type.ToString().ToLowerInvariant());
                json.WriteString("location", target.Location.ToString());
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        if (state.LastFailure is { } failure)
        {
            json.WriteStartObject("lastReloadError");
            json.WriteString("at", failure.At);
            json.WriteString("summary", failure.Summary);
            json.WriteStartArray("diagnostics");
            foreach (var diagnostic in failure.Diagnostics)
            {
                WriteDiagnostic(json, diagnostic);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("lastReloadError");
        }

        json.WriteEndObject();
    }

    private static void WriteDiagnostic(Utf8JsonWriter json, Diagnostic diagnostic)
    {
        json.WriteStartObject();
        json.WriteString("id", diagnostic.Id);
        json.WriteString("severity", diagnostic.IsError ? "error" : "warning");
        json.WriteString("file", diagnostic.Location.File);
        json.WriteNumber("line", diagnostic.Location.Line);
        json.WriteNumber("column", diagnostic.Location.Column);
        json.WriteString("message", diagnostic.Message);
        if (diagnostic.Hint is not null)
        {
            json.WriteString("hint", diagnostic.Hint);
        }

        json.WriteEndObject();
    }
}
