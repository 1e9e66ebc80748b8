using System.Text.Json;
using System.Text.Json.Nodes;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Parsing;

namespace OpenEvent.Rules.Core.Tests.Compilation;

/// <summary>Patterns written as JSON in tests and the benchmark workload, parsed by the real PatternParser.</summary>
internal static class TestPatterns
{
    /// <summary>Events are read as the engine reads them: duplicate keys refused.</summary>
    public static readonly JsonDocumentOptions DocumentOptions = new() { AllowDuplicateProperties = false };

    public static PatternObject FromJson(string json)
    {
        var diagnostics = new DiagnosticBag();
        var pattern = PatternParser.Parse(JsonNode.Parse(json), "", new FixedSourceMap(), diagnostics);
        return pattern ?? throw new ArgumentException($"invalid pattern {json}: {string.Join("; ", diagnostics.Items)}");
    }

    private sealed class FixedSourceMap : ISourceMap
    {
        public SourceLocation Locate(string jsonPointer) => new("pattern.json", 1, 1);

        public SourceLocation LocateKey(string jsonPointer) => new("pattern.json", 1, 1);
    }
}
