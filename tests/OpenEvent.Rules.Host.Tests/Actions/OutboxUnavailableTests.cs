using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using OpenEvent.Rules.Host.Tests.Endpoints;

namespace OpenEvent.Rules.Host.Tests.Actions;

/// <summary>
/// When the actions of an event cannot be stored, POST /events must not acknowledge it: EventBridge then sends it
/// again, and the actions stored on the next attempt are stored once.
/// </summary>
public sealed class OutboxUnavailableTests
{
    /// <summary>Every deploy forwarded to a file target: one action per event for the outbox to store (shared with OutboxGroupCommitTests).</summary>
    internal const string ForwardPolicy = """
        apiVersion: openevent.rules/v1
        kind: Target
        metadata: { name: sink }
        spec: { type: file, path: sink/events.jsonl }
        ---
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: forward-deploys }
        spec:
          match: { type: ["dataworks:FileChange:DeployFile"] }
          actions: [ { forward: { target: sink } } ]
        """;

    [Fact]
    public async Task PostEvents_OutboxLockedByAnotherWriter_Returns503ThenStoresTheActionOnceOnRetry()
    {
        using var policies = new TempFolder();
        policies.Write("policy.yaml", ForwardPolicy);
        await using var host = await RunningHost.StartAsync(policies.Root, "--OpenEventRules:Outbox:BusyTimeout", "00:00:01");
        var db = Path.Combine(host.Root, "data", "outbox.db");
        var deploy = HostEndpointTests.DeployEvent("locked-1", "dws_orders");

        using (var writer = new SqliteConnection($"Data Source={db};Pooling=False"))
        {
            writer.Open();
            using (var begin = writer.CreateCommand())
            {
                begin.CommandText = "BEGIN EXCLUSIVE;";
                begin.ExecuteNonQuery();
            }

            using var refused = await host.PostAsync("/events", deploy);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("outbox-unavailable", problem.GetProperty("errorId").GetString());
            Assert.Contains("locked-1", problem.GetProperty("detail").GetString());

            using var rollback = writer.CreateCommand();
            rollback.CommandText = "ROLLBACK;";
            rollback.ExecuteNonQuery();
        }

        // EventBridge's retry of the same event is accepted, and a second retry stores nothing new.
        using (var accepted = await host.PostAsync("/events", deploy))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        using (var again = await host.PostAsync("/events", deploy))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        using var reader = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        reader.Open();
        using var count = reader.CreateCommand();
        count.CommandText = "SELECT (SELECT COUNT(*) FROM outbox WHERE event_id = 'locked-1') + (SELECT COUNT(*) FROM dead_letter WHERE event_id = 'locked-1');";
        Assert.Equal(1L, (long)count.ExecuteScalar()!);
    }
}
