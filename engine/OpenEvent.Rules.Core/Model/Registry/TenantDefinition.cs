using System.Collections.Immutable;

namespace OpenEvent.Rules.Model.Registry;

/// <summary>
/// A DataWorks tenant (one per Alibaba Cloud main account): its id (data.tenantId), a name policies may use instead,
/// and the account ids (the envelope's aliyunaccountid) that belong to it. The accounts let the engine resolve the
/// tenant of the tenant-level events that carry no tenantId (downloads, uploads).
/// </summary>
internal sealed record TenantDefinition(string Id, string? Name, ImmutableArray<string> Accounts, SourceLocation Location)
{
    /// <summary>Where each account id was written, in list order (for "an account in two tenants").</summary>
    public ImmutableArray<SourceLocation> AccountLocations { get; init; } = [];

    public SourceLocation NameLocation { get; init; } = Location;

    /// <summary>The location of account <paramref name="index"/>, else of the tenant.</summary>
    public SourceLocation AccountLocation(int index) => index < AccountLocations.Length ? AccountLocations[index] : Location;
}
