using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenEvent.Rules.Events;

/// <summary>
/// JSON documents parsed with duplicate keys refused. .NET finds duplicates by decoding each property name, and a name
/// that holds a lone UTF-16 surrogate escape (<c>"\udc00"</c>) makes that check throw <see cref="InvalidOperationException"/>
/// instead of <see cref="JsonException"/>. Every reader of untrusted JSON (events, details, test events) refuses a
/// <see cref="JsonException"/> with a clear error; this turns the other into one, so that such a name is refused as
/// invalid text instead of failing the request (an HTTP 500 that EventBridge would retry until it gave up).
/// </summary>
internal static class StrictJson
{
    public static JsonDocument Parse(ReadOnlyMemory<byte> utf8, JsonDocumentOptions options)
    {
        try
        {
            return JsonDocument.Parse(utf8, options);
        }
        catch (InvalidOperationException ex)
        {
            throw Invalid(ex);
        }
    }

    /// <summary>The same for a mutable tree (a test's event, which a patch is merged into).</summary>
    public static JsonNode? ParseNode(ReadOnlySpan<byte> utf8, JsonDocumentOptions options)
    {
        try
        {
            return JsonNode.Parse(utf8, documentOptions: options);
        }
        catch (InvalidOperationException ex)
        {
            throw Invalid(ex);
        }
    }

    /// <summary>The error for a property name that is not text; its message says UTF-8, which readers classify as invalid-utf8.</summary>
    private static JsonException Invalid(InvalidOperationException ex) =>
        new("a property name is not valid UTF-8 text: it holds a lone UTF-16 surrogate escape (such as \\udc00)", ex);
}
