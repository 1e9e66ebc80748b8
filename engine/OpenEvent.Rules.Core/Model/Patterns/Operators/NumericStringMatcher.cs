using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenEvent.Rules.Model.Patterns.Operators;

/// <summary>
/// <c>{"numeric-string": [">", 100000]}</c> (this engine's, not EventBridge's): the comparisons of <c>numeric</c>, on a
/// JSON number or on a string whose whole text is a JSON number (<c>"250000"</c>, <c>"1.5e6"</c>; not <c>" 5"</c>,
/// <c>"+5"</c>, <c>"0x10"</c>, <c>"5 rows"</c>). DataWorks sends some numbers as text (row counts, ids), and
/// EventBridge's <c>numeric</c> keeps its meaning: numbers only. The operand is read as numeric's.
/// </summary>
internal sealed record NumericStringMatcher(ImmutableArray<NumericComparison> Comparisons, SourceLocation Location) : Matcher(Location)
{
    internal static LeafOperator Definition { get; } = new("numeric-string", Parse) { OperandIsList = true, HintOperand = "[\">\", 0]" };

    public override string Operator => Definition.Key;

    private static NumericStringMatcher? Parse(JsonNode? operand, OperandSite site, OperandReader reader) =>
        NumericOperand.Parse(operand, site, reader) is { } numeric ? new NumericStringMatcher(numeric.Comparisons, numeric.Location) : null;

    internal override bool Matches(Scalar value) =>
        (value.IsNumber && NumericMatcher.SatisfiesAll(Comparisons, value.Number))
        || (value.IsString && TryRead(value.Text, out var number) && NumericMatcher.SatisfiesAll(Comparisons, number));

    /// <summary>
    /// The number a text holds, read as an event's own numbers are: past a double's range it is ±infinity, so
    /// <c>"1e309"</c> is above every limit (JsonNumber.TryParse refuses it, and a limit on text would fail open).
    /// </summary>
    private static bool TryRead(ReadOnlySpan<char> text, out JsonNumber number)
    {
        var isNumber = JsonNumber.IsJsonNumberSyntax(text);
        number = isNumber ? JsonNumber.FromEventLiteral(text) : default;
        return isNumber;
    }

    internal override ValueTest Compile() => new CompiledTest(Comparisons);

    /// <summary>
    /// The number a string holds is only known by reading it, so no value keys it; it is keyed by presence (not exact:
    /// the value is verified), as a field without a value never matches.
    /// </summary>
    internal override IndexKey? ToIndexKey() => IndexKey.Of(IndexKeyKind.Present);

    internal override void WriteOperand(Utf8JsonWriter writer) => new NumericMatcher(Comparisons, Location).WriteOperand(writer);

    internal override NeverMatch? NeverMatches(DocumentedField field) => field.HoldsNumbers || field.HoldsText ? null : new NeverMatch(
        $"{field.Owner}: {Operator} can never match '{field.Path}', which is documented as {field.Documented}",
        $"{Operator} compares numbers and numbers written as text; use exact values for '{field.Path}'.");

    private sealed class CompiledTest(ImmutableArray<NumericComparison> comparisons) : ValueTest
    {
        public override bool Test(in LeafValue value) =>
            (value.Kind == ScalarKind.Number && NumericMatcher.SatisfiesAll(comparisons, value.Number))
            || (value.IsString && TryRead(value.Text, out var number) && NumericMatcher.SatisfiesAll(comparisons, number));
    }
}
