using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OpenEvent.Rules.Host.Actions;
using OpenEvent.Rules.Host.Tests.Endpoints;
using static OpenEvent.Rules.Host.Tests.Actions.ActionHarness;

namespace OpenEvent.Rules.Host.Tests.Actions;

/// <summary>
/// What an event id can do to the requests the host sends. The id reaches the Idempotency-Key header of every
/// channel, target and DataWorks answer; ingest refuses control characters, and the outbound side must be safe on
/// its own: the actions here are written straight into the running host's outbox, as if ingest had let them in,
/// and a raw TCP receiver shows the bytes on the wire.
/// </summary>
public sealed class OutboundHeaderTests
{
    private const string HostileId = "evil\r\nX-Injected: yes\r\nContent-Length: 0\r\n\r\nPOST /smuggled HTTP/1.1\r\nHost: x\r\nX-Smuggled: 1";

    private static string Policies(RawReceiver receiver, string? headerVariable = null) => $$"""
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: p }
        spec:
          match: { type: ["dataworks:FileChange:DeployFile"] }
          actions:
            - notify: { channel: hook, message: "m" }
            - forward: { target: audit }
        ---
        apiVersion: openevent.rules/v1
        kind: Channel
        metadata: { name: hook }
        spec:
          type: webhook
          url: "{{receiver.Url("/hook")}}"
        {{(headerVariable is null ? "" : $"  headers: {{ X-Team: {{ env: {headerVariable} }} }}")}}
        ---
        apiVersion: openevent.rules/v1
        kind: Target
        metadata: { name: audit }
        spec: { type: http, url: "{{receiver.Url("/audit")}}" }
        """;

    private static async Task<RunningHost> StartAsync(RawReceiver receiver, string? headerVariable = null) =>
        await ActionHarness.StartAsync(Policies(receiver, headerVariable),
            "--OpenEventRules:DataWorks:ExtensionCode", ExtensionCode,
            "--OpenEventRules:DataWorks:Endpoint", receiver.Url("/"),
            "--OpenEventRules:DataWorks:AccessKeyIdVariable", Env("AKID", "LTAIheader"),
            "--OpenEventRules:DataWorks:AccessKeySecretVariable", Env("AKSECRET", "header-secret"));

    /// <summary>The three actions an event can cause, stored as the dispatcher stores them, for an event with this id.</summary>
    private static void Store(RunningHost host, RawReceiver receiver, string id)
    {
        var notify = new NotifyPayload("webhook", "hook", new PayloadValue(receiver.Url("/hook"), null), null, null, "m");
        var forward = new ForwardPayload("http", "audit", new PayloadValue(receiver.Url("/audit"), null), null, null);
        var answer = new AnswerPayload("dataworks", "UpdateIDEEventResult", id, "FAIL", "m", "cn-hangzhou");
        const string type = "dataworks:FileChange:DeployFile";
        var stored = host.Outbox().Enqueue(
        [
            new NewAction($"{id}/p/0/notify:hook", id, type, "p", "notify", "hook", notify),
            new NewAction($"{id}/p/1/forward:audit", id, type, "p", "forward", "audit", forward, "{\"id\":\"x\"}"u8.ToArray()),
            new NewAction($"{id}/dataworks-callback", id, type, null, OutboxDispatcher.AnswerKind, "UpdateIDEEventResult", answer),
        ], DateTimeOffset.UtcNow);
        Assert.Equal(3, stored);
        host.Services.GetRequiredService<OutboxSignal>().Notify();
    }

    /// <summary>
    /// A stored action names what it likes (a message written into a broker queue, an outbox file): one whose header
    /// reads the host's own DataWorks secret, by the default prefix or by the variable the settings name, is dead-lettered
    /// and nothing is sent. The load refuses such a policy (OER3039); delivery refuses it again.
    /// </summary>
    [Theory]
    [InlineData("ALIBABA_CLOUD_ACCESS_KEY_SECRET")]
    [InlineData("OpenEventRules__Auth__Token")]
    [InlineData(null)] // the secret's variable as the settings name it
    public async Task StoredAction_ReadingAHostCredential_IsDeadLettered_AndNothingIsSent(string? variable)
    {
        await using var receiver = new RawReceiver();
        var secretVariable = Env("AKSECRET", "header-secret");
        await using var host = await ActionHarness.StartAsync(Policies(receiver, null),
            "--OpenEventRules:DataWorks:ExtensionCode", ExtensionCode,
            "--OpenEventRules:DataWorks:Endpoint", receiver.Url("/"),
            "--OpenEventRules:DataWorks:AccessKeyIdVariable", Env("AKID", "LTAIheader"),
            "--OpenEventRules:DataWorks:AccessKeySecretVariable", secretVariable);
        variable ??= secretVariable;
        var notify = new NotifyPayload("webhook", "evil", new PayloadValue(receiver.Url("/exfil"), null), null,
            new Dictionary<string, PayloadValue> { ["X-Leak"] = new(null, variable) }, "m");

        host.Outbox().Enqueue([new NewAction("leak-1/p/0/notify:evil", "leak-1", "dataworks:FileChange:DeployFile", "p", "notify", "evil", notify)], DateTimeOffset.UtcNow);
        host.Services.GetRequiredService<OutboxSignal>().Notify();
        await WaitUntilAsync(() => host.Outbox().Counts().Dead == 1, "the action to be dead-lettered");

        Assert.StartsWith($"the environment variable {variable} (header X-Leak of channel 'evil') holds a credential of the host itself",
            Assert.Single(host.Outbox().List(OutboxStore.Dead, 10)).LastError, StringComparison.Ordinal);
        Assert.Empty(receiver.Requests);
    }

