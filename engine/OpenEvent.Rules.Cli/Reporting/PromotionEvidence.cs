using System.Collections.Immutable;

namespace OpenEvent.Rules.Cli.Reporting;

// `oer promote-check`: what the host's decision log says about one policy over a period, and whether that is evidence
// enough to let it enforce more widely. "Would" outcomes are audit-mode matches (mode: audit, or a staged policy outside
// its enforceIn) whose block or warn would have answered FAIL or WARN had the policy enforced there.

/// <summary>One policy's outcome on one logged decision (an element of the line's <c>outcomes</c>).</summary>
internal sealed record LoggedOutcome(string Policy, bool Audited, string? Effect, string? Reason, bool Staged);

/// <summary>One line of the decision log, as promote-check reads it.</summary>
/// <param name="Outcomes">Null when the line has no <c>outcomes</c> (a host from before they were logged): then <see cref="Named"/> says which policies it names.</param>
internal sealed record LoggedDecision(DateTimeOffset Time, string? Workspace, string? WorkspaceName, string? Operator,
    ImmutableArray<LoggedOutcome>? Outcomes, ImmutableArray<string> Named);

/// <summary>The limits a policy's would-outcomes must stay within to be called ready; null: no limit.</summary>
internal sealed record PromotionThresholds(int? MaxWouldBlock, int? MaxWouldWarn, int? MaxPerWorkspace, int? MaxPerOperator, int MinDecisions)
{
    public static readonly PromotionThresholds Default = new(0, 0, null, null, 1);
}

/// <summary>A count by some key (a workspace, an operator, a reason), split by effect.</summary>
internal sealed record EffectCount(string Key, string? Name, int Fail, int Warn)
{
    public int Total => Fail + Warn;
}

/// <summary>One threshold against what the log shows.</summary>
internal sealed record ThresholdCheck(string Option, int Limit, int Actual, string What, string? Where)
{
    public bool Passed => Actual <= Limit;
}

