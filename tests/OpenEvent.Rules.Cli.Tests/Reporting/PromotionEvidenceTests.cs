using OpenEvent.Rules.Cli.Reporting;

namespace OpenEvent.Rules.Cli.Tests.Reporting;

/// <summary>The sums behind <c>oer promote-check</c>, bounded however many distinct reasons a log holds.</summary>
public sealed class PromotionEvidenceTests
{
    private static readonly DateTimeOffset s_time = new(2026, 12, 6, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Collect_MoreDistinctReasonsThanKept_TheRestCountedUnderOthers()
    {
        // A reason rendered from the event (a file name) differs on every line: 10,005 of them.
        var decisions = Enumerable.Range(0, 10_005).Select(i => new LoggedDecision(s_time.AddSeconds(i), "10005678", null, "200012345678901",
            [new LoggedOutcome("p", Audited: true, "FAIL", $"Deploying dws_{i:D5} needs a review", Staged: false)], ["p"]));

        var evidence = PromotionEvidence.Collect("p", decisions, null, PromotionThresholds.Default);

        Assert.Equal(10_005, evidence.WouldFail);
        Assert.Equal(10_001, evidence.Reasons.Length);
        Assert.Equal(new EffectCount("(others)", null, 5, 0), evidence.Reasons.Single(r => r.Key == "(others)"));
        Assert.Equal(s_time, evidence.First);
        Assert.Equal(s_time.AddSeconds(10_004), evidence.Last);
        Assert.False(evidence.Ready);
    }

    [Fact]
    public void Collect_OtherPoliciesAndNotificationsOnly_CountNothing()
    {
        LoggedDecision[] decisions =
        [
            new(s_time, "1", null, "u", [new LoggedOutcome("other", true, "FAIL", "x", false)], ["other"]),
            new(s_time, "1", null, "u", [new LoggedOutcome("p", true, null, null, false)], ["p"]),
        ];

        var evidence = PromotionEvidence.Collect("p", decisions, null, PromotionThresholds.Default);

        Assert.True(evidence.Ready);
        Assert.Equal((2, 0, 0), (evidence.Decisions, evidence.WouldFail, evidence.WouldWarn));
        Assert.Empty(evidence.Reasons);
    }
}
