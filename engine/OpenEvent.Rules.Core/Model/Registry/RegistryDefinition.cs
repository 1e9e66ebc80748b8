using System.Collections.Frozen;
using System.Collections.Immutable;

namespace OpenEvent.Rules.Model.Registry;

// The registry of the estate (kind: Registry): the tenants, workspaces, named sets and time windows a policy folder
// describes once, so that policies can say "every PROD workspace labelled sensitive" or "the platform admins" instead
// of repeating ids. It is read with the policies (same folder, same snapshot, same reload) and used twice: at build
// time, where set references, names and selectors in patterns and scopes are expanded into plain values, and at read
// time, where an event's workspace, tenant, region and environment are completed from it.

/// <summary>
/// The merged registry of a policy set: every <c>kind: Registry</c> document of the folder, in load order. Immutable;
/// the lookups are built once. Duplicates (reported by the validator) keep their first declaration for lookups.
/// </summary>
internal sealed class RegistryDefinition
{
    private readonly FrozenDictionary<string, WorkspaceDefinition> _workspacesById;
    private readonly FrozenDictionary<string, WorkspaceDefinition> _workspacesByName;
    private readonly FrozenDictionary<string, TenantDefinition> _tenantsById;
    private readonly FrozenDictionary<string, TenantDefinition> _tenantsByName;
    private readonly FrozenDictionary<string, TenantDefinition> _tenantsByAccount;
    private readonly FrozenDictionary<string, NamedSetDefinition> _sets;
    private readonly FrozenDictionary<string, TimeWindowDefinition> _windows;

    public RegistryDefinition(
        ImmutableArray<TenantDefinition> tenants,
        ImmutableArray<WorkspaceDefinition> workspaces,
        ImmutableArray<NamedSetDefinition> sets,
        ImmutableArray<TimeWindowDefinition> windows)
    {
        Tenants = tenants.IsDefault ? [] : tenants;
        Workspaces = workspaces.IsDefault ? [] : workspaces;
        Sets = sets.IsDefault ? [] : sets;
        Windows = windows.IsDefault ? [] : windows;
        _workspacesById = FirstBy(Workspaces, w => [w.Id]);
        _workspacesByName = FirstBy(Workspaces, w => w.Name is null ? [] : [w.Name]);
        _tenantsById = FirstBy(Tenants, t => [t.Id]);
        _tenantsByName = FirstBy(Tenants, t => t.Name is null ? [] : [t.Name]);
        _tenantsByAccount = FirstBy(Tenants, t => t.Accounts);
        _sets = FirstBy(Sets, s => [s.Name]);
        _windows = FirstBy(Windows, w => w.Name is null ? [] : [w.Name]);
        Labels = [.. Workspaces.SelectMany(w => w.Labels).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    public static RegistryDefinition Empty { get; } = new([], [], [], []);

    public ImmutableArray<TenantDefinition> Tenants { get; }

    public ImmutableArray<WorkspaceDefinition> Workspaces { get; }

    public ImmutableArray<NamedSetDefinition> Sets { get; }

    public ImmutableArray<TimeWindowDefinition> Windows { get; }

    /// <summary>Every label some workspace carries, sorted.</summary>
    public ImmutableArray<string> Labels { get; }

    public bool IsEmpty => Tenants.IsEmpty && Workspaces.IsEmpty && Sets.IsEmpty && Windows.IsEmpty;

    /// <summary>Whether events can be completed from the registry (it describes tenants or workspaces).</summary>
    /// <summary>The name of each kind: Registry document merged here, and where it is written (checked for duplicates like every kind's).</summary>
    public ImmutableArray<(string Name, SourceLocation Location)> Documents { get; init; } = [];

    public bool DescribesEstate => !Tenants.IsEmpty || !Workspaces.IsEmpty;

    public WorkspaceDefinition? FindWorkspace(string id) => _workspacesById.GetValueOrDefault(id);

    public WorkspaceDefinition? FindWorkspaceByName(string name) => _workspacesByName.GetValueOrDefault(name);

    /// <summary>A tenant by id, else by name.</summary>
    public TenantDefinition? FindTenant(string idOrName) =>
        _tenantsById.GetValueOrDefault(idOrName) ?? _tenantsByName.GetValueOrDefault(idOrName);

    /// <summary>The tenant an Alibaba Cloud account id (the envelope's aliyunaccountid) belongs to.</summary>
    public TenantDefinition? FindTenantByAccount(string account) => _tenantsByAccount.GetValueOrDefault(account);

    public NamedSetDefinition? FindSet(string name) => _sets.GetValueOrDefault(name);

    public TimeWindowDefinition? FindWindow(string name) => _windows.GetValueOrDefault(name);

    /// <summary>The tenant a workspace names (by id or name), if the registry declares it.</summary>
    public TenantDefinition? TenantOf(WorkspaceDefinition workspace) => workspace.Tenant is null ? null : FindTenant(workspace.Tenant);

    /// <summary>The workspaces a selector selects, in declaration order (first declaration of each id).</summary>
    public IEnumerable<WorkspaceDefinition> Select(WorkspaceSelector selector)
    {
        var tenant = selector.Tenant is null ? null : FindTenant(selector.Tenant);
        foreach (var workspace in Workspaces)
        {
            if (!ReferenceEquals(FindWorkspace(workspace.Id), workspace))
            {
                continue;
            }

            if (selector.Labels.All(label => workspace.Labels.Contains(label, StringComparer.Ordinal))
                && (selector.Environment is null || string.Equals(selector.Environment, workspace.Environment, StringComparison.Ordinal))
                && (selector.Region is null || string.Equals(selector.Region, workspace.Region, StringComparison.Ordinal))
                && (selector.Tenant is null || (tenant is not null && ReferenceEquals(TenantOf(workspace), tenant))))
            {
                yield return workspace;
            }
        }
    }

    private static FrozenDictionary<string, T> FirstBy<T>(ImmutableArray<T> items, Func<T, IEnumerable<string>> keys)
    {
        var map = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            foreach (var key in keys(item))
            {
                map.TryAdd(key, item);
            }
        }

        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
