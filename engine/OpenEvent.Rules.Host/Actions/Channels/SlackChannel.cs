using System.Text.Json.Nodes;

namespace OpenEvent.Rules.Host.Actions.Channels;

/// <summary>type: slack: an incoming webhook; the URL is the credential, the body is {"text": ...}.</summary>
internal static class SlackChannel
{
    public static HttpRequestMessage Request(string url, string text) =>
        new(HttpMethod.Post, url) { Content = ChannelSender.Json(new JsonObject { ["text"] = text }) };
}
