using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Model.Registry;

namespace OpenEvent.Rules.Validation;

/// <summary>
/// Which scope values the engine can know for the matched event types once the registry completes them: an event
/// without a tenant gets its workspace's tenant or its account's, one without an environment or a region its
/// workspace's (the resolution itself is Events.EventParser's, at read time).
/// </summary>
internal static class RegistryScope
{
    public static bool Resolves(RegistryDefinition registry, MatchedTypes types, ScopeDimension dimension)
    {
        if (FieldDocs.ResolvesScope(types, dimension))
        {
            return true;
        }

        var workspace = FieldDocs.ResolvesScope(types, ScopeDimension.Workspace);
        return dimension switch
        {
            ScopeDimension.Tenant => registry.Tenants.Any(t => !t.Accounts.IsEmpty) || (workspace && registry.Workspaces.Any(w => w.Tenant is not null)),
            ScopeDimension.Environment => workspace && registry.Workspaces.Any(w => w.Environment is not null),
            _ => false,
        };
    }

    /// <summary>Whether the registry can give the events a workspace fact (name, labels, owners).</summary>
    public static bool ResolvesWorkspaceFacts(RegistryDefinition registry, MatchedTypes types) =>
        !registry.Workspaces.IsEmpty && FieldDocs.ResolvesScope(types, ScopeDimension.Workspace);

    /// <summary>Whether the registry can give the events a tenant name.</summary>
    public static bool ResolvesTenantName(RegistryDefinition registry, MatchedTypes types) =>
        registry.Tenants.Any(t => t.Name is not null) && Resolves(registry, types, ScopeDimension.Tenant);
}
