using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Observability;

namespace OpenEvent.Rules.Host.Actions;

/// <summary>What became of one attempt: delivered, to be retried after <see cref="RetryIn"/>, or dead with <see cref="Error"/>.</summary>
internal sealed record DeliveryStep(DeliveryStepKind Kind, int Attempt, TimeSpan RetryIn, string? Error);

internal enum DeliveryStepKind
{
    Delivered,
    Retry,
    Dead,
}

/// <summary>
/// One delivery attempt of a stored action and what follows from it, the same for the SQLite worker and the broker's
/// delivery consumers: the sender chosen by the payload's type, the attempt under Actions:Timeout, and then delivered,
/// a retry (exponential backoff) or a dead letter after Outbox:MaxAttempts or Outbox:MaxAge (DataWorks answers: after
/// DataWorks:Deadline only), or at once when the failure cannot pass by retrying (a missing environment variable, a
/// header value no header can carry, a 4xx refusal). Errors are redacted before they are returned or logged.
/// </summary>
internal sealed partial class ActionDelivery
{
    private readonly Dictionary<string, IActionSender> _senders = new(StringComparer.Ordinal);
    private readonly OutboxOptions _options;
    private readonly ActionOptions _actions;
    private readonly DataWorksOptions _dataWorks;
    private readonly TimeProvider _time;
    private readonly RulesMetrics _metrics;
    private readonly DirectAnswers _directAnswers;
    private readonly ILogger<ActionDelivery> _logger;

    public ActionDelivery(
        IEnumerable<IActionSender> senders, IOptions<RulesHostOptions> options, TimeProvider time, RulesMetrics metrics, DirectAnswers directAnswers, ILogger<ActionDelivery> logger)
    {
        foreach (var sender in senders)
        {
            foreach (var type in sender.Types)
            {
                _senders[type] = sender;
            }
        }

        _options = options.Value.Outbox;
        _actions = options.Value.Actions;
        PayloadValues.ReserveCredentialVariables(options.Value.DataWorks.CredentialVariables());
        _dataWorks = options.Value.DataWorks;
        _time = time;
        _metrics = metrics;
        _directAnswers = directAnswers;
        _logger = logger;
    }

    /// <summary>
    /// Attempts the action once, under Actions:Timeout alone. The host's stop does not cut an attempt off: a receiver
    /// that already had the request would get it again after the restart or from the next host, and chat channels do not
    /// honour Idempotency-Key (a rolling restart posted the same notification twice). The host's shutdown timeout bounds
    /// the stop.
    /// </summary>
    public async Task<DeliveryStep> AttemptAsync(OutboxItem item)
    {
        var attempt = item.Attempts + 1;
        if (item.Kind == OutboxDispatcher.AnswerKind && _directAnswers.StoredAnswerIsRedundant(item.EventId) is { } redundant)
        {
            return AnsweredDirectly(item, attempt, redundant);
        }

        return Outcome(item, await SendAsync(item));
    }

    /// <summary>
    /// Attempts several actions of one batching sender at once (<see cref="IBatchActionSender"/>: the due forwards of
    /// one file target), each then delivered, retried or dead as <see cref="AttemptAsync"/> decides it alone. An action
    /// another sender handles is attempted alone.
    /// </summary>
    public async Task<IReadOnlyList<DeliveryStep>> AttemptBatchAsync(IReadOnlyList<OutboxItem> items)
    {
        var steps = new DeliveryStep[items.Count];
        var batch = new List<(int Index, BatchedAction Action)>();
        IBatchActionSender? batcher = null;
        for (var i = 0; i < items.Count; i++)
        {
            if (TryRead(items[i]) is { } payload && _senders.GetValueOrDefault(payload.Type) is IBatchActionSender sender && (batcher ?? sender) == sender)
            {
                batcher = sender;
                batch.Add((i, new BatchedAction(items[i], payload)));
            }
            else
            {
                steps[i] = await AttemptAsync(items[i]);
            }
        }

        if (batcher is not null)
        {
            var results = await SendBatchAsync(batcher, batch.ConvertAll(b => b.Action));
            for (var j = 0; j < batch.Count; j++)
            {
                steps[batch[j].Index] = Outcome(items[batch[j].Index], results[j]);
            }
        }

        return steps;
    }

    /// <summary>Whether the action's sender delivers it with others (<see cref="AttemptBatchAsync"/>).</summary>
    public bool Batches(OutboxItem item) => TryRead(item) is { } payload && Batches(item.Kind, payload);

    /// <summary>Whether a new action, once stored, will go with others (it may wait for companions: Outbox:BatchDelay).</summary>
    public bool Batches(NewAction action) => Batches(action.Kind, action.Payload);

    private bool Batches(string kind, ActionPayload payload) =>
        kind != OutboxDispatcher.AnswerKind && _senders.GetValueOrDefault(payload.Type) is IBatchActionSender;

