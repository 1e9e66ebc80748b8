using System.Text.Json;
using OpenEvent.Rules.Catalog;

namespace OpenEvent.Rules.Events;

/// <summary>
/// One event, normalized to a CloudEvents 1.0 structured JSON object whatever shape it arrived in
/// (structured, batch element, JSON Lines, Function Compute envelope). <see cref="Utf8"/> holds the
/// normalized bytes (what the compiled matcher reads), <see cref="Root"/> the same as a parsed element.
/// When the compiled matcher already read the event (its single pass), the document is parsed only if something
/// asks for <see cref="Root"/> (templates of matched policies, conditions, explain). Dispose it when the decision is made.
/// </summary>
public sealed class DataWorksEvent : IDisposable
{
    private static readonly JsonDocumentOptions s_options = new() { MaxDepth = EventInputReader.MaxDepth, AllowDuplicateProperties = false };

    private JsonDocument? _document;

    internal DataWorksEvent(JsonDocument document, ReadOnlyMemory<byte> utf8, EventOrigin origin,
        EventTypeInfo? catalogEntry, bool isExtensionPoint, EventScope scope, bool? blockBusiness)
    {
        _document = document;
        Utf8 = utf8;
        Origin = origin;
        CatalogEntry = catalogEntry;
        IsExtensionPoint = isExtensionPoint;
        Scope = scope;
        BlockBusiness = blockBusiness;
        Id = Root.GetProperty("id").GetString()!;
        Type = Root.GetProperty("type").GetString()!;
        Source = Root.TryGetProperty("source", out var source) && source.ValueKind == JsonValueKind.String ? source.GetString() : null;
    }

    /// <summary>
    /// An event read by the compiled matcher's single pass: the ids of the patterns it matched are kept (a copy: the
    /// pass works in per-thread memory that the next read reuses, and the event may be evaluated later or on another
    /// thread), the document is built on demand.
    /// </summary>
    internal DataWorksEvent(ReadOnlyMemory<byte> utf8, EventOrigin origin, string id, string type, string? source,
        EventTypeInfo? catalogEntry, bool isExtensionPoint, EventScope scope, bool? blockBusiness, ISinglePassMatcher matchedBy, int[] matchedPatterns)
    {
        Utf8 = utf8;
        Origin = origin;
        Id = id;
        Type = type;
        Source = source;
        CatalogEntry = catalogEntry;
        IsExtensionPoint = isExtensionPoint;
        Scope = scope;
        BlockBusiness = blockBusiness;
        MatchedBy = matchedBy;
        MatchedPatterns = matchedPatterns;
    }

    /// <summary>Whether the document has been parsed (the single pass defers it until something needs it).</summary>
    internal bool HasDocument => _document is not null;

    /// <summary>The matcher whose single pass produced <see cref="MatchedPatterns"/> (only it may reuse them); null for a parsed event.</summary>
    internal ISinglePassMatcher? MatchedBy { get; }

    /// <summary>The ids of the patterns the single pass matched, ascending.</summary>
    internal int[]? MatchedPatterns { get; }

    public string Id { get; }

    public string Type { get; }

    public string? Source { get; }

    /// <summary>The event as a parsed element (parsed on first use when the event came through the single pass).</summary>
    public JsonElement Root => (_document ??= StrictJson.Parse(Utf8, s_options)).RootElement;

    /// <summary>The <c>data</c> object, or an undefined element when the event has none.</summary>
    public JsonElement Data => Root.TryGetProperty("data", out var data) ? data : default;

    public ReadOnlyMemory<byte> Utf8 { get; }

    public EventOrigin Origin { get; }

    /// <summary>The catalog entry of <see cref="Type"/>; null for types the catalog does not know.</summary>
    public EventTypeInfo? CatalogEntry { get; }

    /// <summary>True when DataWorks holds an operation until this event is answered (OK / WARN / FAIL).</summary>
    public bool IsExtensionPoint { get; }

    public EventScope Scope { get; }

    /// <summary>data.blockBusiness when the event carries it as a boolean; null otherwise.</summary>
    public bool? BlockBusiness { get; }

    /// <summary>
    /// The event came as an EventBridge "Partial Event" (its data alone): its id was made from its bytes, so DataWorks
    /// cannot be answered for it, and it is decided as a regular event.
    /// </summary>
    public bool IsPartial { get; internal init; }

    public void Dispose() => _document?.Dispose();
}
