namespace OpenEvent.Rules.Evaluation.Conditions;

/// <summary>
/// The normalized scope of one event as a condition sees it (the catalog resolves them per event type, the registry
/// completes what the event lacks). Values are strings as the event writes them (ids too, e.g. "10001234"); an
/// unknown value is "" so that a condition can call string members without null checks.
/// </summary>
public sealed record ScopeValues(string Tenant, string Workspace, string Region, string Environment, string Operator)
{
    public static readonly ScopeValues Empty = new("", "", "", "", "");

    /// <summary>The tenant's name in the registry ("" when unknown).</summary>
    public string TenantName { get; init; } = "";

    /// <summary>The workspace's name in the registry ("" when unknown).</summary>
    public string WorkspaceName { get; init; } = "";

    /// <summary>The workspace's labels in the registry (empty when it has none or is not registered).</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    /// <summary>The workspace's owners (user ids) in the registry.</summary>
    public IReadOnlyList<string> Owners { get; init; } = [];

    /// <summary>Whether the registry gives the event's workspace <paramref name="label"/> (case-sensitive).</summary>
    public bool HasLabel(string label)
    {
        foreach (var candidate in Labels)
        {
            if (string.Equals(candidate, label, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
