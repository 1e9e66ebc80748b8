using System.Collections.Immutable;
using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Parsing;

namespace OpenEvent.Rules.Validation;

/// <summary>
/// OER3021 (a pattern names a field that none of the matched event types documents, or an unknown envelope
/// attribute), OER3022 (every entry of a value list can never match the documented JSON type of the field, e.g.
/// <c>status: ["5"]</c> on an integer) and OER3038 (a warning: one entry can never match, the others can, e.g.
/// <c>fileType: ["10", 10]</c>). Checked in spec.match, its <c>$or</c> branches and every exclusion. What each
/// operator can match is the operator's own (<see cref="Matcher.NeverMatches"/>); this walks the patterns. A waiver's
/// <c>match</c> is checked the same way, against the types its policies match.
/// </summary>
internal sealed class FieldValidator
{
    public void Validate(ValidationContext context)
    {
        foreach (var policy in context.Set.Policies)
        {
            var types = context.MatchedTypes(policy);
            var owner = $"Policy '{policy.Name}'";
            Walk(context, owner, policy.Match, "", types);
            foreach (var exclusion in policy.Exclude)
            {
                if (exclusion.Match is not null)
                {
                    // An exclusion only ever sees events the policy matched.
                    Walk(context, owner, exclusion.Match, "", types.Intersect(context.MatchedTypes(exclusion.Match)));
                }
            }
        }

        foreach (var waiver in context.Set.Waivers)
        {
            if (waiver.Match is { } match)
            {
                // A waiver's match only ever sees events its policies matched (unknown names are OER3100's).
                var waived = context.Set.Policies.Where(p => waiver.Policies.Contains(p.Name, StringComparer.Ordinal)).Select(context.MatchedTypes).ToList();
                var types = waived.Count == 0 ? context.Resolver.All : context.Resolver.Union(waived);
                Walk(context, $"Waiver '{waiver.Name}'", match, "", types.Intersect(context.MatchedTypes(match)));
            }
        }
    }

    private static void Walk(ValidationContext context, string owner, PatternObject pattern, string prefix, MatchedTypes types)
    {
        foreach (var member in pattern.Members)
        {
            switch (member)
            {
                case LeafMember or NestedMember when prefix.Length == 0 && ReferenceEquals(DetailUse.InPattern(pattern), member):
                    // The event's detail is not an envelope attribute: DetailValidator checks it against the detail schemas.
                    break;
                case LeafMember { Name: var name, Location: var location } when name.Contains('.', StringComparison.Ordinal):
                    WarnDottedName(context, owner, prefix, name, location);
                    break;
                case NestedMember { Name: var name, Location: var location } when name.Contains('.', StringComparison.Ordinal):
                    WarnDottedName(context, owner, prefix, name, location);
                    break;
                case LeafMember leaf:
                    CheckLeaf(context, owner, leaf, prefix + leaf.Name, types);
                    break;
                case NestedMember nested when prefix.Length == 0:
                    if (nested.Name == "data")
                    {
                        Walk(context, owner, nested.Pattern, "data.", types);
                    }
                    else
                    {
                        // Envelope attributes other than data are strings: a nested pattern there never matches,
                        // and an unknown name is most likely a typo.
                        CheckEnvelopeName(context, owner, nested.Name, nested.Location);
                    }

                    break;
                case NestedMember nested:
                    // Report an undocumented object once, not once per leaf below it.
                    if (CheckDocumented(context, owner, prefix + nested.Name, nested.Location, types))
                    {
                        Walk(context, owner, nested.Pattern, prefix + nested.Name + ".", types);
                    }

                    break;
                case OrMember or:
                    foreach (var branch in or.Branches)
                    {
                        // Only top-level branches can constrain the event type; a branch under data has no 'type'.
                        var branchTypes = prefix.Length == 0 ? types.Intersect(context.MatchedTypes(branch)) : types;
                        Walk(context, owner, branch, prefix, branchTypes);
                    }

                    break;
            }
        }
    }

