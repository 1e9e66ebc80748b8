using System.Collections.Immutable;

namespace OpenEvent.Rules.Model.Registry;

/// <summary>
/// A DataWorks workspace as the governance team describes it: its id (data.projectId / appId / queryDwProjectId),
/// name, tenant (an id or a tenant name of the registry), region, environment (DEV or PROD), free-form labels
/// (<c>sensitive</c>, <c>finance</c>, ...) and owners (user ids). Events that carry no environment, tenant or region
/// get them from here.
/// </summary>
internal sealed record WorkspaceDefinition(
    string Id,
    string? Name,
    string? Tenant,
    string? Region,
    string? Environment,
    ImmutableArray<string> Labels,
    ImmutableArray<string> Owners,
    SourceLocation Location)
{
    public SourceLocation NameLocation { get; init; } = Location;

    public SourceLocation TenantLocation { get; init; } = Location;

    /// <summary>Where each label was written, in list order.</summary>
    public ImmutableArray<SourceLocation> LabelLocations { get; init; } = [];

    public SourceLocation LabelLocation(int index) => index < LabelLocations.Length ? LabelLocations[index] : Location;
}

/// <summary>
/// <c>{ labels: [sensitive], environment: PROD, tenant: acme, region: cn-hangzhou }</c> in a scope's workspaces: every
/// registered workspace that has all the labels and the given environment, tenant and region (keys left out do not
/// filter). Expanded into workspace ids when the policy is built.
/// </summary>
internal sealed record WorkspaceSelector(ImmutableArray<string> Labels, string? Environment, string? Tenant, string? Region, SourceLocation Location)
{
    /// <summary>Where each label was written, in list order.</summary>
    public ImmutableArray<SourceLocation> LabelLocations { get; init; } = [];

    public override string ToString()
    {
        var parts = new List<string>();
        if (!Labels.IsEmpty)
        {
            parts.Add($"labels: [{string.Join(", ", Labels)}]");
        }

        if (Environment is not null)
        {
            parts.Add($"environment: {Environment}");
        }

        if (Tenant is not null)
        {
            parts.Add($"tenant: {Tenant}");
        }

        if (Region is not null)
        {
            parts.Add($"region: {Region}");
        }

        return "{ " + string.Join(", ", parts) + " }";
    }
}
