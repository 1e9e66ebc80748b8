using System.Net;
using System.Text.Json;
using OpenEvent.Rules.Host.Tests.Actions;
using static OpenEvent.Rules.Host.Tests.Broker.BrokerHarness;

namespace OpenEvent.Rules.Host.Tests.Broker;

/// <summary>
/// Two hosts on one broker: the idempotency keys, rate limits and de-duplication windows hold across them (the one
/// active consumer of each action partition admits every action of its channels), and an operator inspects and replays
/// the shared outbox with GET /outbox and oer outbox.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class BrokerScaleOutTests(SharedRabbitNode shared)
{
    private readonly RabbitNode _node = shared.Node;

    [Fact]
    public async Task IdenticalAndExcessNotifications_PostedToTwoHosts_ArriveOnceAndWithinTheRateLimit()
    {
        await using var hook = await StandInServer.StartAsync();
        await using var dataWorks = await DataWorksStandIn.StartAsync(AccessKeyId, AccessKeySecret);
        var prefix = NewPrefix("limits");
        var policies = $$$"""
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: deploy-freeze }
            spec:
              match: { type: ["dataworks:FileChange:DeployFile"] }
              actions:
                - block: { reason: "frozen" }
                - notify: { channel: hook, message: "deploys are frozen this week" }
                - notify: { channel: limited, message: "deploy {{ id }} blocked" }
            ---
            apiVersion: openevent.rules/v1
            kind: Channel
            metadata: { name: hook }
            spec: { type: webhook, url: "{{{hook.Url("/hook")}}}" }
            ---
            apiVersion: openevent.rules/v1
            kind: Channel
            metadata: { name: limited }
            spec: { type: webhook, url: "{{{hook.Url("/limited")}}}" }
            """;
        string[] settings = [.. Settings(_node, prefix, dataWorks), "--OpenEventRules:Actions:Channels:limited:RateLimitPerMinute", "3"];
        await using var first = await StartHostAsync(policies, settings);
        await using var second = await StartHostAsync(policies, settings);
        await using var connection = await _node.ConnectAsync();
        var ids = Enumerable.Range(0, 10).Select(i => ActionHarness.NewId($"twin{i}")).ToList();

        for (var i = 0; i < ids.Count; i++)
        {
            using var response = await (i % 2 == 0 ? first : second).PostAsync("/events", Deploy(ids[i], "dws_same"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await ActionHarness.WaitUntilAsync(() => dataWorks.Delivered.Count() == ids.Count, "every event's answer");
        await RunningHost.WaitUntilAsync(async () => await PendingAsync(connection, prefix) == 0, "the partitions and the delivery queue to drain");
        Assert.Single(hook.Delivered, r => r.Path == "/hook");
        Assert.Equal(3, hook.Delivered.Count(r => r.Path == "/limited"));
        Assert.Equal(ids.Select(id => $"{id}/dataworks-callback").Order(StringComparer.Ordinal),
            dataWorks.Delivered.Select(r => r.Header("Idempotency-Key")!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ActiveHostLeaves_TheNextHostGoesOnFromItsJournal_DuplicateStillSuppressed()
    {
        await using var hook = await StandInServer.StartAsync();
        await using var dataWorks = await DataWorksStandIn.StartAsync(AccessKeyId, AccessKeySecret);
        var prefix = NewPrefix("takeover");
        string[] settings = Settings(_node, prefix, dataWorks);
        var policies = PolicyYaml(hook, "deploys are frozen this week");
        var first = await StartHostAsync(policies, settings);
        await using var second = await StartHostAsync(policies, settings);
        await using var connection = await _node.ConnectAsync();

        using (var response = await first.PostAsync("/events", Deploy(ActionHarness.NewId("before"), "dws_a")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await ActionHarness.WaitUntilAsync(() => hook.Delivered.Any(), "the first notification");
        // The first host held every partition (it consumed first); the second takes them over and reads their journals.
        await first.DisposeAsync();
        var after = ActionHarness.NewId("after");
        using (var response = await second.PostAsync("/events", Deploy(after, "dws_b")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await ActionHarness.WaitUntilAsync(() => dataWorks.Delivered.Any(r => r.Body.Contains(after, StringComparison.Ordinal)), "the second event's answer");
        await RunningHost.WaitUntilAsync(async () => await PendingAsync(connection, prefix) == 0, "the partitions and the delivery queue to drain");
        Assert.Single(hook.Delivered);
    }

    [Fact]
    public async Task SameEvent_PostedToBothHosts_ActsOnce()
    {
        await using var hook = await StandInServer.StartAsync();
        await using var dataWorks = await DataWorksStandIn.StartAsync(AccessKeyId, AccessKeySecret);
        var prefix = NewPrefix("twice");
        // No de-duplication window: only the idempotency key can keep the second notification from being sent.
        string[] settings = [.. Settings(_node, prefix, dataWorks), "--OpenEventRules:Actions:DedupWindow", "00:00:00"];
        await using var first = await StartHostAsync(PolicyYaml(hook), settings);
        await using var second = await StartHostAsync(PolicyYaml(hook), settings);
        await using var connection = await _node.ConnectAsync();
        var id = ActionHarness.NewId("again");

        using (var response = await first.PostAsync("/events", Deploy(id, "dws_twice")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // EventBridge delivers the event again, this time through the other host behind the load balancer.
        using (var response = await second.PostAsync("/events", Deploy(id, "dws_twice")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await ActionHarness.WaitUntilAsync(() => hook.Delivered.Any() && !dataWorks.Answers.IsEmpty, "the actions");
        await RunningHost.WaitUntilAsync(async () => await PendingAsync(connection, prefix) == 0, "the partitions and the delivery queue to drain");
        Assert.Equal($"{id}/deploy-freeze/1/notify:hook", Assert.Single(hook.Delivered).Header("Idempotency-Key"));
        Assert.Equal($"{id}/dataworks-callback", Assert.Single(dataWorks.Delivered).Header("Idempotency-Key"));
    }

    [Fact]
    public async Task DeadLetters_ShownByGetOutboxAndOerOutbox_RetriedAndPurged()
    {
        await using var hook = await StandInServer.StartAsync();
        await using var dataWorks = await DataWorksStandIn.StartAsync(AccessKeyId, AccessKeySecret);
        hook.Mode = ReceiverMode.AlwaysFail;
        var prefix = NewPrefix("dead");
        await using var host = await StartHostAsync(PolicyYaml(hook), Settings(_node, prefix, dataWorks));
        using var folder = new TempFolder();
        var settingsFile = folder.Write("appsettings.json", $$"""
            { "OpenEventRules": {
                "Broker": { "QueuePrefix": "{{prefix}}", "EventsQueue": "{{prefix}}.events", "Partitions": 4 },
                "Outbox": { "InitialBackoff": "00:00:00.050", "MaxBackoff": "00:00:00.200" } } }
            """);
        string[] cli = ["--broker", _node.Uri, "--settings", settingsFile];
        var id = ActionHarness.NewId("dead");

        using (var response = await host.PostAsync("/events", Deploy(id, "dws_dead")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Four attempts (Outbox:MaxAttempts), each retry through a delay queue, then the dead-letter queue.
        await RunningHost.WaitUntilAsync(async () => (await OutboxAsync(host)).GetProperty("dead").GetInt64() == 1, "the notification to be dead-lettered");
        Assert.Equal(4, hook.Calls);
        var (code, stdout, stderr) = Oer(["outbox", "list", .. cli, "--status", "dead", "--format", "json"]);
        Assert.Equal((0, ""), (code, stderr));
        var item = JsonDocument.Parse(stdout.Trim()).RootElement;
        Assert.Equal(("dead", $"{id}/deploy-freeze/1/notify:hook", "notify", "hook", 4),
            (item.GetProperty("status").GetString(), item.GetProperty("key").GetString(), item.GetProperty("kind").GetString(),
             item.GetProperty("destination").GetString(), item.GetProperty("attempts").GetInt32()));
        Assert.StartsWith("HTTP 500 InternalServerError: ", item.GetProperty("lastError").GetString(), StringComparison.Ordinal);

        hook.Mode = ReceiverMode.Succeed;
        Assert.Equal((0, "1 action queued for delivery\n", ""), Oer(["outbox", "retry", .. cli, "--all"]));
        await ActionHarness.WaitUntilAsync(() => hook.Delivered.Any(), "the retried notification");
        Assert.Equal($"{id}/deploy-freeze/1/notify:hook", Assert.Single(hook.Delivered).Header("Idempotency-Key"));
        Assert.Equal(0, (await OutboxAsync(host)).GetProperty("dead").GetInt64());

        hook.Mode = ReceiverMode.AlwaysFail;
        var other = ActionHarness.NewId("purged");
        using (var response = await host.PostAsync("/events", Deploy(other, "dws_purged")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await RunningHost.WaitUntilAsync(async () => (await OutboxAsync(host)).GetProperty("dead").GetInt64() == 1, "the second notification to be dead-lettered");
        Assert.Equal((0, "purged 0 delivered, 1 dead\n", ""), Oer(["outbox", "purge", .. cli, "--dead"]));
        var listed = Oer(["outbox", "list", .. cli]);
        Assert.True(listed.ExitCode == 0, listed.Stderr);
        Assert.Equal((0, "0 pending, 0 dead (delivered actions are not kept by the broker)\n", ""), listed);
    }

    [Fact]
    public async Task OerOutbox_WrongQueuePrefix_SaysWhichSettingsToSet()
    {
        var (code, stdout, stderr) = Oer(["outbox", "list", "--broker", _node.Uri, "--settings", WriteSettings("no-such-prefix")]);

        Assert.Equal((2, ""), (code, stdout));
        Assert.Equal($"oer: the broker at amqp://127.0.0.1:{_node.Port} (virtual host /) has no outbox queues with these settings (NOT_FOUND - no queue 'no-such-prefix.actions.dead' in vhost '/'): set OpenEventRules__Broker__QueuePrefix and the Outbox backoff settings as the hosts have them\n", stderr);
    }

    private static string WriteSettings(string prefix)
    {
        var path = Path.Combine(Path.GetTempPath(), $"oer-settings-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, $$"""{ "OpenEventRules": { "Broker": { "QueuePrefix": "{{prefix}}" } } }""");
        return path;
    }

    internal static async Task<long> PendingAsync(RabbitMQ.Client.IConnection connection, string prefix)
    {
        long pending = await CountAsync(connection, prefix + ".deliver") + await CountAsync(connection, prefix + ".events");
        for (var partition = 0; partition < 4; partition++)
        {
            pending += await CountAsync(connection, $"{prefix}.actions.{partition}");
        }

        return pending;
    }

    private static async Task<JsonElement> OutboxAsync(RunningHost host) => JsonDocument.Parse(await host.Client.GetStringAsync("/outbox")).RootElement;

    private static (int ExitCode, string Stdout, string Stderr) Oer(string[] args)
    {
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        var exitCode = OpenEvent.Rules.Cli.Program.Run(args, stdout, stderr);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }
}
