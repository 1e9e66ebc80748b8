using System.Text.Json.Nodes;

namespace OpenEvent.Rules.Host.Actions.Channels;

/// <summary>type: webhook: a generic JSON POST with the policy, the event id and type, the rendered message and the Idempotency-Key as sent in the header.</summary>
internal static class WebhookChannel
{
    public static HttpRequestMessage Request(string url, OutboxItem item, JsonObject payload, string text) => new(HttpMethod.Post, url)
    {
        Content = ChannelSender.Json(new JsonObject
        {
            ["policy"] = item.Policy,
            ["channel"] = payload["channel"]!.GetValue<string>(),
            ["eventId"] = item.EventId,
            ["eventType"] = item.EventType,
            ["message"] = text,
            ["suppressed"] = payload["suppressed"]?.GetValue<long>() ?? 0,
            ["idempotencyKey"] = HeaderValues.IdempotencyKey(item.Key),
        }),
    };
}
