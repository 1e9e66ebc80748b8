using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Parsing;
using OpenEvent.Rules.Core.Tests.Parsing;

namespace OpenEvent.Rules.Core.Tests.Conformance;

// The conformance suite as data: Conformance/cases/*.json (pattern, event, expected) and
// Conformance/cases/invalid/*.json (pattern, expected diagnostics: id and location). Loaded from the repository,
// not copied to the output folder, so a failing case points at the file an author edits. Both the reference
// evaluator and the compiled matcher run every valid case (docs/matching-semantics.md is the contract they share).
// A case marked "validate": true is also run through the policy validators with the DataWorks event catalog
// (schemas/events): a valid one must give exactly its "warnings", an invalid one exactly its "diagnostics".
// Locations are JSON pointers into the case's own pattern: "at" for a value, "atKey" for a property name.

/// <summary>One (pattern, event) pair: <see cref="Id"/> is "file/name" (plus " #n" or the event's own name when a pattern has several events).</summary>
public sealed record ConformanceCase(string Id, string File, PatternObject Pattern, string EventJson, bool Expected)
{
    public override string ToString() => Id;
}

/// <summary>A diagnostic a case expects: its id and where it must be reported.</summary>
public sealed record ExpectedDiagnostic(string Id, SourceLocation Location)
{
    public override string ToString() => $"{Id} at {Location.Line}:{Location.Column}";
}

/// <summary>
/// A pattern that must be refused with exactly <see cref="Expected"/> (order ignored, repeats counted): by the parser, or,
/// when <see cref="Validate"/> is set, by the policy validators after the parser accepted it.
/// </summary>
internal sealed record InvalidConformanceCase(string Id, string File, JsonNode? Pattern, string Pointer, ISourceMap Map,
    ImmutableArray<ExpectedDiagnostic> Expected, bool Validate)
{
    public ImmutableArray<string> ExpectedIds => [.. Expected.Select(e => e.Id)];

    public override string ToString() => Id;
}

/// <summary>A valid pattern the policy validators (with the DataWorks catalog) must accept with exactly <see cref="ExpectedWarnings"/>.</summary>
public sealed record CatalogConformanceCase(string Id, PatternObject Pattern, ImmutableArray<ExpectedDiagnostic> ExpectedWarnings)
{
    public override string ToString() => Id;
}

/// <summary>Loads every conformance case once.</summary>
internal static class ConformanceCases
{
    private static readonly Lazy<Loaded> s_loaded = new(Load);

    public static string Directory { get; } = RepositoryPaths.Combine("tests", "OpenEvent.Rules.Core.Tests", "Conformance", "cases");

    /// <summary>Every valid (pattern, event, expected) case, in file order.</summary>
    public static IReadOnlyList<ConformanceCase> Valid => s_loaded.Value.Valid;

    /// <summary>Every invalid-pattern case.</summary>
    public static IReadOnlyList<InvalidConformanceCase> Invalid => s_loaded.Value.Invalid;

    /// <summary>Every valid case marked "validate": true, once per pattern.</summary>
    public static IReadOnlyList<CatalogConformanceCase> Catalog => s_loaded.Value.Catalog;

    /// <summary>Cases that could not be loaded (bad file shape, or a valid case whose pattern does not parse), one line each; a test asserts none.</summary>
    public static IReadOnlyList<string> Problems => s_loaded.Value.Problems;

    private sealed record Loaded(List<ConformanceCase> Valid, List<InvalidConformanceCase> Invalid, List<CatalogConformanceCase> Catalog, List<string> Problems);

    private static Loaded Load()
    {
        var loaded = new Loaded([], [], [], []);
        foreach (var path in System.IO.Directory.GetFiles(Directory, "*.json").Order(StringComparer.Ordinal))
        {
            LoadFile(path, isInvalidSet: false, loaded);
        }

        foreach (var path in System.IO.Directory.GetFiles(Path.Combine(Directory, "invalid"), "*.json").Order(StringComparer.Ordinal))
        {
            LoadFile(path, isInvalidSet: true, loaded);
        }

        return loaded;
    }

    private static void LoadFile(string path, bool isInvalidSet, Loaded loaded)
    {
        var fileName = Path.GetFileNameWithoutExtension(path);
        var file = isInvalidSet ? "invalid/" + fileName : fileName;
        var text = File.ReadAllText(path);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            loaded.Problems.Add($"{file}: not valid JSON: {e.Message}");
            return;
        }

        if (root?["cases"] is not JsonArray cases)
        {
            loaded.Problems.Add($"{file}: expected {{\"cases\": [...]}}");
            return;
        }

