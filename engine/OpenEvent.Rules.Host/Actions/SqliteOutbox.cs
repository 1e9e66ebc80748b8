namespace OpenEvent.Rules.Host.Actions;

/// <summary>
/// The embedded outbox of one host: <see cref="OutboxStore"/> (a SQLite file) behind <see cref="IOutbox"/>. New
/// notifications pass the gate inside the store's transaction, only for keys never stored, so a redelivered event
/// counts nothing twice; the workers are woken when something was stored.
/// </summary>
public sealed class SqliteOutbox : IActionOutbox
{
    public const string ModeName = "sqlite";

    private readonly OutboxStore _store;
    private readonly NotificationGate? _gate;
    private readonly OutboxSignal? _signal;
    private readonly TimeProvider _time;

    /// <summary>The outbox seen from outside a host (`oer outbox`): nothing to admit, no worker to wake.</summary>
    public SqliteOutbox(OutboxStore store, TimeProvider time)
        : this(store, null, null, time)
    {
    }

    internal SqliteOutbox(OutboxStore store, NotificationGate? gate, OutboxSignal? signal, TimeProvider time)
    {
        _store = store;
        _gate = gate;
        _signal = signal;
        _time = time;
    }

    public string Mode => ModeName;

    public string Location => _store.Path;

    string? IActionOutbox.Unavailable => null;

    ValueTask IActionOutbox.EnqueueAsync(IReadOnlyList<NewAction> actions, CancellationToken cancellationToken)
    {
        // SQLite waits for locks synchronously: the callers that must not block (the deadline fallback) run this on the pool.
        if (_store.Enqueue(actions, _time.GetUtcNow(), _gate is null ? null : _gate.Admit) > 0)
        {
            _signal?.Notify();
        }

        return ValueTask.CompletedTask;
    }

    public Task<OutboxCounts> CountsAsync(CancellationToken cancellationToken)
    {
        var (pending, delivered, dead) = _store.Counts();
        return Task.FromResult(new OutboxCounts(pending, delivered, dead));
    }

    public Task<IReadOnlyList<OutboxItem>> ListAsync(string? status, int limit, CancellationToken cancellationToken) =>
        Task.FromResult(_store.List(status, limit));

    public Task<int> RetryAsync(IReadOnlyCollection<long> ids, IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        var count = _store.Retry(ids, keys, _time.GetUtcNow());
        _signal?.Notify();
        return Task.FromResult(count);
    }

    public Task<(int Delivered, int Dead)> PurgeAsync(DateTimeOffset? deliveredBefore, bool dead, IReadOnlyCollection<long>? deadIds, CancellationToken cancellationToken) =>
        Task.FromResult(_store.Purge(deliveredBefore, dead, deadIds));
}
