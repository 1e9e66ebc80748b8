using System.Collections.Concurrent;

namespace OpenEvent.Rules.Host.Actions;

/// <summary>
/// The embedded outbox of one host: <see cref="OutboxStore"/> (a SQLite file) behind <see cref="IOutbox"/>. New
/// notifications pass the gate inside the store's transaction, only for keys never stored, so a redelivered event
/// counts nothing twice; the workers are woken when something was stored.
/// </summary>
public sealed class SqliteOutbox : IActionOutbox, IDisposable
{
    public const string ModeName = "sqlite";

    /// <summary>The most events one transaction stores: a bound on how long the writer holds the file.</summary>
    private const int MaxEventsPerCommit = 256;

    /// <summary>
    /// Events waiting that make a group already: they gathered during the commit before, so the next commit goes at once.
    /// Waiting for more would only add to their answers' time (when every event stores something, the commits are what
    /// the clients wait for: with 16 senders, a wait before every commit cost a third of the rate).
    /// </summary>
    private const int GroupWithoutDelay = 4;

    private readonly OutboxStore _store;
    private readonly NotificationGate? _gate;
    private readonly OutboxSignal? _signal;
    private readonly Func<NewAction, bool>? _batches;
    private readonly TimeProvider _time;
    private readonly ConcurrentQueue<WaitingStore> _waiting = new();
    private readonly WriterThread _writer;
    private readonly Lock _connectionLock = new();
    private readonly TimeSpan _commitDelay;

    /// <summary>The writer's own connection; null once disposed (a late store then opens one from the pool).</summary>
    private OutboxStore.RequestWriter? _connection;
    private int _writing;

    /// <summary>The outbox seen from outside a host (`oer outbox`): nothing to admit, no worker to wake.</summary>
    public SqliteOutbox(OutboxStore store, TimeProvider time)
        : this(store, null, null, time)
    {
    }

    /// <param name="batches">Which new actions go in batches (<see cref="ActionDelivery.Batches(NewAction)"/>): the worker lets those gather.</param>
    /// <param name="commitDelay">How long the writer waits before each commit for more events to join it (Outbox:CommitDelay).</param>
    internal SqliteOutbox(OutboxStore store, NotificationGate? gate, OutboxSignal? signal, TimeProvider time, Func<NewAction, bool>? batches = null,
        TimeSpan commitDelay = default)
    {
        _commitDelay = commitDelay;
        _store = store;
        _gate = gate;
        _signal = signal;
        _time = time;
        _batches = batches;
        _writer = new WriterThread(WriteWaiting, "OER outbox writer");
        _connection = new OutboxStore.RequestWriter(store);
    }

    public string Mode => ModeName;

    public string Location => _store.Path;

    string? IActionOutbox.Unavailable => null;

    /// <summary>
    /// Group commit: the events that arrive while a transaction is being written wait (without holding a thread) and
    /// are stored together in the next one, so that concurrent requests share one commit (one flush of the log under
    /// synchronous=FULL) instead of each paying its own. Each caller still returns only once its own actions are
    /// committed, and fails with the transaction that held them.
    /// </summary>
    ValueTask IActionOutbox.EnqueueAsync(IReadOnlyList<NewAction> actions, CancellationToken cancellationToken)
    {
        if (actions.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        // Not cancelled: once queued, the actions are stored whole or the caller fails (the pipeline does not cancel it either).
        var mine = new WaitingStore(actions);
        _waiting.Enqueue(mine);
        if (Interlocked.CompareExchange(ref _writing, 1, 0) == 0)
        {
            // The caller that finds no writer wakes it; the commit (which waits for SQLite's locks and its flush) runs on
            // the writer's own thread, so no caller holds a thread of the pool while it waits.
            _writer.Wake();
        }

        return new ValueTask(mine.Stored.Task);
    }

    /// <summary>Stops the writer once it has stored what was queued, and closes its connection; a later store runs on the pool.</summary>
    public void Dispose()
    {
        _writer.Dispose();
        lock (_connectionLock)
        {
            _connection?.Dispose();
            _connection = null;
        }
    }

    /// <summary>
    /// The writer: stores what is queued until the queue is empty, then stands down. One that queued after the last
    /// look but before the stand-down found the writer busy, so the queue is looked at again after it.
    /// </summary>
    private void WriteWaiting()
    {
        do
        {
            while (!_waiting.IsEmpty)
            {
                AwaitCompanions();
                StoreWaiting();
            }

            Volatile.Write(ref _writing, 0);
        }
        while (!_waiting.IsEmpty && Interlocked.CompareExchange(ref _writing, 1, 0) == 0);
    }

    /// <summary>
    /// Outbox:CommitDelay before a commit, unless <see cref="GroupWithoutDelay"/> events are already waiting: the events
    /// that arrive meanwhile share its flush. The writer's own thread sleeps (it has nothing else to do); after the host
    /// stops, the writer runs on the pool and commits at once.
    /// </summary>
    private void AwaitCompanions()
    {
        if (_commitDelay > TimeSpan.Zero && !Thread.CurrentThread.IsThreadPoolThread && _waiting.Count < GroupWithoutDelay)
        {
#pragma warning disable RS0030 // Thread.Sleep is banned for the pool's threads; this is the writer's own.
            Thread.Sleep(_commitDelay);
#pragma warning restore RS0030
        }
    }

    /// <summary>Stores up to <see cref="MaxEventsPerCommit"/> queued events in one transaction and completes their callers.</summary>
    private void StoreWaiting()
    {
        var batch = new List<WaitingStore>();
        while (batch.Count < MaxEventsPerCommit && _waiting.TryDequeue(out var next))
        {
            batch.Add(next);
        }

        try
        {
            IReadOnlyList<IReadOnlyList<NewAction>> events = [.. batch.Select(w => w.Actions)];
            var (now, admit) = (_time.GetUtcNow(), _gate is null ? null : new Func<NewAction, NewAction?>(_gate.Admit));
            int[] stored;
            lock (_connectionLock)
            {
                // One writer at a time already (the _writing flag): the lock only orders a late store against Dispose.
                stored = _connection?.EnqueueAll(events, now, admit) ?? _store.EnqueueAll(events, now, admit);
            }

            if (_signal is { } signal)
            {
                SignalStored(signal, batch, stored);
            }

            batch.ForEach(w => w.Stored.TrySetResult());
        }
        catch (Exception ex)
        {
            // Nothing of the transaction was stored: each of its callers fails as a lone store would have.
            batch.ForEach(w => w.Stored.TrySetException(ex));
        }
    }

    /// <summary>Wakes the worker for what the events of a commit stored: how many go in batches, and whether any other came.</summary>
    private void SignalStored(OutboxSignal signal, List<WaitingStore> batch, IReadOnlyList<int> stored)
    {
        var (batchable, urgent) = (0, false);
        for (var i = 0; i < batch.Count; i++)
        {
            if (stored[i] == 0)
            {
                continue;
            }

            foreach (var action in batch[i].Actions)
            {
                if (_batches?.Invoke(action) == true)
                {
                    batchable++;
                }
                else
                {
                    urgent = true;
                }
            }
        }

        if (batchable > 0 || urgent)
        {
            signal.Stored(batchable, urgent);
        }
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

    /// <summary>The actions of one event waiting for the writer, and the caller's wait for their commit.</summary>
    private sealed class WaitingStore(IReadOnlyList<NewAction> actions)
    {
        public IReadOnlyList<NewAction> Actions { get; } = actions;

        public TaskCompletionSource Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
