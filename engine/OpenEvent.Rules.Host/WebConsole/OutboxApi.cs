using System.Text.Json;
using OpenEvent.Rules.Host.Actions;
using OpenEvent.Rules.Host.Endpoints;
using OpenEvent.Rules.Host.Observability;

namespace OpenEvent.Rules.Host.WebConsole;

/// <summary>
/// The Outbox page: GET /console/api/outbox?status=pending|dead|delivered lists actions with their last error;
/// POST /console/api/outbox/retry and /console/api/outbox/purge with {"ids": [...]} (or {"all": true}) do what
/// <c>oer outbox retry --id|--all</c> and <c>oer outbox purge --dead --id</c> do. The payload is not shown: it is what the
/// receiver gets, the event's fields included; errors were redacted when stored.
/// </summary>
internal static class OutboxApi
{
    /// <summary>Rows listed at most per status.</summary>
    public const int MaxRows = 200;

    public static void Map(WebApplication app)
    {
        app.MapGet("/console/api/outbox", ListAsync);
        app.MapPost("/console/api/outbox/retry", (HttpContext context, ConsoleOutbox outbox) =>
            ChangeAsync(context, ids => outbox.RetryAsync(ids, context.RequestAborted), "queued"));
        app.MapPost("/console/api/outbox/purge", (HttpContext context, ConsoleOutbox outbox) =>
            ChangeAsync(context, ids => outbox.PurgeDeadAsync(ids, context.RequestAborted), "purged"));
    }

    private static async Task ListAsync(HttpContext context, ConsoleOutbox outbox, string? status)
    {
        status ??= OutboxStore.Dead;
        if (status is not (OutboxStore.Pending or OutboxStore.Dead or OutboxStore.Delivered))
        {
            await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "bad-request", "status is pending, dead or delivered");
            return;
        }

        if (outbox.Unavailable is { } why)
        {
            await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "outbox-unavailable", why);
            return;
        }

        var counts = await outbox.CountsAsync(context.RequestAborted);
        var items = await outbox.ListAsync(status, MaxRows, context.RequestAborted);
        await ConsoleEndpoints.WriteJsonAsync(context, json =>
        {
            json.WriteStartObject();
            json.WriteString("mode", outbox.Mode);
            json.WriteString("location", outbox.Location);
            json.WriteNumber("pending", counts.Pending);
            if (counts.Delivered is { } delivered)
            {
                json.WriteNumber("delivered", delivered);
            }

            json.WriteNumber("dead", counts.Dead);
            json.WriteString("status", status);
            json.WriteStartArray("items");
            foreach (var item in items)
            {
                WriteItem(json, item);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    private static void WriteItem(Utf8JsonWriter json, OutboxItem item)
    {
        json.WriteStartObject();
        json.WriteNumber("id", item.Id);
        json.WriteString("key", item.Key);
        json.WriteString("eventId", item.EventId);
        json.WriteString("eventType", item.EventType);
        json.WriteString("policy", item.Policy);
        json.WriteString("kind", item.Kind);
        json.WriteString("destination", item.Destination);
        json.WriteString("status", item.Status);
        json.WriteNumber("attempts", item.Attempts);
        json.WriteString("createdAt", item.CreatedAt);
        json.WriteString("nextAttemptAt", item.NextAttemptAt);
        json.WriteString("deliveredAt", item.DeliveredAt?.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        // Stored redacted; redacted again so that a row written by an older host shows no credential either.
        json.WriteString("lastError", item.LastError is { } error ? SecretRedactor.Redact(error) : null);
        json.WriteEndObject();
    }

    /// <summary>Reads {"ids": [1, 2]} or {"all": true}; an empty selection without "all" is refused (nothing is changed by accident).</summary>
    private static async Task ChangeAsync(HttpContext context, Func<IReadOnlyCollection<long>, Task<int>> change, string done)
    {
        using var body = await ConsoleEndpoints.ReadJsonAsync(context.Request, 64 * 1024, context.RequestAborted);
        var root = body?.RootElement;
        var all = root is { } r && r.TryGetProperty("all", out var a) && a.ValueKind == JsonValueKind.True;
        var ids = new List<long>();
        if (root is { } o && o.TryGetProperty("ids", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var id in list.EnumerateArray())
            {
                if (id.ValueKind == JsonValueKind.Number && id.TryGetInt64(out var value))
                {
                    ids.Add(value);
                }
            }
        }

        if (body is null || (ids.Count == 0 && !all) || (ids.Count > 0 && all))
        {
            await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "bad-request", "send {\"ids\": [ids of the outbox list]} or {\"all\": true}");
            return;
        }

        var count = await change(ids);
        await ConsoleEndpoints.WriteJsonAsync(context, json =>
        {
            json.WriteStartObject();
            json.WriteNumber(done, count);
            json.WriteEndObject();
        });
    }
}
