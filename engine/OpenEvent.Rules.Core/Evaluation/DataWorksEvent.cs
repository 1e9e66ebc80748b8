using System.Text.Json;
using OpenEvent.Rules.Catalog;

namespace OpenEvent.Rules.Evaluation;

/// <summary>
/// One event, normalized to a CloudEvents 1.0 structured JSON object whatever shape it arrived in
/// (structured, batch element, JSON Lines, Function Compute envelope). <see cref="Utf8"/> holds the
/// normalized bytes (what the compiled matcher reads), <see cref="Root"/> the same as a parsed element.
/// Owns a pooled JsonDocument: dispose it when the decision is made.
/// </summary>
public sealed class DataWorksEvent : IDisposable
{
    private readonly JsonDocument _document;

    internal DataWorksEvent(JsonDocument document, ReadOnlyMemory<byte> utf8, EventOrigin origin,
        EventTypeInfo? catalogEntry, bool isExtensionPoint, EventScope scope)
    {
        _document = document;
        Utf8 = utf8;
        Origin = origin;
        CatalogEntry = catalogEntry;
        IsExtensionPoint = isExtensionPoint;
        Scope = scope;
        Id = Root.GetProperty("id").GetString()!;
        Type = Root.GetProperty("type").GetString()!;
        Source = Root.TryGetProperty("source", out var source) && source.ValueKind == JsonValueKind.String ? source.GetString() : null;
    }

    public string Id { get; }

    public string Type { get; }

    public string? Source { get; }

    public JsonElement Root => _document.RootElement;

    /// <summary>The <c>data</c> object, or an undefined element when the event has none.</summary>
    public JsonElement Data => Root.TryGetProperty("data", out var data) ? data : default;

    public ReadOnlyMemory<byte> Utf8 { get; }

    public EventOrigin Origin { get; }

    /// <summary>The catalog entry of <see cref="Type"/>; null for types the catalog does not know.</summary>
    public EventTypeInfo? CatalogEntry { get; }

    /// <summary>True when DataWorks holds an operation until this event is answered (OK / WARN / FAIL).</summary>
    public bool IsExtensionPoint { get; }

    public EventScope Scope { get; }

    public void Dispose() => _document.Dispose();
}
