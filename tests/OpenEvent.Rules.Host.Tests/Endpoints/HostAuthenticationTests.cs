using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using OpenEvent.Rules.Host;
using OpenEvent.Rules.Host.Configuration;

namespace OpenEvent.Rules.Host.Tests.Endpoints;

public sealed class HostAuthenticationTests
{
    private const string Token = "test-token-0123456789abcdef";

    private static HttpRequestMessage Deploy() => new(HttpMethod.Post, "/events")
    {
        Content = new StringContent(HostEndpointTests.DeployEvent("auth-1", "ods_x"), Encoding.UTF8, "application/cloudevents+json"),
    };

    [Fact]
    public async Task PostEvents_WithoutToken_Returns401()
    {
        await using var host = await RunningHost.StartAsync(null, "--OpenEventRules:Auth:Token", Token);

        using var response = await host.Client.SendAsync(Deploy());

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task Start_TokenOnTheCommandLine_WarnsWhereItWasSet()
    {
        // The command line shows in ps: the token works, and the start says to move it to the environment.
        var log = new CapturedLog();
        await using var host = await RunningHost.StartConfiguredAsync(builder => builder.Logging.AddProvider(log), null, "--OpenEventRules:Auth:Token", Token);

        Assert.Contains("OpenEventRules:Auth:Token is set in command line, where others can read it", log.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, log.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostEvents_Refused_TheHostLogSaysSo_AtMostOnceAMinutePerErrorId()
    {
        // A sender with the wrong token otherwise looks like a host that receives nothing.
        var log = new CapturedLog();
        await using var host = await RunningHost.StartConfiguredAsync(builder => builder.Logging.AddProvider(log), null, "--OpenEventRules:Auth:Token", Token);

        for (var i = 0; i < 3; i++)
        {
            using var response = await host.Client.SendAsync(Deploy());
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        var refused = Assert.Single(log.Lines, line => line.Contains("refused 401 unauthorized", StringComparison.Ordinal));
        Assert.Contains("POST /events from 127.0.0.1", refused, StringComparison.Ordinal);
        Assert.Contains("send the configured token in the 'x-eventbridge-signature-token' header", refused, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answers_AreNotToBeCachedOrSniffed()
    {
        await using var host = await RunningHost.StartAsync(null, "--OpenEventRules:Auth:Token", Token);
        foreach (var path in (string[])["/policies", "/outbox", "/metrics", "/healthz", "/readyz", "/nowhere"])
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Add("x-eventbridge-signature-token", Token);

            using var response = await host.Client.SendAsync(request);

            Assert.True(response.Headers.CacheControl?.NoStore, path);
            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        }
    }

    [Fact]
    public async Task Request_ToAPathWithALineBreak_IsEchoedEscaped_InItsBodyAndTheLog()
    {
        // The path is the caller's text: it is quoted in the problem body and in the host log, where a raw line break
        // would forge a line.
        var log = new CapturedLog();
        await using var host = await RunningHost.StartConfiguredAsync(builder => builder.Logging.AddProvider(log), null, "--OpenEventRules:Auth:Token", Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/events%0Aforged: yes") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        request.Headers.Add("x-eventbridge-signature-token", Token);

        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var detail = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString()!;
        Assert.StartsWith("the host does not serve /events\\nforged: yes", detail, StringComparison.Ordinal);
        var refused = Assert.Single(log.Lines, line => line.Contains("refused 404 not-found", StringComparison.Ordinal));
        Assert.DoesNotContain('\n', refused);
        Assert.Contains("/events\\nforged: yes", refused, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("POST", "/event", 404, "not-found", "the host does not serve /event; did you mean /events?")]
    [InlineData("GET", "/events", 405, "method-not-allowed", "GET is not served at /events; send events with POST")]
    public async Task Request_ToNoRoute_GetsAProblemBody(string method, string path, int status, string errorId, string detail)
    {
        await using var host = await RunningHost.StartAsync(null, "--OpenEventRules:Auth:Token", Token);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Add("x-eventbridge-signature-token", Token);
        if (method == "POST")
        {
            request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await host.Client.SendAsync(request);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(errorId, problem.GetProperty("errorId").GetString());
        Assert.Equal(detail, problem.GetProperty("detail").GetString());
    }

    /// <summary>
    /// EventBridge does not document its HTTP target's Content-Type: with a token (the sender authenticated), a body
    /// without a JSON type is read by its shape. Without a token such bodies stay refused (HostEndpointTests): a web page
    /// can send them to 127.0.0.1 without asking first.
    /// </summary>
    [Theory]
    [InlineData(null, 200)]
    [InlineData("text/plain", 200)]
    [InlineData("text/plain; charset=utf-8", 200)]
    [InlineData("text/plain; charset=latin1", 415)]
    [InlineData("application/xml", 415)]
    public async Task PostEvents_WithTheToken_BodyWithoutAJsonType_IsReadByItsShape(string? contentType, int status)
    {
        await using var host = await RunningHost.StartAsync(null, "--OpenEventRules:Auth:Token", Token);
        foreach (var body in (string[])[HostEndpointTests.DeployEvent("untyped-1", "ods_x"), "[" + HostEndpointTests.DeployEvent("untyped-2", "ods_x") + "]"])
        {
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            if (contentType is not null)
            {
                content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, "/events") { Content = content };
            request.Headers.Add("x-eventbridge-signature-token", Token);

            using var response = await host.Client.SendAsync(request);

            Assert.Equal(status, (int)response.StatusCode);
        }
    }

    [Fact]
    public async Task PostEvents_WrongToken_Returns401()
    {
        await using var host = await RunningHost.StartAsync(null, "--OpenEventRules:Auth:Token", Token);
        using var request = Deploy();
        request.Headers.Add("x-eventbridge-signature-token", Token + "x");

        using var response = await host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task PostEvents_EventBridgeHeaderOrBearer_IsAccepted()
    {
        await using var host = await RunningHost.StartAsync(null, "--OpenEventRules:Auth:Token", Token);
        using var viaHeader = Deploy();
        viaHeader.Headers.Add("x-eventbridge-signature-token", Token);
        using var viaBearer = Deploy();
        viaBearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);

        using var first = await host.Client.SendAsync(viaHeader);
        using var second = await host.Client.SendAsync(viaBearer);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
    }

    [Fact]
    public async Task Probes_NeedNoToken_ButPoliciesAndMetricsDo()
    {
        await using var host = await RunningHost.StartAsync(null, "--OpenEventRules:Auth:Token", Token);

        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/readyz")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.GetAsync("/policies")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.GetAsync("/metrics")).StatusCode);
    }

    [Theory]
    [InlineData("http://0.0.0.0:8080", "http://127.0.0.1:8080")]
    [InlineData("http://*:9000;http://localhost:9001", "http://127.0.0.1:9000;http://localhost:9001")]
    [InlineData("http://[::]:8080", "http://127.0.0.1:8080")]
    [InlineData("http://127.0.0.1:0", "http://127.0.0.1:0")]
    [InlineData("http://[::1]:8080", "http://[::1]:8080")]
    public void Plan_WithoutToken_KeepsOnlyLoopbackAddresses(string configured, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["urls"] = configured }).Build();

        Assert.Equal(expected, string.Join(';', ListenAddresses.Plan(configuration, loopbackOnly: true).Urls));
    }

    /// <summary>
    /// Without a token the host is on loopback, but a page the developer opens can rebind its own name to 127.0.0.1
    /// (DNS rebinding) and call it with that name in the Host header: every route answers 403, not only the console's. Loopback names and the probes are served.
    /// </summary>
    [Fact]
    public async Task NoToken_ForeignHostName_RefusedOnEveryRoute_SoADnsRebindingPageCannotUseTheHost()
    {
        await using var host = await RunningHost.StartAsync(null);
        foreach (var (method, path) in new[] { ("GET", "/policies"), ("GET", "/metrics"), ("GET", "/outbox"), ("POST", "/events"), ("GET", "/console/api/overview") })
        {
            using var request = method == "POST" ? Deploy() : new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Host = "rebind.attacker.example:" + host.BaseAddress.Port;
            request.Headers.Add("Origin", "http://rebind.attacker.example:" + host.BaseAddress.Port);

            using var response = await host.Client.SendAsync(request);

            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Contains("\"host-not-allowed\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        foreach (var name in new[] { "localhost", "127.0.0.1", "[::1]" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/policies");
            request.Headers.Host = name + ":" + host.BaseAddress.Port;
            using var response = await host.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using var probe = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        probe.Headers.Host = "kubelet.example";
        using var healthy = await host.Client.SendAsync(probe);
        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
    }

    [Fact]
    public async Task Start_NoToken_ListensOnLoopbackEvenWhenAskedForAllInterfaces()
    {
        await using var host = await RunningHost.StartAsync(null, "--urls", "http://0.0.0.0:0");

        Assert.Equal("127.0.0.1", host.BaseAddress.Host);
    }

    /// <summary>A policy folder whose channel reads its URL from an environment variable that is not set; returns the variable's name.</summary>
    private static string FolderWithUnsetVariable(TempFolder folder)
    {
        var variable = "OER_TEST_SECRET_URL_" + Guid.NewGuid().ToString("N").ToUpperInvariant();
        File.Copy(Path.Combine(RunningHost.FixturePolicies, "deploy-freeze.yaml"), folder.Path("deploy-freeze.yaml"));
        folder.Write("oncall.yaml", $"apiVersion: openevent.rules/v1\nkind: Channel\nmetadata: {{ name: oncall }}\nspec: {{ type: webhook, urlFrom: {{ env: {variable} }} }}\n");
        return variable;
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(RunningHost host, string path, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        configure?.Invoke(request);
        using var response = await host.Client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// /readyz answers without the token (it is a probe), but gave anyone who reached the port the policy revision and the
    /// names of the unset secret variables; now only a caller with the token sees them.
    /// </summary>
    [Fact]
    public async Task Readyz_WithoutTheToken_OnlyTheStatus_WithItTheRevisionAndUnsetVariables()
    {
        using var folder = new TempFolder();
        var variable = FolderWithUnsetVariable(folder);
        await using var host = await RunningHost.StartAsync(folder.Root, "--OpenEventRules:Auth:Token", Token);

        var anonymous = await GetAsync(host, "/readyz");
        var wrong = await GetAsync(host, "/readyz", r => r.Headers.Add("x-eventbridge-signature-token", Token + "x"));
        var bearer = await GetAsync(host, "/readyz", r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token));
        var header = await GetAsync(host, "/readyz", r => r.Headers.Add("x-eventbridge-signature-token", Token));

        Assert.Equal((HttpStatusCode.OK, """{"status":"ready"}"""), anonymous);
        Assert.Equal((HttpStatusCode.OK, """{"status":"ready"}"""), wrong);
        foreach (var (status, body) in new[] { bearer, header })
        {
            Assert.Equal(HttpStatusCode.OK, status);
            using var ready = JsonDocument.Parse(body);
            Assert.Equal("ready", ready.RootElement.GetProperty("status").GetString());
            Assert.Equal(host.State.Current!.Revision, ready.RootElement.GetProperty("revision").GetString());
            Assert.Contains(variable, Assert.Single(ready.RootElement.GetProperty("unsetVariables").EnumerateArray()).GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Readyz_NoTokenConfigured_DetailsOnlyToALoopbackHostName()
    {
        // Without a token a loopback name is what every other route trusts; a DNS-rebinding page's name gets the status only.
        using var folder = new TempFolder();
        var variable = FolderWithUnsetVariable(folder);
        await using var host = await RunningHost.StartAsync(folder.Root);

        var foreign = await GetAsync(host, "/readyz", r => r.Headers.Host = "rebind.attacker.example:" + host.BaseAddress.Port);
        var local = await GetAsync(host, "/readyz", r => r.Headers.Host = "localhost:" + host.BaseAddress.Port);

        Assert.Equal((HttpStatusCode.OK, """{"status":"ready"}"""), foreign);
        Assert.Equal(HttpStatusCode.OK, local.Status);
        Assert.Contains(variable, local.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readyz_OutboxUnavailable_WhyOnlyWithTheToken()
    {
        // A broker nobody listens for: the reason names its address and the settings to look at.
        int port;
        using (var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        await using var host = await RunningHost.StartAsync(null, "--OpenEventRules:Auth:Token", Token,
            "--OpenEventRules:Broker:Uri", $"amqp://127.0.0.1:{port}", "--OpenEventRules:Broker:ReconnectDelay", "00:00:00.200");
        (HttpStatusCode Status, string Body) full = default;
        await RunningHost.WaitUntilAsync(async () =>
        {
            full = await GetAsync(host, "/readyz", r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token));
            return full.Body.Contains("\"reason\"", StringComparison.Ordinal);
        }, "/readyz to say why the outbox is unavailable");

        var anonymous = await GetAsync(host, "/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, full.Status);
        Assert.Contains($"127.0.0.1:{port}", full.Body, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.ServiceUnavailable, """{"status":"outbox-unavailable"}"""), anonymous);
    }
}
