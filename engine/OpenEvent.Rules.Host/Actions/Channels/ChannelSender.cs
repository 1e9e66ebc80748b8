using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenEvent.Rules.Host.Observability;

namespace OpenEvent.Rules.Host.Actions.Channels;

/// <summary>
/// Sends notify actions to the four channel kinds. The payload carries the channel as it was declared when the
/// event was decided (type, URL or its environment variable, secret variable, headers) and the rendered message;
/// secrets are read from the environment at delivery time. Every request carries the action's Idempotency-Key
/// (encoded, <see cref="HeaderValues.IdempotencyKey"/>); errors are redacted of the URL, secret and header values.
/// </summary>
internal sealed class ChannelSender(IHttpClientFactory httpClients, TimeProvider time) : IActionSender
{
    public const string HttpClientName = "oer-actions";

    public IReadOnlyCollection<string> Types { get; } = ["webhook", "dingtalk", "lark", "slack"];

    public async Task<DeliveryResult> SendAsync(OutboxItem item, ActionPayload payload, CancellationToken cancellationToken)
    {
        var notify = ActionPayloads.As<NotifyPayload>(payload);
        var type = notify.Type;
        var owner = $"channel '{notify.Channel}'";
        var url = PayloadValues.ResolveUrl(notify.Url, owner);
        var text = Text(notify);
        var now = time.GetUtcNow();
        var secret = PayloadValues.Resolve(notify.Secret, $"signing secret of {owner}");

        using var request = type switch
        {
            "dingtalk" => DingTalkChannel.Request(url, secret, text, now),
            "lark" => LarkChannel.Request(url, secret, text, now),
            "slack" => SlackChannel.Request(url, text),
            _ => WebhookChannel.Request(url, item, notify, text),
        };
        HeaderValues.Add(request, "Idempotency-Key", HeaderValues.IdempotencyKey(item.Key), owner);
        var headerValues = PayloadValues.AddHeaders(request, notify.Headers, owner);

        // The URL is the robot's credential and a refusal may echo it (or the signed URL, or a header value).
        string?[] secrets = [.. SecretRedactor.OfUrl(url), .. SecretRedactor.OfUrl(request.RequestUri?.OriginalString), secret, .. headerValues];
        var (response, body) = await ResponseBody.SendAsync(httpClients.CreateClient(HttpClientName), request, secrets, cancellationToken);
        using var answered = response;
        var result = DeliveryResult.FromStatus(response.StatusCode, body);
        if (result.Success)
        {
            // The chat robots answer 200 with an error code in the body when they refuse a message.
            result = type switch
            {
                "dingtalk" => BodyCode(body, "errcode", "errmsg"),
                "lark" => BodyCode(body, "code", "msg"),
                _ => result,
            };
        }

        return result;
    }

    /// <summary>The message, with the count of notifications suppressed on this channel since the previous one.</summary>
    public static string Text(NotifyPayload payload)
    {
        var message = payload.Message;
        var suppressed = payload.Suppressed ?? 0;
        return suppressed > 0 ? $"{message}\n({suppressed} more notifications on this channel were suppressed by its rate limit or de-duplication window)" : message;
    }

    internal static StringContent Json(JsonNode body) =>
        new(body.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" });

    private static DeliveryResult BodyCode(string body, string codeName, string messageName)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && (document.RootElement.TryGetProperty(codeName, out var code) || document.RootElement.TryGetProperty("StatusCode", out code))
                && code.ValueKind == JsonValueKind.Number && code.GetInt64() != 0)
            {
                var message = document.RootElement.TryGetProperty(messageName, out var m) ? m.ToString() : "";
                // Rate limiting by the robot (DingTalk 130101, Lark 9499/11232) passes with time; other codes are configuration errors.
                var error = $"the robot refused the message: {codeName} {code.GetInt64()} {DeliveryResult.Shorten(message)}";
                return code.GetInt64() is 130101 or 9499 or 11232 ? DeliveryResult.Retry(error) : DeliveryResult.Permanent(error);
            }
        }
        catch (JsonException)
        {
        }

        return DeliveryResult.Delivered;
    }
}
