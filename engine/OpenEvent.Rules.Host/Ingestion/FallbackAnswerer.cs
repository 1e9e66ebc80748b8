using Microsoft.Extensions.Options;
using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Host.Actions;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Observability;

namespace OpenEvent.Rules.Host.Ingestion;

/// <summary>
/// Answers an extension point event when its own answer is late (DataWorks:AnswerWithin passed while it was evaluated
/// or stored) or cannot be stored (the outbox refused it). The answer, under the same idempotency key as the event's
/// own, is stored in the outbox when the outbox takes it within a quarter of AnswerWithin (the worker sends it at
/// once, with retries); when the outbox is the late part, it is sent directly through the DataWorks sender, and stored
/// for retries only if that send fails. Events answered directly are remembered (<see cref="DirectAnswers"/>) so that
/// their own answer, stored later or on EventBridge's retry, and the fallback's own store that timed out and landed
/// afterwards are not sent a second time.
/// </summary>
internal sealed partial class FallbackAnswerer(
    IActionDispatcher dispatcher,
    IActionOutbox outbox,
    IEnumerable<IActionSender> senders,
    DirectAnswers directAnswers,
    IOptions<RulesHostOptions> options,
    TimeProvider time,
    RulesMetrics metrics,
    ILogger<FallbackAnswerer> logger)
{
    /// <summary>The answer was late: AnswerWithin passed before the event was evaluated and its actions stored.</summary>
    public const string Deadline = "deadline";

    /// <summary>The outbox refused the event's actions (locked past its busy timeout, disk full, ...).</summary>
    public const string OutboxUnavailable = "outbox-unavailable";

    private readonly RulesHostOptions _options = options.Value;

    /// <summary>
    /// Whether DataWorks is answered for this event at all (an extension point event of a type with a callback API, and
    /// an extension code configured): only then is there an answer to hold to a deadline.
    /// </summary>
    public bool Answers(DataWorksEvent e) =>
        e.IsExtensionPoint && _options.DataWorks.Enabled && DataWorksAnswer.ApiFor(e) != CallbackApi.None;

    /// <summary>Whether this event's answer already went out directly: its own answer must not be stored after it.</summary>
    public bool WasSentDirectly(string eventId) => directAnswers.Contains(eventId);

    /// <summary>The answer of a fallback: the fail mode, or the event's own verdict when it is known and stricter (a block is never softened).</summary>
    public Verdict VerdictFor(Verdict? evaluated)
    {
        var failMode = RulesHostOptionsValidator.ParseVerdict(_options.DataWorks.FailMode) ?? Verdict.Warn;
        return evaluated is { } verdict && verdict > failMode ? verdict : failMode;
    }

    /// <summary>Hands the fallback answer over (stored or sent); never throws. Returns how it went: stored, sent, failed or none.</summary>
    /// <param name="decidedReasons">
    /// The policies' reasons when the verdict answered is the one they decided (a block known before the outbox was late):
    /// the author sees why, not only that the host answered early. Null for the fail mode.
    /// </param>
    public async Task<string> AnswerAsync(DataWorksEvent e, Verdict verdict, string reason, bool outboxIsLate, DateTimeOffset arrivedAt, string? decidedReasons = null)
    {
        var why = reason == Deadline
            ? $"no verdict within {_options.DataWorks.AnswerWithin.TotalSeconds:0.###} s (OpenEventRules:DataWorks:AnswerWithin)"
            : "its actions could not be stored";
        if (dispatcher.AnswerFor(e, verdict, decidedReasons ?? $"OpenEvent.Rules answered by its fail mode: {why}.") is not { } answer)
        {
            LogFallback(logger, e.Id, e.Type, DecisionJson.VerdictText(verdict), reason, "none (DataWorks is not answered for this event)");
            return "none";
        }

        if (!outboxIsLate && await TryStoreAsync(answer))
        {
            return Done("stored");
        }

        if (directAnswers.StoredAnswerIsRedundant(e.Id) == true)
        {
            // Sent directly before, for this event: a queue event held while the broker refused publishes comes back
            // through the whole ingestion, and each turn sent the same signed answer again.
            return Done("already-sent");
        }

        var remembered = directAnswers.Begin(e.Id, _options.DataWorks.Deadline);
        var result = await SendDirectlyAsync(answer);
        if (result.Success)
        {
            directAnswers.Sent(e.Id);
            // Recorded in the outbox too, once it takes the row: the worker finds it answered directly and marks it
            // delivered, and its key keeps the answer of EventBridge's retry from being stored and sent again, even by
            // a host started after this one stopped (the memory of direct answers is this process's alone).
            if (remembered)
            {
                // Unremembered (the memory was full), the row would look unsent to the worker and go out again.
                _ = StoreEventuallyAsync(answer, arrivedAt + _options.DataWorks.Deadline, sent: true);
            }
            return Done("sent");
        }

        if (remembered)
        {
            directAnswers.Failed(e.Id);
        }

        // Not delivered: the outbox retries it (until DataWorks:Deadline) once it takes it.
        LogDirectSendFailed(logger, e.Id, result.Error ?? "failed");
        _ = StoreEventuallyAsync(answer, arrivedAt + _options.DataWorks.Deadline, sent: false);
        return Done("failed");

        string Done(string route)
        {
            metrics.Fallback(reason, route);
            LogFallback(logger, e.Id, e.Type, DecisionJson.VerdictText(verdict), reason, route);
            return route;
        }
    }

    private async Task<bool> TryStoreAsync(NewAction answer)
    {
        // The store is given up (not cancelled) after the grace; it runs on the pool so that an outbox that blocks its
        // caller (none of the current ones does: SQLite's commits run on its writer thread) cannot hold this answer.
        var storing = Task.Run(async () => await outbox.EnqueueAsync([answer], CancellationToken.None));
        try
        {
            await storing.WaitAsync(_options.DataWorks.AnswerWithin / 4, time);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private async Task<DeliveryResult> SendDirectlyAsync(NewAction answer)
    {
        try
        {
            var type = answer.Payload.Type;
            if (senders.FirstOrDefault(s => s.Types.Contains(type)) is not { } sender)
            {
                return DeliveryResult.Permanent($"no sender for '{type}' actions");
            }

            var now = time.GetUtcNow();
            var item = new OutboxItem(0, answer.Key, answer.EventId, answer.EventType, answer.Policy, answer.Kind, answer.Destination,
                ActionPayloads.Write(answer.Payload), OutboxStore.Pending, 0, now, now, null, null) { Event = answer.Event };
            using var timeout = new CancellationTokenSource(_options.Actions.Timeout, time);
            return await sender.SendAsync(item, answer.Payload, timeout.Token);
        }
        catch (Exception ex)
        {
            // The last resort reports every failure as a result: the caller still has the outbox to fall back on.
            return DeliveryResult.Retry($"{ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <param name="sent">Whether the answer was sent directly (the row records it), or must still be sent by the outbox.</param>
    private async Task StoreEventuallyAsync(NewAction answer, DateTimeOffset giveUpAt, bool sent)
    {
        var delay = _options.Outbox.InitialBackoff;
        while (time.GetUtcNow() < giveUpAt)
        {
            try
            {
                await Task.Run(async () => await outbox.EnqueueAsync([answer], CancellationToken.None));
                return;
            }
            catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException)
            {
                await Task.Delay(delay, time);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.Outbox.MaxBackoff.Ticks));
            }
        }

        if (sent)
        {
            LogNotRecorded(logger, answer.EventId, answer.Key);
        }
        else
        {
            LogGaveUp(logger, answer.EventId, answer.Key);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "event {EventId} ({Type}) answered {Verdict} by the fallback ({Reason}): {Route}")]
    private static partial void LogFallback(ILogger logger, string eventId, string type, string verdict, string reason, string route);

    [LoggerMessage(Level = LogLevel.Error, Message = "the fallback answer of event {EventId} could not be sent directly ({Error}); it is stored in the outbox as soon as the outbox takes it")]
    private static partial void LogDirectSendFailed(ILogger logger, string eventId, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "the fallback answer of event {EventId} could not be stored before OpenEventRules:DataWorks:Deadline passed: DataWorks has no answer ({Key})")]
    private static partial void LogGaveUp(ILogger logger, string eventId, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the direct answer of event {EventId} could not be recorded in the outbox before OpenEventRules:DataWorks:Deadline passed: a host started after this one stops may answer it again ({Key})")]
    private static partial void LogNotRecorded(ILogger logger, string eventId, string key);
}
