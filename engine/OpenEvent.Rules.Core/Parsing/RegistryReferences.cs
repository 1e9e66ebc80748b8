using System.Collections.Immutable;
using System.Text.Json.Nodes;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Registry;

namespace OpenEvent.Rules.Parsing;

/// <summary>
/// Reads a policy's <c>scope</c> (and each exclusion's) against the registry, expanding what names registry entries
/// into the plain values the scope filter compares: workspace and tenant names become their ids,
/// <c>{ set: name }</c> the set's values, a workspace selector (<c>{ labels: [...], environment: PROD }</c>) the ids of
/// the workspaces it selects, and window names (or windows written inline) time windows. Unknown names are errors with
/// a did-you-mean (OER3050-OER3053); a selector that selects nothing is a warning (OER3054). Ids (digits) are taken as
/// they are: a registry does not have to list every workspace.
/// </summary>
internal static class RegistryReferences
{
    private static readonly string[] s_listKeys = ["tenants", "workspaces", "regions", "environments", "operators"];

    public static ScopeDefinition ParseScope(JsonObject scope, string pointer, YamlSourceMap map, RegistryDefinition registry, DiagnosticBag diagnostics)
    {
        var lists = new Dictionary<string, ScopeList>(StringComparer.Ordinal);
        foreach (var key in s_listKeys)
        {
            if (scope[key] is JsonArray list)
            {
                lists[key] = ParseList(key, list, YamlSourceMap.Append(pointer, key), map, registry, diagnostics);
            }
        }

        var windowsPointer = YamlSourceMap.Append(pointer, "windows");
        var windows = scope["windows"] is JsonArray windowList ? ParseWindows(windowList, windowsPointer, map, registry, diagnostics) : [];
        var locations = lists.ToImmutableDictionary(p => p.Key, p => p.Value.Entries.Select(e => e.Location).ToImmutableArray(), StringComparer.Ordinal);
        if (scope["windows"] is JsonArray written)
        {
            locations = locations.SetItem("windows", [.. Enumerable.Range(0, written.Count).Select(i => map.Locate(YamlSourceMap.Append(windowsPointer, i)))]);
        }

        ImmutableArray<string> Values(string key) => lists.TryGetValue(key, out var list) ? [.. list.Entries.Select(e => e.Value)] : [];
        return new ScopeDefinition(Values("tenants"), Values("workspaces"), Values("regions"), Values("environments"), Values("operators"), map.Locate(pointer))
        {
            ValueLocations = locations,
            Windows = windows,
            Selectors = [.. lists.Values.SelectMany(l => l.Selectors)],
            Written = lists.Where(l => l.Value.Written is not null).ToImmutableDictionary(l => l.Key, l => l.Value.Written!, StringComparer.Ordinal),
            SelectsNothing = lists.Values.Any(l => l.SelectsNothing),
        };
    }

    /// <summary>
    /// One scope list expanded: its values (each located at the entry it came from), what the author wrote when it named
    /// registry entries, the selectors among its entries, and whether entries expanded to no value at all.
    /// </summary>
    private sealed record ScopeList(List<(string Value, SourceLocation Location)> Entries, string? Written, List<WorkspaceSelector> Selectors, bool SelectsNothing);

    private static ScopeList ParseList(string key, JsonArray list, string pointer, YamlSourceMap map, RegistryDefinition registry, DiagnosticBag diagnostics)
    {
        var entries = new List<(string Value, SourceLocation Location)>();
        var selectors = new List<WorkspaceSelector>();
        var text = new List<string>();
        var referencesRegistry = false;
        for (var i = 0; i < list.Count; i++)
        {
            var entryPointer = YamlSourceMap.Append(pointer, i);
            var location = map.Locate(entryPointer);
            switch (list[i])
            {
                case JsonObject { Count: 1 } reference when reference.ContainsKey("set"):
                    referencesRegistry = true;
                    var name = RegistryParser.IdText(reference["set"]);
                    text.Add($"{{ set: {name} }}");
                    if (registry.FindSet(name) is { } set)
                    {
                        entries.AddRange(set.Texts.Select(v => (v, location)));
                    }
                    else
                    {
                        diagnostics.Add(UnknownSet(name, map.Locate(entryPointer + "/set"), registry));
                    }

                    break;
                case JsonObject selectorNode:
                    referencesRegistry = true;
                    var selector = ParseSelector(selectorNode, entryPointer, map, registry, diagnostics);
                    text.Add(selector.ToString());
                    selectors.Add(selector);
                    entries.AddRange(registry.Select(selector).Select(w => (w.Id, location)));
                    break;
                case var scalar:
                    var value = RegistryParser.IdText(scalar);
                    text.Add(value);
                    if (Resolve(key, value, location, registry, diagnostics) is { } resolved)
                    {
                        referencesRegistry |= key is "workspaces" or "tenants" && resolved != value;
                        entries.Add((resolved, location));
                    }

                    break;
            }
        }

        return new ScopeList([.. entries.DistinctBy(e => e.Value, StringComparer.Ordinal)], referencesRegistry ? "[" + string.Join(", ", text) + "]" : null,
            selectors, list.Count > 0 && entries.Count == 0);
    }

