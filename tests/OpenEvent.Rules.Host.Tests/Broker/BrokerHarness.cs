using System.Text;
using OpenEvent.Rules.Host.Tests.Actions;
using OpenEvent.Rules.Host.Tests.Endpoints;
using RabbitMQ.Client;

namespace OpenEvent.Rules.Host.Tests.Broker;

/// <summary>
/// Hosts in broker mode on the collection's node, each test on queues of its own (a unique events queue and prefix), the
/// DataWorks answer going to a stand-in, and helpers to publish events and read queues as an EventBridge target and an
/// operator would.
/// </summary>
internal static class BrokerHarness
{
    public const string AccessKeyId = "LTAIbroker";
    public const string AccessKeySecret = "broker-secret";

    /// <summary>A deploy-freeze policy: block dws_* files and notify the hook with <paramref name="message"/> (a template).</summary>
    public static string PolicyYaml(StandInServer hook, string message = "blocked {{ data.fileName }} ({{ id }})") => $$$"""
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: deploy-freeze }
        spec:
          match:
            type: ["dataworks:FileChange:DeployFile"]
            data: { fileName: [{ prefix: "dws_" }] }
          actions:
            - block: { reason: "Deploying {{ data.fileName }} is frozen" }
            - notify: { channel: hook, message: "{{{message}}}" }
        ---
        apiVersion: openevent.rules/v1
        kind: Channel
        metadata: { name: hook }
        spec: { type: webhook, url: "{{{hook.Url("/hook")}}}" }
        """;

    /// <summary>Broker settings on queues of their own (<paramref name="prefix"/>), fast retries, and DataWorks answered at the stand-in.</summary>
    public static string[] Settings(RabbitNode node, string prefix, StandInServer dataWorks, params string[] more) =>
    [
        "--OpenEventRules:Broker:Uri", node.Uri,
        "--OpenEventRules:Broker:QueuePrefix", prefix,
        "--OpenEventRules:Broker:EventsQueue", prefix + ".events",
        "--OpenEventRules:Broker:Partitions", "4",
        "--OpenEventRules:Broker:ReconnectDelay", "00:00:00.200",
        "--OpenEventRules:Broker:MaxReconnectDelay", "00:00:01",
        .. ActionHarness.FastOutbox,
        .. ActionHarness.DataWorksSettings(dataWorks, AccessKeyId, AccessKeySecret),
        .. more,
    ];

    public static string NewPrefix(string name) => $"t{Guid.NewGuid().ToString("N")[..8]}.{name}";

    public static async Task<RunningHost> StartHostAsync(string policies, string[] settings)
    {
        using var folder = new TempFolder();
        folder.Write("policies.yaml", policies);
        var host = await RunningHost.StartAsync(folder.Root, settings);
        await RunningHost.WaitUntilAsync(async () => (await host.Client.GetAsync("/readyz")).IsSuccessStatusCode, "the host to connect to the broker");
        return host;
    }

    public static string Deploy(string id, string fileName) => HostEndpointTests.DeployEvent(id, fileName);

    /// <summary>Publishes messages to a queue the way an EventBridge RabbitMQ target does (persistent, confirmed).</summary>
    public static async Task PublishAsync(IConnection connection, string queue, IEnumerable<byte[]> bodies)
    {
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        var confirms = bodies.Select(body => channel.BasicPublishAsync("", queue, mandatory: true,
            new BasicProperties { Persistent = true, ContentType = "application/json" }, body).AsTask()).ToList();
        await Task.WhenAll(confirms);
    }

    public static Task PublishAsync(IConnection connection, string queue, params string[] bodies) =>
        PublishAsync(connection, queue, bodies.Select(Encoding.UTF8.GetBytes));

    /// <summary>Messages in a queue (ready ones; a consumer's unacknowledged ones are not counted).</summary>
    public static async Task<uint> CountAsync(IConnection connection, string queue)
    {
        await using var channel = await connection.CreateChannelAsync();
        return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
    }

    /// <summary>Takes every message of a queue (acknowledged: they are gone).</summary>
    public static async Task<List<BasicGetResult>> DrainAsync(IConnection connection, string queue)
    {
        await using var channel = await connection.CreateChannelAsync();
        var messages = new List<BasicGetResult>();
        while (await channel.BasicGetAsync(queue, autoAck: true) is { } message)
        {
            messages.Add(message);
        }

        return messages;
    }

    public static string? Header(IReadOnlyBasicProperties properties, string name) =>
        properties.Headers is { } headers && headers.TryGetValue(name, out var value) && value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : null;
}
