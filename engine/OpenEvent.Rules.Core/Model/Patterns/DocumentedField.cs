using System.Collections.Immutable;

namespace OpenEvent.Rules.Model.Patterns;

/// <summary>
/// What the event catalog documents about the field a leaf matches, handed to each entry's type check
/// (<see cref="Matcher.NeverMatches"/>): who wrote the pattern and the field, for messages, and the field's JSON types.
/// </summary>
/// <param name="Owner">Who wrote the pattern, as messages start: <c>Policy 'deploy-freeze'</c> or <c>Waiver 'orders-backfill'</c>.</param>
/// <param name="Name">The field's own name (<c>fileType</c>), as written in the leaf.</param>
/// <param name="Path">The dotted path from the event's root (<c>data.fileType</c>).</param>
internal sealed record DocumentedField(string Owner, string Name, string Path, ImmutableArray<string> JsonTypes)
{
    public bool HoldsNumbers => JsonTypes.Any(t => t is "integer" or "number");

    public bool HoldsText => JsonTypes.Contains("string");

    public bool HoldsBooleans => JsonTypes.Contains("boolean");

    /// <summary>The documented types for messages: "integer or string".</summary>
    public string Documented => string.Join(" or ", JsonTypes);

    /// <summary>The check shared by the operators that only match strings (prefix, suffix, contains, wildcard, ...).</summary>
    public NeverMatch? StringOperator(string op) => HoldsText ? null : new NeverMatch(
        $"{Owner}: {op} can never match '{Path}', which is documented as {Documented}",
        HoldsNumbers
            ? $"{op} applies to strings only; match numbers with exact values or numeric, e.g. {Name}: [{{\"numeric\": [\">=\", 5]}}]."
            : $"{op} applies to strings only; match '{Path}' with exact values.");
}

/// <summary>Why an entry can never match a documented field: the diagnostic's message and hint.</summary>
internal readonly record struct NeverMatch(string Message, string Hint);

/// <summary>
/// An operator that selects strings by authored text, as validation names it on <c>type</c>
/// (<c>prefix "dataworks:File"</c>), and the text to suggest an event type from when it spells one name (else null).
/// </summary>
internal readonly record struct TextSelector(string Description, string? Spelling);