    [Fact]
    public async Task HostileEventId_EachActionIsOneRequestWithTheKeyEncodedAndNoInjectedHeader()
    {
        await using var receiver = new RawReceiver();
        await using var host = await StartAsync(receiver);

        Store(host, receiver, HostileId);
        await host.WaitForIdleAsync("the actions to be delivered");

        const string encoded = "evil%0D%0AX-Injected:%20yes%0D%0AContent-Length:%200%0D%0A%0D%0APOST%20/smuggled%20HTTP/1.1%0D%0AHost:%20x%0D%0AX-Smuggled:%201";
        var requests = receiver.Requests.OrderBy(r => r.RequestLine, StringComparer.Ordinal).ToList();
        Assert.Equal(["POST / HTTP/1.1", "POST /audit HTTP/1.1", "POST /hook HTTP/1.1"], requests.Select(r => r.RequestLine));
        Assert.Equal($"{encoded}/dataworks-callback", Assert.Single(requests[0].Values("Idempotency-Key")));
        Assert.Equal($"{encoded}/p/1/forward:audit", Assert.Single(requests[1].Values("Idempotency-Key")));
        Assert.Equal($"{encoded}/p/0/notify:hook", Assert.Single(requests[2].Values("Idempotency-Key")));
        Assert.All(requests, r => Assert.DoesNotContain(r.Headers, h => h.Name is "X-Injected" or "X-Smuggled"));
        Assert.DoesNotContain("POST /smuggled", receiver.Wire, StringComparison.Ordinal);
        Assert.DoesNotContain("\r\nX-Injected:", receiver.Wire, StringComparison.Ordinal);
        // The webhook body names the key the header carries, so a receiver can match them.
        Assert.Equal($"{encoded}/p/0/notify:hook", JsonNode.Parse(requests[2].Body)!["idempotencyKey"]!.GetValue<string>());
        Assert.All(host.Outbox().List(OutboxStore.Delivered, 10), item => Assert.Equal(1, item.Attempts));
        Assert.Equal((0L, 3L, 0L), host.Outbox().Counts());
    }

    [Fact]
    public async Task NonAsciiEventId_IsDeliveredAtTheFirstAttemptWithAPercentEncodedKey()
    {
        await using var receiver = new RawReceiver();
        await using var host = await StartAsync(receiver);

        Store(host, receiver, "部署-ü 1");
        await host.WaitForIdleAsync("the actions to be delivered");

        Assert.Equal((0L, 3L, 0L), host.Outbox().Counts());
        Assert.All(host.Outbox().List(OutboxStore.Delivered, 10), item => Assert.Equal(1, item.Attempts));
        Assert.Equal(
            ["%E9%83%A8%E7%BD%B2-%C3%BC%201/dataworks-callback", "%E9%83%A8%E7%BD%B2-%C3%BC%201/p/0/notify:hook", "%E9%83%A8%E7%BD%B2-%C3%BC%201/p/1/forward:audit"],
            receiver.Requests.Select(r => Assert.Single(r.Values("Idempotency-Key"))).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ConfiguredHeaderWithLineBreak_IsDeadLetteredAtOnceWithoutBeingSentOrEchoed()
    {
        await using var receiver = new RawReceiver();
        var variable = Env("HEADER", "team-a\r\nX-Injected: yes");
        await using var host = await StartAsync(receiver, variable);

        (await host.PostAsync("/events", HostEndpointTests.DeployEvent(NewId("hdr"), "ods_x"))).EnsureSuccessStatusCode();
        await WaitUntilAsync(() => host.Outbox().Counts().Dead == 1, "the notification to be dead-lettered");
        await host.WaitForIdleAsync("the other actions to be delivered");

        var dead = Assert.Single(host.Outbox().List(OutboxStore.Dead, 10));
        Assert.Equal(("notify", 1), (dead.Kind, dead.Attempts));
        Assert.Equal("the value of header X-Team of channel 'hook' contains a control or non-ASCII character, which no header can carry (not shown: it may be a secret): fix the value", dead.LastError);
        Assert.DoesNotContain(receiver.Requests, r => r.RequestLine.StartsWith("POST /hook", StringComparison.Ordinal));
        Assert.DoesNotContain("X-Injected", receiver.Wire, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("9d99e556-1f6c-4a4b-8f5e-2d1f0c3a7b21/deploy-freeze/1/notify:hook", "9d99e556-1f6c-4a4b-8f5e-2d1f0c3a7b21/deploy-freeze/1/notify:hook")]
    [InlineData("a b%c", "a%20b%25c")]
    [InlineData("a\r\nb\0", "a%0D%0Ab%00")]
    [InlineData("é", "%C3%A9")]
    public void IdempotencyKey_KeepsVisibleAsciiAndEncodesTheRest(string key, string expected)
    {
        Assert.Equal(expected, HeaderValues.IdempotencyKey(key));
    }

    [Fact]
    public void IdempotencyKey_TooLongWhenEncoded_IsItsSha256()
    {
        var key = new string('\n', 100);

        Assert.Equal("sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Enumerable.Repeat((byte)'\n', 100).ToArray())),
            HeaderValues.IdempotencyKey(key));
    }
}
