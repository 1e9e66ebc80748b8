namespace OpenEvent.Rules.Host.Actions;

/// <summary>
/// The embedded outbox of one host: <see cref="OutboxStore"/> (a SQLite file) behind <see cref="IOutbox"/>. New
/// notifications pass the gate inside the store's transaction, only for keys never stored, so a redelivered event
/// counts nothing twice; the workers are woken when something was stored.
/// </summary>
public sealed class SqliteOutbox(OutboxStore store, NotificationGate? gate, OutboxSignal? signal, TimeProvider time) : IOutbox
{
    public const string ModeName = "sqlite";

    public string Mode => ModeName;

    public string Location => store.Path;

    public string? Unavailable => null;

    public OutboxStore Store => store;

    public ValueTask EnqueueAsync(IReadOnlyList<NewAction> actions, CancellationToken cancellationToken)
    {
        // SQLite waits for locks synchronously: the callers that must not block (the deadline fallback) run this on the pool.
        if (store.Enqueue(actions, time.GetUtcNow(), gate is null ? null : gate.Admit) > 0)
        {
            signal?.Notify();
        }

        return ValueTask.CompletedTask;
    }

    public Task<OutboxCounts> CountsAsync(CancellationToken cancellationToken)
    {
        var (pending, delivered, dead) = store.Counts();
        return Task.FromResult(new OutboxCounts(pending, delivered, dead));
    }

    public Task<IReadOnlyList<OutboxItem>> ListAsync(string? status, int limit, CancellationToken cancellationToken) =>
        Task.FromResult(store.List(status, limit));

    public Task<int> RetryAsync(IReadOnlyCollection<long> ids, IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        var count = store.Retry(ids, keys, time.GetUtcNow());
        signal?.Notify();
        return Task.FromResult(count);
    }

    public Task<(int Delivered, int Dead)> PurgeAsync(DateTimeOffset? deliveredBefore, bool dead, IReadOnlyCollection<long>? deadIds, CancellationToken cancellationToken) =>
        Task.FromResult(store.Purge(deliveredBefore, dead, deadIds));
}
