using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Configuration;
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
}
