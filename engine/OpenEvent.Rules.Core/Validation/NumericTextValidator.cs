using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Model.Patterns.Operators;

namespace OpenEvent.Rules.Validation;

/// <summary>
/// OER3061: EventBridge's <c>numeric</c> compares JSON numbers only, so on a field DataWorks documents as a number that
/// may arrive as text (<c>dataRowSize</c>, the ids: "integer or string" in the catalog) it silently misses every event
/// that sends the text form. The pattern still loads (it does match the numbers), with a warning that points to
/// <c>numeric-string</c>, which compares both and says so. (<c>numeric</c> on a field documented as text only is the
/// error OER3022.) OER3063: an integer written as text only on such a field (<c>projectId: ["10001234"]</c>, quotes
/// copied from a scope) misses every event that sends the number, as the samples and most events do; the number alone
/// is the usual form and is not flagged.
/// </summary>
internal sealed class NumericTextValidator
{
    public void Validate(ValidationContext context)
    {
        foreach (var policy in context.Set.Policies)
        {
            var types = context.MatchedTypes(policy);
            Check(context, policy.Name, policy.Match, "", types);
            foreach (var exclusion in policy.Exclude)
            {
                if (exclusion.Match is { } match)
                {
                    Check(context, policy.Name, match, "", types.Intersect(context.MatchedTypes(match)));
                }
            }
        }
    }

    private static void Check(ValidationContext context, string policy, PatternObject pattern, string path, MatchedTypes types)
    {
        foreach (var member in pattern.Members)
        {
            switch (member)
            {
                case LeafMember leaf:
                    var leafPath = Join(path, leaf.Name);
                    var documented = FieldDocs.JsonTypes(types, leafPath);
                    if (!documented.Contains("string") || !documented.Any(t => t is "integer" or "number"))
                    {
                        break;
                    }

                    foreach (var numeric in leaf.Matchers.OfType<NumericMatcher>())
                    {
                        var operand = MatcherFormatter.Format(numeric);
                        context.Diagnostics.Warning(DiagnosticIds.NumericOnTextField, numeric.Location,
                            $"Policy '{policy}': numeric never matches '{leafPath}' when DataWorks sends it as text (it is documented as {string.Join(" or ", documented)}, e.g. \"123456\")",
                            $"compare numbers and numbers written as text with numeric-string: {leaf.Name}: [{operand.Replace("{\"numeric\":", "{\"numeric-string\":", StringComparison.Ordinal)}]");
                    }

                    CheckOneForm(context, policy, leaf, leafPath, string.Join(" or ", documented));
                    break;
                case NestedMember nested:
                    Check(context, policy, nested.Pattern, Join(path, nested.Name), types);
                    break;
                case OrMember or:
                    foreach (var branch in or.Branches)
                    {
                        Check(context, policy, branch, path, types);
                    }

                    break;
            }
        }
    }

    /// <summary>OER3063: each integer of the list written as text whose number the list lacks.</summary>
    private static void CheckOneForm(ValidationContext context, string policy, LeafMember leaf, string path, string documented)
    {
        if (leaf.Matchers.Any(m => m is NumericStringMatcher))
        {
            return;
        }

        var exact = leaf.Matchers.OfType<ExactMatcher>().Where(m => IsIntegerText(m.Value.Text)).ToList();
        var numbers = exact.Where(m => m.Value.IsNumber).Select(m => m.Value.Text!).ToHashSet(StringComparer.Ordinal);
        foreach (var matcher in exact.Where(m => m.Value.IsString && !numbers.Contains(m.Value.Text!)))
        {
            var digits = matcher.Value.Text!;
            context.Diagnostics.Warning(DiagnosticIds.IntegerInOneForm, matcher.Location,
                $"Policy '{policy}': \"{digits}\" never matches '{path}' when DataWorks sends it as a number (it is documented as {documented})",
                $"list the number too, {leaf.Name}: [{digits}, \"{digits}\"], or compare both with {leaf.Name}: [{{ numeric-string: [\"=\", {digits}] }}]"
                + (leaf.Name is "projectId" or "appId" ? "; for the workspace, scope: { workspaces: [...] } reads every form" : ""));
        }
    }

    /// <summary>An integer as DataWorks writes one: digits, an optional minus, no leading zero (so the number and the text are one value).</summary>
    private static bool IsIntegerText(string? text) =>
        text is { Length: > 0 and <= 19 } && (text[0] == '-' ? text.Length > 1 && Digits(text.AsSpan(1)) : Digits(text));

    private static bool Digits(ReadOnlySpan<char> text) => !text.ContainsAnyExceptInRange('0', '9') && (text.Length == 1 || text[0] != '0');

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;
}
