using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using OpenEvent.Rules.Host.Actions;
using OpenEvent.Rules.Host.Tests.Endpoints;

namespace OpenEvent.Rules.Host.Tests.Actions;

/// <summary>
/// Concurrent requests share SQLite transactions (group commit): each is still answered only once its own actions are
/// committed, and fails with the transaction that held them; none waits forever, and nothing is stored twice.
/// </summary>
public sealed class OutboxGroupCommitTests
{
    private const int Requests = 24;

    private const string ForwardPolicy = OutboxUnavailableTests.ForwardPolicy;

    [Fact]
    public async Task PostEvents_ConcurrentRequests_EachAnswered200WithItsActionStoredOnce()
    {
        using var policies = new TempFolder();
        policies.Write("policy.yaml", ForwardPolicy);
        await using var host = await RunningHost.StartAsync(policies.Root);

        // The same event twice among them: its action is stored once, whichever transaction carries it first.
        var ids = Enumerable.Range(0, Requests).Select(i => $"group-{i}").Append("group-0").ToList();
        var responses = await Task.WhenAll(ids.Select(id => host.PostAsync("/events", HostEndpointTests.DeployEvent(id, "dws_orders"))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(Enumerable.Range(0, Requests).Select(i => $"group-{i}").Order(), StoredEventIds(host).Order());
    }

    [Fact]
    public async Task Enqueue_SecondEventWithinTheCommitDelay_SharesTheFirstOnesCommit()
    {
        using var folder = new TempFolder();
        var store = new OutboxStore(folder.Path("outbox.db"));
        store.Initialize();
        // Longer than the host accepts (100 ms), so that a test thread held up on a loaded machine still comes within it.
        using var outbox = new SqliteOutbox(store, null, null, TimeProvider.System, commitDelay: TimeSpan.FromSeconds(2));
        IActionOutbox target = outbox;

        // 20 ms apart, on the test's own thread: without the delay the first is committed (a fraction of a millisecond
        // here) before the second comes.
        var first = target.EnqueueAsync([WriterThreadTests.Forward("first")], CancellationToken.None).AsTask();
        Thread.Sleep(TimeSpan.FromMilliseconds(20));
        var second = target.EnqueueAsync([WriterThreadTests.Forward("second")], CancellationToken.None).AsTask();
        await Task.WhenAll(first, second);

        // Rows of one transaction carry its time.
        var stored = store.List(null, 10);
        Assert.Equal(2, stored.Count);
        Assert.Single(stored.Select(i => i.CreatedAt).Distinct());
    }

    [Fact]
    public void RequestWriter_TransactionFailsMidway_NothingOfItIsStoredAndTheNextCommitSucceeds()
    {
        using var folder = new TempFolder();
        var store = new OutboxStore(folder.Path("outbox.db"));
        store.Initialize();
        using var writer = new OutboxStore.RequestWriter(store);
        var now = DateTimeOffset.UnixEpoch.AddDays(1);
        Assert.Equal([1], writer.EnqueueAll([[WriterThreadTests.Forward("before")]], now));

        // The second event's action fails after the first's was inserted, in the kept connection's prepared statements.
        var failed = Assert.Throws<InvalidOperationException>(() => writer.EnqueueAll(
            [[WriterThreadTests.Forward("a")], [WriterThreadTests.Forward("b")]], now,
            action => action.EventId == "b" ? throw new InvalidOperationException("refused") : action));
        Assert.Equal("refused", failed.Message);
        Assert.Equal(["before"], store.List(null, 10).Select(i => i.EventId));

        // The same writer commits again (on a new connection), and still skips the key it stored before.
        Assert.Equal([1, 0, 1], writer.EnqueueAll([[WriterThreadTests.Forward("a")], [WriterThreadTests.Forward("before")], [WriterThreadTests.Forward("b")]], now));
        Assert.Equal(["a", "b", "before"], store.List(null, 10).Select(i => i.EventId).Order());
    }

    [Fact]
    public async Task PostEvents_ConcurrentRequestsWhileAnotherWriterHoldsTheOutbox_All503ThenStoredOnceOnRetry()
    {
        using var policies = new TempFolder();
        policies.Write("policy.yaml", ForwardPolicy);
        await using var host = await RunningHost.StartAsync(policies.Root, "--OpenEventRules:Outbox:BusyTimeout", "00:00:01");
        var ids = Enumerable.Range(0, Requests).Select(i => $"held-{i}").ToList();

        using (var writer = new SqliteConnection($"Data Source={Path.Combine(host.Root, "data", "outbox.db")};Pooling=False"))
        {
            writer.Open();
            Execute(writer, "BEGIN EXCLUSIVE;");
            var refused = await Task.WhenAll(ids.Select(id => host.PostAsync("/events", HostEndpointTests.DeployEvent(id, "dws_orders"))));

            // Every request of every failed transaction is refused, each naming its own event; none is left waiting.
            for (var i = 0; i < Requests; i++)
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, refused[i].StatusCode);
                var problem = JsonDocument.Parse(await refused[i].Content.ReadAsStringAsync()).RootElement;
                Assert.Equal("outbox-unavailable", problem.GetProperty("errorId").GetString());
                Assert.Contains($"event {ids[i]} ", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            }

            Execute(writer, "ROLLBACK;");
        }

        var retried = await Task.WhenAll(ids.Select(id => host.PostAsync("/events", HostEndpointTests.DeployEvent(id, "dws_orders"))));

        Assert.All(retried, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(ids.Order(), StoredEventIds(host).Order());
    }

    private static List<string> StoredEventIds(RunningHost host)
    {
        using var reader = new SqliteConnection($"Data Source={Path.Combine(host.Root, "data", "outbox.db")};Mode=ReadOnly;Pooling=False");
        reader.Open();
        using var query = reader.CreateCommand();
        query.CommandText = "SELECT event_id FROM outbox UNION ALL SELECT event_id FROM dead_letter;";
        using var rows = query.ExecuteReader();
        var ids = new List<string>();
        while (rows.Read())
        {
            ids.Add(rows.GetString(0));
        }

        return ids;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
