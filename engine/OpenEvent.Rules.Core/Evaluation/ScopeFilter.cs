using System.Collections.Immutable;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Evaluation;

/// <summary>Checks a policy's scope against an event's normalized scope values.</summary>
internal static class ScopeFilter
{
    /// <summary>
    /// True when every non-empty dimension lists the event's value. An event without a value for a
    /// filtered dimension (e.g. a download has no tenant) is out of scope: a filter must never widen.
    /// </summary>
    public static bool Matches(ScopeDefinition? scope, EventScope values) =>
        scope is null ||
        (Contains(scope.Tenants, values.Tenant)
         && Contains(scope.Workspaces, values.Workspace)
         && Contains(scope.Regions, values.Region)
         && Contains(scope.Environments, values.Environment)
         && Contains(scope.Operators, values.Operator));

    private static bool Contains(ImmutableArray<string> allowed, string? value) =>
        allowed.IsDefaultOrEmpty || (value is not null && allowed.Contains(value, StringComparer.Ordinal));
}
