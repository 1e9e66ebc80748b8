using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OpenEvent.Rules.Host.Tests.Endpoints;
using OpenEvent.Rules.Host.WebConsole;

namespace OpenEvent.Rules.Host.Tests.WebConsole;

/// <summary>The Decisions page's live stream over plain HTTP: nothing decided between the page's list and its stream is lost, and a session's stream ends with the session.</summary>
public sealed class ConsoleStreamTests
{
    private const string Token = ConsoleLoginTests.Token;

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task PostEventAsync(RunningHost host, string id)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/events") { Content = new StringContent(HostEndpointTests.DeployEvent(id, "ods_x"), Encoding.UTF8, "application/cloudevents+json") };
        request.Headers.Add("x-eventbridge-signature-token", Token);
        using var response = await host.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Reads the stream's lines until one holds <paramref name="text"/>; fails after 30 s.</summary>
    private static async Task ReadUntilAsync(StreamReader stream, string text)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await stream.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Contains(text, StringComparison.Ordinal))
            {
                return;
            }
        }

        Assert.Fail($"the stream ended before '{text}'");
    }

    [Fact]
    public async Task Stream_OpenedAfterTheList_ReplaysWhatWasDecidedInBetween()
    {
        await using var host = await RunningHost.StartAsync(null, "--OpenEventRules:Auth:Token", Token);
        using var client = new HttpClient { BaseAddress = host.BaseAddress };
        client.DefaultRequestHeaders.Add("x-eventbridge-signature-token", Token);
        await PostEventAsync(host, "listed");
        await RunningHost.WaitUntilAsync(async () => (await client.GetStringAsync("/console/api/decisions")).Contains("\"listed\"", StringComparison.Ordinal), "the first decision in the list");
        var listed = (await client.GetFromJsonAsync<JsonElement>("/console/api/decisions")).GetProperty("decisions").EnumerateArray()
            .Single(d => d.GetProperty("eventId").GetString() == "listed").GetProperty("sequence").GetInt64();

        // Decided after the page's list and before its stream opened.
        await PostEventAsync(host, "in-between");
        await RunningHost.WaitUntilAsync(async () => (await client.GetStringAsync("/console/api/decisions")).Contains("\"in-between\"", StringComparison.Ordinal), "the second decision");
        using var response = await client.GetAsync($"/console/api/decisions/stream?after={listed}", HttpCompletionOption.ResponseHeadersRead);
        using var stream = new StreamReader(await response.Content.ReadAsStreamAsync());

        await ReadUntilAsync(stream, "\"in-between\"");
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-5")]
    [InlineData("99999999999999999999999")]
    public async Task Stream_AfterThatIsNoSequence_IsIgnored_AndTheStreamOpens(string after)
    {
        await using var host = await RunningHost.StartAsync(null, "--OpenEventRules:Auth:Token", Token);
        using var client = new HttpClient { BaseAddress = host.BaseAddress };
        client.DefaultRequestHeaders.Add("x-eventbridge-signature-token", Token);
        using var response = await client.GetAsync($"/console/api/decisions/stream?after={Uri.EscapeDataString(after)}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var stream = new StreamReader(await response.Content.ReadAsStreamAsync());

        await PostEventAsync(host, "after-garbage");

        await ReadUntilAsync(stream, "\"after-garbage\"");
    }

    [Fact]
    public async Task Stream_OfASession_EndsWhenTheSessionIsLoggedOut()
    {
        await using var host = await RunningHost.StartAsync(null, "--OpenEventRules:Auth:Token", Token);
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = host.BaseAddress };
        using var login = await browser.PostAsync("/console/api/login", Json($"{{\"token\":\"{Token}\"}}"));
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var csrf = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("csrf").GetString()!;
        using var response = await browser.GetAsync("/console/api/decisions/stream", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var stream = new StreamReader(await response.Content.ReadAsStreamAsync());
        await PostEventAsync(host, "before-logout");
        await ReadUntilAsync(stream, "\"before-logout\"");

        using var logout = new HttpRequestMessage(HttpMethod.Post, "/console/api/logout") { Content = Json("{}") };
        logout.Headers.Add(ConsoleSessions.CsrfHeader, csrf);
        using (var loggedOut = await browser.SendAsync(logout))
        {
            Assert.Equal(HttpStatusCode.OK, loggedOut.StatusCode);
        }

        await PostEventAsync(host, "after-logout");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var rest = await stream.ReadToEndAsync(timeout.Token);

        Assert.DoesNotContain("after-logout", rest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_ChunkedBodyOverTheLimit_IsRefusedWithoutBeingRead()
    {
        await using var host = await RunningHost.StartAsync(null, "--OpenEventRules:Auth:Token", Token);
        // The right token, padded with whitespace JSON allows: read whole, it would log in.
        var huge = Encoding.UTF8.GetBytes("{\"token\":\"" + Token + "\"" + new string(' ', 8192) + "}");
        using var content = new StreamContent(new MemoryStream(huge)); // no Content-Length: sent chunked
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        content.Headers.ContentLength = null;

        using var response = await host.Client.PostAsync("/console/api/login", content);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
