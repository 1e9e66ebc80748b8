using System.Collections.Immutable;
using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Validation;

/// <summary>
/// The event's detail (GetIDEEventDetail), wherever a policy reads it (<see cref="DetailUse"/>): OER3070 (the policy
/// matches event types that have no detail: a detail path there could never match, and the host would ask DataWorks
/// for nothing), OER3071 (a detail field that the detail of the matched types does not have, with a did-you-mean),
/// OER3072 (detail inside a '$or' branch, or written as a list), OER3073 (detailErrors on a policy that never reads
/// the detail). The detail fields come from schemas/events/detail/*.schema.json, per event type.
/// </summary>
internal sealed class DetailValidator
{
    public void Validate(ValidationContext context)
    {
        foreach (var policy in context.Set.Policies)
        {
            var types = context.MatchedTypes(policy);
            CheckPattern(context, policy, policy.Match, types);
            foreach (var exclusion in policy.Exclude)
            {
                if (exclusion.Match is not null)
                {
                    // An exclusion only ever sees events the policy matched.
                    CheckPattern(context, policy, exclusion.Match, types.Intersect(context.MatchedTypes(exclusion.Match)));
                }
            }

            foreach (var action in policy.Actions)
            {
                foreach (var placeholder in DetailUse.TemplateOf(action)?.Parts.OfType<PlaceholderPart>() ?? [])
                {
                    if (placeholder.Segments is [DetailUse.Root, ..])
                    {
                        CheckPlaceholder(context, policy, placeholder, types);
                    }
                }
            }

            if (policy.Condition is { } condition && DetailUse.InCondition(condition.Expression) is var offset and >= 0)
            {
                CheckTypes(context, policy, types, condition.Locate(offset), "its condition reads e.Detail");
            }

            if (policy.DetailErrorsLocation is { } location && !DetailUse.Reads(policy))
            {
                context.Diagnostics.Warning(DiagnosticIds.DetailErrorsWithoutDetail, location,
                    $"Policy '{policy.Name}': detailErrors has no effect, since the policy never reads the event's detail",
                    "Remove detailErrors, or read the detail: a detail: section beside data in match, {{ detail.* }} in a template, or e.Detail in the condition.");
            }
        }
    }

    private static void CheckPattern(ValidationContext context, PolicyDefinition policy, PatternObject pattern, MatchedTypes types)
    {
        foreach (var member in pattern.Members)
        {
            switch (member)
            {
                case LeafMember { Name: DetailUse.Root } leaf:
                    context.Diagnostics.Error(DiagnosticIds.MisplacedDetail, leaf.Location,
                        $"Policy '{policy.Name}': detail is an object (the event's detail), so it takes a pattern object, not a list of values",
                        "Write the fields of the detail under it, e.g. detail: { CommittedFile: { Content: [{ contains: \"DROP TABLE\" }] } }.");
                    break;
                case NestedMember { Name: DetailUse.Root } nested:
                    if (CheckTypes(context, policy, types, nested.Location, "its pattern reads detail"))
                    {
                        CheckFields(context, policy, nested.Pattern, DetailUse.Root + ".", types);
                    }

                    break;
                case OrMember or:
                    foreach (var branch in or.Branches)
                    {
                        if (DetailUse.InPattern(branch) is { } misplaced)
                        {
                            context.Diagnostics.Error(DiagnosticIds.MisplacedDetail, misplaced.Location,
                                $"Policy '{policy.Name}': detail is read inside a '$or' branch; the detail is asked for only after the rest of the pattern matched, so it must be a member of the pattern itself",
                                "Move detail beside '$or' (the detail then constrains every branch), put the alternatives inside detail with a '$or' of their own, or write one policy per branch.");
                        }
                    }

                    break;
            }
        }
    }

