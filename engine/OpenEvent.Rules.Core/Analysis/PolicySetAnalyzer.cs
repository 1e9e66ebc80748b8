using System.Collections.Immutable;
using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Validation;

namespace OpenEvent.Rules.Analysis;

/// <summary>
/// <c>oer analyze</c> (also part of <c>oer validate</c>): what the set means as a whole. A policy that can never match
/// (OER3090), an exclusion that removes every event the policy selects (OER3091), a policy shadowed by one evaluated
/// before it (OER3092), and two enforced policies of which one blocks and the other warns a common event, or forwards it to a target that
/// is not an audit trail (OER3093, with the witness event, verified by the engine). Every finding is a warning and every one is proven: "never" and "shadowed" by
/// <see cref="Contradictions"/> and <see cref="PatternImplication"/>, which answer "unknown" rather than guess; a
/// conflict only with a witness both policies apply to. Policies with a C# condition are never claimed to match
/// anything (a condition is opaque), so they take part only where their own matches can only shrink. With a cost budget
/// (<see cref="PolicySetDefinition.Budget"/>), policies and a set over it are errors (OER3120, OER3121: <see cref="CostBudgetCheck"/>).
/// </summary>
public static class PolicySetAnalyzer
{
    public static ImmutableArray<Diagnostic> Analyze(PolicySetDefinition set, EventCatalog? catalog = null) =>
        [.. Find(set, catalog).Select(f => f.Diagnostic), .. set.Budget is { } budget ? CostBudgetCheck.Check(PolicyCostModel.Estimate(set, catalog), budget) : []];

    /// <summary>The findings with what a test needs to check them: the witness of a conflict and the two policies.</summary>
    internal static ImmutableArray<AnalysisFinding> Find(PolicySetDefinition set, EventCatalog? catalog = null)
    {
        catalog ??= EventCatalog.Default;
        var resolver = new MatchedTypesResolver(catalog);
        var witnesses = new WitnessBuilder(catalog, set.Registry);
        var audits = set.Targets.Where(t => t.ReceivesBlocked).Select(t => t.Name).Append(PolicySetDefinition.BuiltInLog).ToHashSet(StringComparer.Ordinal);
        var policies = set.Policies.Where(p => p.Mode != PolicyMode.Disabled).ToList();
        var diagnostics = new List<AnalysisFinding>();
        var dead = new HashSet<string>(StringComparer.Ordinal);
        foreach (var policy in policies)
        {
            if (NeverMatches(policy, resolver) is { } never)
            {
                diagnostics.Add(new AnalysisFinding(never, policy.Name));
                dead.Add(policy.Name);
                continue;
            }

            if (CoveringExclusion(policy) is { } covered)
            {
                diagnostics.Add(new AnalysisFinding(covered, policy.Name));
                dead.Add(policy.Name);
            }
        }

        var live = policies.Where(p => !dead.Contains(p.Name)).ToList();
        // A waived policy lets some of its events through, where the one it would shadow still acts: deleting that one, as
        // the finding advises, would change verdicts.
        var waived = set.Waivers.SelectMany(w => w.Policies).ToHashSet(StringComparer.Ordinal);
        for (var j = 0; j < live.Count; j++)
        {
            var shadowed = false;
            for (var i = 0; i < live.Count && !shadowed; i++)
            {
                if (i != j && !waived.Contains(live[i].Name) && Shadows(live[i], live[j], i < j))
                {
                    diagnostics.Add(new AnalysisFinding(
                        new Diagnostic(DiagnosticIds.ShadowedPolicy, DiagnosticSeverity.Warning, live[j].Location,
                            $"policy '{live[j].Name}' is shadowed by '{live[i].Name}' (priority {live[i].Priority}, at {live[i].Location}): every event it matches, '{live[i].Name}' matches with the same actions",
                            $"Delete '{live[j].Name}', or make it narrower or different from '{live[i].Name}'."),
                        live[j].Name, live[i].Name));
                    shadowed = true;
                }
            }
        }

        for (var i = 0; i < live.Count; i++)
        {
            for (var j = i + 1; j < live.Count; j++)
            {
                if (Conflict(live[i], live[j], witnesses, audits) is { } conflict)
                {
                    diagnostics.Add(conflict);
                }
            }
        }

        return [.. diagnostics];
    }

    private static Diagnostic? NeverMatches(PolicyDefinition policy, MatchedTypesResolver resolver)
    {
        // With allowUnknownTypes the policy also matches types the catalog does not document: no field type is known.
        var types = policy.AllowUnknownTypes ? resolver.All : resolver.Resolve(policy.Match);
        if (types.IsEmpty || new Contradictions(types).Find(policy.Match) is not { } field)
        {
            // A pattern that matches no DataWorks type at all is OER3023's.
            return null;
        }

        return new Diagnostic(DiagnosticIds.NeverMatches, DiagnosticSeverity.Warning, policy.Match.Location,
            $"policy '{policy.Name}' can never match: its clauses on '{field}' contradict each other in every alternative of the pattern",
            $"Check the clauses on '{field}' (spec.match and its $or branches): no event can satisfy them all.");
    }

    private static Diagnostic? CoveringExclusion(PolicyDefinition policy)
    {
        foreach (var exclusion in policy.Exclude)
        {
            if (ScopeCovers(exclusion.Scope, policy.Scope)
                && (exclusion.Match is null || PatternImplication.Implies(policy.Match, exclusion.Match)))
            {
                return new Diagnostic(DiagnosticIds.ExclusionCoversMatch, DiagnosticSeverity.Warning, exclusion.Location,
                    $"this exclusion covers every event policy '{policy.Name}' matches in its scope: the policy never applies",
                    "Narrow the exclusion (add the field or scope that marks the exception), or disable the policy.");
            }
        }

        return null;
    }