    private static void CheckLeaf(ValidationContext context, string owner, LeafMember leaf, string path, MatchedTypes types)
    {
        if (!path.Contains('.', StringComparison.Ordinal))
        {
            if (!CheckEnvelopeName(context, owner, leaf.Name, leaf.Location))
            {
                return;
            }
        }
        else if (!CheckDocumented(context, owner, path, leaf.Location, types))
        {
            return;
        }

        var jsonTypes = FieldDocs.JsonTypes(types, path);
        // No type documented, or a container whose element type the catalog does not record: nothing to rule out.
        if (jsonTypes.IsEmpty || jsonTypes.Contains("array") || jsonTypes.Contains("object"))
        {
            return;
        }

        // A list is an OR: an entry that can never match the documented type is dead weight when another entry can
        // match (["10", 10] on an integer still matches 10, as in EventBridge), and a broken policy when none can.
        var field = new DocumentedField(owner, leaf.Name, path, jsonTypes);
        var problems = leaf.Matchers.Select(m => (Matcher: m, Problem: m.NeverMatches(field))).ToList();
        var hopeless = problems.TrueForAll(p => p.Problem is not null);
        foreach (var (matcher, problem) in problems)
        {
            if (problem is not { } never)
            {
                continue;
            }

            if (hopeless)
            {
                context.Diagnostics.Error(DiagnosticIds.OperatorFieldTypeMismatch, matcher.Location, never.Message, never.Hint);
            }
            else
            {
                context.Diagnostics.Warning(DiagnosticIds.ListEntryNeverMatches, matcher.Location,
                    never.Message + "; the other entries of the list still match",
                    $"Remove this entry from the list, or fix it. {never.Hint}");
            }
        }
    }

    /// <summary>
    /// A key with a dot is one field whose name has a dot, as in EventBridge: <c>"data.fileName"</c> never matches
    /// <c>{"data": {"fileName": ...}}</c>. The paths here are joined with dots, so such a key looked documented and the
    /// policy never matched in silence; no DataWorks field has a dot in its name.
    /// </summary>
    private static void WarnDottedName(ValidationContext context, string owner, string prefix, string name, SourceLocation location)
    {
        var parts = name.Split('.');
        var nested = string.Join(": { ", parts) + ": [...]" + string.Concat(Enumerable.Repeat(" }", parts.Length - 1));
        context.Diagnostics.Warning(DiagnosticIds.UndocumentedField, location,
            $"{owner}: '{name}' is one field name with a dot in it, which no DataWorks event has{(prefix.Length == 0 ? "" : $" (under {prefix.TrimEnd('.')})")}: a pattern never reads a dot as nesting",
            $"Nest the names as the event nests them: {nested}.");
    }

    private static bool CheckEnvelopeName(ValidationContext context, string owner, string name, SourceLocation location)
    {
        if (EnvelopeAttributes.Names.Contains(name))
        {
            return true;
        }

        var suggestion = Suggestions.Closest(name, EnvelopeAttributes.Names);
        var hint = s_specKeys.Contains(name)
            ? $"'{name}' is a key of spec, not of the pattern: move it out of match, to spec.{name} (indented like match)."
            : OperatorHint(name) + Suggestions.DidYouMean(suggestion) + "Payload fields live under data, e.g. data: { fileName: [...] }; top-level names are the envelope attributes (type, source, subject, time, aliyunregionid, ...).";
        if (PatternParser.OperatorNames.Contains(name))
        {
            // EventBridge reads an operator keyword outside $or as a field of that name: a valid pattern, hence a warning.
            context.Diagnostics.Warning(DiagnosticIds.UndocumentedField, location, $"{owner}: '{name}' is not a CloudEvents or EventBridge attribute of DataWorks events", hint);
            return false;
        }

        // An error, as an unknown event type is (OER3020): every DataWorks event has the same envelope, so a pattern on
        // another top-level name (tyep:, dat:, a payload field, scope: indented under match:) never matches, in silence.
        context.Diagnostics.Error(DiagnosticIds.UnknownAttribute, location,
            $"{owner}: '{name}' is not a CloudEvents or EventBridge attribute of DataWorks events: the pattern can never match", hint);
        return false;
    }

