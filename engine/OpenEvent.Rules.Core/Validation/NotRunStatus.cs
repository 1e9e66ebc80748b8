using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Validation;

/// <summary>
/// OER3066 (a warning): a <c>status</c> list of an instance status pattern that treats 0 and 1 apart. The docs say
/// "not run" is 1, DataWorks' own example code labels it 0, and the reference (section 3.6) says to accept 0 as an
/// alias; so <c>status: [1]</c> silently missed the events that carry 0 (and <c>anything-but: [1]</c> let them
/// through). DAG status events document 1 alone, with no source that says 0, so they are not checked.
/// </summary>
internal static class NotRunStatus
{
    private const string InstanceStatusType = "dataworks:InstanceStatusChanges:InstanceStatusChanges";

    private static readonly Scalar s_zero = Scalar.FromNumber(JsonNumber.FromDecimal(0), "0");
    private static readonly Scalar s_one = Scalar.FromNumber(JsonNumber.FromDecimal(1), "1");

    public static void Check(ValidationContext context, string policy, LeafMember leaf, string path, MatchedTypes types)
    {
        if (path != "data.status" || !types.Types.Any(t => t.Type == InstanceStatusType))
        {
            return;
        }

        var one = leaf.Matchers.Any(m => m.Matches(s_one));
        if (one == leaf.Matchers.Any(m => m.Matches(s_zero)))
        {
            return;
        }

        // The entry that tells them apart: the one that takes 1 (or 0) when nothing takes the other.
        var entry = leaf.Matchers.First(m => m.Matches(one ? s_one : s_zero));
        context.Diagnostics.Warning(DiagnosticIds.NotRunStatusAlias, entry.Location,
            one
                ? $"Policy '{policy}': '{path}' matches 1 (not run) but not 0, which DataWorks' example code sends for \"not run\" too: those instance status events are missed"
                : $"Policy '{policy}': '{path}' matches 0 but not 1 (not run), though DataWorks' example code sends 0 for \"not run\": 0 and 1 are one status",
            one ? $"Match 0 with 1: {leaf.Name}: {WithZero(leaf)}." : $"Treat 0 as 1, e.g. leave both out with {leaf.Name}: [{{ anything-but: [0, 1] }}], or match both with {leaf.Name}: [0, 1].");
    }

    /// <summary>The list with 0 added in front, as authored: <c>[0, 1, 5]</c>, <c>[0, {"numeric":[">=",1,"<",3]}]</c>.</summary>
    private static string WithZero(LeafMember leaf) => "[0, " + string.Join(", ", leaf.Matchers.Select(MatcherFormatter.Format)) + "]";
}
