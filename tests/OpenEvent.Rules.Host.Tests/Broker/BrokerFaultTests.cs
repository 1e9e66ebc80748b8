using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using OpenEvent.Rules.Host.Tests.Actions;
using static OpenEvent.Rules.Host.Tests.Broker.BrokerHarness;

namespace OpenEvent.Rules.Host.Tests.Broker;

/// <summary>
/// The broker down at start, gone for 10 s under load, or refusing the credentials: /readyz says why (naming the
/// setting), POST /events answers 503, the host reconnects by itself, and nothing is lost once the broker is back.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class BrokerFaultTests(SharedRabbitNode shared)
{
    private readonly RabbitNode _node = shared.Node;

    [Fact]
    public async Task BrokerDownAtStartThenAway10sUnderLoad_Readyz503_Post503_NothingLostOnceBack()
    {
        await using var hook = await StandInServer.StartAsync();
        await using var dataWorks = await DataWorksStandIn.StartAsync(AccessKeyId, AccessKeySecret);
        var prefix = NewPrefix("outage");
        using var folder = new TempFolder();
        folder.Write("policies.yaml", PolicyYaml(hook));

        // Down at start: the host starts, says why it is not ready, refuses events, and connects once the broker is up.
        await _node.StopAsync();
        await using var host = await RunningHost.StartAsync(folder.Root, Settings(_node, prefix, dataWorks, "--OpenEventRules:Actions:RateLimitPerMinute", "0"));
        await AssertUnavailableAsync(host, "is unreachable (OpenEventRules:Broker:Uri)");
        await _node.StartAsync();
        await RunningHost.WaitUntilAsync(async () => (await host.Client.GetAsync("/readyz")).IsSuccessStatusCode, "the host to connect once the broker is up");

        // Under load: events on the queue and over HTTP (each posted until it is accepted, as EventBridge retries).
        await using (var connection = await _node.ConnectAsync())
        {
            await PublishAsync(connection, prefix + ".events", [.. Enumerable.Range(0, 300).Select(i => System.Text.Encoding.UTF8.GetBytes(Deploy($"queued-{prefix}-{i}", "dws_q")))]);
        }

        var posted = new ConcurrentBag<string>();
        var refused = 0;
        using var stopPosting = new CancellationTokenSource();
        // Posting goes on until the broker is back (paced, so that a fast host does not post its whole count before the
        // broker goes: with a fixed count of 400 it once finished before the outage and was never refused).
        var poster = Task.Run(async () =>
        {
            for (var i = 0; !stopPosting.IsCancellationRequested; i++)
            {
                var id = $"posted-{prefix}-{i}";
                while (true)
                {
                    using var response = await host.PostAsync("/events", Deploy(id, "dws_p"));
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        posted.Add(id);
                        break;
                    }

                    Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                    Interlocked.Increment(ref refused);
                    await Task.Delay(100);
                }

                await Task.Delay(25);
            }
        });
        await ActionHarness.WaitUntilAsync(() => posted.Count >= 20, "some events to be accepted before the broker goes");

        await _node.StopAsync();
        await AssertUnavailableAsync(host, "(OpenEventRules:Broker:Uri)");
        await Task.Delay(TimeSpan.FromSeconds(10));
        await _node.StartAsync();

        await stopPosting.CancelAsync();
        await poster;
        Assert.True(refused > 0, "POST /events was never refused while the broker was away");
        var expected = Enumerable.Range(0, 300).Select(i => $"queued-{prefix}-{i}").Concat(posted).ToHashSet(StringComparer.Ordinal);
        await RunningHost.WaitUntilAsync(() => Task.FromResult(expected.All(id => Notified(hook).Contains(id))), "every event's notification", timeoutSeconds: 90);
        await using (var connection = await _node.ConnectAsync())
        {
            await RunningHost.WaitUntilAsync(async () => await BrokerScaleOutTests.PendingAsync(connection, prefix) == 0, "every queue to drain");
        }

        Assert.Subset(Notified(hook), expected);
    }

    [Fact]
    public async Task RefusedCredentials_ReadyzNamesTheSettings_Post503()
    {
        await using var hook = await StandInServer.StartAsync();
        await using var dataWorks = await DataWorksStandIn.StartAsync(AccessKeyId, AccessKeySecret);
        using var folder = new TempFolder();
        folder.Write("policies.yaml", PolicyYaml(hook));

        await using var host = await RunningHost.StartAsync(folder.Root, Settings(_node, NewPrefix("creds"), dataWorks, "--OpenEventRules:Broker:UserName", "nobody"));

        await AssertUnavailableAsync(host, $"the broker at amqp://127.0.0.1:{_node.Port} (virtual host /) refused the credentials: check OpenEventRules:Broker:UserName and OpenEventRules__Broker__Password");
    }

    /// <summary>The event ids the hook was notified about (the message ends with "(id)").</summary>
    [Fact]
    public async Task MemoryAlarmWhileDeliveriesFail_TheHeldActionsAreDeliveredOnceItClears_WithoutAReconnect()
    {
        // During the alarm a failed delivery's retry cannot be published (Broker:PublishTimeout): the message stayed
        // unacknowledged, holding one of the host's delivery slots, until the connection dropped. It is handed back to
        // the queue now, so once the alarm clears every action goes out on the same connection.
        await using var hook = await StandInServer.StartAsync();
        hook.Mode = ReceiverMode.AlwaysFail;
        await using var dataWorks = await DataWorksStandIn.StartAsync(AccessKeyId, AccessKeySecret);
        var prefix = NewPrefix("alarm");
        await using var host = await StartHostAsync(PolicyYaml(hook), Settings(_node, prefix, dataWorks,
            "--OpenEventRules:Broker:PublishTimeout", "00:00:01", "--OpenEventRules:Actions:RateLimitPerMinute", "0", "--OpenEventRules:Outbox:MaxAttempts", "1000",
            // One delivery slot: a message left unacknowledged holds it, and nothing else is delivered.
            "--OpenEventRules:Outbox:Concurrency", "1"));
        var ids = Enumerable.Range(0, 4).Select(i => $"alarm-{prefix}-{i}").ToList();
        await using (var connection = await _node.ConnectAsync())
        {
            await PublishAsync(connection, prefix + ".events", [.. ids.Select(id => System.Text.Encoding.UTF8.GetBytes(Deploy(id, "dws_alarm")))]);
        }

        await ActionHarness.WaitUntilAsync(() => hook.Requests.Count >= ids.Count, "the first failing attempts");
        try
        {
            Assert.Equal(0, await _node.CtlAsync("set_vm_memory_high_watermark", "0.0001"));
            await Task.Delay(TimeSpan.FromSeconds(6));
        }
        finally
        {
            await _node.CtlAsync("set_vm_memory_high_watermark", "0.4");
        }

        hook.Mode = ReceiverMode.Succeed;
        await RunningHost.WaitUntilAsync(() => Task.FromResult(ids.All(id => Notified(hook).Contains(id))), "every notification once the alarm cleared", timeoutSeconds: 60);
    }

    [Fact]
    public async Task MemoryAlarm_ReadyzSaysTheBrokerBlocksPublishers_UntilItClears()
    {
        // Each event waited Broker:PublishTimeout and failed while /readyz said ready, so a load balancer kept sending.
        await using var hook = await StandInServer.StartAsync();
        await using var dataWorks = await DataWorksStandIn.StartAsync(AccessKeyId, AccessKeySecret);
        var prefix = NewPrefix("blocked");
        await using var host = await StartHostAsync(PolicyYaml(hook), Settings(_node, prefix, dataWorks, "--OpenEventRules:Broker:PublishTimeout", "00:00:01"));
        try
        {
            Assert.Equal(0, await _node.CtlAsync("set_vm_memory_high_watermark", "0.0001"));
            // The broker blocks a connection when it next publishes.
            using (var first = await host.PostAsync("/events", Deploy(ActionHarness.NewId("blocked"), "ods_x")))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
            }

            await AssertUnavailableAsync(host, "blocks publishers");
        }
        finally
        {
            await _node.CtlAsync("set_vm_memory_high_watermark", "0.4");
        }

        await RunningHost.WaitUntilAsync(async () => (await host.Client.GetAsync("/readyz")).IsSuccessStatusCode, "/readyz to be ready once the alarm clears");
    }

    [Theory]
    [InlineData("events")]
    public async Task QueueDeletedWhileTheHostRuns_TheHostDeclaresItAgainAndGoesOn(string deleted)
    {
        // The broker cancels the consumer of a deleted queue and leaves the channel open: the host consumed nothing more,
        // for good, while /readyz said ready.
        await using var hook = await StandInServer.StartAsync();
        await using var dataWorks = await DataWorksStandIn.StartAsync(AccessKeyId, AccessKeySecret);
        var prefix = NewPrefix("deleted");
        await using var host = await StartHostAsync(PolicyYaml(hook), Settings(_node, prefix, dataWorks, "--OpenEventRules:Actions:RateLimitPerMinute", "0"));
        await using var connection = await _node.ConnectAsync();
        await PublishAsync(connection, prefix + ".events", Deploy($"before-{prefix}", "dws_x"));
        await RunningHost.WaitUntilAsync(() => Task.FromResult(Notified(hook).Contains($"before-{prefix}")), "the first event's notification");

        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.QueueDeleteAsync(prefix + "." + deleted, ifUnused: false, ifEmpty: false);
        }

        // Declared again by the host's new connection; then the next event goes through.
        await RunningHost.WaitUntilAsync(async () =>
        {
            try
            {
                await CountAsync(connection, prefix + "." + deleted);
                return true;
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                return false;
            }
        }, "the queue to be declared again");
        await PublishAsync(connection, prefix + ".events", Deploy($"after-{prefix}", "dws_x"));
        await RunningHost.WaitUntilAsync(() => Task.FromResult(Notified(hook).Contains($"after-{prefix}")), "the next event's notification", timeoutSeconds: 60);
    }

    private static HashSet<string> Notified(StandInServer hook) =>
        hook.Delivered.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("message").GetString()!)
            .Select(m => m[(m.LastIndexOf('(') + 1)..^1]).ToHashSet(StringComparer.Ordinal);

    private static async Task AssertUnavailableAsync(RunningHost host, string reason)
    {
        string? text = null;
        await RunningHost.WaitUntilAsync(async () =>
        {
            using var response = await host.Client.GetAsync("/readyz");
            text = await response.Content.ReadAsStringAsync();
            return response.StatusCode == HttpStatusCode.ServiceUnavailable && text.Contains(reason, StringComparison.Ordinal);
        }, $"/readyz to say: {reason}");
        Assert.Equal("outbox-unavailable", JsonDocument.Parse(text!).RootElement.GetProperty("status").GetString());

        using var post = await host.PostAsync("/events", Deploy(ActionHarness.NewId("refused"), "ods_not_blocked"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, post.StatusCode);
        Assert.Equal("outbox-unavailable", JsonDocument.Parse(await post.Content.ReadAsStringAsync()).RootElement.GetProperty("errorId").GetString());
    }
}
