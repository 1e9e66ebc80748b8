using System.Collections.Immutable;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Impact;

// What a change to the policies does to real traffic: both sets evaluate the same corpus of events, and every
// event whose outcome differs is reported with what appeared and what vanished. An outcome is the verdict plus
// every rendered action of every matched policy (audit-mode matches included, marked as such), so a changed
// reason text or a notification sent to another channel counts as a change too.

/// <summary>One rendered action of one matched policy, as compared between base and head.</summary>
/// <param name="Detail">The rendered reason or message, the channel, or the target.</param>
public sealed record ImpactAction(string Policy, PolicyMode Mode, string Kind, string Detail)
{
    public override string ToString()
    {
        var audit = Mode == PolicyMode.Audit ? " (audit)" : "";
        return $"{Policy}{audit}: {Detail}";
    }
}

/// <summary>An event whose outcome differs between base and head.</summary>
public sealed record EventChange(
    EventDescriptor Event,
    Verdict? BaseVerdict,
    Verdict? HeadVerdict,
    ImmutableArray<string> AddedPolicies,
    ImmutableArray<string> RemovedPolicies,
    ImmutableArray<ImpactAction> AddedActions,
    ImmutableArray<ImpactAction> RemovedActions)
{
    public bool VerdictChanged => BaseVerdict != HeadVerdict;
}

/// <summary>How many events of the corpus a policy matched, before and after (enforce and audit mode alike).</summary>
public sealed record PolicyMatchCount(string Policy, int Base, int Head);

/// <summary>The impact of a change on a corpus of events.</summary>
public sealed record ImpactReport(
    int Events,
    ImmutableArray<EventDescriptor> InvalidEvents,
    ImmutableArray<EventChange> Changes,
    ImmutableArray<PolicyMatchCount> PolicyCounts,
    ImmutableArray<string> UnmatchedPolicies)
{
    public bool HasChanges => !Changes.IsEmpty;

    public int NewlyBlocked => Changes.Count(c => c.HeadVerdict == Verdict.Fail && c.BaseVerdict != Verdict.Fail);

    public int NoLongerBlocked => Changes.Count(c => c.BaseVerdict == Verdict.Fail && c.HeadVerdict != Verdict.Fail);

    public int NewlyWarned => Changes.Count(c => c.HeadVerdict == Verdict.Warn && c.BaseVerdict != Verdict.Warn);

    public int NoLongerWarned => Changes.Count(c => c.BaseVerdict == Verdict.Warn && c.HeadVerdict != Verdict.Warn);

    /// <summary>Actions of a kind (notify, forward, ...) that head adds, summed over events (enforce mode only: audit sends nothing).</summary>
    public int Added(string kind) => Changes.Sum(c => c.AddedActions.Count(a => a.Kind == kind && a.Mode != PolicyMode.Audit));

    public int Removed(string kind) => Changes.Sum(c => c.RemovedActions.Count(a => a.Kind == kind && a.Mode != PolicyMode.Audit));
}

/// <summary>Evaluates a corpus with two policy sets and reports what changes.</summary>
public static class ImpactAnalyzer
{
    /// <param name="inputs">Event inputs (single events, batch arrays or JSON Lines) with their display names.</param>
    public static ImpactReport Analyze(CompiledPolicySet baseSet, CompiledPolicySet headSet, IEnumerable<(string Name, ReadOnlyMemory<byte> Bytes)> inputs)
    {
        var report = new ReportBuilder();
        foreach (var (name, bytes) in inputs)
        {
            foreach (var slice in EventInputReader.Split(bytes, name))
            {
                var before = baseSet.EvaluateSlice(slice);
                report.Add(before, before.Error is null ? headSet.EvaluateSlice(slice) : null);
            }
        }

        return report.Build(baseSet, headSet);
    }

    /// <summary>
    /// As <see cref="Analyze"/>, with the events' details from <paramref name="details"/> for the policies that read
    /// them (asked for only when one of the two sets needs the detail of an event).
    /// </summary>
    public static async Task<ImpactReport> AnalyzeAsync(CompiledPolicySet baseSet, CompiledPolicySet headSet, IEnumerable<(string Name, ReadOnlyMemory<byte> Bytes)> inputs,
        IEventDetailSource? details, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(baseSet);
        ArgumentNullException.ThrowIfNull(headSet);
        ArgumentNullException.ThrowIfNull(inputs);
        var report = new ReportBuilder();
        foreach (var (name, bytes) in inputs)
        {
            foreach (var slice in EventInputReader.Split(bytes, name))
            {
                var before = await baseSet.EvaluateSliceAsync(slice, details, cancellationToken);
                report.Add(before, before.Error is null ? await headSet.EvaluateSliceAsync(slice, details, cancellationToken) : null);
            }
        }

        return report.Build(baseSet, headSet);
    }

