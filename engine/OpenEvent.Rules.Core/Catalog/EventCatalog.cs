using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Text.Json;

namespace OpenEvent.Rules.Catalog;

/// <summary>
/// Every DataWorks event type the engine knows: kind (regular or extension point), where its scope values
/// live, which API answers it and which data fields it documents. Loaded from schemas/events/catalog.json and
/// the per-family JSON Schemas beside it (embedded in this assembly), so editors, docs and the engine share one source.
/// </summary>
public sealed class EventCatalog
{
    private const string ResourcePrefix = "schemas/events/";

    private readonly FrozenDictionary<string, EventTypeInfo> _byType;
    private readonly FrozenDictionary<string, EventTypeInfo> _byCode;

    private EventCatalog(ImmutableArray<EventTypeInfo> eventTypes)
    {
        EventTypes = eventTypes;
        _byType = eventTypes.ToFrozenDictionary(t => t.Type, StringComparer.Ordinal);
        _byCode = eventTypes
            .GroupBy(t => t.EventCode, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
    }

    private static readonly Lazy<EventCatalog> s_default = new(() => Load(ReadEmbedded));

    /// <summary>The catalog embedded in this build.</summary>
    public static EventCatalog Default => s_default.Value;

    public ImmutableArray<EventTypeInfo> EventTypes { get; }

    public EventTypeInfo? FindByType(string type) => _byType.GetValueOrDefault(type);

    public EventTypeInfo? FindByEventCode(string eventCode) => _byCode.GetValueOrDefault(eventCode);

    /// <summary>Maps the environment spellings DataWorks uses (PROD, prod, 1, DEV, dev, 0) to DEV / PROD.</summary>
    public static string? NormalizeEnvironment(string? raw) => raw?.Trim().ToUpperInvariant() switch
    {
        "PROD" or "PRODUCTION" or "1" => "PROD",
        "DEV" or "DEVELOPMENT" or "0" => "DEV",
        null or "" => null,
        var other => other,
    };

    /// <summary>Loads a catalog; <paramref name="readFile"/> returns the text of a file under schemas/events/.</summary>
    public static EventCatalog Load(Func<string, string> readFile)
    {
        using var catalog = JsonDocument.Parse(readFile("catalog.json"));
        var familyFields = new Dictionary<string, ImmutableDictionary<string, FieldInfo>>(StringComparer.Ordinal);
        var details = new Dictionary<string, DetailSchema>(StringComparer.Ordinal);
        var types = ImmutableArray.CreateBuilder<EventTypeInfo>();
        foreach (var entry in catalog.RootElement.GetProperty("eventTypes").EnumerateArray())
        {
            var family = entry.GetProperty("family").GetString()!;
            if (!familyFields.TryGetValue(family, out var fields))
            {
                using var schema = JsonDocument.Parse(readFile(family + ".schema.json"));
                fields = FamilySchemaFields.Read(schema.RootElement);
                familyFields[family] = fields;
            }

            types.Add(new EventTypeInfo(
                Type: entry.GetProperty("type").GetString()!,
                EventCode: entry.GetProperty("eventCode").GetString()!,
                Module: entry.GetProperty("module").GetString()!,
                Level: entry.GetProperty("level").GetString() == "tenant" ? EventLevel.Tenant : EventLevel.Workspace,
                Kind: entry.GetProperty("kind").GetString() == "extension" ? EventKind.ExtensionPoint : EventKind.Regular,
                AlsoRegular: entry.TryGetProperty("alsoRegular", out var also) && also.GetBoolean(),
                KindInferred: entry.TryGetProperty("inferred", out var inferred) && inferred.GetBoolean(),
                Family: family,
                Callback: ParseCallback(entry.TryGetProperty("callback", out var cb) ? cb.GetString() : null),
                Scope: ParseScope(entry.GetProperty("scope")),
                Fields: fields)
            {
                Detail = entry.TryGetProperty("detail", out var detail) ? ReadDetail(detail.GetString()!, details, readFile) : null,
            });
        }

        return new EventCatalog(types.ToImmutable());
    }

    // One schema per detail shape (detail/<name>.schema.json), shared by the types that return it.
    private static DetailSchema ReadDetail(string name, Dictionary<string, DetailSchema> read, Func<string, string> readFile)
    {
        if (read.TryGetValue(name, out var known))
        {
            return known;
        }

        using var schema = JsonDocument.Parse(readFile("detail/" + name + ".schema.json"));
        var members = schema.RootElement.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToList();
        if (members.Count != 1)
        {
            throw new InvalidDataException($"detail/{name}.schema.json: the detail must have exactly one member (CommittedFile, DeletedFile, ...); it has {members.Count}");
        }

        var fields = FamilySchemaFields.Read(schema.RootElement)
            .ToImmutableDictionary(f => DetailSchema.Root + "." + f.Key, f => f.Value with { Path = DetailSchema.Root + "." + f.Key }, StringComparer.Ordinal);
        return read[name] = new DetailSchema(name, members[0], fields);
    }

    private static CallbackApi ParseCallback(string? name) => name switch
    {
        null => CallbackApi.None,
        "UpdateIDEEventResult" => CallbackApi.UpdateIdeEventResult,
        "UpdateWorkbenchEventResult" => CallbackApi.UpdateWorkbenchEventResult,
        "CallbackExtension" => CallbackApi.CallbackExtension,
        _ => throw new InvalidDataException($"catalog.json: unknown callback API '{name}'"),
    };

    private static ImmutableDictionary<ScopeDimension, ScopeSource> ParseScope(JsonElement scope)
    {
        var result = ImmutableDictionary.CreateBuilder<ScopeDimension, ScopeSource>();
        foreach (var property in scope.EnumerateObject())
        {
            // "$comment" and other JSON Schema keywords may annotate the scope; they are not dimensions.
            if (property.Name.StartsWith('$'))
            {
                continue;
            }

            var dimension = Enum.Parse<ScopeDimension>(property.Name, ignoreCase: true);
            var paths = property.Value.TryGetProperty("paths", out var p)
                ? p.EnumerateArray().Select(e => e.GetString()!).ToImmutableArray()
                : [];
            var constant = property.Value.TryGetProperty("constant", out var c) ? c.GetString() : null;
            result[dimension] = new ScopeSource(paths, constant);
        }

        // Region always comes from the envelope, whatever the family.
        if (!result.ContainsKey(ScopeDimension.Region))
        {
            result[ScopeDimension.Region] = new ScopeSource(["aliyunregionid"], null);
        }

        return result.ToImmutable();
    }

    private static string ReadEmbedded(string fileName)
    {
        var assembly = typeof(EventCatalog).Assembly;
        var name = ResourcePrefix + fileName;

        // The resource names come from %(RecursiveDir), which uses '\' when the assembly is built on Windows.
        using var stream = assembly.GetManifestResourceStream(name)
            ?? assembly.GetManifestResourceNames()
                .Where(n => string.Equals(n.Replace('\\', '/'), name, StringComparison.Ordinal))
                .Select(assembly.GetManifestResourceStream)
                .FirstOrDefault(s => s is not null)
            ?? throw new InvalidDataException($"The embedded catalog has no '{name}'.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
