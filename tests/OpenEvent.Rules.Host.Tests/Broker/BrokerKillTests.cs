using System.Diagnostics;
using System.Text;
using OpenEvent.Rules.Host.Tests.Actions;
using Xunit.Abstractions;
using static OpenEvent.Rules.Host.Tests.Broker.BrokerHarness;

namespace OpenEvent.Rules.Host.Tests.Broker;

/// <summary>
/// Two host processes consume 5,000 events from the queue, each event a notification and a DataWorks answer; one host
/// is killed (SIGKILL) a third of the way in. Every event is decided, every action delivered, nothing stays in a queue;
/// the duplicates the at-least-once delivery allows (what the killed host held in flight) are counted and reported.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class BrokerKillTests(SharedRabbitNode shared, ITestOutputHelper output)
{
    private readonly RabbitNode _node = shared.Node;

    private const int Events = 5000;

    [Fact]
    public async Task SigkillOneOfTwoHosts_5000Events_EveryActionDeliveredNothingStuck()
    {
        var clock = Stopwatch.StartNew();
        await using var hook = await StandInServer.StartAsync();
        await using var dataWorks = await DataWorksStandIn.StartAsync(AccessKeyId, AccessKeySecret);
        var prefix = NewPrefix("kill");
        using var folder = new TempFolder();
        folder.Write("policies/policies.yaml", PolicyYaml(hook, "blocked {{ id }}"));
        string[] settings =
        [
            "--OpenEventRules:Broker:Uri", _node.Uri,
            "--OpenEventRules:Broker:QueuePrefix", prefix,
            "--OpenEventRules:Broker:EventsQueue", prefix + ".events",
            "--OpenEventRules:Broker:Partitions", "4",
            "--OpenEventRules:Broker:ReconnectDelay", "00:00:00.200",
            "--OpenEventRules:Actions:RateLimitPerMinute", "0",
            "--OpenEventRules:Actions:DedupWindow", "00:00:00",
            "--OpenEventRules:DecisionLog:Path", "",
            "--OpenEventRules:DataWorks:ExtensionCode", ActionHarness.ExtensionCode,
            "--OpenEventRules:DataWorks:Endpoint", dataWorks.BaseAddress.ToString(),
            .. ActionHarness.FastOutbox,
        ];
        var environment = new Dictionary<string, string>
        {
            ["ALIBABA_CLOUD_ACCESS_KEY_ID"] = AccessKeyId,
            ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = AccessKeySecret,
        };
        using var doomed = await HostProcess.StartAsync(folder.Path("policies"), [.. settings, "--OpenEventRules:DataDirectory", folder.Path("a")], environment);
        using var survivor = await HostProcess.StartAsync(folder.Path("policies"), [.. settings, "--OpenEventRules:DataDirectory", folder.Path("b")], environment);
        var started = clock.Elapsed;
        var ids = Enumerable.Range(0, Events).Select(i => $"{prefix}-{i:D5}").ToList();
        await using var connection = await _node.ConnectAsync();

        await PublishAsync(connection, prefix + ".events", ids.Select(id => Encoding.UTF8.GetBytes(Deploy(id, "dws_" + id))));
        await ActionHarness.WaitUntilAsync(() => hook.Calls >= Events / 3, "a third of the notifications");
        doomed.Kill();
        var killedAt = clock.Elapsed;

        var notifyKeys = ids.Select(id => $"{id}/deploy-freeze/1/notify:hook").ToHashSet(StringComparer.Ordinal);
        var answerKeys = ids.Select(id => $"{id}/dataworks-callback").ToHashSet(StringComparer.Ordinal);
        await RunningHost.WaitUntilAsync(() => Task.FromResult(
            Keys(hook).Count == Events && Keys(dataWorks).Count == Events), "every notification and answer", timeoutSeconds: 150);
        await RunningHost.WaitUntilAsync(async () => await BrokerScaleOutTests.PendingAsync(connection, prefix) == 0, "every queue to drain");

        Assert.Equal(notifyKeys, Keys(hook));
        Assert.Equal(answerKeys, Keys(dataWorks));
        Assert.Equal(0u, await CountAsync(connection, prefix + ".events.dead"));
        Assert.Equal(0u, await CountAsync(connection, prefix + ".actions.dead"));
        Assert.All(dataWorks.Answers, a => Assert.Equal("FAIL", a.Parameters["CheckResult"]));
        // At least once: what the killed host held may be delivered twice, never more than it could hold. Its event
        // prefetch (32 events, 2 actions each), one admitted batch per partition not yet journaled (256 each) and its
        // deliveries in flight (Outbox:Concurrency, 8).
        var duplicateNotifications = hook.Delivered.Count() - Events;
        var duplicateAnswers = dataWorks.Delivered.Count() - Events;
        output.WriteLine($"5,000 events, 2 hosts, one killed: hosts ready after {started.TotalSeconds:0.0} s, killed at {killedAt.TotalSeconds:0.0} s, all delivered at {clock.Elapsed.TotalSeconds:0.0} s; duplicate deliveries: {duplicateNotifications} notifications, {duplicateAnswers} answers");
        Assert.InRange(duplicateNotifications + duplicateAnswers, 0, (32 * 2) + (4 * 256) + 8);
    }

    private static HashSet<string> Keys(StandInServer receiver) =>
        receiver.Delivered.Select(r => r.Header("Idempotency-Key")!).ToHashSet(StringComparer.Ordinal);
}
