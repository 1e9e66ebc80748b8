using System.Collections.Frozen;
using System.Collections.Immutable;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Registry;

namespace OpenEvent.Rules.Evaluation;

/// <summary>Checks a policy's scope against an event's normalized scope values.</summary>
internal static class ScopeFilter
{
    /// <summary>
    /// True when every non-empty dimension lists the event's value and, when the scope has windows, the event's time
    /// falls inside one. An event without a value for a filtered dimension (e.g. a download has no tenant) is out of
    /// scope, and an event without a time is outside every window: a filter must never widen.
    /// </summary>
    public static bool Matches(ScopeDefinition? scope, EventScope values) =>
        scope is null ||
        (!scope.SelectsNothing
         && Contains(scope.Tenants, values.Tenant)
         && Contains(scope.Workspaces, values.Workspace)
         && Contains(scope.Regions, values.Region)
         && Contains(scope.Environments, values.Environment)
         && Contains(scope.Operators, values.Operator)
         && InWindows(scope.Windows, values.Time));

    /// <summary>Whether <paramref name="time"/> falls inside one of <paramref name="windows"/> (always, when there are none; never without a time).</summary>
    public static bool InWindows(ImmutableArray<TimeWindowDefinition> windows, DateTimeOffset? time)
    {
        if (windows.IsDefaultOrEmpty)
        {
            return true;
        }

        if (time is not { } instant)
        {
            return false;
        }

        foreach (var window in windows)
        {
            if (window.Contains(instant))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The scope as hash sets, for the compiled matcher: a list expanded from a registry selector or set may hold
    /// hundreds of ids, and the per-event cost must not grow with it. Null for no scope. Decides exactly as
    /// <see cref="Matches"/>.
    /// </summary>
    public static CompiledScope? Compile(ScopeDefinition? scope) => scope is null ? null : new CompiledScope(scope);

    private static bool Contains(ImmutableArray<string> allowed, string? value) =>
        allowed.IsDefaultOrEmpty || (value is not null && allowed.Contains(value, StringComparer.Ordinal));
}

/// <summary>A scope with its lists as frozen sets (see <see cref="ScopeFilter.Compile"/>).</summary>
internal sealed class CompiledScope
{
    private readonly FrozenSet<string>? _tenants;
    private readonly FrozenSet<string>? _workspaces;
    private readonly FrozenSet<string>? _regions;
    private readonly FrozenSet<string>? _environments;
    private readonly FrozenSet<string>? _operators;
    private readonly ImmutableArray<TimeWindowDefinition> _windows;
    private readonly bool _selectsNothing;

    internal CompiledScope(ScopeDefinition scope)
    {
        _tenants = Set(scope.Tenants);
        _workspaces = Set(scope.Workspaces);
        _regions = Set(scope.Regions);
        _environments = Set(scope.Environments);
        _operators = Set(scope.Operators);
        _windows = scope.Windows;
        _selectsNothing = scope.SelectsNothing;
    }

    public bool Matches(EventScope values) =>
        !_selectsNothing
        && Contains(_tenants, values.Tenant)
        && Contains(_workspaces, values.Workspace)
        && Contains(_regions, values.Region)
        && Contains(_environments, values.Environment)
        && Contains(_operators, values.Operator)
        && ScopeFilter.InWindows(_windows, values.Time);

    private static FrozenSet<string>? Set(ImmutableArray<string> values) =>
        values.IsDefaultOrEmpty ? null : values.ToFrozenSet(StringComparer.Ordinal);

    private static bool Contains(FrozenSet<string>? allowed, string? value) =>
        allowed is null || (value is not null && allowed.Contains(value));
}
