using System.Collections.Immutable;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Validation;

/// <summary>
/// spec.enforceIn (staged enforcement) against the policy's mode and scope: enforceIn on a policy that does not enforce
/// (OER3110), an enforceIn that keeps no event of the scope, so the policy never enforces (OER3111), values outside the
/// scope, where the policy never applies (OER3112), and an enforceIn that keeps every event of the scope, so nothing is
/// staged (OER3113). Lists are compared value by value after the registry expanded them; time windows are not compared
/// (a stage with windows is never said to keep everything or nothing), so nothing is claimed that does not hold.
/// </summary>
internal sealed class StagingValidator
{
    private static readonly (string Key, string Name, Func<ScopeDefinition, ImmutableArray<string>> Values)[] s_dimensions =
    [
        ("tenants", "tenant", s => s.Tenants),
        ("workspaces", "workspace", s => s.Workspaces),
        ("regions", "region", s => s.Regions),
        ("environments", "environment", s => s.Environments),
        ("operators", "operator", s => s.Operators),
    ];

    public void Validate(ValidationContext context)
    {
        foreach (var policy in context.Set.Policies)
        {
            if (policy.EnforceIn is not { } stage)
            {
                continue;
            }

            if (policy.Mode != PolicyMode.Enforce)
            {
                ReportMode(context, policy, stage);
                continue;
            }

            // A scope that selects nothing is the scope's own problem (OER3054): its stage cannot be judged.
            if (policy.Scope?.SelectsNothing != true && !CheckDimensions(context, policy, stage))
            {
                CheckCoversScope(context, policy, stage);
            }
        }
    }

    private static void ReportMode(ValidationContext context, PolicyDefinition policy, ScopeDefinition stage)
    {
        var mode = policy.Mode.ToString().ToLowerInvariant();
        var message = $"Policy '{policy.Name}': enforceIn is only read in mode enforce; in mode {mode} the policy {(policy.Mode == PolicyMode.Audit ? "audits" : "is not evaluated")} everywhere";
        const string hint = "To stage the policy (enforce in enforceIn, audit elsewhere), write mode: enforce (or leave mode out); to audit it everywhere, remove enforceIn.";

        // A disabled policy may be a staged one switched off for a while: a warning; an audit one says two things at once.
        if (policy.Mode == PolicyMode.Audit)
        {
            context.Diagnostics.Error(DiagnosticIds.EnforceInWithoutEnforce, stage.Location, message, hint);
        }
        else
        {
            context.Diagnostics.Warning(DiagnosticIds.EnforceInWithoutEnforce, stage.Location, message, hint);
        }
    }

    /// <summary>OER3111 and OER3112, per dimension; true when the stage keeps no event (then OER3113 cannot hold).</summary>
    private static bool CheckDimensions(ValidationContext context, PolicyDefinition policy, ScopeDefinition stage)
    {
        if (stage.SelectsNothing)
        {
            context.Diagnostics.Warning(DiagnosticIds.EnforceInSelectsNothing, stage.Location,
                $"Policy '{policy.Name}': enforceIn selects no event (a registry selector or set in it expanded to no value), so the policy never enforces: it only audits",
                "Fix the selector or set in enforceIn (see the warning at it), or remove enforceIn to enforce everywhere the scope reaches.");
            return true;
        }

        foreach (var (key, name, values) in s_dimensions)
        {
            var staged = values(stage);
            var scoped = policy.Scope is null ? [] : values(policy.Scope);
            if (staged.IsDefaultOrEmpty || scoped.IsDefaultOrEmpty)
            {
                continue;
            }

            var outside = staged.Select((value, index) => (value, index)).Where(v => !scoped.Contains(v.value, StringComparer.Ordinal)).ToList();
            if (outside.Count == staged.Length)
            {
                context.Diagnostics.Warning(DiagnosticIds.EnforceInSelectsNothing, stage.LocationOf(key, 0),
                    $"Policy '{policy.Name}': enforceIn's {key} {Format(staged)} and the scope's {Format(scoped)} have no value in common, so the policy never enforces: it only audits",
                    $"List in enforceIn.{key} the {name}s of the scope where the policy should enforce first (e.g. {scoped[0]}), or add them to spec.scope.{key}.");
                return true;
            }

            foreach (var (value, index) in outside)
            {
                context.Diagnostics.Warning(DiagnosticIds.EnforceInOutsideScope, stage.LocationOf(key, index),
                    $"Policy '{policy.Name}': {name} {value} in enforceIn is outside the policy's scope {Format(scoped)}: the policy never applies there, so it never enforces there",
                    $"Remove {value} from enforceIn.{key}, or add it to spec.scope.{key} if the policy should apply there.");
            }
        }

        return false;
    }

    /// <summary>OER3113: every dimension the stage filters, the scope already filters to values the stage lists (and the stage has no windows).</summary>
    private static void CheckCoversScope(ValidationContext context, PolicyDefinition policy, ScopeDefinition stage)
    {
        if (!stage.Windows.IsDefaultOrEmpty)
        {
            return;
        }

        var covers = s_dimensions.All(d =>
        {
            var staged = d.Values(stage);
            return staged.IsDefaultOrEmpty
                || (policy.Scope is { } scope && !d.Values(scope).IsDefaultOrEmpty && d.Values(scope).All(v => staged.Contains(v, StringComparer.Ordinal)));
        });
        if (covers)
        {
            context.Diagnostics.Warning(DiagnosticIds.EnforceInCoversScope, stage.Location,
                $"Policy '{policy.Name}': enforceIn keeps every event of the policy's scope, so the policy enforces everywhere and nothing is staged",
                "Remove enforceIn (the policy is promoted: it enforces wherever its scope reaches), or narrow it to the pilot, e.g. enforceIn: { workspaces: [10001234] }.");
        }
    }

    private static string Format(ImmutableArray<string> values) => "[" + string.Join(", ", values.Take(10)) + (values.Length > 10 ? ", ..." : "") + "]";
}
