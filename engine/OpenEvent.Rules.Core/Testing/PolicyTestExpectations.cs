using System.Collections.Immutable;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Testing;

/// <summary>
/// Compares a decision with a case's expectation. Each expectation that does not hold becomes one
/// <see cref="ExpectationFailure"/>: what was expected and what the decision has, written so that the two read
/// as the two sides of a diff ("- verdict: FAIL" / "+ verdict: OK").
/// </summary>
internal static class PolicyTestExpectations
{
    public static ImmutableArray<ExpectationFailure> Check(TestExpectation expect, Decision decision)
    {
        var failures = ImmutableArray.CreateBuilder<ExpectationFailure>();
        var matched = MatchedNames(decision);
        var actualMatched = $"matched: {List(MatchedDisplay(decision))}";

        if (expect.Verdict is { } verdict && verdict != ActualVerdict(decision))
        {
            failures.Add(new ExpectationFailure($"verdict: {Text(verdict)}", $"verdict: {Text(ActualVerdict(decision))}"));
        }

        var missing = expect.Matched.Select(r => r.Name).Where(n => !matched.Contains(n)).ToList();
        if (missing.Count > 0)
        {
            failures.Add(new ExpectationFailure($"matched includes: {string.Join(", ", missing)}", actualMatched));
        }

        var unwanted = expect.NotMatched.Select(r => r.Name).Where(matched.Contains).ToList();
        if (unwanted.Count > 0)
        {
            failures.Add(new ExpectationFailure($"not matched: {string.Join(", ", unwanted)}", actualMatched));
        }

        if (expect.MatchedExactly is { } exactly && !exactly.Select(r => r.Name).ToHashSet(StringComparer.Ordinal).SetEquals(matched))
        {
            failures.Add(new ExpectationFailure($"matched exactly: {List(exactly.Select(r => r.Name))}", actualMatched));
        }

        var reasons = decision.Matched.SelectMany(m => m.Actions).Select(ReasonOf).OfType<string>().ToList();
        if (expect.ReasonContains is { } text && !reasons.Any(r => r.Contains(text, StringComparison.Ordinal)))
        {
            failures.Add(new ExpectationFailure(
                $"a block or warn reason containing \"{text}\"",
                reasons.Count == 0 ? "no block or warn reason" : "reasons: " + string.Join(" | ", reasons.Select(r => $"\"{r}\""))));
        }

        if (!expect.Actions.IsEmpty)
        {
            var actual = decision.Matched.Concat(decision.Audit).SelectMany(m => m.Actions.Select(a => (m.Policy, Action: a))).ToList();
            foreach (var wanted in expect.Actions)
            {
                if (!actual.Any(a => Satisfies(wanted, a.Policy, a.Action)))
                {
                    failures.Add(new ExpectationFailure(
                        $"action {Describe(wanted)}",
                        actual.Count == 0 ? "actions: (none)" : "actions: " + string.Join("; ", actual.Select(a => Describe(a.Policy, a.Action)))));
                }
            }
        }

        CheckConditionErrors(expect, decision, failures);
        return failures.ToImmutable();
    }

    /// <summary>
    /// Every case also expects its policies' conditions to run, but for those it names: one that throws is treated as
    /// no match (or a match), so a case expecting no match passed for the wrong reason while the condition failed.
    /// </summary>
    private static void CheckConditionErrors(TestExpectation expect, Decision decision, ImmutableArray<ExpectationFailure>.Builder failures)
    {
        var expectedErrors = expect.ConditionErrors.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var failure in decision.ConditionFailures.Where(f => !expectedErrors.Contains(f.Policy)))
        {
            failures.Add(new ExpectationFailure($"the condition of {failure.Policy} runs",
                $"condition error ({failure.Policy}): {failure.Message.ReplaceLineEndings(" ")}; treated as {(failure.TreatedAsMatch ? "a match" : "no match")}"));
        }