    /// <summary>The payload of the item; null when it cannot be read (attempted alone, the attempt says why).</summary>
    private static ActionPayload? TryRead(OutboxItem item)
    {
        try
        {
            return ActionPayloads.Read(item.Kind, item.Payload);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>What follows from an attempt's result: delivered, a retry after the backoff, or the dead-letter table.</summary>
    private DeliveryStep Outcome(OutboxItem item, DeliveryResult result)
    {
        var attempt = item.Attempts + 1;
        var now = _time.GetUtcNow();
        // Logged as receivers see it: the encoded key cannot carry a line break from the event id into the log.
        var key = HeaderValues.IdempotencyKey(item.Key);
        if (result.Success)
        {
            _metrics.Delivery(item.Kind, "delivered");
            LogDelivered(_logger, item.Kind, item.Destination, key, attempt);
            return new DeliveryStep(DeliveryStepKind.Delivered, attempt, TimeSpan.Zero, null);
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
            _metrics.Delivery(item.Kind, "dead");
            LogDeadLettered(_logger, item.Kind, item.Destination, key, deadReason, error);
            return new DeliveryStep(DeliveryStepKind.Dead, attempt, TimeSpan.Zero, error);
        }

        var delay = Backoff(attempt, _options.InitialBackoff, _options.MaxBackoff, Random.Shared.NextDouble());
        _metrics.Delivery(item.Kind, "retry");
        LogRetry(_logger, item.Kind, item.Destination, key, attempt, delay.TotalSeconds, error);
        return new DeliveryStep(DeliveryStepKind.Retry, attempt, delay, error);
    }

    /// <summary>
    /// A stored answer of an event this host answered directly: delivered when that send succeeded (DataWorks is not
    /// answered twice), else retried shortly until the direct send is known (if it fails, this stored answer must go).
    /// </summary>
    private DeliveryStep AnsweredDirectly(OutboxItem item, int attempt, bool sent)
    {
        var key = HeaderValues.IdempotencyKey(item.Key);
        if (sent)
        {
            _metrics.Delivery(item.Kind, "delivered");
            LogAnsweredDirectly(_logger, item.Destination, key);
            return new DeliveryStep(DeliveryStepKind.Delivered, attempt, TimeSpan.Zero, null);
        }

        return new DeliveryStep(DeliveryStepKind.Retry, attempt, _options.InitialBackoff, "the fallback is sending this answer directly");
    }

    /// <summary>initial × 2^(attempt-1), capped at max, times a jitter factor in [0.5, 1) so that retries of a burst spread out.</summary>
    public static TimeSpan Backoff(int attempt, TimeSpan initial, TimeSpan max, double random)
    {
        var exponential = initial.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30));
        var capped = Math.Min(exponential, max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.5 + (random / 2)));
    }

    private Task<DeliveryResult> SendAsync(OutboxItem item) =>
        UnderTimeoutAsync(async token =>
        {
            var payload = ActionPayloads.Read(item.Kind, item.Payload);
            return _senders.TryGetValue(payload.Type, out var sender)
                ? await sender.SendAsync(item, payload, token)
                : DeliveryResult.Permanent($"no sender for '{payload.Type}' actions");
        });

    /// <summary>The batch's results; a failure of the whole call is every action's result.</summary>
    private async Task<IReadOnlyList<DeliveryResult>> SendBatchAsync(IBatchActionSender sender, List<BatchedAction> batch)
    {
        IReadOnlyList<DeliveryResult>? results = null;
        var outcome = await UnderTimeoutAsync(async token =>
        {
            results = await sender.SendBatchAsync(batch, token);
            return DeliveryResult.Delivered;
        });
        return outcome.Success ? results! : [.. batch.Select(_ => outcome)];
    }

    /// <summary>One attempt under Actions:Timeout; its exceptions become results.</summary>
    private async Task<DeliveryResult> UnderTimeoutAsync(Func<CancellationToken, Task<DeliveryResult>> send)
    {
        using var timeout = new CancellationTokenSource(_actions.Timeout);
        try
        {
            return await send(timeout.Token);
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
        catch (HttpRequestException ex) when (ex.InnerException is ForbiddenDestinationException forbidden)
        {
            return DeliveryResult.Permanent(forbidden.Message);
        }
        catch (ForbiddenDestinationException forbidden)
        {
            // Refused before a proxy was asked to carry the request (ProxiedDestinationGuard).
            return DeliveryResult.Permanent(forbidden.Message);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "delivered {Kind} to {Destination} ({Key}, attempt {Attempt})")]
    private static partial void LogDelivered(ILogger logger, string kind, string destination, string key, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "answer to {Destination} ({Key}) not sent: the fallback already answered this event directly")]
    private static partial void LogAnsweredDirectly(ILogger logger, string destination, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Kind} to {Destination} ({Key}) failed (attempt {Attempt}), retry in {Seconds:0.###} s: {Error}")]
    private static partial void LogRetry(ILogger logger, string kind, string destination, string key, int attempt, double seconds, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Kind} to {Destination} ({Key}) moved to the dead-letter table because {Reason}: {Error}")]
    private static partial void LogDeadLettered(ILogger logger, string kind, string destination, string key, string reason, string error);
}
