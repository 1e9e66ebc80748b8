using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace OpenEvent.Rules.Model.Patterns.Operators;

/// <summary>Reads an operator's operand into its matcher, reporting every problem through <paramref name="reader"/>; null when the operand has errors.</summary>
internal delegate Matcher? OperandParser(JsonNode? operand, OperandSite site, OperandReader reader);

/// <summary>
/// Where an operand sits: <see cref="Pointer"/> is the operand's JSON pointer (the value of the operator's key, or the
/// plain value itself for an exact entry), <see cref="Path"/> the dotted field path messages name, and
/// <see cref="Entry"/> the location of the leaf-list entry the matcher is reported at.
/// </summary>
internal readonly record struct OperandSite(string Pointer, string Path, SourceLocation Entry);

/// <summary>
/// A leaf operator as the pattern parser meets it: its key in patterns and how its operand is read. Each matcher
/// record under Operators/ carries its own (a static <c>Definition</c>), beside everything else the operator means;
/// <see cref="LeafOperators"/> lists them.
/// </summary>
internal sealed class LeafOperator(string key, OperandParser parse)
{
    /// <summary>The key as written in patterns (<c>prefix</c>); <c>exact</c> for a plain value, which has no key.</summary>
    public string Key { get; } = key;

    /// <summary>Reads the operand; see <see cref="OperandParser"/>.</summary>
    public OperandParser Parse { get; } = parse;

    /// <summary>Names authors reach for from other languages (normalized: lower case, no '-', '_' or spaces), suggested as this operator.</summary>
    public ImmutableArray<string> Aliases { get; init; } = [];

    /// <summary>Whether the operand itself is a list (<c>numeric</c>), so <c>{"op": [x]}</c> is not a misplaced leaf list.</summary>
    public bool OperandIsList { get; init; }

    /// <summary>The operand hints show when the author's own value cannot be reused; null for a string placeholder.</summary>
    public string? HintOperand { get; init; }
}
