using System.Collections.Immutable;
using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Validation;

/// <summary>
/// OER3024: scope values the engine can never see. An environment other than DEV / PROD is an error (every
/// DataWorks spelling normalizes to one of the two); a dimension that none of the matched event types carries
/// (e.g. operators on instance-status-changes, tenants on downloads) is a warning, since such a filter rejects
/// every event. An empty list is a warning too: it looks like a filter but lets every event through. In an exclusion's
/// or a waiver's scope an empty list is an error: there it does not narrow what is excluded or waived, so an author who
/// meant "none" would exclude or waive every event of the dimension.
/// Checked in spec.scope, spec.enforceIn, every exclusion's scope and every waiver's scope.
/// </summary>
internal sealed class ScopeValidator
{
    private static readonly (string Key, ScopeDimension Dimension, Func<ScopeDefinition, ImmutableArray<string>> Values)[] s_dimensions =
    [
        ("tenants", ScopeDimension.Tenant, s => s.Tenants),
        ("workspaces", ScopeDimension.Workspace, s => s.Workspaces),
        ("regions", ScopeDimension.Region, s => s.Regions),
        ("environments", ScopeDimension.Environment, s => s.Environments),
        ("operators", ScopeDimension.Operator, s => s.Operators),
    ];

    public void Validate(ValidationContext context)
    {
        foreach (var policy in context.Set.Policies)
        {
            var types = context.MatchedTypes(policy);
            if (policy.Scope is not null)
            {
                Check(context, policy.Name, policy.Scope, types, EmptyList.FiltersNothing);
            }

            if (policy.EnforceIn is not null)
            {
                // The stage filters like a scope: a dimension no matched type carries keeps every event out of it.
                Check(context, policy.Name, policy.EnforceIn, types, EmptyList.FiltersNothing);
            }

            foreach (var exclusion in policy.Exclude)
            {
                if (exclusion.Scope is not null)
                {
                    var exclusionTypes = exclusion.Match is null ? types : types.Intersect(context.MatchedTypes(exclusion.Match));
                    Check(context, policy.Name, exclusion.Scope, exclusionTypes, EmptyList.ExcludesAll);
                }
            }
        }

        foreach (var waiver in context.Set.Waivers)
        {
            if (waiver.Scope is not null)
            {
                CheckEmptyLists(context, $"Waiver '{waiver.Name}'", waiver.Scope, EmptyList.WaivesAll);
                CheckRegions(context, $"Waiver '{waiver.Name}'", waiver.Scope);
            }
        }
    }

    /// <summary>What an empty list means where it is written.</summary>
    private enum EmptyList
    {
        FiltersNothing,
        ExcludesAll,
        WaivesAll,
    }

    private static void Check(ValidationContext context, string policy, ScopeDefinition scope, MatchedTypes types, EmptyList empty)
    {
        CheckEmptyLists(context, $"Policy '{policy}'", scope, empty);
        CheckRegions(context, $"Policy '{policy}'", scope);

        for (var i = 0; i < scope.Environments.Length; i++)
        {
            var value = scope.Environments[i];
            if (EventCatalog.NormalizeEnvironment(value) is not ("DEV" or "PROD"))
            {
                context.Diagnostics.Error(DiagnosticIds.UnknownScopeValue, scope.LocationOf("environments", i),
                    $"Policy '{policy}': environment '{value}' is not DEV or PROD",
                    "DataWorks has two environments: write DEV (development) or PROD (production).");
            }
        }

        // A pattern that matches nothing is reported elsewhere; its scope cannot be judged.
        if (types.IsEmpty)
        {
            return;
        }

        foreach (var (key, dimension, values) in s_dimensions)
        {
            if (!values(scope).IsEmpty && !RegistryScope.Resolves(context.Set.Registry, types, dimension))
            {
                context.Diagnostics.Warning(DiagnosticIds.UnknownScopeValue, scope.LocationOf(key, 0),
                    $"Policy '{policy}': scope '{key}' can never match: {types.Describe()} carries no {dimension.ToString().ToLowerInvariant()}",
                    $"Remove '{key}' from the scope (it rejects every event of these types), match a payload field under spec.match.data instead, "
                    + $"or describe the workspaces (or the tenants' accounts) in a Registry document so that the {dimension.ToString().ToLowerInvariant()} can be resolved from it.");
                continue;
            }

            CheckConstant(context, policy, scope, key, dimension, values(scope), types);
        }
    }

