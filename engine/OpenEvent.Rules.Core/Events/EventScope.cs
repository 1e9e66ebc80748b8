namespace OpenEvent.Rules.Events;

/// <summary>
/// The normalized scope values of one event, resolved through the catalog (the workspace is data.projectId for
/// file events, data.appId for instance events, data.queryDwProjectId for downloads, ...). Ids are their JSON text
/// ("10001234" whether sent as a number or a string); environments are DEV / PROD; null when the event has none.
/// </summary>
public sealed record EventScope(string? Tenant, string? Workspace, string? Region, string? Environment, string? Operator)
{
    public static EventScope Empty { get; } = new(null, null, null, null, null);
}
