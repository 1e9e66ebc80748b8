using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Registry;
using OpenEvent.Rules.Parsing;

namespace OpenEvent.Rules.Validation;

/// <summary>
/// The registry's own consistency and how the policies use it: duplicate ids and names (OER3055), a workspace or an
/// account in two tenants (OER3056), a workspace naming an unknown tenant (OER3052), labels no policy uses (OER3059),
/// exclusion windows that cancel the scope's windows out (OER3058), and the set names and labels C# conditions
/// name (OER3050, OER3060, OER3054). References in patterns and scopes are checked where they are expanded, when the
/// policy is parsed.
/// </summary>
internal sealed class RegistryValidator
{
    public void Validate(ValidationContext context)
    {
        var registry = context.Set.Registry;
        CheckDuplicates(context, registry);
        CheckTenants(context, registry);
        var labelsUsed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var policy in context.Set.Policies)
        {
            foreach (var scope in Scopes(policy))
            {
                labelsUsed.UnionWith(scope.Selectors.SelectMany(s => s.Labels));
            }

            if (policy.Condition is { } condition)
            {
                foreach (var reference in ConditionReferences.Find(condition.Expression))
                {
                    CheckConditionReference(context, policy, condition, reference, labelsUsed);
                }
            }

            CheckWindowsCancelOut(context, policy);
        }

