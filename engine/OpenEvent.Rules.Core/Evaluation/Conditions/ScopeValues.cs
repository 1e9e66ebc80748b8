namespace OpenEvent.Rules.Evaluation.Conditions;

/// <summary>
/// The normalized scope of one event as a condition sees it (the catalog resolves them per event type).
/// Values are strings as the event writes them (ids too, e.g. "10001234"); an unknown value is "" so that
/// a condition can call string members without null checks.
/// </summary>
public sealed record ScopeValues(string Tenant, string Workspace, string Region, string Environment, string Operator)
{
    public static readonly ScopeValues Empty = new("", "", "", "", "");
}
