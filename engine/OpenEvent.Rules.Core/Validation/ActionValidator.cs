using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Validation;

/// <summary>
/// OER3030 (block / warn on a policy that can only match regular events: DataWorks holds only extension point
/// operations, so there is nobody to answer), OER3031 (notify names an undeclared channel) and OER3032 (forward
/// names an undeclared target). "log" is built in for both.
/// </summary>
internal sealed class ActionValidator
{
    public void Validate(ValidationContext context)
    {
        var channels = context.Set.Channels.Select(c => c.Name).Append(PolicySetDefinition.BuiltInLog).ToHashSet(StringComparer.Ordinal);
        var targets = context.Set.Targets.Select(t => t.Name).Append(PolicySetDefinition.BuiltInLog).ToHashSet(StringComparer.Ordinal);

        foreach (var policy in context.Set.Policies)
        {
            var onlyRegular = OnlyRegular(context, policy);
            foreach (var action in policy.Actions)
            {
                switch (action)
                {
                    case BlockAction or WarnAction when onlyRegular:
                        context.Diagnostics.Error(DiagnosticIds.BlockOnRegularEvents, action.Location,
                            $"Policy '{policy.Name}': {action.Kind} has no effect: the policy matches only regular events ({context.MatchedTypes(policy).Describe()}), which DataWorks does not hold for an answer",
                            "Use notify or forward for regular events, or match the extension point type of the operation (e.g. dataworks:FileChange:DeployFile) to stop it before it happens.");
                        break;

                    case NotifyAction notify when !channels.Contains(notify.Channel):
                        context.Diagnostics.Error(DiagnosticIds.UndeclaredChannel, action.Location,
                            $"Policy '{policy.Name}': notify uses channel '{notify.Channel}', which is not declared",
                            Suggestions.DidYouMean(Suggestions.Closest(notify.Channel, channels))
                            + $"Declare it in a 'kind: Channel' document with metadata.name: {notify.Channel}, or use the built-in channel 'log'.");
                        break;

                    case ForwardAction forward when !targets.Contains(forward.Target):
                        context.Diagnostics.Error(DiagnosticIds.UndeclaredTarget, action.Location,
                            $"Policy '{policy.Name}': forward uses target '{forward.Target}', which is not declared",
                            Suggestions.DidYouMean(Suggestions.Closest(forward.Target, targets))
                            + $"Declare it in a 'kind: Target' document with metadata.name: {forward.Target}, or use the built-in target 'log'.");
                        break;
                }
            }
        }
    }

    // CommitFile is an extension point that also fires as a regular event: it can be blocked, so it counts as
    // extension. A policy naming a type the catalog does not know, or one it models as regular on a guess (kind
    // inferred: such an event is held when it says blockBusiness: true), is given the benefit of the doubt.
    private static bool OnlyRegular(ValidationContext context, PolicyDefinition policy)
    {
        var types = context.MatchedTypes(policy);
        return !types.IsEmpty
            && types.Types.All(t => t.Kind == EventKind.Regular && !t.KindInferred)
            && !context.MentionsUnknownType(policy.Match);
    }
}