    private static void CheckFields(ValidationContext context, PolicyDefinition policy, PatternObject pattern, string prefix, MatchedTypes types)
    {
        foreach (var member in pattern.Members)
        {
            switch (member)
            {
                case LeafMember leaf:
                    CheckPath(context, policy, prefix + leaf.Name, leaf.Location, types);
                    break;
                case NestedMember nested:
                    // Report an unknown object once, not once per field below it.
                    if (CheckPath(context, policy, prefix + nested.Name, nested.Location, types))
                    {
                        CheckFields(context, policy, nested.Pattern, prefix + nested.Name + ".", types);
                    }

                    break;
                case OrMember or:
                    foreach (var branch in or.Branches)
                    {
                        CheckFields(context, policy, branch, prefix, types);
                    }

                    break;
            }
        }
    }

    private static void CheckPlaceholder(ValidationContext context, PolicyDefinition policy, PlaceholderPart placeholder, MatchedTypes types)
    {
        if (!CheckTypes(context, policy, types, placeholder.Location, $"placeholder '{{{{ {placeholder.Path} }}}}' reads the detail"))
        {
            return;
        }

        // Number segments index arrays ("detail.TableModel.Columns.0.ColumnName"); the schema documents element fields without them.
        var path = string.Join('.', placeholder.Segments.Where(s => !s.All(char.IsAsciiDigit)));
        if (path != DetailUse.Root)
        {
            CheckPath(context, policy, path, placeholder.Location, types);
        }
    }

    /// <returns>True when some matched type's detail has <paramref name="path"/> (or nothing can be said).</returns>
    private static bool CheckPath(ValidationContext context, PolicyDefinition policy, string path, SourceLocation location, MatchedTypes types)
    {
        var details = types.Types.Select(t => t.Detail).OfType<DetailSchema>().Distinct().ToList();
        if (details.Count == 0 || details.Any(d => d.Fields.ContainsKey(path)))
        {
            return true;
        }

        var candidates = details.SelectMany(d => d.Fields.Keys).Distinct(StringComparer.Ordinal).ToList();
        // A right field name under the wrong parent (detail.CommittedFile.CronExpress) is pointed at where it lives;
        // otherwise the closest path.
        var leaf = path[(path.LastIndexOf('.') + 1)..];
        var suggestion = candidates.FirstOrDefault(c => c.EndsWith("." + leaf, StringComparison.OrdinalIgnoreCase))
            ?? Suggestions.Closest(path, candidates);
        var members = string.Join(", ", details.Select(d => $"{DetailUse.Root}.{d.Member}").Distinct(StringComparer.Ordinal));
        context.Diagnostics.Error(DiagnosticIds.UnknownDetailField, location,
            $"Policy '{policy.Name}': '{path}' is not a field of the detail of {types.Describe()} ({members})",
            Suggestions.DidYouMean(suggestion)
            + "Detail fields are case-sensitive, as GetIDEEventDetail writes them; they are listed in schemas/events/detail/<name>.schema.json.");
        return false;
    }

    /// <returns>True when every matched type has a detail (or nothing can be said); otherwise reports OER3070 once.</returns>
    private static bool CheckTypes(ValidationContext context, PolicyDefinition policy, MatchedTypes types, SourceLocation location, string what)
    {
        if (types.IsEmpty)
        {
            return true; // a pattern that matches nothing is reported elsewhere (OER3020 / OER3023)
        }

        var without = types.IsUnconstrained ? [] : types.Types.Where(t => t.Detail is null).ToImmutableArray();
        if (!types.IsUnconstrained && without.IsEmpty)
        {
            return true;
        }

        var withDetail = context.Catalog.EventTypes.Where(t => t.Detail is not null).Select(t => t.Type).ToList();
        var which = types.IsUnconstrained
            ? "it matches any event type"
            : $"it matches {string.Join(", ", without.Take(3).Select(t => t.Type))}{(without.Length > 3 ? $" and {without.Length - 3} more" : "")}, which {(without.Length == 1 ? "has" : "have")} no detail";
        context.Diagnostics.Error(DiagnosticIds.DetailOnTypeWithoutDetail, location,
            $"Policy '{policy.Name}': {what}, but {which}",
            $"Only these event types have a detail (GetIDEEventDetail): {string.Join(", ", withDetail)}. Restrict the policy's type to them, "
            + "or split it: one policy for the types with a detail, one for the others.");
        return false;
    }
}
