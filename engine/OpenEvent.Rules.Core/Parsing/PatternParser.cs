using System.Text.Json.Nodes;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Parsing;

/// <summary>Parses an EventBridge event pattern (as a JSON node tree) into a <see cref="PatternObject"/>.</summary>
public static class PatternParser
{
    /// <summary>
    /// Parses <paramref name="node"/>, found at <paramref name="pointer"/> in its document. Every problem is added
    /// to <paramref name="diagnostics"/> (OER3010-OER3019) at its exact location; returns null when the pattern has errors.
    /// </summary>
    public static PatternObject? Parse(JsonNode? node, string pointer, ISourceMap map, DiagnosticBag diagnostics)
    {
        throw new NotImplementedException("PatternParser is being written (helper: patterns).");
    }
}
