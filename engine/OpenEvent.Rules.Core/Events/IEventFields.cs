using System.Text.Json;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Events;

/// <summary>
/// The envelope and payload values the engine itself needs (type, id, specversion, scope fields, blockBusiness), by
/// dotted path. Read from a parsed document, or from what the compiled matcher extracted in its single pass over the
/// event's bytes, so that both paths check and resolve events with the same code.
/// </summary>
internal interface IEventFields
{
    /// <summary>
    /// The scalar at <paramref name="path"/>; null when there is none there. Only direct values count: envelope
    /// attributes and scope fields are never read out of arrays.
    /// </summary>
    Scalar? At(string path);

    /// <summary>How <c>data</c> is described when it is present and neither an object nor null ("a string"); else null.</summary>
    string? DataKindIfNotObject();
}

/// <summary><see cref="IEventFields"/> over a parsed CloudEvent.</summary>
internal sealed class DocumentFields(JsonElement root) : IEventFields
{
    public Scalar? At(string path) =>
        JsonPaths.TryGet(root, path, out var value) && MatcherSemantics.TryReadScalar(value, out var scalar) ? scalar : null;

    public string? DataKindIfNotObject() =>
        root.TryGetProperty("data", out var data) && data.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null)
            ? EventParser.Describe(data.ValueKind)
            : null;
}
