using System.Collections.Immutable;
using System.Text.Json.Nodes;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Model.Patterns.Operators;

namespace OpenEvent.Rules.Parsing;

// Turns the JSON node tree of an EventBridge event pattern (read from YAML by the policy reader) into the
// immutable pattern model. It checks everything that can be decided from the pattern alone (OER3010-OER3019,
// OER3037), refusing the forms EventBridge refuses (aws/event-ruler's rule compiler is the reference where the
// documentation is silent), and reports every problem it finds, each at the pointer of the offending node, so an
// author fixes a pattern in one round. Whether a field exists in the event catalog is the validators' concern, not this one's.
//
// The steps, one type each: PatternReader reads the structure (objects, fields, $or), LeafListReader a field's list
// of entries, and each entry's operand is read by its operator's definition (Model/Patterns/Operators), all
// reporting through PatternDiagnostics.

/// <summary>Parses an EventBridge event pattern (as a JSON node tree) into a <see cref="PatternObject"/>.</summary>
internal static class PatternParser
{
    /// <summary>
    /// Parses <paramref name="node"/>, found at <paramref name="pointer"/> in its document. Every problem is added
    /// to <paramref name="diagnostics"/> (OER3010-OER3019, OER3037) at its exact location; returns null when the pattern has errors.
    /// </summary>
    public static PatternObject? Parse(JsonNode? node, string pointer, ISourceMap map, DiagnosticBag diagnostics)
    {
        var reporter = new PatternDiagnostics(map, diagnostics);
        var pattern = new PatternReader(reporter).ParseRoot(node, pointer);
        return reporter.HasErrors ? null : pattern;
    }

    /// <summary>The leaf operators, as written in patterns (the keys of the operator table).</summary>
    public static ImmutableArray<string> OperatorNames => LeafOperators.Names;

    /// <summary>The closest name to <paramref name="name"/> (case, '-', '_' and spaces ignored), when it is close enough to be a typo.</summary>
    internal static string? Suggest(string name, IEnumerable<string> candidates)
    {
        var normalized = Normalize(name);
        if (LeafOperators.Aliases.TryGetValue(normalized, out var alias) && candidates.Contains(alias))
        {
            return alias;
        }

        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = Suggestions.Distance(normalized, Normalize(candidate));
            var allowed = Math.Max(1, Normalize(candidate).Length / 3);
            if (distance <= allowed && distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    /// <summary>" of 'data.x'" for messages, nothing at the root.</summary>
    internal static string At(string path) => path.Length == 0 ? "" : $" of '{path}'";

    internal static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

    private static string Normalize(string name) =>
        new([.. name.ToLowerInvariant().Where(c => c is not ('-' or '_' or ' '))]);
}

/// <summary>Where pattern problems go: located through the document's source map, collected in its diagnostics.</summary>
internal sealed class PatternDiagnostics(ISourceMap map, DiagnosticBag diagnostics) : OperandReader
{
    public bool HasErrors { get; private set; }

    public override SourceLocation Locate(string pointer) => map.Locate(pointer);

    public override SourceLocation LocateKey(string pointer) => map.LocateKey(pointer);

    public override void Error(string id, SourceLocation location, string message, string hint)
    {
        HasErrors = true;
        diagnostics.Error(id, location, message, hint);
    }

    public override string? Suggest(string name, IEnumerable<string> candidates) => PatternParser.Suggest(name, candidates);
}
