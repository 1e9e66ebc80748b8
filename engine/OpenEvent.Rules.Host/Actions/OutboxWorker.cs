using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Observability;

namespace OpenEvent.Rules.Host.Actions;

/// <summary>
/// Delivers the outbox: claims due actions (with a lease), runs up to Outbox:Concurrency deliveries at once, marks
/// each delivered, schedules a retry (exponential backoff with jitter), or moves it to the dead-letter table after
/// Outbox:MaxAttempts or Outbox:MaxAge (DataWorks answers: after DataWorks:Deadline only), or at once when the failure
/// cannot pass by retrying (a missing environment variable, a header value no header can carry, a 4xx refusal). Delivery
/// is at least once: a process that dies after a receiver accepted an action but before the row is marked sends it
/// again after restart, with the same Idempotency-Key header. Errors are redacted before they are stored or logged.
/// </summary>
internal sealed partial class OutboxWorker : BackgroundService
{
    private readonly OutboxStore _store;
    private readonly OutboxSignal _signal;
    private readonly OutboxOptions _options;
    private readonly ActionOptions _actions;
    private readonly DataWorksOptions _dataWorks;
    private readonly Dictionary<string, IActionSender> _senders = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly RulesMetrics _metrics;
    private readonly ILogger<OutboxWorker> _logger;
    private readonly ConcurrentDictionary<long, Task> _inFlight = new();
    private readonly string _owner = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    public OutboxWorker(OutboxStore store, OutboxSignal signal, IEnumerable<IActionSender> senders, IOptions<RulesHostOptions> options,
        TimeProvider time, RulesMetrics metrics, ILogger<OutboxWorker> logger)
    {
        _store = store;
        _signal = signal;
        _options = options.Value.Outbox;
        _actions = options.Value.Actions;
        _dataWorks = options.Value.DataWorks;
        foreach (var sender in senders)
        {
            foreach (var type in sender.Types)
            {
                _senders[type] = sender;
            }
        }

        _time = time;
        _metrics = metrics;
        _logger = logger;
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Before the host listens: a store that cannot be opened must stop the start, not fail the first request.
        try
        {
            _store.Initialize();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            throw new InvalidOperationException($"the outbox '{_store.Path}' (OpenEventRules:Outbox:Path) cannot be opened: {ex.Message}", ex);
        }

        var (pending, _, dead) = _store.Counts();
        LogStarted(_logger, _store.Path, pending, dead);
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
                var now = _time.GetUtcNow();
                nextPurge = PurgeIfDue(now, nextPurge);
                var free = _options.Concurrency - _inFlight.Count;
                var claimed = free > 0 ? ClaimAndStart(free, now, stoppingToken) : 0;
                if (claimed > 0 && claimed == free)
                {
                    continue; // more may be due at once
                }

                await WaitForWorkAsync(free, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // A locked or briefly unavailable store: try again later rather than stop delivering for good.
                LogWorkerFailed(_logger, ex);
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
    }

    /// <summary>Deletes delivered actions past Outbox:DeliveredRetention, once an hour; returns when to purge next.</summary>
    private DateTimeOffset PurgeIfDue(DateTimeOffset now, DateTimeOffset nextPurge)
    {
        if (now < nextPurge)
        {
            return nextPurge;
        }

        _store.Purge(now - _options.DeliveredRetention, dead: false);
        return now + TimeSpan.FromHours(1);
    }

    /// <summary>Claims up to <paramref name="free"/> due actions and starts delivering each; returns how many.</summary>
    private int ClaimAndStart(int free, DateTimeOffset now, CancellationToken stoppingToken)
    {
        var claimed = 0;
        foreach (var item in _store.Claim(free, now, now + _options.LeaseDuration, _owner))
        {
            claimed++;
            // Registered before it starts, so that its own removal cannot run first.
            var delivery = new Task<Task>(() => DeliverAsync(item, stoppingToken));
            _inFlight[item.Id] = delivery.Unwrap();
            delivery.Start(TaskScheduler.Default);
        }

        return claimed;
    }

    /// <summary>Waits for a signal (a new action, a finished delivery), the next due action or the poll interval, whichever comes first.</summary>
    private async Task WaitForWorkAsync(int free, CancellationToken stoppingToken)
    {
        var wait = _options.PollInterval;
        if (free > 0 && _store.NextDue() is { } due && due - _time.GetUtcNow() < wait)
        {
            wait = due - _time.GetUtcNow();
        }

        if (wait > TimeSpan.Zero)
        {
            await _signal.WaitAsync(wait, stoppingToken);
        }
    }

    private async Task DeliverAsync(OutboxItem item, CancellationToken stoppingToken)
    {
        try
        {
            var attempt = item.Attempts + 1;
            var result = await AttemptAsync(item, stoppingToken);
            if (result is null)
            {
                _store.Release(item.Id);
                return;
            }

            var now = _time.GetUtcNow();
            // Logged as receivers see it: the encoded key cannot carry a line break from the event id into the log.
            var key = HeaderValues.IdempotencyKey(item.Key);
            if (result.Success)
            {
                _store.MarkDelivered(item.Id, attempt, now);
                _metrics.Delivery(item.Kind, "delivered");
                LogDelivered(_logger, item.Kind, item.Destination, key, attempt);
                return;
            }

            // A held operation waits for its answer: answers are retried until the deadline, whatever the attempts.
            var isAnswer = item.Kind == OutboxDispatcher.AnswerKind;
            var maxAge = isAnswer ? _dataWorks.Deadline : _options.MaxAge;
            // The last safety net before the outbox and the log: senders mask the secrets they know, this masks credential shapes.
            var error = SecretRedactor.Redact(result.Error ?? "failed");
            string? deadReason = !result.Retryable ? "it cannot succeed by retrying"
                : !isAnswer && attempt >= _options.MaxAttempts ? $"{attempt} attempts failed"
                : now - item.CreatedAt >= maxAge ? (isAnswer ? $"its deadline passed ({maxAge}, OpenEventRules:DataWorks:Deadline)" : $"it is older than {maxAge}")
                : null;
            if (deadReason is not null)
            {
                _store.DeadLetter(item.Id, attempt, error, now);
                _metrics.Delivery(item.Kind, "dead");
                LogDeadLettered(_logger, item.Kind, item.Destination, key, deadReason, error);
                return;
            }

            var delay = Backoff(attempt, _options.InitialBackoff, _options.MaxBackoff, Random.Shared.NextDouble());
            _store.ScheduleRetry(item.Id, attempt, now + delay, error);
            _metrics.Delivery(item.Kind, "retry");
            LogRetry(_logger, item.Kind, item.Destination, key, attempt, delay.TotalSeconds, error);
        }
        catch (Exception ex)
        {
            // The store itself failed: the lease expires and the action is claimed again.
            LogStoreFailed(_logger, HeaderValues.IdempotencyKey(item.Key), ex);
        }
        finally
        {
            _inFlight.TryRemove(item.Id, out _);
            _signal.Notify();
        }
    }

    /// <summary>One attempt; null when the host is stopping (the claim is given back without counting an attempt).</summary>
    private async Task<DeliveryResult?> AttemptAsync(OutboxItem item, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(_actions.Timeout);
        try
        {
            var payload = ActionPayloads.Read(item.Kind, item.Payload);
            if (!_senders.TryGetValue(payload.Type, out var sender))
            {
                return DeliveryResult.Permanent($"no sender for '{payload.Type}' actions");
            }

            return await sender.SendAsync(item, payload, timeout.Token);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return null;
        }
        catch (OperationCanceledException)
        {
            return DeliveryResult.Retry($"timed out after {_actions.Timeout.TotalSeconds:0.###} s (OpenEventRules:Actions:Timeout)");
        }
        catch (PayloadValues.MissingVariableException ex)
        {
            return DeliveryResult.Permanent(ex.Message);
        }
        catch (UnsafeHeaderException ex)
        {
            return DeliveryResult.Permanent(ex.Message);
        }
        catch (HttpRequestException ex)
        {
            return DeliveryResult.Retry(ex.Message);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or UriFormatException)
        {
            return DeliveryResult.Permanent($"{ex.GetType().Name}: {ex.Message}");
        }
        catch (Exception ex)
        {
            return DeliveryResult.Retry($"{ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>initial × 2^(attempt-1), capped at max, times a jitter factor in [0.5, 1) so that retries of a burst spread out.</summary>
    public static TimeSpan Backoff(int attempt, TimeSpan initial, TimeSpan max, double random)
    {
        var exponential = initial.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30));
        var capped = Math.Min(exponential, max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.5 + (random / 2)));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "outbox {Path}: {Pending} pending, {Dead} dead-lettered")]
    private static partial void LogStarted(ILogger logger, string path, long pending, long dead);

    [LoggerMessage(Level = LogLevel.Information, Message = "delivered {Kind} to {Destination} ({Key}, attempt {Attempt})")]
    private static partial void LogDelivered(ILogger logger, string kind, string destination, string key, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Kind} to {Destination} ({Key}) failed (attempt {Attempt}), retry in {Seconds:0.###} s: {Error}")]
    private static partial void LogRetry(ILogger logger, string kind, string destination, string key, int attempt, double seconds, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Kind} to {Destination} ({Key}) moved to the dead-letter table because {Reason}: {Error}")]
    private static partial void LogDeadLettered(ILogger logger, string kind, string destination, string key, string reason, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "the outbox could not record the result for {Key}; it will be attempted again")]
    private static partial void LogStoreFailed(ILogger logger, string key, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "the outbox worker failed; it tries again")]
    private static partial void LogWorkerFailed(ILogger logger, Exception exception);
}
