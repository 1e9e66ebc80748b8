using System.Globalization;
using System.Text;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Impact;

namespace OpenEvent.Rules.Cli.Reporting;

/// <summary>Writes an <see cref="ImpactReport"/> as text (terminal) or Markdown (a pull-request comment).</summary>
internal static class ImpactReportWriter
{
    public static string Text(ImpactReport report, string baseLabel, string headLabel)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"oer impact: {baseLabel} -> {headLabel}");
        text.AppendLine(CultureInfo.InvariantCulture, $"{report.Events} events, {report.Changes.Length} changed, {report.InvalidEvents.Length} invalid");
        foreach (var invalid in report.InvalidEvents)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"INVALID {Where(invalid)} (run oer dry-run on it for the reason)");
        }

        foreach (var change in report.Changes)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"CHANGED {Where(change.Event)}  {change.Event.Type}  id={change.Event.Id}");
            if (change.VerdictChanged)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  verdict: {Verdict(change.BaseVerdict)} -> {Verdict(change.HeadVerdict)}");
            }

            foreach (var action in change.AddedActions)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  + {action}");
            }

            foreach (var action in change.RemovedActions)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  - {action}");
            }
        }

        text.AppendLine();
        text.AppendLine("summary:");
        foreach (var (label, value) in Summary(report))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {label}: {value}");
        }

        text.AppendLine("matches per policy (base -> head):");
        var width = report.PolicyCounts.Select(c => c.Policy.Length).DefaultIfEmpty(0).Max();
        foreach (var count in report.PolicyCounts)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {count.Policy.PadRight(width)}  {count.Base} -> {count.Head}{Delta(count)}");
        }

        text.AppendLine("policies that match no event of the corpus: " + (report.UnmatchedPolicies.IsEmpty ? "none" : string.Join(", ", report.UnmatchedPolicies)));
        return text.ToString();
    }

    public static string Markdown(ImpactReport report, string baseLabel, string headLabel)
    {
        var md = new StringBuilder();
        md.AppendLine("## oer impact");
        md.AppendLine();
        var outcome = report.HasChanges
            ? $"**{report.Changes.Length} {(report.Changes.Length == 1 ? "event changes" : "events change")}**"
            : "no event changes";
        md.AppendLine(CultureInfo.InvariantCulture, $"Policies `{baseLabel}` → `{headLabel}`, evaluated on {report.Events} events: {outcome}.");
        if (!report.InvalidEvents.IsEmpty)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"{report.InvalidEvents.Length} invalid events were skipped: {string.Join(", ", report.InvalidEvents.Select(e => $"`{Where(e)}`"))}");
        }

        md.AppendLine();
        md.AppendLine("| | |");
        md.AppendLine("|---|---:|");
        foreach (var (label, value) in Summary(report))
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {label} | {value} |");
        }

        if (report.HasChanges)
        {
            AppendChangedEvents(md, report);
        }

        md.AppendLine();
        md.AppendLine("### Matches per policy");
        md.AppendLine();
        md.AppendLine("| policy | base | head | change |");
        md.AppendLine("|---|---:|---:|---:|");
        foreach (var count in report.PolicyCounts)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| `{count.Policy}` | {count.Base} | {count.Head} | {(count.Head == count.Base ? "" : Delta(count).Trim(' ', '(', ')'))} |");
        }

        if (!report.UnmatchedPolicies.IsEmpty)
        {
            md.AppendLine();
            md.AppendLine("### Policies that match no event of the corpus");
            md.AppendLine();
            foreach (var policy in report.UnmatchedPolicies)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- `{policy}`");
            }
        }

        return md.ToString();
    }

    private static void AppendChangedEvents(StringBuilder md, ImpactReport report)
    {
        md.AppendLine();
        md.AppendLine("### Changed events");
        md.AppendLine();
        md.AppendLine("| event | type | verdict | change |");
        md.AppendLine("|---|---|---|---|");
        foreach (var change in report.Changes)
        {
            var verdict = change.VerdictChanged
                ? $"{Verdict(change.BaseVerdict)} → **{Verdict(change.HeadVerdict)}**"
                : Verdict(change.HeadVerdict);
            var lines = change.AddedActions.Select(a => $"\\+ {a}").Concat(change.RemovedActions.Select(a => $"\\- {a}"));
            md.AppendLine(CultureInfo.InvariantCulture, $"| `{Cell(Where(change.Event))}` | `{Cell(change.Event.Type ?? "")}` | {verdict} | {string.Join("<br>", lines.Select(Cell))} |");
        }
    }

    private static IEnumerable<(string Label, string Value)> Summary(ImpactReport report) =>
    [
        ("newly blocked (FAIL)", report.NewlyBlocked.ToString(CultureInfo.InvariantCulture)),
        ("no longer blocked", report.NoLongerBlocked.ToString(CultureInfo.InvariantCulture)),
        ("newly warned (WARN)", report.NewlyWarned.ToString(CultureInfo.InvariantCulture)),
        ("no longer warned", report.NoLongerWarned.ToString(CultureInfo.InvariantCulture)),
        ("notifications added / removed", $"{report.Added("notify")} / {report.Removed("notify")}"),
        ("forwards added / removed", $"{report.Added("forward")} / {report.Removed("forward")}"),
    ];

    private static string Where(EventDescriptor e) => $"{e.File}[{e.Index}]";

    private static string Verdict(Verdict? verdict) => verdict is { } v ? DecisionJson.VerdictText(v) : "none";

    private static string Delta(PolicyMatchCount count) =>
        count.Head == count.Base ? "" : count.Head > count.Base ? $"  (+{count.Head - count.Base})" : $"  (-{count.Base - count.Head})";

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
