using System.Text.Json.Nodes;

namespace OpenEvent.Rules.Host.Actions.Channels;

/// <summary>type: webhook: a generic JSON POST with the policy, the event id and type, the rendered message and the Idempotency-Key as sent in the header.</summary>
internal static class WebhookChannel
{
    public static HttpRequestMessage Request(string url, OutboxItem item, NotifyPayload payload, string text) => new(HttpMethod.Post, url)
    {
        Content = ChannelSender.Json(new JsonObject
        {
            ["policy"] = item.Policy,
            ["channel"] = payload.Channel,
            ["eventId"] = item.EventId,
            ["eventType"] = item.EventType,
            ["message"] = text,
            ["suppressed"] = payload.Suppressed ?? 0,
            ["idempotencyKey"] = HeaderValues.IdempotencyKey(item.Key),
        }),
    };
}
