using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using OpenEvent.Rules.Host.Actions;
using static OpenEvent.Rules.Host.Tests.Actions.ActionHarness;

namespace OpenEvent.Rules.Host.Tests.Actions;

/// <summary>
/// What the outbox holds for an action: the typed payload's JSON, and for a forward the event's bytes in a column of
/// their own, as received. A file written before that column is migrated when it is opened, and its rows (the event as a
/// string inside the payload) are delivered as before.
/// </summary>
public sealed class OutboxFormatTests
{
    private static string Policies(string hookUrl, string auditUrl) => $$$"""
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: audit-deploys }
        spec:
          match: { type: ["dataworks:FileChange:DeployFile"] }
          actions:
            - notify: { channel: hook, message: "deploy of {{ data.fileName }}" }
            - forward: { target: audit }
        ---
        apiVersion: openevent.rules/v1
        kind: Channel
        metadata: { name: hook }
        spec: { type: webhook, url: "{{{hookUrl}}}" }
        ---
        apiVersion: openevent.rules/v1
        kind: Target
        metadata: { name: audit }
        spec: { type: http, url: "{{{auditUrl}}}" }
        """;

    /// <summary>A deploy event as a sender may format it: indented, an escaped and a literal non-ASCII letter, a slash escape.</summary>
    private static string PrettyEvent(string id) => $$"""
        {
          "specversion" : "1.0",
          "id" : "{{id}}",
          "source" : "acs.dataworks",
          "type" : "dataworks:FileChange:DeployFile",
          "aliyunregionid" : "cn-hangzhou",
          "data" : { "eventCode" : "deploy-file", "projectId" : 10001234, "fileName" : "caf\u00e9_é\/x.sql", "operator" : "1" }
        }
        """;

