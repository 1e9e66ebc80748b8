using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace OpenEvent.Rules.Host.Actions.Channels;

/// <summary>
/// type: dingtalk: a custom robot webhook. With a signing secret, <c>timestamp</c> (epoch ms) and <c>sign</c> =
/// URL-encoded Base64 HMAC-SHA256 of "{timestamp}\n{secret}" keyed with the secret are added to the URL.
/// </summary>
internal static class DingTalkChannel
{
    public static HttpRequestMessage Request(string url, string? secret, string text, DateTimeOffset now)
    {
        if (secret is not null)
        {
            var timestamp = now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            url += (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + $"timestamp={timestamp}&sign={Uri.EscapeDataString(Sign(timestamp, secret))}";
        }

        return new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = ChannelSender.Json(new JsonObject { ["msgtype"] = "text", ["text"] = new JsonObject { ["content"] = text } }),
        };
    }

    /// <summary>Base64 HMAC-SHA256 of "{timestamp}\n{secret}" keyed with the secret (not yet URL-encoded).</summary>
    public static string Sign(string timestamp, string secret) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + "\n" + secret)));
}