    /// <summary>Whether every event inside <paramref name="narrow"/> is inside <paramref name="wide"/> (null: everything).</summary>
    internal static bool ScopeCovers(ScopeDefinition? wide, ScopeDefinition? narrow)
    {
        if (wide is null)
        {
            return true;
        }

        // The registry's parts of a scope: a list that selected no workspace matches no event, and a time window lets
        // through only the events of its time. Windows that cancel a policy out are the registry validator's (OER3058,
        // which compares them); here a scope with windows is never said to cover another, so nothing is over-claimed.
        if (wide.SelectsNothing || narrow?.SelectsNothing == true || !wide.Windows.IsDefaultOrEmpty)
        {
            return false;
        }

        static bool Covers(ImmutableArray<string> w, ImmutableArray<string>? n) =>
            w.IsDefaultOrEmpty || (n is { IsDefaultOrEmpty: false } values && values.All(v => w.Contains(v, StringComparer.Ordinal)));

        return Covers(wide.Tenants, narrow?.Tenants) && Covers(wide.Workspaces, narrow?.Workspaces)
            && Covers(wide.Regions, narrow?.Regions) && Covers(wide.Environments, narrow?.Environments)
            && Covers(wide.Operators, narrow?.Operators);
    }

    // 'first' shadows 'second' when it is evaluated before it (higher priority, or the same priority and earlier),
    // applies to every event 'second' applies to (no condition or exclusion of its own to narrow it), in the same
    // mode and with the same actions. A condition on 'second' only narrows it, so it does not matter.
    private static bool Shadows(PolicyDefinition first, PolicyDefinition second, bool firstIsEarlier) =>
        (first.Priority > second.Priority || (first.Priority == second.Priority && firstIsEarlier))
        && first.Condition is null
        && first.Exclude.IsEmpty
        && first.Mode == second.Mode
        && first.EnforceIn is null && second.EnforceIn is null // a staged policy enforces in part of its scope only
        && SameActions(first, second)
        && ScopeCovers(first.Scope, second.Scope)
        && PatternImplication.Implies(second.Match, first.Match);

    private static bool SameActions(PolicyDefinition a, PolicyDefinition b)
    {
        // The same texts too: a block whose reason differs tells the user something the other does not.
        static string Key(ActionDefinition action) => action switch
        {
            BlockAction block => "block:" + block.Reason.Source,
            WarnAction warn => "warn:" + warn.Reason.Source,
            NotifyAction notify => "notify:" + notify.Channel + ":" + notify.Message.Source,
            ForwardAction forward => "forward:" + forward.Target,
            _ => action.Kind,
        };

        return a.Actions.Select(Key).ToHashSet(StringComparer.Ordinal).SetEquals(b.Actions.Select(Key));
    }

    /// <summary>Whether the policy forwards to a target that is not an audit trail (one that would act on a blocked operation).</summary>
    private static bool ForwardsToActors(PolicyDefinition policy, IReadOnlySet<string> audits) =>
        policy.Actions.OfType<ForwardAction>().Any(forward => !audits.Contains(forward.Target));

    private static AnalysisFinding? Conflict(PolicyDefinition a, PolicyDefinition b, WitnessBuilder witnesses, IReadOnlySet<string> audits)
    {
        if (a.Mode != PolicyMode.Enforce || b.Mode != PolicyMode.Enforce || a.Condition is not null || b.Condition is not null
            || a.EnforceIn is not null || b.EnforceIn is not null)
        {
            // An audit match changes nothing, a condition is opaque, and a staged policy (enforceIn) audits outside its
            // stage, where the witness may fall: no conflict can be shown.
            return null;
        }

        var (effectA, effectB) = (Effect(a), Effect(b));
        // The verdicts disagree (the author of the warn expects WARN where the block answers FAIL), or a block's operation
        // is forwarded to a target that acts on it as if it happened. A forward to an audit trail (receivesBlocked, or
        // the log) and a notification beside a block are how blocked operations are recorded: no conflict.
        var verdicts = (effectA, effectB) is ("block", "warn") or ("warn", "block");
        var forwarded = (effectA == "block" && effectB != "block" && ForwardsToActors(b, audits))
            || (effectB == "block" && effectA != "block" && ForwardsToActors(a, audits));
        if (!(verdicts || forwarded) || witnesses.Build(a, b) is not { } witness)
        {
            return null;
        }

        var diagnostic = new Diagnostic(DiagnosticIds.ConflictingPolicies, DiagnosticSeverity.Warning, b.Location,
            $"policies '{a.Name}' ({effectA}) and '{b.Name}' ({effectB}) both apply to this event: {witness}",
            verdicts
                ? "Make one of them exclude the other's events (spec.exclude, a narrower match or scope), or give both the same effect."
                : "Make one of them exclude the other's events (spec.exclude, a narrower match or scope); if the target only records what happens, blocked operations included, mark it receivesBlocked: true.");
        return new AnalysisFinding(diagnostic, b.Name, a.Name, witness);
    }

    /// <summary>What a policy does to an event, strongest first: block, warn, forward, notify.</summary>
    internal static string Effect(PolicyDefinition policy) =>
        policy.Actions.Any(a => a is BlockAction) ? "block"
        : policy.Actions.Any(a => a is WarnAction) ? "warn"
        : policy.Actions.Any(a => a is ForwardAction) ? "forward"
        : "notify";
}

/// <summary>One finding: its diagnostic, the policy it is about, the other policy involved, and a conflict's witness event.</summary>
internal sealed record AnalysisFinding(Diagnostic Diagnostic, string Policy, string? Other = null, string? Witness = null);
