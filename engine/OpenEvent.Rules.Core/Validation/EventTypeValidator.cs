using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Model.Patterns.Operators;

namespace OpenEvent.Rules.Validation;

/// <summary>
/// OER3020 (a <c>type</c> the catalog does not know, or a prefix / wildcard that matches no catalog type: an error,
/// since a typo there makes the policy match nothing while CI stays green; a policy that really names types newer than
/// the catalog says so with <c>spec.allowUnknownTypes: true</c>) and OER3023 (a pattern that can match no DataWorks
/// event at all). The two never fire for the same leaf: a typo in a type name already explains why nothing matches.
/// </summary>
internal sealed class EventTypeValidator
{
    public void Validate(ValidationContext context)
    {
        foreach (var policy in context.Set.Policies)
        {
            var allowUnknown = policy.AllowUnknownTypes;
            var reported = CheckPattern(context, policy.Name, policy.Match, reportEmpty: true, allowUnknown);
            if (!reported && context.MatchedTypes(policy).IsEmpty)
            {
                // Each leaf is satisfiable on its own, but together they exclude every type (e.g. a type leaf AND
                // a $or branch naming another type).
                context.Diagnostics.Warning(DiagnosticIds.NoDataWorksEvents, policy.Match.Location,
                    $"Policy '{policy.Name}' can match no DataWorks event: its conditions on 'type' exclude every catalog type together",
                    "Check that the type leaves and $or branches of spec.match name the same event types.");
            }

            foreach (var exclusion in policy.Exclude)
            {
                if (exclusion.Match is not null)
                {
                    // An exclusion that matches nothing is harmless; only typos in its type names are worth a word.
                    CheckPattern(context, policy.Name, exclusion.Match, reportEmpty: false, allowUnknown);
                }
            }
        }
    }

    /// <returns>True when something was reported for this pattern.</returns>
    private static bool CheckPattern(ValidationContext context, string policy, PatternObject pattern, bool reportEmpty, bool allowUnknown, bool inBranch = false)
    {
        var reported = false;
        // A dead $or branch leaves the policy matching through its other branches, so say which one is dead.
        var subject = inBranch ? $"An $or branch of policy '{policy}'" : $"Policy '{policy}'";
        foreach (var member in pattern.Members)
        {
            switch (member)
            {
                case LeafMember { Name: "type" } leaf:
                    var unknown = CheckTypeLeaf(context, policy, leaf, report: !allowUnknown);
                    reported |= unknown;
                    if (!unknown && reportEmpty && context.Resolver.TypesAcceptedBy(leaf).IsEmpty)
                    {
                        context.Diagnostics.Warning(DiagnosticIds.NoDataWorksEvents, FirstLocation(leaf),
                            $"{subject} can match no DataWorks event: no catalog event type satisfies its 'type' condition",
                            "List the event types to match, e.g. type: [\"dataworks:FileChange:DeployFile\"], or use a prefix such as {\"prefix\": \"dataworks:FileChange:\"}.");
                        reported = true;
                    }

                    break;

                case LeafMember { Name: "source" } leaf when reportEmpty && !MatchedTypesResolver.AcceptsDataWorksSource(leaf):
                    context.Diagnostics.Warning(DiagnosticIds.NoDataWorksEvents, FirstLocation(leaf),
                        $"{subject} can match no DataWorks event: its 'source' condition rejects \"{EnvelopeAttributes.DataWorksSource}\"",
                        $"Every DataWorks event has source \"{EnvelopeAttributes.DataWorksSource}\": write source: [\"{EnvelopeAttributes.DataWorksSource}\"] or remove the condition.");
                    reported = true;
                    break;

                case OrMember or:
                    foreach (var branch in or.Branches)
                    {
                        reported |= CheckPattern(context, policy, branch, reportEmpty, allowUnknown, inBranch: true);
                    }

                    break;
            }
        }

        return reported;
    }

    /// <returns>True when the leaf names a type the catalog does not know (reported as OER3020 when <paramref name="report"/>).</returns>
    private static bool CheckTypeLeaf(ValidationContext context, string policy, LeafMember leaf, bool report)
    {
        var reported = false;
        var known = context.Catalog.EventTypes.Select(t => t.Type).ToArray();
        foreach (var matcher in leaf.Matchers)
        {
            switch (matcher)
            {
                case ExactMatcher { Value.IsString: true } exact when context.Catalog.FindByType(exact.Value.Text!) is null:
                {
                    var text = exact.Value.Text!;
                    var suggestion = SuggestType(text, known);
                    if (report)
                    {
                        context.Diagnostics.Error(DiagnosticIds.UnknownEventType, matcher.Location,
                            $"Policy '{policy}': event type '{text}' is not in the DataWorks event catalog",
                            Suggestions.DidYouMean(suggestion) + "Event types are case-sensitive and written dataworks:{Category}:{Action}; see schemas/events/catalog.json. " + AllowHint);
                    }

                    reported = true;
                    break;
                }

                case { TextSelector: { } selector } when !known.Any(type => MatcherSemantics.MatchesField(matcher, [Scalar.FromString(type)])):
                {
                    var suggestion = selector.Spelling is { } spelling ? SuggestType(spelling, known) : null;
                    if (report)
                    {
                        context.Diagnostics.Error(DiagnosticIds.UnknownEventType, matcher.Location,
                            $"Policy '{policy}': {selector.Description} on 'type' matches no event type of the DataWorks event catalog",
                            Suggestions.DidYouMean(suggestion) + "Event types are case-sensitive and written dataworks:{Category}:{Action}, e.g. {\"prefix\": \"dataworks:FileChange:\"}. " + AllowHint);
                    }

                    reported = true;
                    break;
                }
            }
        }

        return reported;
    }

    private const string AllowHint = "A type newer than the catalog: add allowUnknownTypes: true to the policy's spec.";

    private static string? SuggestType(string text, string[] known)
    {
        // A missing "dataworks:" prefix is the most common slip; suggest the full name before guessing by distance.
        var prefixed = "dataworks:" + text;
        var withPrefix = known.FirstOrDefault(t => string.Equals(t, prefixed, StringComparison.OrdinalIgnoreCase));
        return withPrefix ?? Suggestions.Closest(text, known);
    }

    private static SourceLocation FirstLocation(LeafMember leaf) =>
        leaf.Matchers.IsEmpty ? leaf.Location : leaf.Matchers[0].Location;
}
