using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenEvent.Rules.Model.Patterns.Operators;

/// <summary>
/// What an operator's parse step reads with: where nodes are (JSON pointers into the policy document) and where
/// problems go. The pattern parser implements it over its source map and diagnostics; an operator reports every
/// problem it finds at the pointer of the offending node, so an author fixes a pattern in one round.
/// </summary>
internal abstract class OperandReader
{
    /// <summary>The location of the node at <paramref name="pointer"/>.</summary>
    public abstract SourceLocation Locate(string pointer);

    /// <summary>The location of the key of the member at <paramref name="pointer"/>.</summary>
    public abstract SourceLocation LocateKey(string pointer);

    /// <summary>Reports an error; the pattern is then refused.</summary>
    public abstract void Error(string id, SourceLocation location, string message, string hint);

    /// <summary>The closest of <paramref name="candidates"/> to <paramref name="name"/> when it is close enough to be a typo (operator aliases count).</summary>
    public abstract string? Suggest(string name, IEnumerable<string> candidates);

    /// <summary>Reports an unknown operator name (OER3012) at its key, with a suggestion among <paramref name="known"/>.</summary>
    /// <param name="context">Where the name was written, for the message (" inside 'anything-but'"), or "".</param>
    /// <param name="alsoSuggested">Keys taken there that are not operators (a named set's <c>set</c>), suggested but not listed.</param>
    public void UnknownOperator(string name, string keyPointer, string path, ImmutableArray<string> known, string context, IEnumerable<string>? alsoSuggested = null)
    {
        var suggestion = Suggest(name, alsoSuggested is null ? known : known.Concat(alsoSuggested));
        var list = string.Join(", ", known);
        Error(DiagnosticIds.UnknownOperator, LocateKey(keyPointer),
            $"Unknown operator '{name}'{context} in '{path}'.",
            suggestion is null ? $"Use one of: {list}." : $"Did you mean '{suggestion}'? Operators{context}: {list}.");
    }

    /// <summary>The operand of <paramref name="op"/> as a string, or null after reporting that it is not one.</summary>
    public string? RequireString(string op, JsonNode? value, string pointer, string path)
    {
        if (value is JsonValue && value.GetValueKind() == JsonValueKind.String)
        {
            return value.GetValue<string>();
        }

        Error(DiagnosticIds.BadOperatorValue, Locate(pointer),
            $"'{op}' in '{path}' needs a string; found {OperandText.Describe(value)}.",
            $"Write {{\"{op}\": \"{OperandText.StringHint(value)}\"}}; '{op}' only matches string values.");
        return null;
    }
}
