using System.Collections.Frozen;
using System.Collections.Immutable;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Evaluation;

/// <summary>
/// The waivers of a set, indexed by the policy they relax, for the evaluator: after the matches of an event are known,
/// each enforced match that blocks or warns gets the first waiver (in load order) that names its policy, has not
/// expired at the engine's clock, and whose scope and match the event satisfies. A waived match stays in the decision
/// (its notifications and forwards still go out) but no longer decides the verdict. An event no waiver names costs a
/// dictionary miss per match. Immutable and thread-safe.
/// </summary>
internal sealed class WaiverSet
{
    private readonly FrozenDictionary<string, Entry[]> _byPolicy;

    private sealed record Entry(WaiverDefinition Waiver, CompiledScope? Scope);

    public WaiverSet(ImmutableArray<WaiverDefinition> waivers)
    {
        _byPolicy = (waivers.IsDefault ? [] : waivers)
            .SelectMany(w => w.Policies.Distinct(StringComparer.Ordinal).Select(p => (Policy: p, Entry: new Entry(w, ScopeFilter.Compile(w.Scope)))))
            .GroupBy(x => x.Policy, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.Select(x => x.Entry).ToArray(), StringComparer.Ordinal);
    }

    public static WaiverSet Empty { get; } = new([]);

    public bool IsEmpty => _byPolicy.Count == 0;

    /// <summary>
    /// <paramref name="matched"/> with each waived match carrying its waiver (the same array when none is waived). The
    /// clock is read only when a waiver names a matched policy.
    /// </summary>
    public ImmutableArray<PolicyMatch> Apply(ImmutableArray<PolicyMatch> matched, DataWorksEvent e, TimeProvider time)
    {
        if (IsEmpty || !matched.Any(m => _byPolicy.ContainsKey(m.Policy)))
        {
            return matched;
        }

        var now = time.GetUtcNow();
        ImmutableArray<PolicyMatch>.Builder? waived = null;
        for (var i = 0; i < matched.Length; i++)
        {
            var match = matched[i];
            if (Find(match, e, now) is { } waiver)
            {
                waived ??= matched.ToBuilder();
                waived[i] = match with { Waiver = waiver };
            }
        }

        return waived?.ToImmutable() ?? matched;
    }

    /// <summary>The waiver that lets <paramref name="e"/> through <paramref name="match"/>'s policy at <paramref name="now"/>, if any.</summary>
    public WaiverDefinition? Find(PolicyMatch match, DataWorksEvent e, DateTimeOffset now)
    {
        if (!_byPolicy.TryGetValue(match.Policy, out var entries) || !match.Actions.Any(a => a is BlockOutcome or WarnOutcome))
        {
            return null;
        }

        foreach (var (waiver, scope) in entries)
        {
            if (waiver.IsActiveAt(now)
                && (scope is null || scope.Matches(e.Scope))
                && (waiver.Match is null || ReferencePatternEvaluator.Matches(waiver.Match, e.Root)))
            {
                return waiver;
            }
        }

        return null;
    }
}
