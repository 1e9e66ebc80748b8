using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Model.Registry;

namespace OpenEvent.Rules.Parsing;

/// <summary>
/// Turns schema-valid <c>kind: Registry</c> documents into a <see cref="RegistryDefinition"/>. The schema has checked
/// keys, types and formats; this reads the values (ids as text, environments as DEV/PROD, set values with their
/// YAML type), the time windows (<see cref="TimeWindowParser"/>) and the names the schema cannot check
/// (set and window names are kebab-case). Consistency across documents (duplicates, two tenants, references) is the
/// registry validator's concern, since a registry may be split over several files.
/// </summary>
internal static class RegistryParser
{
    /// <summary>The entries of one document.</summary>
    public sealed record Part(
        ImmutableArray<TenantDefinition> Tenants,
        ImmutableArray<WorkspaceDefinition> Workspaces,
        ImmutableArray<NamedSetDefinition> Sets,
        ImmutableArray<TimeWindowDefinition> Windows)
    {
        /// <summary>The document's metadata.name and where it is written (names are unique per kind: OER3001).</summary>
        public (string Name, SourceLocation Location)? Document { get; init; }
    }

    /// <summary>Reads one document; entries with errors are left out, every problem is reported.</summary>
    public static Part Parse(SourceDocument document, DiagnosticBag diagnostics)
    {
        var map = document.Map;
        var spec = (JsonObject)document.Root!["spec"]!;
        return new Part(
            spec["tenants"] is JsonArray tenants ? [.. tenants.Select((t, i) => Tenant((JsonObject)t!, YamlSourceMap.Append("/spec/tenants", i), map))] : [],
            spec["workspaces"] is JsonArray workspaces ? [.. workspaces.Select((w, i) => Workspace((JsonObject)w!, YamlSourceMap.Append("/spec/workspaces", i), map))] : [],
            spec["sets"] is JsonObject sets ? Sets(sets, map, diagnostics) : [],
            spec["windows"] is JsonObject windows ? Windows(windows, map, diagnostics) : [])
        {
            Document = document.Root!["metadata"]?["name"] is JsonValue name && name.TryGetValue<string>(out var text) ? (text, map.Locate("/metadata/name")) : null,
        };
    }

    private static TenantDefinition Tenant(JsonObject tenant, string pointer, YamlSourceMap map)
    {
        var accounts = tenant["accounts"] as JsonArray ?? [];
        return new TenantDefinition(IdText(tenant["id"]), Text(tenant["name"]), [.. accounts.Select(IdText)], map.Locate(pointer + "/id"))
        {
            NameLocation = map.Locate(pointer + "/name"),
            AccountLocations = [.. Enumerable.Range(0, accounts.Count).Select(j => map.Locate(YamlSourceMap.Append(pointer + "/accounts", j)))],
        };
    }

    private static WorkspaceDefinition Workspace(JsonObject workspace, string pointer, YamlSourceMap map)
    {
        var labels = workspace["labels"] as JsonArray ?? [];
        var owners = workspace["owners"] as JsonArray ?? [];
        return new WorkspaceDefinition(
            IdText(workspace["id"]),
            Text(workspace["name"]),
            workspace["tenant"] is { } tenantRef ? IdText(tenantRef) : null,
            Text(workspace["region"]),
            Text(workspace["environment"])?.ToUpperInvariant(),
            [.. labels.Select(IdText)],
            [.. owners.Select(IdText)],
            map.Locate(pointer + "/id"))
        {
            NameLocation = map.Locate(pointer + "/name"),
            TenantLocation = map.Locate(pointer + "/tenant"),
            LabelLocations = [.. Enumerable.Range(0, labels.Count).Select(j => map.Locate(YamlSourceMap.Append(pointer + "/labels", j)))],
        };
    }

    private static ImmutableArray<NamedSetDefinition> Sets(JsonObject sets, YamlSourceMap map, DiagnosticBag diagnostics)
    {
        var result = ImmutableArray.CreateBuilder<NamedSetDefinition>();
        foreach (var (name, value) in sets)
        {
            var pointer = YamlSourceMap.Append("/spec/sets", name);
            if (!CheckName(name, "set", pointer, map, diagnostics))
            {
                continue;
            }

            var values = value as JsonArray ?? (JsonArray)value!["values"]!;
            result.Add(new NamedSetDefinition(name, [.. values.Select(ToScalar)], map.LocateKey(pointer))
            {
                Description = value is JsonObject described ? Text(described["description"]) : null,
            });
        }

        return result.ToImmutable();
    }

    private static ImmutableArray<TimeWindowDefinition> Windows(JsonObject windows, YamlSourceMap map, DiagnosticBag diagnostics)
    {
        var result = ImmutableArray.CreateBuilder<TimeWindowDefinition>();
        foreach (var (name, value) in windows)
        {
            var pointer = YamlSourceMap.Append("/spec/windows", name);
            if (CheckName(name, "window", pointer, map, diagnostics) && TimeWindowParser.Parse((JsonObject)value!, pointer, name, map, diagnostics) is { } window)
            {
                result.Add(window);
            }
        }

        return result.ToImmutable();
    }

    /// <summary>The registry of a set: every part, in load order.</summary>
    public static RegistryDefinition Merge(IEnumerable<Part> parts)
    {
        var list = parts.ToList();
        return list.Count == 0
            ? RegistryDefinition.Empty
            : new RegistryDefinition(
                [.. list.SelectMany(p => p.Tenants)],
                [.. list.SelectMany(p => p.Workspaces)],
                [.. list.SelectMany(p => p.Sets)],
                [.. list.SelectMany(p => p.Windows)])
            {
                Documents = [.. list.Select(p => p.Document).OfType<(string, SourceLocation)>()],
            };
    }

    // JSON Schema's propertyNames is not checked by every validator: the names of sets and windows are checked here.
    private static bool CheckName(string name, string kind, string pointer, ISourceMap map, DiagnosticBag diagnostics)
    {
        if (NameRules.IsKebabCase(name))
        {
            return true;
        }

        diagnostics.Error(DiagnosticIds.InvalidName, map.LocateKey(pointer), $"invalid {kind} name '{TextExcerpt.Of(name)}': names are kebab-case",
            "use lowercase letters, digits and '-', 1 to 63 characters, starting and ending with a letter or digit, e.g. office-networks");
        return false;
    }

    // A number keeps its literal: where the set is expanded into a pattern, the pattern parser reads (and range-checks) it.
    private static Scalar ToScalar(JsonNode? node) => node switch
    {
        JsonValue value when value.GetValueKind() == JsonValueKind.Number =>
            Scalar.FromNumber(JsonNumber.TryParse(value.ToJsonString(), out var number) ? number : default, value.ToJsonString()),
        _ => Scalar.FromString(Text(node) ?? node?.ToJsonString() ?? ""),
    };

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>Ids may be written as YAML numbers; they compare as the text the event carries.</summary>
    internal static string IdText(JsonNode? node) => Text(node) ?? node?.ToJsonString() ?? "";
}

/// <summary>The naming rules shared by registry entries and references to them.</summary>
internal static class NameRules
{
    /// <summary>kebab-case, 1 to 63 characters: policy, set and window names.</summary>
    public static bool IsKebabCase(string name) =>
        name.Length is >= 1 and <= 63
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
        && name[0] != '-' && name[^1] != '-';

    /// <summary>Whether a scope value is an id (digits) rather than the name of a registry entry.</summary>
    public static bool IsId(string value) => value.Length > 0 && value.All(char.IsAsciiDigit);
}