    // Keys of spec that land in a pattern when indented one level too deep (scope: under match:).
    private static readonly HashSet<string> s_specKeys = new(["scope", "enforceIn", "exclude", "actions", "condition", "conditionErrors", "mode", "priority", "detailErrors", "allowUnknownTypes"], StringComparer.Ordinal);

    // EventBridge reads {"prefix": ["x"]} outside $or as a field named prefix, so the parser accepts it; here the
    // catalog shows no such field, and an operator that lost its field is the likely mistake.
    private static string OperatorHint(string name) =>
        PatternParser.OperatorNames.Contains(name)
            ? $"'{name}' is an operator keyword, not a field: write it inside a field's list, e.g. fileName: [{{\"{name}\": ...}}]. "
            : "";

    /// <returns>True when some matched type documents <paramref name="path"/> (or nothing can be said).</returns>
    private static bool CheckDocumented(ValidationContext context, string owner, string path, SourceLocation location, MatchedTypes types)
    {
        // A pattern that matches nothing is reported elsewhere (OER3020 / OER3023); its fields cannot be judged.
        if (types.IsEmpty || FieldDocs.IsDocumented(types, path))
        {
            return true;
        }

        var suggestion = Suggestions.Closest(path, FieldDocs.DataPaths(types));
        context.Diagnostics.Warning(DiagnosticIds.UndocumentedField, location,
            $"{owner}: '{path}' is not documented for {types.Describe()}",
            OperatorHint(path[(path.LastIndexOf('.') + 1)..]) + Suggestions.DidYouMean(suggestion) + "Field names are case-sensitive; the documented fields are in schemas/events/<family>.schema.json. A field that is never sent never matches.");
        return false;
    }
}

/// <summary>What the catalog documents about a field across a set of matched types.</summary>
internal static class FieldDocs
{
    // Both are asked for every leaf of every policy: loops instead of LINQ chains (a set, a sorter and their
    // iterators per leaf were ~20 MB of a 10,000-policy load).
    public static bool IsDocumented(MatchedTypes types, string path)
    {
        foreach (var type in types.Types)
        {
            if (type.Fields.ContainsKey(path))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The union of the JSON types documented for <paramref name="path"/> by the matched types that have it, in ordinal order.</summary>
    public static ImmutableArray<string> JsonTypes(MatchedTypes types, string path)
    {
        ImmutableArray<string>? single = null;
        List<string>? union = null;
        foreach (var type in types.Types)
        {
            if (!type.Fields.TryGetValue(path, out var field))
            {
                continue;
            }

            if (single is null)
            {
                single = field.JsonTypes;
                continue;
            }

            union ??= AddDistinct([], single.Value);
            AddDistinct(union, field.JsonTypes);
        }

        if (union is null)
        {
            // The usual case: one documenting type, whose list is already the answer when it is ordered without repeats.
            if (single is not { } only || IsOrderedSet(only))
            {
                return single ?? [];
            }

            union = AddDistinct([], only);
        }

        union.Sort(StringComparer.Ordinal);
        return [.. union];
    }

    private static List<string> AddDistinct(List<string> union, ImmutableArray<string> names)
    {
        foreach (var name in names)
        {
            if (!union.Contains(name))
            {
                union.Add(name);
            }
        }

        return union;
    }

    private static bool IsOrderedSet(ImmutableArray<string> names)
    {
        for (var i = 1; i < names.Length; i++)
        {
            if (string.CompareOrdinal(names[i - 1], names[i]) >= 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Every documented path under data for the matched types: the candidates for "did you mean".</summary>
    public static IEnumerable<string> DataPaths(MatchedTypes types) =>
        types.Types.SelectMany(t => t.Fields.Keys).Where(p => p.StartsWith("data.", StringComparison.Ordinal)).Distinct(StringComparer.Ordinal);

    /// <summary>Whether any matched type can resolve the scope dimension (region always can).</summary>
    public static bool ResolvesScope(MatchedTypes types, ScopeDimension dimension) =>
        dimension == ScopeDimension.Region || types.Types.Any(t => t.Scope.ContainsKey(dimension));
}