    // Regions are compared as written, and the host refuses an event whose aliyunregionid is not a region id: a value
    // written otherwise (CN-Hangzhou, "cn-hangzhou ") can never be an event's region.
    private static void CheckRegions(ValidationContext context, string subject, ScopeDefinition scope)
    {
        for (var i = 0; i < scope.Regions.Length; i++)
        {
            var region = scope.Regions[i];
            if (!RegionId.IsValid(region))
            {
                context.Diagnostics.Error(DiagnosticIds.UnknownScopeValue, scope.LocationOf("regions", i),
                    $"{subject}: region '{TextExcerpt.Of(region, 80)}' is not a region id, so no event can have it",
                    $"Write the region id as DataWorks sends it in aliyunregionid: lower case, e.g. {RegionSuggestion(region)}.");
            }
        }
    }

    private static string RegionSuggestion(string region) =>
        region.Trim().ToLowerInvariant() is var lower && RegionId.IsValid(lower) ? lower : "cn-hangzhou";

    private static void CheckEmptyLists(ValidationContext context, string subject, ScopeDefinition scope, EmptyList empty)
    {
        foreach (var (key, dimension, values) in s_dimensions)
        {
            // ValueLocations has a key for every list the author wrote, so an empty one can be told from a missing one.
            if (!values(scope).IsEmpty || !scope.ValueLocations.ContainsKey(key) || scope.Written.ContainsKey(key))
            {
                continue;
            }

            var every = "every " + dimension.ToString().ToLowerInvariant();
            switch (empty)
            {
                case EmptyList.FiltersNothing:
                    context.Diagnostics.Warning(DiagnosticIds.UnknownScopeValue, scope.Location,
                        $"{subject}: scope '{key}' is an empty list, which filters nothing",
                        $"List the values to keep, e.g. {key}: [\"10001234\"], or remove '{key}' to accept every value.");
                    break;
                case EmptyList.ExcludesAll:
                    context.Diagnostics.Error(DiagnosticIds.UnknownScopeValue, scope.Location,
                        $"{subject}: an exclusion's scope '{key}' is an empty list, which does not narrow it: the exclusion applies to {every}",
                        $"List the values to exclude, e.g. {key}: [\"10001234\"], or remove '{key}' if the exclusion is meant for {every}.");
                    break;
                default:
                    context.Diagnostics.Error(DiagnosticIds.UnknownScopeValue, scope.Location,
                        $"{subject}: scope '{key}' is an empty list, which does not narrow the waiver: it would waive the policy for {every}",
                        $"List the values to waive, e.g. {key}: [\"10001234\"], or remove '{key}' if the waiver is meant for {every}.");
                    break;
            }
        }
    }

    // Some types imply a value instead of carrying it (table commits are always DEV). When every matched type
    // implies one and the scope lists none of them, the filter rejects every event.
    private static void CheckConstant(ValidationContext context, string policy, ScopeDefinition scope, string key,
        ScopeDimension dimension, ImmutableArray<string> values, MatchedTypes types)
    {
        if (values.IsEmpty)
        {
            return;
        }

        var constants = new HashSet<string>(StringComparer.Ordinal);
        foreach (var type in types.Types)
        {
            if (!type.Scope.TryGetValue(dimension, out var source) || !source.Paths.IsEmpty || source.Constant is null)
            {
                return;
            }

            constants.Add(Normalize(dimension, source.Constant));
        }

        if (!values.Any(v => constants.Contains(Normalize(dimension, v))))
        {
            var implied = string.Join(" or ", constants.Order(StringComparer.Ordinal));
            context.Diagnostics.Warning(DiagnosticIds.UnknownScopeValue, scope.LocationOf(key, 0),
                $"Policy '{policy}': scope '{key}' can never match: {types.Describe()} is always {implied}",
                $"Add {implied} to '{key}', or remove '{key}' from the scope.");
        }
    }

    private static string Normalize(ScopeDimension dimension, string value) =>
        dimension == ScopeDimension.Environment ? EventCatalog.NormalizeEnvironment(value) ?? value : value;
}
