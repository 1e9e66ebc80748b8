using System.Text.Json;
using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Model.Patterns.Operators;

namespace OpenEvent.Rules.Validation;

/// <summary>
/// Values a field's documentation says never arrive, each a warning (the pattern still loads: events may carry more
/// than the schemas know). Checked in spec.match, its <c>$or</c> branches and exclusions.
/// <list type="bullet">
/// <item>OER3061: EventBridge's <c>numeric</c> compares JSON numbers only, so on a field DataWorks documents as a number
/// that may arrive as text (<c>dataRowSize</c>, the ids: "integer or string" in the catalog) it silently misses every
/// event that sends the text form; <c>numeric-string</c> compares both. (<c>numeric</c> on a field documented as text
/// only is the error OER3022.)</item>
/// <item>OER3063: an integer written as text only on such a field (<c>projectId: ["10001234"]</c>, quotes copied from a
/// scope) misses every event that sends the number, as the samples and most events do. On the workspace and tenant ids
/// (<c>projectId</c>, <c>appId</c>, <c>tenantId</c>) the number alone is flagged too: it misses the events that send the
/// text, which DataWorks may. On other ids the number alone is the usual form and is not flagged.</item>
/// <item>OER3064: an exact value under <c>data</c> that the schemas of every matched type leave out of the field's
/// <c>enum</c> (<c>alarmType: ["SLA_ALERTS"]</c>, <c>projectType: ["prod"]</c>), with the closest listed value; a value
/// of another type than the listed ones is OER3022's.</item>
/// <item>OER3065: <c>exists</c> on a field documented as an object or an array of objects, which has no leaf value for it
/// to see (<see cref="ContainerExists"/>).</item>
/// <item>OER3066: an instance status list that matches 1 (not run) and not 0, or 0 and not 1, though DataWorks sends
/// either for "not run" (<see cref="NotRunStatus"/>).</item>
/// </list>
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
                case LeafMember leaf:
                    CheckTextForms(context, policy, leaf, Join(path, leaf.Name), types);
                    ContainerExists.Check(context, policy, leaf, Join(path, leaf.Name), types);
                    NotRunStatus.Check(context, policy, leaf, Join(path, leaf.Name), types);
                    if (path.Length > 0)
                    {
                        CheckListedValues(context, policy, leaf, Join(path, leaf.Name), types);
                    }

                    break;
                case NestedMember nested:
                    Check(context, policy, nested.Pattern, Join(path, nested.Name), types);
                    break;
                case OrMember or:
                    foreach (var branch in or.Branches)
                    {
                        // A top-level branch may name its own types (instance status in one, DAG status in the other).
                        Check(context, policy, branch, path, path.Length == 0 ? types.Intersect(context.MatchedTypes(branch)) : types);
                    }

                    break;
            }
        }
    }

    /// <summary>OER3061 and OER3063, on a field documented as "integer or string".</summary>
    private static void CheckTextForms(ValidationContext context, string policy, LeafMember leaf, string path, MatchedTypes types)
    {
        var documented = FieldDocs.JsonTypes(types, path);
        if (!documented.Contains("string") || !documented.Any(t => t is "integer" or "number"))
        {
            return;
        }

        foreach (var numeric in leaf.Matchers.OfType<NumericMatcher>())
        {
            var operand = MatcherFormatter.Format(numeric);
            context.Diagnostics.Warning(DiagnosticIds.NumericOnTextField, numeric.Location,
                $"Policy '{policy}': numeric never matches '{path}' when DataWorks sends it as text (it is documented as {string.Join(" or ", documented)}, e.g. \"123456\")",
                $"compare numbers and numbers written as text with numeric-string: {leaf.Name}: [{operand.Replace("{\"numeric\":", "{\"numeric-string\":", StringComparison.Ordinal)}]");
        }

        CheckOneForm(context, policy, leaf, path, types, string.Join(" or ", documented));
    }

    /// <summary>OER3064: each exact value of the field's listed kind that no matched type lists.</summary>
    private static void CheckListedValues(ValidationContext context, string policy, LeafMember leaf, string path, MatchedTypes types)
    {
        if (Listed(types, path) is not { Count: > 0 } values)
        {
            return;
        }

        foreach (var exact in leaf.Matchers.OfType<ExactMatcher>().Where(m => m.Value.Kind is ScalarKind.String or ScalarKind.Number))
        {
            // A value of another type than the listed ones is OER3022/OER3038's to report.
            if (values.Any(v => SameKind(v, exact.Value)) && !values.Any(v => Same(v, exact.Value)))
            {
                Warn(context, policy, path, exact, values);
            }
        }
    }

    /// <summary>
    /// OER3063: each integer of the list written as text whose number the list lacks; and, on the workspace and tenant
    /// ids, each number whose text the list lacks. DataWorks sends most ids as numbers, so the number alone is the usual
    /// form of the others (nodeId, dagId, ...); the workspace and tenant ids are the ones the reference (section 1.4)
    /// says to read in either form, and the ones a scope reads in every form, so for them one form alone is a trap.
    /// </summary>
    private static void CheckOneForm(ValidationContext context, string policy, LeafMember leaf, string path, MatchedTypes types, string documented)
    {
        if (leaf.Matchers.Any(m => m is NumericStringMatcher))
        {
            return;
        }

        var exact = leaf.Matchers.OfType<ExactMatcher>().Where(m => IsIntegerText(m.Value.Text)).ToList();
        var numbers = exact.Where(m => m.Value.IsNumber).Select(m => m.Value.Text!).ToHashSet(StringComparer.Ordinal);
        var texts = exact.Where(m => m.Value.IsString).Select(m => m.Value.Text!).ToHashSet(StringComparer.Ordinal);
        var scope = ScopeKeyOf(types, path);
        var scopeHint = scope is null ? "" : $"; for the {scope.Value.Dimension}, scope: {{ {scope.Value.Key}: [...] }} reads every form";
        CheckExcludedInOneForm(context, policy, leaf, path, scope, documented);
        foreach (var matcher in exact)
        {
            var digits = matcher.Value.Text!;
            var both = $"{leaf.Name}: [{digits}, \"{digits}\"], or compare both with {leaf.Name}: [{{ numeric-string: [\"=\", {digits}] }}]{scopeHint}";
            if (matcher.Value.IsString && !numbers.Contains(digits))
            {
                context.Diagnostics.Warning(DiagnosticIds.IntegerInOneForm, matcher.Location,
                    $"Policy '{policy}': \"{digits}\" never matches '{path}' when DataWorks sends it as a number (it is documented as {documented})",
                    "list the number too, " + both);
            }
            else if (matcher.Value.IsNumber && scope is not null && !texts.Contains(digits))
            {
                context.Diagnostics.Warning(DiagnosticIds.IntegerInOneForm, matcher.Location,
                    $"Policy '{policy}': {digits} never matches '{path}' when DataWorks sends it as text, \"{digits}\" (it is documented as {documented})",
                    "list the text too, " + both);
            }
        }
    }

    /// <summary>
    /// OER3063 for anything-but on the workspace and tenant ids: an id excluded in one form lets the other form through
    /// (anything-but: [10001234] passes an event that sends "10001234"), the opposite trap of an exact value.
    /// </summary>
    private static void CheckExcludedInOneForm(ValidationContext context, string policy, LeafMember leaf, string path, (string Dimension, string Key)? scope, string documented)
    {
        if (scope is null)
        {
            return;
        }

        foreach (var anythingBut in leaf.Matchers.OfType<AnythingButMatcher>())
        {
            var excluded = anythingBut.Excluded.OfType<ExactMatcher>().Where(m => IsIntegerText(m.Value.Text)).ToList();
            foreach (var matcher in excluded)
            {
                var digits = matcher.Value.Text!;
                var other = matcher.Value.IsNumber ? $"\"{digits}\"" : digits;
                if (!excluded.Any(m => m.Value.Text == digits && m.Value.IsNumber != matcher.Value.IsNumber))
                {
                    context.Diagnostics.Warning(DiagnosticIds.IntegerInOneForm, matcher.Location,
                        $"Policy '{policy}': anything-but excludes {(matcher.Value.IsNumber ? digits : $"\"{digits}\"")} from '{path}' but lets {other} through when DataWorks sends it in that form (it is documented as {documented})",
                        $"exclude both forms, {leaf.Name}: [{{ anything-but: [{digits}, \"{digits}\"] }}]; for the {scope.Value.Dimension}, spec.exclude with scope: {{ {scope.Value.Key}: [...] }} reads every form");
                }
            }
        }
    }

    /// <summary>The scope dimension (and its key in spec.scope) that reads <paramref name="path"/> for some matched type: the workspace or the tenant id; null for other fields.</summary>
    private static (string Dimension, string Key)? ScopeKeyOf(MatchedTypes types, string path)
    {
        foreach (var type in types.Types)
        {
            if (type.Scope.TryGetValue(ScopeDimension.Workspace, out var workspace) && workspace.Paths.Contains(path))
            {
                return ("workspace", "workspaces");
            }

            if (type.Scope.TryGetValue(ScopeDimension.Tenant, out var tenant) && tenant.Paths.Contains(path))
            {
                return ("tenant", "tenants");
            }
        }

        return null;
    }

    /// <summary>An integer as DataWorks writes one: digits, an optional minus, no leading zero (so the number and the text are one value).</summary>
    private static bool IsIntegerText(string? text) =>
        text is { Length: > 0 and <= 19 } && (text[0] == '-' ? text.Length > 1 && Digits(text.AsSpan(1)) : Digits(text));

    private static bool Digits(ReadOnlySpan<char> text) => !text.ContainsAnyExceptInRange('0', '9') && (text.Length == 1 || text[0] != '0');

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

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;
}
