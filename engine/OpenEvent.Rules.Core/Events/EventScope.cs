using System.Collections.Immutable;

namespace OpenEvent.Rules.Events;

/// <summary>
/// The normalized scope values of one event, resolved through the catalog (the workspace is data.projectId for
/// file events, data.appId for instance events, data.queryDwProjectId for downloads, ...). Ids are their JSON text
/// ("10001234" whether sent as a number or a string); environments are DEV / PROD; null when the event has none.
/// With a registry, what the event lacks is completed from it (<see cref="TenantOrigin"/> and the others say where a
/// value came from), and the registry's facts about the workspace and tenant are added.
/// </summary>
public sealed record EventScope(string? Tenant, string? Workspace, string? Region, string? Environment, string? Operator)
{
    public static EventScope Empty { get; } = new(null, null, null, null, null);

    /// <summary>The event's own <c>time</c> (its offset honoured), read when the policy set has time windows; null when the event has none.</summary>
    public DateTimeOffset? Time { get; init; }

    /// <summary>The tenant's name in the registry.</summary>
    public string? TenantName { get; init; }

    /// <summary>The workspace's name in the registry.</summary>
    public string? WorkspaceName { get; init; }

    /// <summary>The workspace's labels in the registry (empty when it has none or is not registered).</summary>
    public ImmutableArray<string> Labels { get; init; } = [];

    /// <summary>The workspace's owners in the registry.</summary>
    public ImmutableArray<string> Owners { get; init; } = [];

    public FactOrigin TenantOrigin { get; init; }

    public FactOrigin RegionOrigin { get; init; }

    public FactOrigin EnvironmentOrigin { get; init; }

    /// <summary>Whether the registry added anything to the event's own values.</summary>
    public bool HasRegistryFacts =>
        TenantName is not null || WorkspaceName is not null || !Labels.IsDefaultOrEmpty || !Owners.IsDefaultOrEmpty
        || TenantOrigin != FactOrigin.Event || RegionOrigin != FactOrigin.Event || EnvironmentOrigin != FactOrigin.Event;
}

/// <summary>Where a scope value came from.</summary>
public enum FactOrigin
{
    /// <summary>The event itself (a field the catalog names, or the value its type implies).</summary>
    Event,

    /// <summary>The registry's entry for the event's workspace.</summary>
    Workspace,

    /// <summary>The registry's tenant that lists the event's account (aliyunaccountid).</summary>
    Account,
}
