using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Host.Actions;
using OpenEvent.Rules.Host.Tests.Endpoints;
using static OpenEvent.Rules.Host.Tests.Actions.ActionHarness;

namespace OpenEvent.Rules.Host.Tests.Actions;

/// <summary>
/// An action is delivered with the channel of the policy set that decided it. A reload (or a restart on a new
/// set) between the decision and the delivery must not send it elsewhere, or nowhere.
/// </summary>
public sealed class OutboxDispatcherTests
{
    private static string Policies(string hookUrl) => $$$"""
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: p }
        spec:
          match: { type: ["dataworks:FileChange:DeployFile"] }
          actions:
            - notify: { channel: hook, message: "deploy of {{ data.fileName }}" }
        ---
        apiVersion: openevent.rules/v1
        kind: Channel
        metadata: { name: hook }
        spec: { type: webhook, url: "{{{hookUrl}}}" }
        """;

    [Fact]
    public async Task ReloadBetweenDecisionAndDispatch_DeliversWithTheDecidingSetsChannel()
    {
        await using var a = await StandInServer.StartAsync();
        await using var b = await StandInServer.StartAsync();
        await using var host = await ActionHarness.StartAsync(Policies(a.Url("/a")));
        var id = NewId("reload");

        // What POST /events does, with a reload where a slow evaluation would let one happen: lease, read, evaluate,
        // (reload), dispatch, release.
        var lease = host.State.Acquire()!;
        try
        {
            using var e = lease.Compiled.TryRead(EventInputReader.Single(Encoding.UTF8.GetBytes(HostEndpointTests.DeployEvent(id, "ods_x")), "request").Single(), out _)!;
            var decision = lease.Compiled.Evaluator.Evaluate(e);
            File.WriteAllText(Path.Combine(host.PoliciesPath, "policies.yaml"), Policies(b.Url("/b")));
            await RunningHost.WaitUntilAsync(() => Task.FromResult(host.State.Current!.Revision != lease.Revision), "the reload to X → B");

            await host.Services.GetRequiredService<IActionDispatcher>().DispatchAsync(decision, e, lease.Snapshot.Set, CancellationToken.None);
        }
        finally
        {
            lease.Release();
        }

        await host.WaitForIdleAsync("the notification to be delivered");
        var delivered = Assert.Single(a.Delivered);
        Assert.Equal("/a", delivered.Path);
        Assert.Equal($"{id}/p/0/notify:hook", delivered.Header("Idempotency-Key"));
        Assert.Empty(b.Requests);

        // The next event is decided by the new set, and goes to B.
        var next = NewId("reload");
        (await host.PostAsync("/events", HostEndpointTests.DeployEvent(next, "ods_y"))).EnsureSuccessStatusCode();
        await host.WaitForIdleAsync("the second notification to be delivered");
        Assert.Equal($"{next}/p/0/notify:hook", Assert.Single(b.Delivered).Header("Idempotency-Key"));
        Assert.Single(a.Requests);
    }

    [Fact]
    public async Task ActionStoredBeforeARestart_IsDeliveredWithTheChannelItWasDecidedWith()
    {
        using var folder = new TempFolder();
        var outbox = folder.Path("outbox.db");
        await using var a = await StandInServer.StartAsync();
        await using var b = await StandInServer.StartAsync();
        a.Mode = ReceiverMode.AlwaysFail;
        var id = NewId("restart");

        await using (var first = await ActionHarness.StartAsync(Policies(a.Url("/a")), "--OpenEventRules:Outbox:Path", outbox, "--OpenEventRules:Outbox:MaxAttempts", "1000"))
        {
            using var response = await first.PostAsync("/events", HostEndpointTests.DeployEvent(id, "ods_x"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await WaitUntilAsync(() => a.Calls >= 1, "a first failed attempt");
        }

        a.Mode = ReceiverMode.Succeed;
        await using var second = await ActionHarness.StartAsync(Policies(b.Url("/b")), "--OpenEventRules:Outbox:Path", outbox, "--OpenEventRules:Outbox:MaxAttempts", "1000");
        await second.WaitForIdleAsync("the restarted host to deliver the stored notification");

        Assert.Equal($"{id}/p/0/notify:hook", Assert.Single(a.Delivered).Header("Idempotency-Key"));
        Assert.Empty(b.Requests);
    }

    // A stop (a deploy, a rolling restart) while a receiver holds a delivery: the delivery finishes and is recorded, so
    // the next start does not send it again (a chat channel would show it twice: it ignores Idempotency-Key).
    [Fact]
    public async Task HostStopsWhileADeliveryIsInFlight_ItFinishesAndIsNotSentAgainAfterTheRestart()
    {
        using var folder = new TempFolder();
        var outbox = folder.Path("outbox.db");
        await using var hook = await StandInServer.StartAsync();
        hook.AnswerDelay = TimeSpan.FromMilliseconds(500);
        var id = NewId("graceful");

        await using (var first = await ActionHarness.StartAsync(Policies(hook.Url("/hook")), "--OpenEventRules:Outbox:Path", outbox))
        {
            using var response = await first.PostAsync("/events", HostEndpointTests.DeployEvent(id, "ods_x"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await WaitUntilAsync(() => hook.Calls >= 1, "the delivery to reach the receiver");
        }

        Assert.Equal(0, new OutboxStore(outbox).Counts().Pending);
        hook.AnswerDelay = TimeSpan.Zero;
        await using var second = await ActionHarness.StartAsync(Policies(hook.Url("/hook")), "--OpenEventRules:Outbox:Path", outbox);
        await second.WaitForIdleAsync("the restarted host to find nothing to deliver");

        Assert.Equal(1, hook.Calls);
        Assert.Equal($"{id}/p/0/notify:hook", Assert.Single(hook.Delivered).Header("Idempotency-Key"));
    }
}
