using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Model.Patterns.Operators;

namespace OpenEvent.Rules.Validation;

/// <summary>
/// OER3061: EventBridge's <c>numeric</c> compares JSON numbers only, so on a field DataWorks documents as a number that
/// may arrive as text (<c>dataRowSize</c>, the ids: "integer or string" in the catalog) it silently misses every event
/// that sends the text form. The pattern still loads (it does match the numbers), with a warning that points to
/// <c>numeric-string</c>, which compares both and says so. (<c>numeric</c> on a field documented as text only is the
/// error OER3022.)
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

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;
}