        var failed = decision.ConditionFailures.Select(f => f.Policy).ToHashSet(StringComparer.Ordinal);
        var ran = expect.ConditionErrors.Select(r => r.Name).Where(n => !failed.Contains(n)).ToList();
        if (ran.Count > 0)
        {
            failures.Add(new ExpectationFailure($"condition errors: {string.Join(", ", ran)}", $"condition errors: {List(failed.Order(StringComparer.Ordinal))}"));
        }
    }

    /// <summary>The policies that matched, enforce and audit mode alike.</summary>
    public static HashSet<string> MatchedNames(Decision decision) =>
        decision.Matched.Concat(decision.Audit).Select(m => m.Policy).ToHashSet(StringComparer.Ordinal);

    public static ExpectedVerdict ActualVerdict(Decision decision) => decision.Verdict switch
    {
        Verdict.Ok => ExpectedVerdict.Ok,
        Verdict.Warn => ExpectedVerdict.Warn,
        Verdict.Fail => ExpectedVerdict.Fail,
        _ => ExpectedVerdict.None,
    };

    public static string Text(ExpectedVerdict verdict) => verdict switch
    {
        ExpectedVerdict.Ok => "OK",
        ExpectedVerdict.Warn => "WARN",
        ExpectedVerdict.Fail => "FAIL",
        _ => "none",
    };

    /// <summary>An action as one line: <c>block (policy): "reason"</c>, <c>notify ops (policy): "message"</c>, <c>forward audit-sink (policy)</c>.</summary>
    public static string Describe(string policy, ActionOutcome action) => action switch
    {
        BlockOutcome block => $"block ({policy}): \"{block.Reason}\"",
        WarnOutcome warn => $"warn ({policy}): \"{warn.Reason}\"",
        NotifyOutcome notify => $"notify {notify.Channel} ({policy}): \"{notify.Message}\"",
        ForwardOutcome forward => $"forward {forward.Target} ({policy})",
        _ => $"{action.Kind} ({policy})",
    };

    private static IEnumerable<string> MatchedDisplay(Decision decision) =>
        decision.Matched.Select(m => m.Policy).Concat(decision.Audit.Select(m => $"{m.Policy} (audit)"));

    private static string List(IEnumerable<string> names)
    {
        var list = names.ToList();
        return list.Count == 0 ? "(none)" : "[" + string.Join(", ", list) + "]";
    }

    private static string? ReasonOf(ActionOutcome action) => action switch
    {
        BlockOutcome block => block.Reason,
        WarnOutcome warn => warn.Reason,
        _ => null,
    };

    private static bool Satisfies(ExpectedActionDefinition wanted, string policy, ActionOutcome action) =>
        wanted.Kind == action.Kind
        && (wanted.Policy is null || wanted.Policy.Name == policy)
        && (wanted.Channel is null || (action is NotifyOutcome n && n.Channel == wanted.Channel))
        && (wanted.Target is null || (action is ForwardOutcome f && f.Target == wanted.Target))
        && (wanted.ReasonContains is null || (ReasonOf(action) is { } reason && reason.Contains(wanted.ReasonContains, StringComparison.Ordinal)))
        && (wanted.MessageContains is null || (action is NotifyOutcome m && m.Message.Contains(wanted.MessageContains, StringComparison.Ordinal)));

    private static string Describe(ExpectedActionDefinition wanted)
    {
        var parts = new List<string> { wanted.Kind };
        if (wanted.Channel is not null)
        {
            parts.Add(wanted.Channel);
        }

        if (wanted.Target is not null)
        {
            parts.Add(wanted.Target);
        }

        if (wanted.Policy is not null)
        {
            parts.Add($"({wanted.Policy.Name})");
        }

        if (wanted.ReasonContains is not null)
        {
            parts.Add($"with reason containing \"{wanted.ReasonContains}\"");
        }

        if (wanted.MessageContains is not null)
        {
            parts.Add($"with message containing \"{wanted.MessageContains}\"");
        }

        return string.Join(' ', parts);
    }
}
