using System.Globalization;
using System.Text;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Cli.Reporting;

/// <summary>The detailed human-readable form of one decision, used in `oer test` failure reports. Everything that comes
/// from an event (its type, id, rendered reasons and messages) is escaped, as in dry-run: control characters never reach
/// the terminal raw and each item stays on its line.</summary>
internal static class DecisionText
{
    public static string Format(Decision decision)
    {
        var text = new StringBuilder();
        var e = decision.Event;
        text.Append(CultureInfo.InvariantCulture, $"{e.File}[{e.Index}]");
        if (decision.Error is { } error)
        {
            text.Append(CultureInfo.InvariantCulture, $"  INVALID {error.Id}: {TextExcerpt.Escape(error.Message)}");
            return text.ToString();
        }

        text.Append(CultureInfo.InvariantCulture, $"  {TextExcerpt.Escape(e.Type ?? "")}  id={TextExcerpt.Escape(e.Id ?? "")}");
        text.AppendLine();
        text.Append("  verdict: ").Append(decision.Verdict is { } v ? DecisionJson.VerdictText(v) : "none (regular event)");
        if (decision.Matched.IsEmpty && decision.Audit.IsEmpty)
        {
            text.AppendLine().Append("  no policy matched");
        }

        foreach (var match in decision.Matched)
        {
            AppendMatch(text, match, "matched");
        }

        foreach (var match in decision.Audit)
        {
            AppendMatch(text, match, "would (audit)");
        }

        foreach (var failure in decision.ConditionFailures)
        {
            text.AppendLine().Append(CultureInfo.InvariantCulture, $"  condition error in {failure.Policy} ({failure.Location}): {TextExcerpt.Escape(failure.Message)}; treated as {(failure.TreatedAsMatch ? "a match" : "no match")}");
        }

        return text.ToString();
    }

    private static void AppendMatch(StringBuilder text, PolicyMatch match, string label)
    {
        text.AppendLine().Append(CultureInfo.InvariantCulture, $"  {label}: {match.Policy} (priority {match.Priority}, {match.Location})");
        foreach (var action in match.Actions)
        {
            text.AppendLine().Append("    ").Append(TextExcerpt.Escape(action switch
            {
                BlockOutcome block => $"block: {block.Reason}",
                WarnOutcome warn => $"warn: {warn.Reason}",
                NotifyOutcome notify => $"notify {notify.Channel}: {notify.Message}",
                ForwardOutcome forward => $"forward to {forward.Target}",
                _ => action.Kind,
            }));
        }

        if (match.Stage is { } stage)
        {
            text.AppendLine().Append(CultureInfo.InvariantCulture, $"    stage: {TextExcerpt.Escape(stage.Reason)}");
        }

        if (match.Waiver is { } waiver)
        {
            text.AppendLine().Append("    ").Append(WaiverText.Describe(waiver, match.Policy));
        }
    }
}

/// <summary>How text reports name the waiver that let an event through a policy.</summary>
internal static class WaiverText
{
    /// <summary>"waived by orders-backfill (owner data-eng, ticket GOV-12, expires 2026-12-31): prod-deploy-freeze's block and warn do not count"; escaped, so a policy file's control characters never reach the terminal raw.</summary>
    public static string Describe(WaiverDefinition waiver, string policy) => TextExcerpt.Escape(
        $"waived by {waiver.Name} (owner {waiver.Owner}, ticket {waiver.Ticket}, expires {waiver.Expires.Text}): {policy}'s block and warn do not count");
}
