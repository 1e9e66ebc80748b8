using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Host.Observability;

namespace OpenEvent.Rules.Host.Actions;

/// <summary>
/// The built-in "log" channel and target: every action (and the verdict of an extension point event) is
/// written to the host log. It is the whole pipeline until a durable outbox is configured.
/// </summary>
public sealed partial class LogActionDispatcher(RulesMetrics metrics, ILogger<LogActionDispatcher> logger) : IActionDispatcher
{
    public ValueTask DispatchAsync(Decision decision, DataWorksEvent e, CancellationToken cancellationToken)
    {
        foreach (var match in decision.Matched)
        {
            foreach (var action in match.Actions)
            {
                switch (action)
                {
                    case NotifyOutcome notify:
                        LogNotify(logger, notify.Channel, match.Policy, e.Id, notify.Message);
                        break;
                    case ForwardOutcome forward:
                        LogForward(logger, forward.Target, match.Policy, e.Id, e.Type);
                        break;
                }

                metrics.Action(action.Kind, "logged");
            }
        }

        if (decision.Verdict is { } verdict)
        {
            LogVerdict(logger, e.Id, e.Type, DecisionJson.VerdictText(verdict));
        }

        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "notify {Channel} (policy {Policy}, event {EventId}): {Message}")]
    private static partial void LogNotify(ILogger logger, string channel, string policy, string eventId, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "forward to {Target} (policy {Policy}): event {EventId} {Type}")]
    private static partial void LogForward(ILogger logger, string target, string policy, string eventId, string type);

    [LoggerMessage(Level = LogLevel.Information, Message = "verdict for {EventId} ({Type}): {Verdict}")]
    private static partial void LogVerdict(ILogger logger, string eventId, string type, string verdict);
}
