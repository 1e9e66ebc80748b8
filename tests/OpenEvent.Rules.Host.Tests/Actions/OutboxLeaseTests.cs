using Microsoft.Data.Sqlite;
using OpenEvent.Rules.Host.Actions;
using OpenEvent.Rules.Tests.Shared;

namespace OpenEvent.Rules.Host.Tests.Actions;

/// <summary>
/// A claim's lease runs from when the claim holds the database, not from when the worker asked: a claim that waited
/// for a locked outbox (another writer, a slow disk) longer than Outbox:LeaseDuration took its rows under a lease that
/// had already run out, and the worker's next claim delivered them a second time.
/// </summary>
public sealed class OutboxLeaseTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Claim_WaitedForALockedOutboxLongerThanItsLease_NoOtherClaimTakesItsRowsBeforeTheLeaseRunsOut()
    {
        using var folder = new TempFolder();
        var path = folder.Path("outbox.db");
        var store = new OutboxStore(path, busyTimeout: TimeSpan.FromSeconds(30));
        store.Initialize();
        store.Enqueue([Notify("n1")], Now);
        var clock = new Clock(Now);
        var lease = TimeSpan.FromSeconds(2);

        Task<IReadOnlyList<IReadOnlyList<OutboxItem>>> claiming;
        using (var writer = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            writer.Open();
            Execute(writer, "BEGIN EXCLUSIVE;");
            claiming = Task.Run(() => store.ClaimBatches(1, clock.Read, lease, "first", [], _ => false, 1));
            await Task.Delay(TimeSpan.FromMilliseconds(300));
            Assert.False(claiming.IsCompleted, "the claim must wait for the lock");
            clock.Set(Now.AddSeconds(10)); // the lock outlasts the lease
            Execute(writer, "ROLLBACK;");
        }

        var claimed = await claiming.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("n1", Assert.Single(Assert.Single(claimed)).EventId);
        // Leased until Now + 12 s: another worker finds nothing before, and takes it again after (at least once).
        Assert.Empty(store.ClaimBatches(1, Now.AddSeconds(11), Now.AddSeconds(13), "second", [], _ => false, 1));
        Assert.Equal("n1", Assert.Single(Assert.Single(store.ClaimBatches(1, Now.AddSeconds(12), Now.AddSeconds(14), "second", [], _ => false, 1))).EventId);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static NewAction Notify(string eventId) =>
        new($"{eventId}/p/0/notify:hook", eventId, "dataworks:FileChange:DeployFile", "p", "notify", "hook",
            new NotifyPayload("webhook", "hook", new PayloadValue("http://127.0.0.1:9/hook", null), null, null, "m"));

    /// <summary>The time a claim reads, moved by the test while the claim waits on another thread.</summary>
    private sealed class Clock(DateTimeOffset start)
    {
        private long _ticks = start.UtcTicks;

        public DateTimeOffset Read() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

        public void Set(DateTimeOffset time) => Interlocked.Exchange(ref _ticks, time.UtcTicks);
    }
}
