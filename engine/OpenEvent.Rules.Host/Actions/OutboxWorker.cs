using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Host.Configuration;

namespace OpenEvent.Rules.Host.Actions;

/// <summary>
/// Delivers the SQLite outbox: claims due actions (with a lease), runs up to Outbox:Concurrency deliveries at once
/// (<see cref="ActionDelivery"/>: one attempt and what follows), and records each result: delivered, a retry at its
/// backoff, or the dead-letter table. Delivery is at least once: a process that dies after a receiver accepted an
/// action but before the row is marked sends it again after restart, with the same Idempotency-Key header; one that
/// stops lets the deliveries in flight finish (<see cref="ActionDelivery.AttemptAsync"/>) and records them. The due
/// forwards of one file target go together (<see cref="MaxBatch"/> at most, one slot): one claim, one write and one flush
/// to disk for all of them; new ones wait up to Outbox:BatchDelay for companions unless a full batch is waiting.
/// </summary>
internal sealed partial class OutboxWorker(
    OutboxStore store,
    OutboxSignal signal,
    ActionDelivery delivery,
    IOptions<RulesHostOptions> options,
    TimeProvider time,
    ILogger<OutboxWorker> logger) : BackgroundService
{
    /// <summary>The most actions one delivery slot takes at once (the forwards of one file target).</summary>
    internal const int MaxBatch = 64;

    /// <summary>
    /// Slots beyond Outbox:Concurrency that only answers to DataWorks may take: with every slot held by deliveries to
    /// a receiver that hangs until the timeout, an extension point would otherwise wait for the whole backlog (40 such
    /// forwards held an answer 40 s). Answers are also claimed before anything else.
    /// </summary>
    internal const int AnswerSlots = 2;

    /// <summary>The answers among the deliveries in flight (by the id of the row).</summary>
    private readonly ConcurrentDictionary<long, byte> _answersInFlight = new();

    private readonly OutboxOptions _options = options.Value.Outbox;

    /// <summary>
    /// Set when a delivery ends: what a worker with every slot busy waits for, instead of <paramref name="signal"/>, which
    /// every commit of new actions sets and which would wake it for nothing.
    /// </summary>
    private readonly OutboxSignal _slotFreed = new();
    private readonly ConcurrentDictionary<long, Task> _inFlight = new();

    /// <summary>Deliveries that succeeded, recorded with the next claim (one commit for both) or at stop.</summary>
    private readonly ConcurrentQueue<DeliveredAction> _delivered = new();
    private readonly string _owner = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Before the host listens: a store that cannot be opened must stop the start, not fail the first request.
        try
        {
            store.Initialize();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            throw new InvalidOperationException($"the outbox '{store.Path}' (OpenEventRules:Outbox:Path) cannot be opened: {ex.Message}", ex);
        }

        var (pending, _, dead) = store.Counts();
        LogStarted(logger, store.Path, pending, dead);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var nextPurge = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var now = time.GetUtcNow();
                nextPurge = PurgeIfDue(now, nextPurge);
                // Any action may take one of the Concurrency slots; answers also the AnswerSlots beyond them.
                var busy = _inFlight.Count;
                var answerFree = _options.Concurrency + AnswerSlots - busy;
                var free = Math.Min(_options.Concurrency - (busy - _answersInFlight.Count), answerFree);
                if (free > 0 && signal.HoldBeforeClaim(_options.BatchDelay, MaxBatch) is var hold && hold > TimeSpan.Zero)
                {
                    // New file forwards gather for one claim, write and flush (woken sooner by more, or by a slot freeing).
                    await signal.WaitAsync(hold, stoppingToken);
                    continue;
                }

                var claimed = free > 0 || answerFree > 0 || !_delivered.IsEmpty
                    ? ClaimAndStart(free > 0 ? free : Math.Max(answerFree, 0), answersOnly: free <= 0)
                    : 0;
                if (claimed > 0 && claimed == (free > 0 ? free : answerFree))
                {
                    continue; // more may be due at once
                }

                await WaitForWorkAsync(free, answerFree, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // A locked or briefly unavailable store: try again later rather than stop delivering for good.
                LogWorkerFailed(logger, ex);
                try
                {
                    await Task.Delay(_options.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        await Task.WhenAll(_inFlight.Values);
        RecordDelivered();
    }

    /// <summary>Records the deliveries that finished since the last claim (at stop: those of the last attempts).</summary>
    private void RecordDelivered()
    {
        var delivered = TakeDelivered();
        try
        {
            store.MarkDelivered(delivered);
        }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            // Their leases expire and they are delivered again (at least once).
            LogStoreFailed(logger, $"{delivered.Count} delivered actions", ex);
        }
    }

    private List<DeliveredAction> TakeDelivered()
    {
        var delivered = new List<DeliveredAction>();
        while (_delivered.TryDequeue(out var action))
        {
            delivered.Add(action);
        }

        return delivered;
    }

    /// <summary>Deletes delivered actions past Outbox:DeliveredRetention, once an hour; returns when to purge next.</summary>
    private DateTimeOffset PurgeIfDue(DateTimeOffset now, DateTimeOffset nextPurge)
    {
        if (now < nextPurge)
        {
            return nextPurge;
        }

        store.Purge(RetainedSince(now, _options.DeliveredRetention), dead: false);
        return now + TimeSpan.FromHours(1);
    }

    /// <summary>
    /// The oldest delivery kept: <paramref name="now"/> minus the retention, or the start of time when the retention
    /// reaches past it (now when it is not positive). Subtracting threw for a retention of a million days, and the
    /// worker failed at every turn; the settings' validation refuses such values, this keeps the worker total.
    /// </summary>
    internal static DateTimeOffset RetainedSince(DateTimeOffset now, TimeSpan retention) =>
        retention <= TimeSpan.Zero ? now
        : retention < now - DateTimeOffset.MinValue ? now - retention
        : DateTimeOffset.MinValue;

    /// <summary>Claims up to <paramref name="free"/> due actions (with their batches) and starts delivering each; returns how many.</summary>
    private int ClaimAndStart(int free, bool answersOnly)
    {
        var claimed = 0;
        // Taken before the claim: a delivery that ends meanwhile is recorded with the next one. Until then its row stays
        // pending under its lease, so no worker claims it again.
        var delivered = TakeDelivered();
        signal.Claiming();
        IReadOnlyList<IReadOnlyList<OutboxItem>> batches;
        try
        {
            batches = store.ClaimBatches(free, time.GetUtcNow, _options.LeaseDuration, _owner, delivered, delivery.Batches, MaxBatch, answersOnly);
        }
        catch
        {
            // Nothing was committed: the deliveries are recorded with the next attempt.
            delivered.ForEach(_delivered.Enqueue);
            throw;
        }

        foreach (var batch in batches)
        {
            claimed++;
            if (batch[0].Kind == OutboxDispatcher.AnswerKind)
            {
                _answersInFlight[batch[0].Id] = 0;
            }

            // Registered before it starts, so that its own removal cannot run first.
            var delivery = new Task<Task>(() => batch.Count == 1 ? DeliverAsync(batch[0]) : DeliverBatchAsync(batch));
            _inFlight[batch[0].Id] = delivery.Unwrap();
            delivery.Start(TaskScheduler.Default);
        }

        return claimed;
    }

    /// <summary>
    /// Waits for a signal (a new action; with every slot busy, a finished delivery), the next due action or the poll
    /// interval, whichever comes first.
    /// </summary>
    private async Task WaitForWorkAsync(int free, int answerFree, CancellationToken stoppingToken)
    {
        if (free <= 0 && answerFree <= 0)
        {
            // Nothing can start before a slot frees: new actions are looked for then.
            await _slotFreed.WaitAsync(_options.PollInterval, stoppingToken);
            return;
        }

        if (free <= 0)
        {
            // Only an answer can start: woken by one stored or a slot freeing (what else is due must wait for a slot).
            await signal.WaitAsync(_options.PollInterval, stoppingToken);
            return;
        }

        var wait = _options.PollInterval;
        if (store.NextDue() is { } due && due - time.GetUtcNow() < wait)
        {
            wait = due - time.GetUtcNow();
        }

        if (wait > TimeSpan.Zero)
        {
            await signal.WaitAsync(wait, stoppingToken);
        }
    }

    private async Task DeliverAsync(OutboxItem item)
    {
        try
        {
            Record(item, await delivery.AttemptAsync(item));
        }
        catch (Exception ex)
        {
            // The lease expires and the action is claimed again.
            LogStoreFailed(logger, HeaderValues.IdempotencyKey(item.Key), ex);
        }
        finally
        {
            Freed(item.Id);
        }
    }

    /// <summary>Delivers a batch (<see cref="ActionDelivery.AttemptBatchAsync"/>) and records each action's step.</summary>
    private async Task DeliverBatchAsync(IReadOnlyList<OutboxItem> batch)
    {
        try
        {
            var steps = await delivery.AttemptBatchAsync(batch);
            for (var i = 0; i < batch.Count; i++)
            {
                Record(batch[i], steps[i]);
            }
        }
        catch (Exception ex)
        {
            // The leases expire and the actions are claimed again.
            LogStoreFailed(logger, $"{batch.Count} actions from {HeaderValues.IdempotencyKey(batch[0].Key)}", ex);
        }
        finally
        {
            Freed(batch[0].Id);
        }
    }

    /// <summary>A slot is free: wakes the worker, whether it waits for a slot or (some free) for new actions, so that the delivered marks are written soon.</summary>
    private void Freed(long id)
    {
        _inFlight.TryRemove(id, out _);
        _answersInFlight.TryRemove(id, out _);
        _slotFreed.Notify();
        signal.Notify();
    }

    /// <summary>Records one attempt's step: delivered (with the next claim), retried or dead.</summary>
    private void Record(OutboxItem item, DeliveryStep step)
    {
        try
        {
            var now = time.GetUtcNow();
            switch (step)
            {
                case { Kind: DeliveryStepKind.Delivered }:
                    _delivered.Enqueue(new DeliveredAction(item.Id, step.Attempt, now));
                    break;
                case { Kind: DeliveryStepKind.Dead }:
                    store.DeadLetter(item.Id, step.Attempt, step.Error!, now);
                    break;
                default:
                    store.ScheduleRetry(item.Id, step.Attempt, now + step.RetryIn, step.Error!);
                    break;
            }
        }
        catch (Exception ex)
        {
            // The store itself failed: the lease expires and the action is claimed again.
            LogStoreFailed(logger, HeaderValues.IdempotencyKey(item.Key), ex);
        }
    }

    /// <summary>initial × 2^(attempt-1), capped at max, times a jitter factor in [0.5, 1) (see <see cref="ActionDelivery.Backoff"/>).</summary>
    public static TimeSpan Backoff(int attempt, TimeSpan initial, TimeSpan max, double random) => ActionDelivery.Backoff(attempt, initial, max, random);

    [LoggerMessage(Level = LogLevel.Information, Message = "outbox {Path}: {Pending} pending, {Dead} dead-lettered")]
    private static partial void LogStarted(ILogger logger, string path, long pending, long dead);

    [LoggerMessage(Level = LogLevel.Error, Message = "the outbox could not record the result for {Key}; it will be attempted again")]
    private static partial void LogStoreFailed(ILogger logger, string key, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "the outbox worker failed; it tries again")]
    private static partial void LogWorkerFailed(ILogger logger, Exception exception);
}
