using System.Text.Json;
using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Model.Patterns.Operators;

namespace OpenEvent.Rules.Validation;

/// <summary>
/// OER3064 (a warning): an exact value under <c>data</c> that the schemas of every matched type exclude, on a field whose
/// schema lists its values (<c>alarmType: ["SLA_ALERTS"]</c>, <c>projectType: ["prod"]</c> where PROD and DEV are the
/// values): the entry never matches, in silence. Checked in spec.match, its <c>$or</c> branches and exclusions; a type
/// that documents the field without listing values leaves it unchecked (events may carry more than the schemas know,
/// hence a warning, with the closest listed value).
/// </summary>
internal sealed class DocumentedValueValidator
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
                case LeafMember leaf when path.Length > 0 && Listed(types, path + "." + leaf.Name) is { Count: > 0 } values:
                    foreach (var exact in leaf.Matchers.OfType<ExactMatcher>().Where(m => m.Value.Kind is ScalarKind.String or ScalarKind.Number))
                    {
                        // A value of another type than the listed ones is OER3022/OER3038's to report.
                        if (values.Any(v => SameKind(v, exact.Value)) && !values.Any(v => Same(v, exact.Value)))
                        {
                            Warn(context, policy, path + "." + leaf.Name, exact, values);
                        }
                    }

                    break;
                case NestedMember nested when path.Length > 0 || nested.Name == "data":
                    Check(context, policy, nested.Pattern, path.Length == 0 ? nested.Name : path + "." + nested.Name, types);
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

    /// <summary>The values every matched type that documents the field lists for it; empty when one lists none.</summary>
    private static List<JsonElement> Listed(MatchedTypes types, string path)
    {
        var values = new List<JsonElement>();
        foreach (var type in types.Types)
        {
            if (!type.Fields.TryGetValue(path, out var field))
            {
                continue;
            }

            if (field.Values.IsEmpty)
            {
                return [];
            }

            values.AddRange(field.Values);
        }

        return values;
    }

    private static bool SameKind(JsonElement listed, Scalar value) =>
        listed.ValueKind == (value.Kind == ScalarKind.String ? JsonValueKind.String : JsonValueKind.Number);

    private static bool Same(JsonElement listed, Scalar value) => value.Kind switch
    {
        ScalarKind.String => listed.ValueKind == JsonValueKind.String && listed.GetString() == value.Text,
        _ => listed.ValueKind == JsonValueKind.Number && JsonNumber.TryParse(listed.GetRawText(), out var number) && number == value.Number,
    };

    private static void Warn(ValidationContext context, string policy, string path, ExactMatcher exact, List<JsonElement> values)
    {
        var texts = values.Select(v => v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText()).Distinct(StringComparer.Ordinal).ToList();
        var suggestion = exact.Value.IsString ? Suggestions.Closest(exact.Value.Text!, texts) : null;
        context.Diagnostics.Warning(DiagnosticIds.UndocumentedValue, exact.Location,
            $"Policy '{policy}': {exact.Value} is not a value of '{path}', which the schemas list as {string.Join(", ", texts.Take(12))}{(texts.Count > 12 ? ", ..." : "")}",
            Suggestions.DidYouMean(suggestion) + "Values are case-sensitive and typed (4 is not \"4\"); the listed values are in schemas/events/<family>.schema.json.");
    }
}
