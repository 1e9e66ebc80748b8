using System.Net;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using OpenEvent.Rules.Host.Tests.Actions;
using static OpenEvent.Rules.Host.Tests.Broker.BrokerHarness;

namespace OpenEvent.Rules.Host.Tests.Broker;

/// <summary>
/// Broker mode against a real RabbitMQ node: events consumed from the queue and posted over HTTP take the same path,
/// their actions travel through the broker and reach the receivers, invalid messages are dead-lettered with their reason.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class BrokerIngestTests(SharedRabbitNode shared)
{
    private readonly RabbitNode _node = shared.Node;

    [Fact]
    public async Task EventFromQueue_IsDecided_NotifiesAndAnswers_ThenAcknowledged()
    {
        await using var hook = await StandInServer.StartAsync();
        await using var dataWorks = await DataWorksStandIn.StartAsync(AccessKeyId, AccessKeySecret);
        var prefix = NewPrefix("ingest");
        await using var host = await StartHostAsync(PolicyYaml(hook), Settings(_node, prefix, dataWorks));
        await using var connection = await _node.ConnectAsync();
        var id = ActionHarness.NewId("queue");

        await PublishAsync(connection, prefix + ".events", Deploy(id, "dws_orders"));

        await ActionHarness.WaitUntilAsync(() => hook.Delivered.Any() && !dataWorks.Answers.IsEmpty, "the notification and the answer");
        var notification = Assert.Single(hook.Delivered);
        Assert.Equal($"{id}/deploy-freeze/1/notify:hook", notification.Header("Idempotency-Key"));
        Assert.Contains($"blocked dws_orders ({id})", notification.Body, StringComparison.Ordinal);
        var answer = Assert.Single(dataWorks.Answers);
        Assert.Equal("FAIL", answer.Parameters["CheckResult"]);
        Assert.Equal(id, answer.Parameters["MessageId"]);
        Assert.Equal(0u, await CountAsync(connection, prefix + ".events"));
        Assert.Equal(0u, await CountAsync(connection, prefix + ".deliver"));
    }

    [Fact]
    public async Task Forward_BrokerMode_DeliversTheEventBytesAsTheyCame()
    {
        await using var audit = await StandInServer.StartAsync();
        await using var dataWorks = await DataWorksStandIn.StartAsync(AccessKeyId, AccessKeySecret);
        var prefix = NewPrefix("forward");
        await using var host = await StartHostAsync($$$"""
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: audit-deploys }
            spec:
              match: { type: ["dataworks:FileChange:DeployFile"] }
              actions: [ { forward: { target: audit } } ]
            ---
            apiVersion: openevent.rules/v1
            kind: Target
            metadata: { name: audit }
            spec: { type: http, url: "{{{audit.Url("/audit")}}}" }
            """, Settings(_node, prefix, dataWorks));
        await using var connection = await _node.ConnectAsync();
        // Spacing and a non-ASCII file name that a re-encoding of the event would change.
        var id = ActionHarness.NewId("fwd");
        var original = Deploy(id, "dws_订单").Replace(",\"source\"", ",   \"source\"", StringComparison.Ordinal);

        await PublishAsync(connection, prefix + ".events", original);

        await ActionHarness.WaitUntilAsync(() => audit.Delivered.Any(), "the forward");
        var forwarded = Assert.Single(audit.Delivered);
        Assert.Equal(original, forwarded.Body);
        Assert.Equal($"{id}/audit-deploys/0/forward:audit", forwarded.Header("Idempotency-Key"));
    }

    [Fact]
    public async Task PostEvents_BrokerMode_AnswersOnceConfirmed_ActionsDelivered()
    {
        await using var hook = await StandInServer.StartAsync();
        await using var dataWorks = await DataWorksStandIn.StartAsync(AccessKeyId, AccessKeySecret);
        var prefix = NewPrefix("http");
        await using var host = await StartHostAsync(PolicyYaml(hook), Settings(_node, prefix, dataWorks));
        var id = ActionHarness.NewId("http");

        using var response = await host.PostAsync("/events", Deploy(id, "dws_http"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await ActionHarness.WaitUntilAsync(() => hook.Delivered.Any() && !dataWorks.Answers.IsEmpty, "the notification and the answer");
        Assert.Equal($"{id}/deploy-freeze/1/notify:hook", Assert.Single(hook.Delivered).Header("Idempotency-Key"));
        Assert.Equal($"{id}/dataworks-callback", Assert.Single(dataWorks.Delivered).Header("Idempotency-Key"));
        using var outbox = JsonDocument.Parse(await host.Client.GetStringAsync("/outbox"));
        Assert.Equal("broker", outbox.RootElement.GetProperty("mode").GetString());
        Assert.Equal($"amqp://127.0.0.1:{_node.Port} (virtual host /)", outbox.RootElement.GetProperty("location").GetString());
        Assert.Equal(JsonValueKind.Null, outbox.RootElement.GetProperty("delivered").ValueKind);
        // Broker instruments exist only in broker hosts, which this collection runs one at a time.
        var metrics = await host.Client.GetStringAsync("/metrics");
        Assert.Contains("oer_broker_connected 1", metrics, StringComparison.Ordinal);
        Assert.Matches(@"oer_broker_confirms_total\{(otel_scope_name=""OpenEvent.Rules"",)?result=""ack""\} [1-9]", metrics);
        Assert.Matches(@"oer_broker_partition_takeovers_total(\{[^}]*\})? [1-9]", metrics);
    }

    [Fact]
    public async Task PoisonMessages_AreDeadLetteredWithTheirReason_AndTheConsumerGoesOn()
    {
        await using var hook = await StandInServer.StartAsync();
        await using var dataWorks = await DataWorksStandIn.StartAsync(AccessKeyId, AccessKeySecret);
        var prefix = NewPrefix("poison");
        await using var host = await StartHostAsync(PolicyYaml(hook), Settings(_node, prefix, dataWorks, "--OpenEventRules:Limits:MaxEventBytes", "4096"));
        await using var connection = await _node.ConnectAsync();
        var good = ActionHarness.NewId("good");
        var tooLarge = Deploy("large", "dws_" + new string('x', 5000));

        await PublishAsync(connection, prefix + ".events",
            [
                Encoding.UTF8.GetBytes("this is not JSON"),
                Encoding.UTF8.GetBytes(tooLarge),
                Encoding.UTF8.GetBytes("[1, 2, 3]"),
                Encoding.UTF8.GetBytes(Deploy("other-source", "dws_x").Replace("acs.dataworks", "acs.ecs", StringComparison.Ordinal)),
                Encoding.UTF8.GetBytes(Deploy(good, "dws_after_the_poison")),
            ]);

        await ActionHarness.WaitUntilAsync(() => hook.Delivered.Any(), "the good event's notification");
        await RunningHost.WaitUntilAsync(async () => await CountAsync(connection, prefix + ".events.dead") == 4, "four dead letters");
        // Processed concurrently (Broker:Concurrency), so in any order: each dead letter is found by its body.
        var dead = (await DrainAsync(connection, prefix + ".events.dead")).ToDictionary(
            m => Encoding.UTF8.GetString(m.Body.Span),
            m => (Id: Header(m.BasicProperties, "oer-error-id"), Error: Header(m.BasicProperties, "oer-error")));
        Assert.Equal("invalid-json", dead["this is not JSON"].Id);
        Assert.Equal(("too-large", $"the message is {Encoding.UTF8.GetByteCount(tooLarge)} bytes: an event is at most 4096 bytes (OpenEventRules:Limits:MaxEventBytes)"), dead[tooLarge]);
        Assert.Equal("not-an-object", dead["[1, 2, 3]"].Id);
        Assert.Equal(("invalid-source", "source 'acs.ecs' is not accepted: only DataWorks events (source \"acs.dataworks\") are governed"),
            Assert.Single(dead, d => d.Value.Id == "invalid-source").Value);
        Assert.Contains(good, Assert.Single(hook.Delivered).Body, StringComparison.Ordinal);
        Assert.Equal(0u, await CountAsync(connection, prefix + ".events"));
    }

    [Fact]
    public async Task PoisonMessage_DeadLetteredWithItsOwnHeadersAndContentEncoding()
    {
        // The dead letter kept only the reason: an operator could not tell a gzip body from garbage, nor re-drive it as sent.
        await using var hook = await StandInServer.StartAsync();
        await using var dataWorks = await DataWorksStandIn.StartAsync(AccessKeyId, AccessKeySecret);
        var prefix = NewPrefix("deadheaders");
        await using var host = await StartHostAsync(PolicyYaml(hook), Settings(_node, prefix, dataWorks));
        await using var connection = await _node.ConnectAsync();
        await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true)))
        {
            var properties = new BasicProperties
            {
                Persistent = true, ContentType = "application/json", ContentEncoding = "gzip", MessageId = "gz-1",
                Headers = new Dictionary<string, object?> { ["x-origin"] = Encoding.UTF8.GetBytes("eventbridge-rule-7") },
            };
            await channel.BasicPublishAsync("", prefix + ".events", mandatory: true, properties, new byte[] { 0x1f, 0x8b, 0x08, 0x00 });
        }

        await RunningHost.WaitUntilAsync(async () => await CountAsync(connection, prefix + ".events.dead") == 1, "the dead letter");
        var dead = Assert.Single(await DrainAsync(connection, prefix + ".events.dead"));
        Assert.Equal(("gz-1", "gzip", "eventbridge-rule-7"), (dead.BasicProperties.MessageId, dead.BasicProperties.ContentEncoding, Header(dead.BasicProperties, "x-origin")));
        // Refused for its coding, as over HTTP, not read as bytes that are not UTF-8.
        Assert.Equal("unsupported-content-encoding", Header(dead.BasicProperties, "oer-error-id"));
    }
}
