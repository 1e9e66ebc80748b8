using OpenEvent.Rules.Host.Observability;

namespace OpenEvent.Rules.Host.Actions;

/// <summary>
/// Where a new action is admitted, once per idempotency key: a notification passes its channel's rate limit and
/// de-duplication window (<see cref="NotificationThrottle"/>) or is suppressed (counted, and its count rides along with
/// the channel's next notification). The SQLite outbox asks it inside its transaction; with a broker, the one active
/// consumer of the channel's partition asks it with the partition's throttle, so the limits hold across hosts.
/// </summary>
internal sealed partial class NotificationGate(NotificationThrottle throttle, RulesMetrics metrics, ILogger<NotificationGate> logger)
{
    public const string NotifyKind = "notify";

    /// <summary>The action as it is to be stored (with the suppressed count), or null when the throttle refuses it.</summary>
    public NewAction? Admit(NewAction action) => Admit(action, throttle);

    public NewAction? Admit(NewAction action, NotificationThrottle channelThrottle)
    {
        if (action.Kind != NotifyKind)
        {
            metrics.Action(action.Kind, "stored");
            return action;
        }

        var notify = ActionPayloads.As<NotifyPayload>(action.Payload);
        var outcome = channelThrottle.Admit(action.Destination, notify.Message, out var suppressedBefore);
        if (outcome != NotificationThrottle.Outcome.Allowed)
        {
            var reason = outcome == NotificationThrottle.Outcome.Duplicate ? "duplicate" : "rate-limit";
            metrics.Suppressed(action.Destination, reason);
            if (logger.IsEnabled(LogLevel.Debug))
            {
                LogSuppressed(logger, action.Destination, action.Policy ?? "", SecretRedactor.Quote(action.EventId), reason);
            }

            return null;
        }

        metrics.Action(action.Kind, "stored");
        return suppressedBefore == 0 ? action : action with { Payload = notify with { Suppressed = suppressedBefore } };
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "notification to {Channel} suppressed (policy {Policy}, event {EventId}): {Reason}")]
    private static partial void LogSuppressed(ILogger logger, string channel, string policy, string eventId, string reason);
}