    /// <summary>scope.windows: names of the registry's windows, or windows written in place.</summary>
    private static ImmutableArray<TimeWindowDefinition> ParseWindows(JsonArray list, string pointer, YamlSourceMap map, RegistryDefinition registry, DiagnosticBag diagnostics)
    {
        var windows = ImmutableArray.CreateBuilder<TimeWindowDefinition>();
        for (var i = 0; i < list.Count; i++)
        {
            var entryPointer = YamlSourceMap.Append(pointer, i);
            if (list[i] is JsonObject inline)
            {
                if (TimeWindowParser.Parse(inline, entryPointer, null, map, diagnostics) is { } window)
                {
                    windows.Add(window);
                }
            }
            else if (RegistryParser.IdText(list[i]) is var name && registry.FindWindow(name) is { } named)
            {
                windows.Add(named);
            }
            else
            {
                diagnostics.Error(DiagnosticIds.UnknownWindow, map.Locate(entryPointer), $"unknown window '{TextExcerpt.Of(name)}'",
                    Known("window", name, registry.Windows.Select(w => w.Name!),
                        "declare it under spec.windows of a Registry document, or write the window here, e.g. { timeZone: Asia/Shanghai, from: 2024-12-20, to: 2025-01-03 }"));
            }
        }

        return windows.ToImmutable();
    }

    /// <summary>A scalar scope value: names of workspaces and tenants become their ids; other values are as written.</summary>
    private static string? Resolve(string key, string value, SourceLocation location, RegistryDefinition registry, DiagnosticBag diagnostics)
    {
        switch (key)
        {
            case "environments":
                return value.ToUpperInvariant();
            case "workspaces" when !NameRules.IsId(value):
                if (registry.FindWorkspaceByName(value) is { } workspace)
                {
                    return workspace.Id;
                }

                diagnostics.Error(DiagnosticIds.UnknownWorkspace, location, $"unknown workspace '{TextExcerpt.Of(value)}': it is not an id, and the registry has no workspace of that name",
                    Known("workspace", value, registry.Workspaces.Select(w => w.Name).OfType<string>(),
                        "write the workspace id (digits, e.g. 10001234), or declare the workspace with this name under spec.workspaces of a Registry document"));
                return null;
            case "tenants" when !NameRules.IsId(value):
                if (registry.FindTenant(value) is { } tenant)
                {
                    return tenant.Id;
                }

                diagnostics.Add(UnknownTenant(value, location, registry));
                return null;
            default:
                return value;
        }
    }

    private static WorkspaceSelector ParseSelector(JsonObject node, string pointer, YamlSourceMap map, RegistryDefinition registry, DiagnosticBag diagnostics)
    {
        var labels = node["labels"] as JsonArray ?? [];
        var tenant = node["tenant"] is { } tenantNode ? RegistryParser.IdText(tenantNode) : null;
        var selector = new WorkspaceSelector(
            [.. labels.Select(RegistryParser.IdText)],
            node["environment"] is { } env ? RegistryParser.IdText(env).ToUpperInvariant() : null,
            tenant,
            node["region"] is { } region ? RegistryParser.IdText(region) : null,
            map.Locate(pointer))
        {
            LabelLocations = [.. Enumerable.Range(0, labels.Count).Select(i => map.Locate(YamlSourceMap.Append(pointer + "/labels", i)))],
        };

        if (tenant is not null && registry.FindTenant(tenant) is null)
        {
            diagnostics.Add(UnknownTenant(tenant, map.Locate(pointer + "/tenant"), registry));
            return selector;
        }

        if (!registry.Select(selector).Any())
        {
            // Name the part that selects nothing: an unknown label is the usual cause, and it may be a typo.
            var unknownLabel = selector.Labels.Select((label, i) => (label, i)).FirstOrDefault(l => !registry.Labels.Contains(l.label, StringComparer.Ordinal));
            var location = unknownLabel.label is null ? selector.Location : selector.LabelLocations[unknownLabel.i];
            var reason = unknownLabel.label is null
                ? "no registered workspace has all of it"
                : $"no registered workspace has the label '{unknownLabel.label}'";
            diagnostics.Warning(DiagnosticIds.SelectorSelectsNothing, location, $"the selector {selector} selects no workspace: {reason}",
                unknownLabel.label is not null && Suggestions.Closest(unknownLabel.label, registry.Labels) is { } label
                    ? $"did you mean '{label}'? labels in the registry: {string.Join(", ", registry.Labels)}"
                    : registry.Workspaces.IsEmpty
                        ? "declare the workspaces under spec.workspaces of a Registry document, with their labels and environment"
                        : $"check the selector against the registry (labels in the registry: {(registry.Labels.IsEmpty ? "none" : string.Join(", ", registry.Labels))}); until a workspace matches, the scope matches no event");
        }

        return selector;
    }

    public static Diagnostic UnknownSet(string name, SourceLocation location, RegistryDefinition registry) =>
        new(DiagnosticIds.UnknownSet, DiagnosticSeverity.Error, location, $"unknown set '{TextExcerpt.Of(name)}'",
            Known("set", name, registry.Sets.Select(s => s.Name),
                "declare it under spec.sets of a Registry document in the policy folder, e.g. sets: { " + (NameRules.IsKebabCase(name) ? name : "office-networks") + ": [...] }"));

    public static Diagnostic UnknownTenant(string name, SourceLocation location, RegistryDefinition registry) =>
        new(DiagnosticIds.UnknownTenant, DiagnosticSeverity.Error, location, $"unknown tenant '{TextExcerpt.Of(name)}': the registry declares no tenant with this id or name",
            Known("tenant", name, registry.Tenants.Select(t => t.Name).OfType<string>().Concat(registry.Tenants.Select(t => t.Id)),
                "declare the tenant under spec.tenants of a Registry document (id, name, accounts), or use the tenant id"));

    /// <summary>A did-you-mean among <paramref name="known"/>, else <paramref name="otherwise"/>.</summary>
    private static string Known(string kind, string name, IEnumerable<string> known, string otherwise)
    {
        var candidates = known.ToList();
        return Suggestions.Closest(name, candidates) is { } suggestion
            ? $"did you mean '{suggestion}'? ({kind}s of the registry: {string.Join(", ", candidates.Take(10))}{(candidates.Count > 10 ? ", ..." : "")})"
            : otherwise;
    }
}
