using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Observability;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Host.Actions;

/// <summary>
/// Turns a decision into stored actions before POST /events answers: one row per notify and forward action of
/// each enforce-mode match (key: event id / policy / action index / kind:destination) and, for an extension point
/// event, one answer to DataWorks (key: event id / dataworks-callback). The rows of one event are written in one
/// transaction; keys already stored are skipped, so an event that EventBridge delivers again does not repeat its
/// actions. The built-in "log" channel and target are written to the host log at once and never stored.
/// Notifications pass the per-channel rate limit and de-duplication window where the outbox admits them (<see cref="NotificationGate"/>).
/// </summary>
internal sealed partial class OutboxDispatcher(
    IActionOutbox outbox,
    IOptions<RulesHostOptions> options,
    RulesMetrics metrics,
    ILogger<OutboxDispatcher> logger) : IActionDispatcher
{
    public const string AnswerKind = "answer";

    private readonly DataWorksOptions _dataWorks = options.Value.DataWorks;
    private int _warnedNoExtensionCode;

    public ValueTask DispatchAsync(Decision decision, DataWorksEvent e, PolicySetDefinition decidedBy, CancellationToken cancellationToken)
    {
        List<NewAction>? actions = null;
        // The channels and targets of the set that decided, never the current one: a reload between the decision and
        // this point must not send the action elsewhere, or nowhere. The payload keeps that definition for delivery.
        var set = decidedBy;
        // One copy of the event's bytes for all its forwards (the request's buffer is not kept past the request).
        byte[]? eventBytes = null;
        foreach (var match in decision.Matched)
        {
            for (var index = 0; index < match.Actions.Length; index++)
            {
                switch (match.Actions[index])
                {
                    case NotifyOutcome notify when notify.Channel == PolicySetDefinition.BuiltInLog:
                        if (logger.IsEnabled(LogLevel.Information))
                        {
                            LogNotify(logger, notify.Channel, match.Policy, SecretRedactor.Quote(e.Id), SecretRedactor.Quote(notify.Message, 4000));
                        }

                        metrics.Action("notify", "logged");
                        break;
                    case NotifyOutcome notify:
                        (actions ??= []).Add(Notify(e, match.Policy, index, notify, set.Channels.FirstOrDefault(c => c.Name == notify.Channel)));
                        break;
                    case ForwardOutcome forward when forward.Target == PolicySetDefinition.BuiltInLog:
                        if (logger.IsEnabled(LogLevel.Information))
                        {
                            LogForward(logger, forward.Target, match.Policy, SecretRedactor.Quote(e.Id), SecretRedactor.Quote(e.Type));
                        }

                        metrics.Action("forward", "logged");
                        break;
                    case ForwardOutcome forward:
                        eventBytes ??= e.Utf8.ToArray();
                        (actions ??= []).Add(Forward(e, eventBytes, match.Policy, index, forward, set.Targets.FirstOrDefault(t => t.Name == forward.Target)));
                        break;
                }
            }
        }

        if (decision.Verdict is { } verdict)
        {
            if (logger.IsEnabled(LogLevel.Information))
            {
                LogVerdict(logger, SecretRedactor.Quote(e.Id), SecretRedactor.Quote(e.Type), DecisionJson.VerdictText(verdict));
            }

            if (Answer(e, verdict, CombinedReasons(decision, _dataWorks.MaxMessageLength)) is { } answer)
            {
                (actions ??= []).Add(answer);
            }
        }

        return actions is null ? ValueTask.CompletedTask : outbox.EnqueueAsync(actions, cancellationToken);
    }

    public ValueTask DispatchEvaluationFailureAsync(DataWorksEvent e, Exception exception, CancellationToken cancellationToken)
    {
        var verdict = RulesHostOptionsValidator.ParseVerdict(_dataWorks.FailMode) ?? Verdict.Warn;
        LogEvaluationFailed(logger, SecretRedactor.Quote(e.Id), SecretRedactor.Quote(e.Type), DecisionJson.VerdictText(verdict), exception);
        if (e.IsExtensionPoint && Answer(e, verdict, TextExcerpt.Cut($"OpenEvent.Rules could not evaluate this event ({exception.GetType().Name}); answered by its fail mode.", _dataWorks.MaxMessageLength)) is { } answer)
        {
            return outbox.EnqueueAsync([answer], cancellationToken);
        }

        return ValueTask.CompletedTask;
    }

    public NewAction? AnswerFor(DataWorksEvent e, Verdict verdict, string message) => Answer(e, verdict, TextExcerpt.Cut(message, _dataWorks.MaxMessageLength));

    /// <summary>
    /// The reasons of the block and warn actions, in priority order, each naming its policy, cut to <paramref name="max"/>
    /// characters. A waived match decided nothing, so its reason is not DataWorks's to show.
    /// </summary>
    public static string CombinedReasons(Decision decision, int max)
    {
        // Built only when there is a reason: every extension point event passes here, most with nothing matched.
        StringBuilder? builder = null;
        foreach (var match in decision.Matched)
        {
            if (match.Waiver is not null)
            {
                continue;
            }

            foreach (var action in match.Actions)
            {
                var reason = action switch
                {
                    BlockOutcome block => block.Reason,
                    WarnOutcome warn => "warning: " + warn.Reason,
                    _ => null,
                };
                if (reason is not null)
                {
                    builder = builder is null ? new StringBuilder() : builder.Append("; ");
                    builder.Append('[').Append(match.Policy).Append("] ").Append(reason);
                }
            }
        }

        // A policy that could not have the detail it reads raised the verdict to the fail mode: the user is told why.
        foreach (var failure in decision.DetailFailures)
        {
            if (failure.Outcome == DetailErrorMode.FailMode)
            {
                builder = builder is null ? new StringBuilder() : builder.Append("; ");
                builder.Append('[').Append(failure.Policy).Append("] the event's detail could not be checked: ").Append(failure.Message);
            }
        }

        return builder is null ? "" : TextExcerpt.Cut(builder.ToString(), max);
    }

    private NewAction Notify(DataWorksEvent e, string policy, int index, NotifyOutcome notify, ChannelDefinition? channel)
    {
        var payload = new NotifyPayload(
            channel is null ? "webhook" : TypeName(channel.Type),
            notify.Channel,
            channel?.Url is { } url ? PayloadValue.Of(url.Value, url.FromEnvironment?.EnvironmentVariable) : null,
            channel?.Secret is { } secret ? PayloadValue.Of(null, secret.EnvironmentVariable) : null,
            Headers(channel?.Headers),
            notify.Message);
        WarnIfMissing(channel?.Url?.FromEnvironment, channel?.Secret);
        return new NewAction(Key(e.Id, policy, index, "notify", notify.Channel), e.Id, e.Type, policy, "notify", notify.Channel, payload);
    }

    private NewAction Forward(DataWorksEvent e, byte[] eventBytes, string policy, int index, ForwardOutcome forward, TargetDefinition? target)
    {
        var payload = new ForwardPayload(
            target?.Type == TargetType.File ? "file" : "http",
            forward.Target,
            target?.Url is { } url ? PayloadValue.Of(url.Value, url.FromEnvironment?.EnvironmentVariable) : null,
            target?.Path,
            Headers(target?.Headers));
        WarnIfMissing(target?.Url?.FromEnvironment, null);
        return new NewAction(Key(e.Id, policy, index, "forward", forward.Target), e.Id, e.Type, policy, "forward", forward.Target, payload, eventBytes);
    }

    private NewAction? Answer(DataWorksEvent e, Verdict verdict, string message)
    {
        var api = DataWorksAnswer.ApiFor(e);
        if (api == CallbackApi.None)
        {
            return null;
        }

        if (!_dataWorks.Enabled)
        {
            if (Interlocked.Exchange(ref _warnedNoExtensionCode, 1) == 0)
            {
                LogNotAnswering(logger);
            }

            return null;
        }

        // UpdateWorkbenchEventResult knows only OK and FAIL: a warning lets the operation pass, with its tip.
        var checkResult = verdict == Verdict.Warn && api == CallbackApi.UpdateWorkbenchEventResult ? "OK" : DecisionJson.VerdictText(verdict);
        var name = DataWorksAnswer.ApiName(api);
        var payload = new AnswerPayload(DataWorksAnswer.Type, name, e.Id, checkResult, message, e.Scope.Region);
        return new NewAction(e.Id + "/dataworks-callback", e.Id, e.Type, null, AnswerKind, name, payload);
    }

    private static string Key(string eventId, string policy, int index, string kind, string destination) =>
        string.Create(CultureInfo.InvariantCulture, $"{eventId}/{policy}/{index}/{kind}:{destination}");

    private static string TypeName(ChannelType type) => type switch
    {
        ChannelType.DingTalk => "dingtalk",
        ChannelType.Lark => "lark",
        ChannelType.Slack => "slack",
        _ => "webhook",
    };

    private static Dictionary<string, PayloadValue>? Headers(IReadOnlyDictionary<string, ConfigValue>? headers)
    {
        if (headers is null || headers.Count == 0)
        {
            return null;
        }

        var result = new Dictionary<string, PayloadValue>(StringComparer.Ordinal);
        foreach (var (name, value) in headers)
        {
            if (PayloadValue.Of(value.Value, value.FromEnvironment?.EnvironmentVariable) is { } configured)
            {
                result[name] = configured;
            }
        }

        return result;
    }

    private readonly HashSet<string> _warnedVariables = new(StringComparer.Ordinal);

    private void WarnIfMissing(params SecretReference?[] references)
    {
        foreach (var reference in references)
        {
            if (reference is not null && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(reference.EnvironmentVariable)))
            {
                lock (_warnedVariables)
                {
                    if (!_warnedVariables.Add(reference.EnvironmentVariable))
                    {
                        continue;
                    }
                }

                LogMissingVariable(logger, reference.EnvironmentVariable, reference.Location.ToString());
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "notify {Channel} (policy {Policy}, event {EventId}): {Message}")]
    private static partial void LogNotify(ILogger logger, string channel, string policy, string eventId, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "forward to {Target} (policy {Policy}): event {EventId} {Type}")]
    private static partial void LogForward(ILogger logger, string target, string policy, string eventId, string type);

    [LoggerMessage(Level = LogLevel.Information, Message = "verdict for {EventId} ({Type}): {Verdict}")]
    private static partial void LogVerdict(ILogger logger, string eventId, string type, string verdict);

    [LoggerMessage(Level = LogLevel.Error, Message = "evaluating {EventId} ({Type}) failed; an extension point event is answered {Verdict} (OpenEventRules:DataWorks:FailMode)")]
    private static partial void LogEvaluationFailed(ILogger logger, string eventId, string type, string verdict, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OpenEventRules:DataWorks:ExtensionCode is not configured: extension point events are evaluated but DataWorks is not answered (held operations wait for another extension or pass when it is disabled).")]
    private static partial void LogNotAnswering(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the environment variable {Variable} ({Location}) is not set: actions that need it are dead-lettered until it is set and they are retried ('oer outbox retry')")]
    private static partial void LogMissingVariable(ILogger logger, string variable, string location);
}
