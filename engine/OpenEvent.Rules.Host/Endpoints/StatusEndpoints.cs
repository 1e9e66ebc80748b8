using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Host.Actions;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Policies;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Validation;

namespace OpenEvent.Rules.Host.Endpoints;

/// <summary>GET /policies (the set in service and the last reload error), /outbox (action counts), /healthz and /readyz.</summary>
internal static class StatusEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Json(new { status = "ok" }));
        app.MapGet("/readyz", (HttpContext context, PolicySetState state, IActionOutbox outbox) => Readiness(state, outbox, TokenAuthentication.IsTrusted(context)));
        app.MapGet("/policies", WritePoliciesAsync);
        app.MapGet("/outbox", async (IActionOutbox outbox, NotificationThrottle throttle, CancellationToken cancellationToken) =>
        {
            if (outbox.Unavailable is { } why)
            {
                return Results.Json(new { mode = outbox.Mode, location = outbox.Location, error = why }, statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            var counts = await outbox.CountsAsync(cancellationToken);
            // path: the SQLite file, kept for the clients of the single-host outbox; location names the broker too.
            return Results.Json(new
            {
                mode = outbox.Mode,
                location = outbox.Location,
                path = outbox.Mode == SqliteOutbox.ModeName ? outbox.Location : null,
                pending = counts.Pending,
                delivered = counts.Delivered,
                dead = counts.Dead,
                suppressedNotReported = throttle.Pending(),
            });
        });
    }

    /// <summary>
    /// Ready once the first set is loaded, even with an unset channel variable (the other actions and the DataWorks answers
    /// work), but said here; not ready while the outbox cannot take actions (the broker is unreachable): a load balancer
    /// sends events elsewhere. A probe answers anyone, so the details (the revision, the unset variables, why the outbox is
    /// unavailable: the broker's address and the settings) go only to a caller <paramref name="trusted"/> with the token.
    /// </summary>
    private static IResult Readiness(PolicySetState state, IActionOutbox outbox, bool trusted)
    {
        if (!state.IsReady)
        {
            return Results.Json(new { status = "loading" }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        if (outbox.Unavailable is { } why)
        {
            return trusted
                ? Results.Json(new { status = "outbox-unavailable", reason = why }, statusCode: StatusCodes.Status503ServiceUnavailable)
                : Results.Json(new { status = "outbox-unavailable" }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        return trusted
            ? Results.Json(new
            {
                status = "ready",
                revision = state.Current!.Revision,
                unsetVariables = EnvironmentVariableCheck.Check(state.Current.Snapshot.Set).Select(d => d.Message).ToArray(),
            })
            : Results.Json(new { status = "ready" });
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
            WriteLoadedSet(json, current);
        }

        WriteLastReloadError(json, state.LastFailure);
        json.WriteEndObject();
    }

    /// <summary>The set in service: its revision, files, policies, channels, targets and the environment variables it names that are unset.</summary>
    private static void WriteLoadedSet(Utf8JsonWriter json, LoadedPolicySet current)
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
        WriteDeclarations(json, "channels", current.Snapshot.Set.Channels.Select(c => (c.Name, c.Type.ToString(), c.Location)));
        WriteDeclarations(json, "targets", current.Snapshot.Set.Targets.Select(t => (t.Name, t.Type.ToString(), t.Location)));
        json.WriteStartArray("unsetVariables");
        foreach (var diagnostic in EnvironmentVariableCheck.Check(current.Snapshot.Set))
        {
            WriteDiagnostic(json, diagnostic);
        }

        json.WriteEndArray();
    }

    private static void WriteLastReloadError(Utf8JsonWriter json, ReloadFailure? failure)
    {
        if (failure is not null)
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
    }

    private static void WriteDeclarations(Utf8JsonWriter json, string name, IEnumerable<(string Name, string Type, SourceLocation Location)> declarations)
    {
        json.WriteStartArray(name);
        foreach (var declaration in declarations)
        {
            json.WriteStartObject();
            json.WriteString("name", declaration.Name);
            json.WriteString("type", declaration.Type.ToLowerInvariant());
            json.WriteString("location", declaration.Location.ToString());
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    internal static void WriteDiagnostic(Utf8JsonWriter json, Diagnostic diagnostic)
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
