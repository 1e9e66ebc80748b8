using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OpenEvent.Rules.Host.WebConsole;

namespace OpenEvent.Rules.Host.Tests.WebConsole;

/// <summary>The console's gate over plain HTTP: what a forged or foreign request gets, whatever a browser would do.</summary>
public sealed class ConsoleSecurityTests : IClassFixture<SharedHost>
{
    private const string Token = ConsoleLoginTests.Token;
    private readonly RunningHost _host;

    public ConsoleSecurityTests(SharedHost shared) => _host = shared.Host;

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>A session as the page gets one: the cookie (kept by the handler) and the anti-forgery token.</summary>
    private static async Task<(HttpClient Client, string Csrf)> SessionAsync(Uri baseAddress)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = baseAddress };
        using var response = await client.GetAsync("/console/api/session");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (client, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("csrf").GetString()!);
    }

    private static async Task<string> ErrorIdAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errorId").GetString()!;

    [Fact]
    public async Task Post_WithoutTheAntiForgeryToken_IsRefused403_AndWithIt_Accepted()
    {
        var (client, csrf) = await SessionAsync(_host.BaseAddress);
        using (client)
        {
            using var forged = await client.PostAsync("/console/api/outbox/purge", Json("{\"all\":true}"));
            Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
            Assert.Equal("csrf", await ErrorIdAsync(forged));

            using var wrong = new HttpRequestMessage(HttpMethod.Post, "/console/api/outbox/purge") { Content = Json("{\"all\":true}") };
            wrong.Headers.Add(ConsoleSessions.CsrfHeader, csrf[..^2] + "AA");
            using var wrongResponse = await client.SendAsync(wrong);
            Assert.Equal("csrf", await ErrorIdAsync(wrongResponse));

            using var right = new HttpRequestMessage(HttpMethod.Post, "/console/api/outbox/purge") { Content = Json("{\"all\":true}") };
            right.Headers.Add(ConsoleSessions.CsrfHeader, csrf);
            using var accepted = await client.SendAsync(right);
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
            Assert.Equal(0, (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("purged").GetInt32());
        }
    }

    [Theory]
    [InlineData("Origin", "http://evil.example")]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Sec-Fetch-Site", "same-site")]
    public async Task Post_FromAnotherOrigin_IsRefused403_EvenWithTheAntiForgeryToken(string header, string value)
    {
        var (client, csrf) = await SessionAsync(_host.BaseAddress);
        using (client)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/console/api/outbox/retry") { Content = Json("{\"all\":true}") };
            request.Headers.Add(ConsoleSessions.CsrfHeader, csrf);
            request.Headers.Add(header, value);

            using var response = await client.SendAsync(request);

            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("cross-origin", await ErrorIdAsync(response));
        }
    }

    [Fact]
    public async Task WithoutToken_AForeignHostName_IsRefused_SoThatADnsRebindingPageCannotReadTheConsole()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/console/api/overview");
        request.Headers.Host = "rebound.evil.example";

        using var response = await _host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("host-not-allowed", await ErrorIdAsync(response));
    }

    [Theory]
    [InlineData("/console")]
    [InlineData("/console/assets/console.js")]
    [InlineData("/console/api/overview")]
    public async Task Responses_CarryAStrictContentSecurityPolicy(string path)
    {
        using var response = await _host.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ConsoleGate.ContentSecurityPolicy, response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("script-src 'self';", ConsoleGate.ContentSecurityPolicy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", ConsoleGate.ContentSecurityPolicy, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
    }

    [Fact]
    public async Task ThePage_HoldsNoInlineScriptOrStyle_AndItsScriptNeverWritesHtml()
    {
        var html = await _host.Client.GetStringAsync("/console");
        var script = await _host.Client.GetStringAsync("/console/assets/console.js");

        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("style=", html, StringComparison.Ordinal);
        Assert.DoesNotContain("innerHTML", script, StringComparison.Ordinal);
        Assert.DoesNotContain("outerHTML =", script, StringComparison.Ordinal);
        Assert.DoesNotContain("insertAdjacentHTML", script, StringComparison.Ordinal);
        Assert.DoesNotContain("document.write", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithToken_TheApiNeedsALoginOrTheTokenHeader_ThePageDoesNot_AndGuessingIsSlowedDown()
    {
        await using var host = await RunningHost.StartAsync(null, "--OpenEventRules:Auth:Token", Token);

        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/console")).StatusCode);
        using var anonymous = await host.Client.GetAsync("/console/api/overview");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("unauthorized", await ErrorIdAsync(anonymous));
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.GetAsync("/console/api/session")).StatusCode);
        using var withHeader = new HttpRequestMessage(HttpMethod.Get, "/console/api/overview");
        withHeader.Headers.Add("x-eventbridge-signature-token", Token);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.SendAsync(withHeader)).StatusCode);

        // The token header is no cookie a browser adds by itself: a change sent with it needs no anti-forgery token.
        using var purge = new HttpRequestMessage(HttpMethod.Post, "/console/api/outbox/purge") { Content = Json("{\"all\":true}") };
        purge.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.SendAsync(purge)).StatusCode);

        for (var i = 0; i < ConsoleSessions.MaxFailedLoginsPerMinute; i++)
        {
            using var wrong = await host.Client.PostAsync("/console/api/login", Json("{\"token\":\"wrong-token-0123456789\"}"));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var blocked = await host.Client.PostAsync("/console/api/login", Json($"{{\"token\":\"{Token}\"}}"));
        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);
        Assert.Equal("too-many-logins", await ErrorIdAsync(blocked));

        // The limit is the failing address's: the operator on another address still logs in (127.0.0.2 reaches the
        // host's 127.0.0.1 on Linux's loopback network).
        using var other = new HttpClient(FromAddress(IPAddress.Parse("127.0.0.2"))) { BaseAddress = host.BaseAddress };
        using var operatorLogin = await other.PostAsync("/console/api/login", Json($"{{\"token\":\"{Token}\"}}"));
        Assert.Equal(HttpStatusCode.OK, operatorLogin.StatusCode);
    }

    [Fact]
    public async Task Login_FailuresFromManyAddresses_AreBoundedHostWide()
    {
        await using var host = await RunningHost.StartAsync(null, "--OpenEventRules:Auth:Token", Token);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= ConsoleSessions.MaxFailedLoginsPerMinuteHostWide; i++)
        {
            // Each address stays under its own limit; together they pass the host's.
            using var client = new HttpClient(FromAddress(IPAddress.Parse($"127.0.{1 + (i / ConsoleSessions.MaxFailedLoginsPerMinute)}.{1 + (i % ConsoleSessions.MaxFailedLoginsPerMinute)}"))) { BaseAddress = host.BaseAddress };
            using var response = await client.PostAsync("/console/api/login", Json("{\"token\":\"wrong-token-0123456789\"}"));
            statuses.Add(response.StatusCode);
        }

        Assert.All(statuses.Take(ConsoleSessions.MaxFailedLoginsPerMinuteHostWide), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }

    /// <summary>A handler whose connections leave from <paramref name="local"/>, as a client on another address would.</summary>
    private static SocketsHttpHandler FromAddress(IPAddress local) => new()
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(local, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    [Fact]
    public async Task WithToken_ALogin_SetsAnHttpOnlyStrictCookie_ThatOpensTheApi_AndATamperedOneDoesNot()
    {
        await using var host = await RunningHost.StartAsync(null, "--OpenEventRules:Auth:Token", Token);
        // No cookie jar: each request below carries exactly the cookie it names.
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = host.BaseAddress };
        using var login = await client.PostAsync("/console/api/login", Json($"{{\"token\":\"{Token}\"}}"));

        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var setCookie = login.Headers.GetValues("Set-Cookie").Single();
        Assert.Matches("^oer_console=[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+; max-age=28800; path=/console; samesite=strict; httponly$", setCookie);
        Assert.DoesNotContain(Token, await login.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var cookie = setCookie.Split(';')[0];
        using var withCookie = new HttpRequestMessage(HttpMethod.Get, "/console/api/overview");
        withCookie.Headers.Add("Cookie", cookie);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(withCookie)).StatusCode);

        var tampered = cookie[..^3] + (cookie[^3] == 'A' ? "B" : "A") + cookie[^2..];
        using var withTampered = new HttpRequestMessage(HttpMethod.Get, "/console/api/overview");
        withTampered.Headers.Add("Cookie", tampered);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(withTampered)).StatusCode);
    }

    /// <summary>A logout ends the session in the host too: the same cookie, replayed after it, is refused.</summary>
    [Fact]
    public async Task WithToken_Logout_EndsTheSession_ACopyOfTheCookieNoLongerOpensTheApi()
    {
        await using var host = await RunningHost.StartAsync(null, "--OpenEventRules:Auth:Token", Token);
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = host.BaseAddress };
        using var login = await client.PostAsync("/console/api/login", Json($"{{\"token\":\"{Token}\"}}"));
        var cookie = login.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
        var csrf = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("csrf").GetString()!;
        HttpRequestMessage Overview() => new(HttpMethod.Get, "/console/api/overview") { Headers = { { "Cookie", cookie } } };
        using (var before = Overview())
        {
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(before)).StatusCode);
        }

        using var logout = new HttpRequestMessage(HttpMethod.Post, "/console/api/logout") { Content = Json("{}") };
        logout.Headers.Add("Cookie", cookie);
        logout.Headers.Add(ConsoleSessions.CsrfHeader, csrf);
        using var loggedOut = await client.SendAsync(logout);
        Assert.Equal(HttpStatusCode.OK, loggedOut.StatusCode);

        using var after = Overview();
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(after)).StatusCode);
        using var again = await client.PostAsync("/console/api/login", Json($"{{\"token\":\"{Token}\"}}"));
        using var fresh = new HttpRequestMessage(HttpMethod.Get, "/console/api/overview");
        fresh.Headers.Add("Cookie", again.Headers.GetValues("Set-Cookie").Single().Split(';')[0]);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(fresh)).StatusCode);
    }

    [Fact]
    public async Task Source_NamesOnlyFilesOfTheSet_SoNoOtherFileCanBeRead()
    {
        using var outside = await _host.Client.GetAsync("/console/api/source?file=" + Uri.EscapeDataString("/etc/passwd"));
        using var relative = await _host.Client.GetAsync("/console/api/source?file=" + Uri.EscapeDataString(Path.Combine(_host.PoliciesPath, "..", "data", "outbox.db")));

        Assert.Equal(HttpStatusCode.NotFound, outside.StatusCode);
        Assert.Equal("unknown-file", await ErrorIdAsync(outside));
        Assert.Equal(HttpStatusCode.NotFound, relative.StatusCode);
    }

    [Fact]
    public async Task Source_WithoutAFile_ProblemBodyWithItsIdAndAGenericTitle()
    {
        using var response = await _host.Client.GetAsync("/console/api/source");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("missing-file", problem.GetProperty("errorId").GetString());
        Assert.Equal("Invalid request", problem.GetProperty("title").GetString());
    }
}