    [Fact]
    public async Task Forward_TheEventBytesAreStoredBesideThePayloadAndDeliveredAsReceived()
    {
        await using var hook = await StandInServer.StartAsync();
        await using var audit = await StandInServer.StartAsync();
        await using var host = await ActionHarness.StartAsync(Policies(hook.Url("/hook"), audit.Url("/audit")));
        var id = NewId("bytes");
        var posted = PrettyEvent(id);

        using (var response = await host.PostAsync("/events", posted))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await host.WaitForIdleAsync("the actions to be delivered");

        var (payload, stored) = StoredForward(host.OutboxPath, id);
        Assert.Equal(Encoding.UTF8.GetBytes(posted), stored);
        using (var json = JsonDocument.Parse(payload))
        {
            Assert.Equal(["type", "target", "url", "path", "headers"], json.RootElement.EnumerateObject().Select(p => p.Name));
            Assert.Equal("http", json.RootElement.GetProperty("type").GetString());
        }

        var delivered = Assert.Single(audit.Delivered);
        Assert.Equal(posted, delivered.Body);
        Assert.Equal("application/cloudevents+json; charset=utf-8", delivered.Header("content-type"));
        Assert.Equal("deploy of café_é/x.sql", JsonDocument.Parse(Assert.Single(hook.Delivered).Body).RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public async Task OutboxWrittenBeforeTheEventColumn_IsMigratedAndItsPendingAndDeadRowsAreDelivered()
    {
        await using var hook = await StandInServer.StartAsync();
        await using var audit = await StandInServer.StartAsync();
        using var folder = new TempFolder();
        var path = folder.Path("old", "outbox.db");
        const string legacyEvent = "{\"specversion\":\"1.0\",\"id\":\"old-1\",\"source\":\"acs.dataworks\",\"data\":{\"fileName\":\"caf\\u00e9\"}}";
        WriteLegacyOutbox(path, hook.Url("/hook"), audit.Url("/audit"), legacyEvent);

        await using var host = await ActionHarness.StartAsync(Policies(hook.Url("/hook"), audit.Url("/audit")), "--OpenEventRules:Outbox:Path", path);
        await host.WaitForIdleAsync("the old pending rows to be delivered");

        Assert.Equal(["event"], NewColumns(path, "outbox"));
        Assert.Equal(["event"], NewColumns(path, "dead_letter"));
        Assert.Equal(legacyEvent, Assert.Single(audit.Delivered).Body);
        var notification = JsonDocument.Parse(Assert.Single(hook.Delivered).Body).RootElement;
        Assert.Equal("old message\n(2 more notifications on this channel were suppressed by its rate limit or de-duplication window)", notification.GetProperty("message").GetString());
        Assert.Equal(2, notification.GetProperty("suppressed").GetInt64());

        // The old dead letter goes back through the new columns ('oer outbox retry') and is delivered from its payload.
        Assert.Equal(1, host.Outbox().Retry([], [], DateTimeOffset.UtcNow));
        host.Services.GetRequiredService<OutboxSignal>().Notify();
        await host.WaitForIdleAsync("the retried dead letter to be delivered");
        Assert.Equal([legacyEvent, legacyEvent.Replace("old-1", "old-2", StringComparison.Ordinal)], audit.Delivered.Select(r => r.Body).Order());
        Assert.Equal((0L, 3L, 0L), host.Outbox().Counts());
    }

    [Fact]
    public async Task PayloadNotOfItsKind_IsDeadLetteredAtTheFirstAttemptNamingWhatIsMissing()
    {
        await using var hook = await StandInServer.StartAsync();
        await using var audit = await StandInServer.StartAsync();
        await using var host = await ActionHarness.StartAsync(Policies(hook.Url("/hook"), audit.Url("/audit")));
        var id = NewId("kind");
        var forward = new ForwardPayload("http", "audit", new PayloadValue(audit.Url("/audit")), null, null);

        Assert.Equal(1, host.Outbox().Enqueue([new NewAction($"{id}/p/0/notify:hook", id, "dataworks:FileChange:DeployFile", "p", "notify", "hook", forward)], DateTimeOffset.UtcNow));
        host.Services.GetRequiredService<OutboxSignal>().Notify();
        await host.WaitForIdleAsync("the action to be dead-lettered");

        var dead = Assert.Single(host.Outbox().List(OutboxStore.Dead, 10));
        Assert.Equal(1, dead.Attempts);
        Assert.StartsWith("JsonException: JSON deserialization for type 'OpenEvent.Rules.Host.Actions.NotifyPayload' was missing required properties", dead.LastError, StringComparison.Ordinal);
        Assert.Equal(0, audit.Calls + hook.Calls);
    }

    private static (string Payload, byte[] Event) StoredForward(string path, string eventId)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT payload, event FROM outbox WHERE event_id = $id AND kind = 'forward';";
        command.Parameters.AddWithValue("$id", eventId);
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        return (reader.GetString(0), (byte[])reader.GetValue(1));
    }

    /// <summary>The columns of <paramref name="table"/> beyond those of the original schema.</summary>
    private static List<string> NewColumns(string path, string table)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT name FROM pragma_table_info('{table}') WHERE cid >= $first ORDER BY cid;";
        command.Parameters.AddWithValue("$first", table == "outbox" ? 16 : 15);
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    /// <summary>
    /// An outbox file as the host wrote it before the event column: its schema, and rows in its payload format (a
    /// pending forward with the event as a JSON string, a pending notification with a suppressed count, a dead forward).
    /// </summary>
    private static void WriteLegacyOutbox(string path, string hookUrl, string auditUrl, string legacyEvent)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var forward = new JsonObject { ["type"] = "http", ["target"] = "audit", ["url"] = new JsonObject { ["value"] = auditUrl }, ["path"] = null, ["headers"] = null, ["event"] = legacyEvent };
        var deadForward = forward.DeepClone();
        deadForward["event"] = legacyEvent.Replace("old-1", "old-2", StringComparison.Ordinal);
        var notify = new JsonObject { ["type"] = "webhook", ["channel"] = "hook", ["url"] = new JsonObject { ["value"] = hookUrl }, ["secret"] = null, ["headers"] = null, ["message"] = "old message", ["suppressed"] = 2 };
        using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode=WAL;
            CREATE TABLE outbox (
              id INTEGER PRIMARY KEY AUTOINCREMENT, idempotency_key TEXT NOT NULL UNIQUE, event_id TEXT NOT NULL, event_type TEXT NOT NULL,
              policy TEXT, kind TEXT NOT NULL, destination TEXT NOT NULL, payload TEXT NOT NULL, status TEXT NOT NULL,
              attempts INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, next_attempt_at INTEGER NOT NULL, lease_until INTEGER,
              lease_owner TEXT, delivered_at INTEGER, last_error TEXT);
            CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
            CREATE TABLE dead_letter (
              id INTEGER PRIMARY KEY, idempotency_key TEXT NOT NULL UNIQUE, event_id TEXT NOT NULL, event_type TEXT NOT NULL, policy TEXT,
              kind TEXT NOT NULL, destination TEXT NOT NULL, payload TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL,
              created_at INTEGER NOT NULL, next_attempt_at INTEGER NOT NULL, delivered_at INTEGER, last_error TEXT NOT NULL, dead_at INTEGER NOT NULL);
            INSERT INTO outbox (idempotency_key, event_id, event_type, policy, kind, destination, payload, status, created_at, next_attempt_at)
              VALUES ('old-1/p/1/forward:audit', 'old-1', 'dataworks:FileChange:DeployFile', 'p', 'forward', 'audit', $forward, 'pending', $now, $now),
                     ('old-1/p/0/notify:hook', 'old-1', 'dataworks:FileChange:DeployFile', 'p', 'notify', 'hook', $notify, 'pending', $now, $now);
            INSERT INTO dead_letter (id, idempotency_key, event_id, event_type, policy, kind, destination, payload, status, attempts, created_at, next_attempt_at, last_error, dead_at)
              VALUES (100, 'old-2/p/1/forward:audit', 'old-2', 'dataworks:FileChange:DeployFile', 'p', 'forward', 'audit', $dead, 'dead', 12, $now, $now, 'HTTP 500', $now);
            """;
        command.Parameters.AddWithValue("$forward", forward.ToJsonString());
        command.Parameters.AddWithValue("$dead", deadForward.ToJsonString());
        command.Parameters.AddWithValue("$notify", notify.ToJsonString());
        command.Parameters.AddWithValue("$now", now);
        command.ExecuteNonQuery();
    }
}
