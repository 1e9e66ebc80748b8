using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenEvent.Rules.Host.Actions;

/// <summary>
/// What a stored action delivers, as it is written in the outbox's <c>payload</c> column. <see cref="Type"/> chooses the
/// sender (webhook, dingtalk, lark, slack, http, file, dataworks) and comes first in the JSON, as it always has.
/// </summary>
internal abstract record ActionPayload([property: JsonPropertyOrder(-1)] string Type);

/// <summary>
/// A notification: the channel as it was declared when the event was decided (the URL or its environment variable, the
/// signing secret's variable, headers) and the rendered message; <see cref="Suppressed"/> counts the notifications the
/// channel's throttle held back since the previous one (absent when none).
/// </summary>
internal sealed record NotifyPayload(
    string Type,
    string Channel,
    PayloadValue? Url,
    PayloadValue? Secret,
    IReadOnlyDictionary<string, PayloadValue>? Headers,
    string Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Suppressed = null) : ActionPayload(Type);

/// <summary>
/// A forward to an HTTP or file target, as declared when the event was decided. The event itself is not in the payload:
/// its bytes travel beside it (<see cref="NewAction.Event"/>, the outbox's <c>event</c> column). Rows stored before that
/// carry the event as a JSON string in <see cref="LegacyEvent"/>, and are delivered from it.
/// </summary>
internal sealed record ForwardPayload(
    string Type,
    string Target,
    PayloadValue? Url,
    string? Path,
    IReadOnlyDictionary<string, PayloadValue>? Headers,
    [property: JsonPropertyName("event"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LegacyEvent = null) : ActionPayload(Type);

/// <summary>The answer to an extension point event: the OpenAPI to call, the event id (MessageId), the check result, its message and the event's region.</summary>
internal sealed record AnswerPayload(string Type, string Api, string MessageId, string CheckResult, string Message, string? Region) : ActionPayload(Type);

/// <summary>A configured value: a literal (<c>{"value": ...}</c>) or the name of the environment variable that holds it (<c>{"env": NAME}</c>), read at delivery.</summary>
internal sealed record PayloadValue(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Value = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Env = null)
{
    /// <summary>The environment variable when there is one, else the literal; null when neither is given.</summary>
    public static PayloadValue? Of(string? value, string? env) =>
        env is not null ? new PayloadValue(null, env) : value is not null ? new PayloadValue(value, null) : null;
}

/// <summary>The payloads' JSON, source-generated: written once when an action is stored, read once per delivery attempt.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(NotifyPayload))]
[JsonSerializable(typeof(ForwardPayload))]
[JsonSerializable(typeof(AnswerPayload))]
internal sealed partial class ActionPayloadJson : JsonSerializerContext;

/// <summary>Reads and writes <see cref="ActionPayload"/>s in the outbox's format.</summary>
internal static class ActionPayloads
{
    /// <summary>The payload's JSON as stored.</summary>
    public static string Write(ActionPayload payload) => payload switch
    {
        NotifyPayload notify => JsonSerializer.Serialize(notify, ActionPayloadJson.Default.NotifyPayload),
        ForwardPayload forward => JsonSerializer.Serialize(forward, ActionPayloadJson.Default.ForwardPayload),
        AnswerPayload answer => JsonSerializer.Serialize(answer, ActionPayloadJson.Default.AnswerPayload),
        _ => throw new ArgumentOutOfRangeException(nameof(payload), payload.GetType().Name, "not an action payload"),
    };

    /// <summary>
    /// The stored payload of an action of <paramref name="kind"/> (notify, forward, answer).
    /// </summary>
    /// <exception cref="JsonException">The payload is not one of that kind (a required value missing or null, not JSON).</exception>
    public static ActionPayload Read(string kind, string json) => kind switch
    {
        "notify" => (ActionPayload?)JsonSerializer.Deserialize(json, ActionPayloadJson.Default.NotifyPayload),
        "forward" => JsonSerializer.Deserialize(json, ActionPayloadJson.Default.ForwardPayload),
        OutboxDispatcher.AnswerKind => JsonSerializer.Deserialize(json, ActionPayloadJson.Default.AnswerPayload),
        _ => null,
    } ?? throw new JsonException($"'{kind}' actions have no payload this host can read");

    /// <summary>The payload as the kind a sender delivers; one of another kind cannot be delivered by retrying (a <see cref="JsonException"/>: dead-lettered at once).</summary>
    public static T As<T>(ActionPayload payload)
        where T : ActionPayload =>
        payload as T ?? throw new JsonException($"a '{payload.Type}' payload is not a {typeof(T).Name}");

    /// <summary>
    /// The event a forward delivers, as UTF-8 JSON: the bytes stored beside the payload, or (a row stored before they
    /// were) the payload's event string.
    /// </summary>
    public static ReadOnlyMemory<byte> EventOf(OutboxItem item, ForwardPayload payload) =>
        item.Event is { } bytes ? bytes
        : payload.LegacyEvent is { } text ? Encoding.UTF8.GetBytes(text)
        : throw new JsonException("the forward action carries no event");
}
