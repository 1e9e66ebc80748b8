using System.Globalization;
using System.Text;
using OpenEvent.Rules.Host.Actions;
using RabbitMQ.Client;

namespace OpenEvent.Rules.Host.Broker;

/// <summary>
/// An action as an AMQP message: the payload JSON is the body, followed (for a forward) by the event's bytes as they
/// came, the payload's length in a header; the idempotency key is the message id; the rest of the outbox row (event,
/// policy, kind, destination, attempts, age, last error) travels in headers, so that any host can deliver it, retry
/// it or dead-letter it, and `oer outbox list` can show it, without a database.
/// </summary>
internal static class ActionMessage
{
    private const string IdHeader = "oer-id";
    private const string EventIdHeader = "oer-event-id";
    private const string EventTypeHeader = "oer-event-type";
    private const string PolicyHeader = "oer-policy";
    private const string KindHeader = "oer-kind";
    private const string DestinationHeader = "oer-destination";
    private const string AttemptsHeader = "oer-attempts";
    private const string CreatedHeader = "oer-created";
    private const string NextHeader = "oer-next";
    private const string ErrorHeader = "oer-error";
    private const string DeadAtHeader = "oer-dead-at";
    private const string PayloadLengthHeader = "oer-payload-length";

    public static (BasicProperties Properties, byte[] Body) ToMessage(NewAction action, DateTimeOffset now) =>
        ToMessage(new OutboxItem(NewId(), action.Key, action.EventId, action.EventType, action.Policy, action.Kind, action.Destination,
            ActionPayloads.Write(action.Payload), OutboxStore.Pending, 0, now, now, null, null) { Event = action.Event });

    /// <summary>The action as the pipeline admits it (its payload read for its kind).</summary>
    public static NewAction ToAction(OutboxItem item) =>
        new(item.Key, item.EventId, item.EventType, item.Policy, item.Kind, item.Destination, ActionPayloads.Read(item.Kind, item.Payload), item.Event);

    public static (BasicProperties Properties, byte[] Body) ToMessage(OutboxItem item, DateTimeOffset? deadAt = null)
    {
        var headers = new Dictionary<string, object?>
        {
            [IdHeader] = item.Id,
            [EventIdHeader] = item.EventId,
            [EventTypeHeader] = item.EventType,
            [KindHeader] = item.Kind,
            [DestinationHeader] = item.Destination,
            [AttemptsHeader] = item.Attempts,
            [CreatedHeader] = item.CreatedAt.ToUnixTimeMilliseconds(),
            [NextHeader] = item.NextAttemptAt.ToUnixTimeMilliseconds(),
        };
        if (item.Policy is not null)
        {
            headers[PolicyHeader] = item.Policy;
        }

        if (item.LastError is not null)
        {
            headers[ErrorHeader] = item.LastError;
        }

        if (deadAt is { } dead)
        {
            headers[DeadAtHeader] = dead.ToUnixTimeMilliseconds();
        }

        var payload = Encoding.UTF8.GetBytes(item.Payload);
        var body = payload;
        if (item.Event is { } bytes)
        {
            headers[PayloadLengthHeader] = payload.Length;
            body = [.. payload, .. bytes];
        }

        var properties = new BasicProperties
        {
            MessageId = item.Key,
            Persistent = true,
            ContentType = "application/json",
            Headers = headers,
        };
        return (properties, body);
    }

    /// <summary>The outbox row a message carries; <paramref name="status"/> is where it was found (pending, dead).</summary>
    public static OutboxItem Read(IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body, string status)
    {
        var headers = properties.Headers ?? new Dictionary<string, object?>();
        var payloadLength = (int)Math.Clamp(Long(headers, PayloadLengthHeader) ?? body.Length, 0, body.Length);
        return new OutboxItem(
            Long(headers, IdHeader) ?? 0,
            properties.MessageId ?? "",
            Text(headers, EventIdHeader) ?? "",
            Text(headers, EventTypeHeader) ?? "",
            Text(headers, PolicyHeader),
            Text(headers, KindHeader) ?? "",
            Text(headers, DestinationHeader) ?? "",
            Encoding.UTF8.GetString(body.Span[..payloadLength]),
            status,
            (int)(Long(headers, AttemptsHeader) ?? 0),
            Time(Long(headers, CreatedHeader)),
            Time(Long(headers, NextHeader)),
            null,
            Text(headers, ErrorHeader))
        {
            Event = payloadLength < body.Length ? body[payloadLength..].ToArray() : null,
        };
    }

    /// <summary>
    /// A time header, clamped to the times DateTimeOffset holds: a message with another value (published by hand, or by
    /// anything else on the broker) made every read throw, and its partition was consumed again forever.
    /// </summary>
    private static DateTimeOffset Time(long? milliseconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(milliseconds ?? 0, DateTimeOffset.MinValue.ToUnixTimeMilliseconds(), DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()));

    /// <summary>Ids for `oer outbox --id`: positive, below 2^53 so that JSON readers keep them exact.</summary>
    public static long NewId() => Random.Shared.NextInt64(1, 1L << 53);

    /// <summary>The client hands header strings back as bytes.</summary>
    public static string? Text(IDictionary<string, object?> headers, string name) => headers.TryGetValue(name, out var value) ? value switch
    {
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        string text => text,
        null => null,
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    } : null;

    public static long? Long(IDictionary<string, object?> headers, string name) => headers.TryGetValue(name, out var value) ? value switch
    {
        long l => l,
        int i => i,
        short s => s,
        byte b => b,
        uint u => u,
        ulong u => (long)u,
        _ => null,
    } : null;
}