    private sealed class ReportBuilder
    {
        private readonly ImmutableArray<EventDescriptor>.Builder _invalid = ImmutableArray.CreateBuilder<EventDescriptor>();
        private readonly ImmutableArray<EventChange>.Builder _changes = ImmutableArray.CreateBuilder<EventChange>();
        private readonly Dictionary<string, int> _baseCounts = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _headCounts = new(StringComparer.Ordinal);
        private int _events;

        /// <param name="after">Null when the event is invalid (<paramref name="before"/> has the error).</param>
        public void Add(Decision before, Decision? after)
        {
            _events++;
            if (after is null)
            {
                _invalid.Add(before.Event);
                return;
            }

            Count(before, _baseCounts);
            Count(after, _headCounts);
            if (Compare(before, after) is { } change)
            {
                _changes.Add(change);
            }
        }

        public ImpactReport Build(CompiledPolicySet baseSet, CompiledPolicySet headSet)
        {
            var policies = Active(baseSet).Concat(Active(headSet)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
            var counts = policies
                .Select(p => new PolicyMatchCount(p, _baseCounts.GetValueOrDefault(p), _headCounts.GetValueOrDefault(p)))
                .ToImmutableArray();
            var unmatched = Active(headSet).Where(p => _headCounts.GetValueOrDefault(p) == 0).Order(StringComparer.Ordinal).ToImmutableArray();
            return new ImpactReport(_events, _invalid.ToImmutable(), _changes.ToImmutable(), counts, unmatched);
        }
    }

    /// <summary>The difference between two decisions for the same event; null when they agree.</summary>
    public static EventChange? Compare(Decision before, Decision after)
    {
        var beforeActions = Actions(before);
        var afterActions = Actions(after);
        var added = Subtract(afterActions, beforeActions);
        var removed = Subtract(beforeActions, afterActions);
        var beforePolicies = Policies(before);
        var afterPolicies = Policies(after);
        var addedPolicies = afterPolicies.Except(beforePolicies, StringComparer.Ordinal).ToImmutableArray();
        var removedPolicies = beforePolicies.Except(afterPolicies, StringComparer.Ordinal).ToImmutableArray();
        if (before.Verdict == after.Verdict && added.IsEmpty && removed.IsEmpty && addedPolicies.IsEmpty && removedPolicies.IsEmpty)
        {
            return null;
        }

        return new EventChange(after.Event, before.Verdict, after.Verdict, addedPolicies, removedPolicies, added, removed);
    }

    private static IEnumerable<string> Active(CompiledPolicySet set) =>
        set.Definition.Policies.Where(p => p.Mode != PolicyMode.Disabled).Select(p => p.Name);

    private static void Count(Decision decision, Dictionary<string, int> counts)
    {
        foreach (var policy in Policies(decision))
        {
            counts[policy] = counts.GetValueOrDefault(policy) + 1;
        }
    }

    private static List<string> Policies(Decision decision) =>
        [.. decision.Matched.Concat(decision.Audit).Select(m => m.Policy)];

    private static List<ImpactAction> Actions(Decision decision) =>
        [.. decision.Matched.Concat(decision.Audit).SelectMany(m => m.Actions.Select(a => new ImpactAction(m.Policy, m.Mode, a.Kind, Detail(a))))];

    private static string Detail(ActionOutcome action) => action switch
    {
        BlockOutcome block => $"block \"{block.Reason}\"",
        WarnOutcome warn => $"warn \"{warn.Reason}\"",
        NotifyOutcome notify => $"notify {notify.Channel} \"{notify.Message}\"",
        ForwardOutcome forward => $"forward to {forward.Target}",
        _ => action.Kind,
    };

    /// <summary>Multiset difference, keeping the order of <paramref name="from"/>.</summary>
    private static ImmutableArray<ImpactAction> Subtract(List<ImpactAction> from, List<ImpactAction> remove)
    {
        var left = remove.ToList();
        var result = ImmutableArray.CreateBuilder<ImpactAction>();
        foreach (var action in from)
        {
            if (!left.Remove(action))
            {
                result.Add(action);
            }
        }

        return result.ToImmutable();
    }
}