        var map = new JsonTextSourceMap(Path.GetRelativePath(RepositoryPaths.Root, path), text);
        for (var i = 0; i < cases.Count; i++)
        {
            var pointer = "/cases/" + i.ToString(CultureInfo.InvariantCulture);
            if (cases[i] is not JsonObject entry || entry["name"]?.GetValueKind() != JsonValueKind.String)
            {
                loaded.Problems.Add($"{file}: case {i} needs a \"name\"");
                continue;
            }

            var name = entry["name"]!.GetValue<string>();
            var id = file + "/" + name;
            if (isInvalidSet)
            {
                LoadInvalid(entry, id, file, pointer, map, loaded);
            }
            else
            {
                LoadValid(entry, id, file, pointer, map, loaded);
            }
        }
    }

    private static void LoadValid(JsonObject entry, string id, string file, string pointer, JsonTextSourceMap map, Loaded loaded)
    {
        var diagnostics = new DiagnosticBag();
        var pattern = PatternParser.Parse(entry["pattern"], pointer + "/pattern", map, diagnostics);
        if (pattern is null)
        {
            loaded.Problems.Add($"{id}: the pattern does not parse: {string.Join("; ", diagnostics.Items)}");
            return;
        }

        if (IsValidated(entry))
        {
            if (ReadExpected(entry, "warnings", id, pointer, map, loaded, required: false) is { } warnings)
            {
                loaded.Catalog.Add(new CatalogConformanceCase(id, pattern, warnings));
            }
        }

        if (entry["events"] is JsonArray events)
        {
            for (var j = 0; j < events.Count; j++)
            {
                var item = events[j] as JsonObject;
                var itemName = item?["name"]?.GetValue<string>() ?? "#" + (j + 1).ToString(CultureInfo.InvariantCulture);
                AddValid(item, $"{id} {itemName}", file, pattern, loaded);
            }
        }
        else
        {
            AddValid(entry, id, file, pattern, loaded);
        }
    }

    private static void AddValid(JsonObject? item, string id, string file, PatternObject pattern, Loaded loaded)
    {
        if (item is null || !item.ContainsKey("event") || item["expected"]?.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
        {
            loaded.Problems.Add($"{id}: needs \"event\" and a boolean \"expected\"");
            return;
        }

        var eventJson = item["event"]?.ToJsonString() ?? "null";
        loaded.Valid.Add(new ConformanceCase(id, file, pattern, eventJson, item["expected"]!.GetValue<bool>()));
    }

    private static void LoadInvalid(JsonObject entry, string id, string file, string pointer, JsonTextSourceMap map, Loaded loaded)
    {
        if (ReadExpected(entry, "diagnostics", id, pointer, map, loaded, required: true) is { } expected)
        {
            loaded.Invalid.Add(new InvalidConformanceCase(id, file, entry["pattern"], pointer + "/pattern", map, expected, IsValidated(entry)));
        }
    }

    private static bool IsValidated(JsonObject entry) => entry["validate"]?.GetValueKind() == JsonValueKind.True;

    // "diagnostics" / "warnings": [{"id": "OER3011", "at": "/n/0/numeric/2"}, {"id": "OER3037", "atKey": "/$or/0/prefix"}]
    private static ImmutableArray<ExpectedDiagnostic>? ReadExpected(JsonObject entry, string key, string id, string pointer, JsonTextSourceMap map,
        Loaded loaded, bool required)
    {
        var list = entry[key] as JsonArray;
        if (list is null && !required && !entry.ContainsKey(key))
        {
            return [];
        }

        if (list is null || (required && list.Count == 0))
        {
            loaded.Problems.Add($"{id}: needs \"{key}\": [{{\"id\": \"OER3xxx\", \"at\": \"/json/pointer\"}}, ...]");
            return null;
        }

        var expected = ImmutableArray.CreateBuilder<ExpectedDiagnostic>(list.Count);
        foreach (var item in list)
        {
            var diagnosticId = item?["id"]?.GetValueKind() == JsonValueKind.String ? item["id"]!.GetValue<string>() : null;
            var at = item?["at"]?.GetValueKind() == JsonValueKind.String ? item["at"]!.GetValue<string>() : null;
            var atKey = item?["atKey"]?.GetValueKind() == JsonValueKind.String ? item["atKey"]!.GetValue<string>() : null;
            var location = at is not null ? map.ValueAt(pointer + "/pattern" + at)
                : atKey is not null ? map.KeyAt(pointer + "/pattern" + atKey)
                : null;
            if (diagnosticId is null || location is not { } found || (at is null) == (atKey is null))
            {
                loaded.Problems.Add($"{id}: each of \"{key}\" needs an \"id\" and one of \"at\" / \"atKey\" naming a node of the pattern; found {item?.ToJsonString() ?? "null"}");
                return null;
            }

            expected.Add(new ExpectedDiagnostic(diagnosticId, found));
        }

        return expected.MoveToImmutable();
    }
}