/// <summary>The evidence for one policy over the period read, and the answer.</summary>
internal sealed record PromotionEvidence(
    string Policy,
    DateTimeOffset? Since,
    int Decisions,
    DateTimeOffset? First,
    DateTimeOffset? Last,
    int EnforcedFail,
    int EnforcedWarn,
    int WouldFail,
    int WouldWarn,
    int StagedOutside,
    int WithoutOutcomes,
    ImmutableArray<EffectCount> Workspaces,
    ImmutableArray<EffectCount> Operators,
    ImmutableArray<EffectCount> Reasons,
    ImmutableArray<ThresholdCheck> Checks,
    ImmutableArray<string> Problems)
{
    public bool Ready => Problems.IsEmpty;

    /// <summary>Whether some decision of the period names the policy (an outcome of it, or the policy among the matched).</summary>
    public bool Named { get; init; }

    /// <summary>When no decision names the policy: the closest name the decisions do hold (a misspelt name is no evidence of readiness).</summary>
    public string? DidYouMean { get; init; }

    /// <summary>
    /// Sums what <paramref name="decisions"/> (already filtered by time) say about <paramref name="policy"/>, in one pass:
    /// a log of millions of lines is streamed, and only the counts by workspace, operator and reason are kept.
    /// </summary>
    public static PromotionEvidence Collect(string policy, IEnumerable<LoggedDecision> decisions, DateTimeOffset? since, PromotionThresholds thresholds)
    {
        var tally = new Tally();
        foreach (var decision in decisions)
        {
            tally.Add(policy, decision);
        }

        var count = tally.Decisions;

        var workspaces = tally.Workspaces.Values.OrderByDescending(c => c.Total).ThenBy(c => c.Key, StringComparer.Ordinal).ToImmutableArray();
        var operators = tally.Operators.Values.OrderByDescending(c => c.Total).ThenBy(c => c.Key, StringComparer.Ordinal).ToImmutableArray();
        var checks = CheckAll(tally, workspaces, operators, thresholds);
        var problems = checks.Where(c => !c.Passed)
            .Select(c => $"{c.What} {c.Actual}{(c.Where is null ? "" : $" ({c.Where})")} is over {c.Option} {c.Limit}")
            .ToList();
        if (count < thresholds.MinDecisions)
        {
            problems.Insert(0, $"{count} decision{(count == 1 ? "" : "s")} in the period, fewer than --min-decisions {thresholds.MinDecisions}: no evidence yet");
        }

        if (tally.WithoutOutcomes > 0)
        {
            problems.Add($"{tally.WithoutOutcomes} decision{(tally.WithoutOutcomes == 1 ? " names" : "s name")} the policy without its outcome (a host from before outcomes were logged): what it would have done there cannot be told; use --since to leave them out");
        }

        return new PromotionEvidence(policy, since, count, tally.First, tally.Last,
            tally.EnforcedFail, tally.EnforcedWarn, tally.WouldFail, tally.WouldWarn, tally.StagedOutside, tally.WithoutOutcomes,
            workspaces, operators,
            [.. tally.Reasons.Values.OrderByDescending(c => c.Total).ThenBy(c => c.Key, StringComparer.Ordinal)],
            checks, [.. problems])
        {
            Named = tally.Names.Contains(policy),
            DidYouMean = tally.Names.Contains(policy) ? null : OpenEvent.Rules.Parsing.Suggestions.Closest(policy, tally.Names),
        };
    }

    private static ImmutableArray<ThresholdCheck> CheckAll(Tally tally, ImmutableArray<EffectCount> workspaces, ImmutableArray<EffectCount> operators, PromotionThresholds thresholds)
    {
        var checks = ImmutableArray.CreateBuilder<ThresholdCheck>();
        if (thresholds.MaxWouldBlock is { } maxBlock)
        {
            checks.Add(new ThresholdCheck("--max-would-block", maxBlock, tally.WouldFail, "would-block (FAIL)", null));
        }

        if (thresholds.MaxWouldWarn is { } maxWarn)
        {
            checks.Add(new ThresholdCheck("--max-would-warn", maxWarn, tally.WouldWarn, "would-warn (WARN)", null));
        }

        if (thresholds.MaxPerWorkspace is { } perWorkspace)
        {
            var top = workspaces.OrderByDescending(w => w.Fail).FirstOrDefault();
            checks.Add(new ThresholdCheck("--max-per-workspace", perWorkspace, top?.Fail ?? 0, "would-block in one workspace", top is { Fail: > 0 } ? $"workspace {top.Key}" : null));
        }

        if (thresholds.MaxPerOperator is { } perOperator)
        {
            var top = operators.OrderByDescending(o => o.Fail).FirstOrDefault();
            checks.Add(new ThresholdCheck("--max-per-operator", perOperator, top?.Fail ?? 0, "would-block for one operator", top is { Fail: > 0 } ? $"operator {top.Key}" : null));
        }

        return checks.ToImmutable();
    }

    /// <summary>The running sums; by workspace, operator and reason only the would-outcomes are counted (what promotion changes).</summary>
    private sealed class Tally
    {
        public int Decisions { get; private set; }

        public DateTimeOffset? First { get; private set; }

        public DateTimeOffset? Last { get; private set; }

        public int EnforcedFail { get; private set; }

        public int EnforcedWarn { get; private set; }

        public int WouldFail { get; private set; }

        public int WouldWarn { get; private set; }

        public int StagedOutside { get; private set; }

        public int WithoutOutcomes { get; private set; }

        public Dictionary<string, EffectCount> Workspaces { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, EffectCount> Operators { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, EffectCount> Reasons { get; } = new(StringComparer.Ordinal);

        /// <summary>The policy names the decisions hold (up to <see cref="MaxDistinct"/>), to tell a misspelt name from a quiet policy.</summary>
        public HashSet<string> Names { get; } = new(StringComparer.Ordinal);

        public void Add(string policy, LoggedDecision decision)
        {
            Decisions++;
            First = First is { } first && first <= decision.Time ? first : decision.Time;
            Last = Last is { } last && last >= decision.Time ? last : decision.Time;
            foreach (var name in decision.Outcomes is { } named ? named.Select(o => o.Policy) : decision.Named)
            {
                if (Names.Count < MaxDistinct || name == policy)
                {
                    Names.Add(name);
                }
            }

            if (decision.Outcomes is not { } outcomes)
            {
                WithoutOutcomes += decision.Named.Contains(policy, StringComparer.Ordinal) ? 1 : 0;
                return;
            }

            foreach (var outcome in outcomes.Where(o => o.Policy == policy && o.Effect is "FAIL" or "WARN"))
            {
                var fail = outcome.Effect == "FAIL";
                if (!outcome.Audited)
                {
                    EnforcedFail += fail ? 1 : 0;
                    EnforcedWarn += fail ? 0 : 1;
                    continue;
                }

                WouldFail += fail ? 1 : 0;
                WouldWarn += fail ? 0 : 1;
                StagedOutside += outcome.Staged ? 1 : 0;
                Count(Workspaces, decision.Workspace ?? "(none)", decision.WorkspaceName, fail);
                Count(Operators, decision.Operator ?? "(none)", null, fail);
                Count(Reasons, outcome.Reason ?? "(no reason)", null, fail);
            }
        }

        /// <summary>Distinct keys kept per list: reasons are rendered templates, so a busy log may hold a new one per event.</summary>
        public const int MaxDistinct = 10_000;

        /// <summary>The key the outcomes past <see cref="MaxDistinct"/> distinct keys are counted under.</summary>
        public const string Others = "(others)";

        private static void Count(Dictionary<string, EffectCount> counts, string key, string? name, bool fail)
        {
            if (counts.Count >= MaxDistinct && !counts.ContainsKey(key))
            {
                (key, name) = (Others, null);
            }

            var current = counts.TryGetValue(key, out var found) ? found : new EffectCount(key, name, 0, 0);
            counts[key] = fail ? current with { Fail = current.Fail + 1 } : current with { Warn = current.Warn + 1 };
        }
    }
}