        CheckUnusedLabels(context, registry, labelsUsed);
    }

    private static IEnumerable<ScopeDefinition> Scopes(PolicyDefinition policy) =>
        new[] { policy.Scope, policy.EnforceIn }.Concat(policy.Exclude.Select(x => x.Scope)).OfType<ScopeDefinition>();

    private static void CheckDuplicates(ValidationContext context, RegistryDefinition registry)
    {
        Duplicates(context, registry.Tenants, t => t.Id, t => t.Location, "tenant id");
        Duplicates(context, registry.Tenants.Where(t => t.Name is not null), t => t.Name!, t => t.NameLocation, "tenant name");
        Duplicates(context, registry.Workspaces.Where(w => w.Name is not null), w => w.Name!, w => w.NameLocation, "workspace name");
        Duplicates(context, registry.Sets, s => s.Name, s => s.Location, "set");
        Duplicates(context, registry.Windows, w => w.Name!, w => w.Location, "window");

        // A workspace declared twice is a duplicate; declared with two tenants, it is the more precise error.
        foreach (var group in registry.Workspaces.GroupBy(w => w.Id, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            var first = group.First();
            foreach (var again in group.Skip(1))
            {
                var firstTenant = TenantKey(registry, first);
                var tenant = TenantKey(registry, again);
                if (firstTenant is not null && tenant is not null && firstTenant != tenant)
                {
                    context.Diagnostics.Error(DiagnosticIds.TwoTenants, again.TenantLocation,
                        $"workspace {again.Id} is declared in tenant {again.Tenant} here and in tenant {first.Tenant} at {first.Location}: a workspace belongs to one tenant",
                        "keep one declaration of the workspace, with its real tenant");
                }
                else
                {
                    context.Diagnostics.Error(DiagnosticIds.DuplicateRegistryEntry, again.Location,
                        $"workspace {again.Id} is already declared at {first.Location}", "keep one declaration: merge the two into the first one");
                }
            }
        }

        var accounts = new Dictionary<string, (TenantDefinition Tenant, SourceLocation Location)>(StringComparer.Ordinal);
        foreach (var tenant in registry.Tenants)
        {
            for (var i = 0; i < tenant.Accounts.Length; i++)
            {
                if (!accounts.TryAdd(tenant.Accounts[i], (tenant, tenant.AccountLocation(i))) && accounts[tenant.Accounts[i]] is var first && first.Tenant.Id != tenant.Id)
                {
                    context.Diagnostics.Error(DiagnosticIds.TwoTenants, tenant.AccountLocation(i),
                        $"account {tenant.Accounts[i]} is listed in tenant {tenant.Name ?? tenant.Id} and in tenant {first.Tenant.Name ?? first.Tenant.Id} (at {first.Location}): an account belongs to one tenant",
                        "remove the account from the tenant it does not belong to");
                }
            }
        }
    }

    private static string? TenantKey(RegistryDefinition registry, WorkspaceDefinition workspace) =>
        registry.TenantOf(workspace)?.Id ?? workspace.Tenant;

    private static void Duplicates<T>(ValidationContext context, IEnumerable<T> items, Func<T, string> key, Func<T, SourceLocation> location, string what)
    {
        foreach (var group in items.GroupBy(key, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            var first = location(group.First());
            foreach (var again in group.Skip(1))
            {
                context.Diagnostics.Error(DiagnosticIds.DuplicateRegistryEntry, location(again), $"{what} '{group.Key}' is already declared at {first}",
                    $"keep one: each {what} is declared once in the registry (Registry documents of a folder are merged)");
            }
        }
    }

    private static void CheckTenants(ValidationContext context, RegistryDefinition registry)
    {
        foreach (var workspace in registry.Workspaces)
        {
            // A tenant id need not be declared (the workspace still resolves it); a name must be.
            if (workspace.Tenant is { } tenant && !NameRules.IsId(tenant) && registry.FindTenant(tenant) is null)
            {
                context.Diagnostics.Add(RegistryReferences.UnknownTenant(tenant, workspace.TenantLocation, registry));
            }
        }
    }

    private static void CheckConditionReference(ValidationContext context, PolicyDefinition policy, ConditionDefinition condition,
        ConditionReferences.Reference reference, HashSet<string> labelsUsed)
    {
        var registry = context.Set.Registry;
        var location = ConditionReferences.Locate(condition, reference.Offset);
        switch (reference.Method, reference.Argument)
        {
            case ("InSet", null):
                context.Diagnostics.Error(DiagnosticIds.SetNameNotLiteral, location,
                    $"Policy '{policy.Name}': the set name given to e.InSet is not a string literal, so it cannot be checked when the policies are loaded",
                    "write the set's name in quotes, e.g. e.InSet(\"platform-admins\", e.Scope.Operator)");
                break;
            case ("InSet", { } name) when registry.FindSet(name) is null:
                context.Diagnostics.Add(RegistryReferences.UnknownSet(name, location, registry));
                break;
            case ("HasLabel", { } label):
                labelsUsed.Add(label);
                if (!registry.Labels.Contains(label, StringComparer.Ordinal))
                {
                    context.Diagnostics.Warning(DiagnosticIds.SelectorSelectsNothing, location,
                        $"Policy '{policy.Name}': e.Scope.HasLabel(\"{label}\") is never true: no registered workspace has the label '{label}'",
                        Suggestions.Closest(label, registry.Labels) is { } suggestion
                            ? $"did you mean '{suggestion}'?"
                            : "add the label to the workspaces under spec.workspaces of a Registry document, or fix the condition");
                }

                break;
        }
    }

    private static void CheckUnusedLabels(ValidationContext context, RegistryDefinition registry, HashSet<string> used)
    {
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var workspace in registry.Workspaces)
        {
            for (var i = 0; i < workspace.Labels.Length; i++)
            {
                var label = workspace.Labels[i];
                if (!used.Contains(label) && reported.Add(label))
                {
                    context.Diagnostics.Warning(DiagnosticIds.UnusedLabel, workspace.LabelLocation(i),
                        $"no policy uses the label '{label}' (workspace {workspace.Name ?? workspace.Id})",
                        $"select the workspaces by it (scope: {{ workspaces: [{{ labels: [{label}] }}] }}) or test it in a condition (e.Scope.HasLabel(\"{label}\")), or remove the label");
                }
            }
        }
    }

    // Exclusions that hold only windows remove those windows from the policy; when they cover every window of the scope
    // (or, without scope windows, the whole week), the policy can never apply.
    private static void CheckWindowsCancelOut(ValidationContext context, PolicyDefinition policy)
    {
        var covers = policy.Exclude
            .Select((exclusion, index) => (Exclusion: exclusion, Index: index))
            .Where(x => x.Exclusion.Match is null && x.Exclusion.Scope is { } scope && !scope.Windows.IsDefaultOrEmpty
                && scope.Tenants.IsEmpty && scope.Workspaces.IsEmpty && scope.Regions.IsEmpty && scope.Environments.IsEmpty && scope.Operators.IsEmpty
                && scope.Selectors.IsEmpty)
            .ToList();
        if (covers.Count == 0)
        {
            return;
        }

        var coverWindows = covers.SelectMany(c => c.Exclusion.Scope!.Windows).ToList();
        var targets = policy.Scope?.Windows ?? [];
        var cancels = targets.IsDefaultOrEmpty ? WindowCoverage.CoversWholeWeek(coverWindows) : targets.All(t => WindowCoverage.Covers(coverWindows, t));
        if (!cancels)
        {
            return;
        }

        var at = covers[0].Exclusion.Scope!;
        var names = string.Join(", ", coverWindows.Select(w => w.ToString()));
        context.Diagnostics.Warning(DiagnosticIds.WindowsCancelOut, at.LocationOf("windows", 0),
            targets.IsDefaultOrEmpty
                ? $"Policy '{policy.Name}': the windows excluded ({names}) cover the whole week, so the policy never applies"
                : $"Policy '{policy.Name}': the windows excluded ({names}) cover every window of the scope ({string.Join(", ", targets.Select(w => w.ToString()))}), so the policy never applies",
            "shorten or remove the excluded windows, or the scope's windows; or disable the policy (mode: disabled) if that is the intent");
    }
}
