using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace OpenEvent.Rules.Host.Actions.Channels;

/// <summary>
/// type: lark: a Lark / Feishu custom bot webhook. With a signing secret, the body carries <c>timestamp</c> (epoch
/// seconds) and <c>sign</c> = Base64 HMAC-SHA256 keyed with "{timestamp}\n{secret}" over an empty message.
/// </summary>
internal static class LarkChannel
{
    public static HttpRequestMessage Request(string url, string? secret, string text, DateTimeOffset now)
    {
        var body = new JsonObject();
        if (secret is not null)
        {
            var timestamp = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            body["timestamp"] = timestamp;
            body["sign"] = Sign(timestamp, secret);
        }

        body["msg_type"] = "text";
        body["content"] = new JsonObject { ["text"] = text };
        return new HttpRequestMessage(HttpMethod.Post, url) { Content = ChannelSender.Json(body) };
    }

    public static string Sign(string timestamp, string secret) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(timestamp + "\n" + secret), Array.Empty<byte>()));
}
