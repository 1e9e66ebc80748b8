using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenEvent.Rules.Model.Patterns.Operators;

/// <summary>An exact value: string, number (by value), true, false or null.</summary>
internal sealed record ExactMatcher(Scalar Value, SourceLocation Location) : Matcher(Location)
{
    /// <summary>A plain value in a leaf list; it has no key, "exact" names it in messages.</summary>
    internal static LeafOperator Definition { get; } = new("exact", (operand, site, reader) => Read(operand, site.Pointer, site.Path, reader));

    public override string Operator => Definition.Key;

    /// <summary>Reads the plain value at <paramref name="pointer"/> (JSON null or a JSON value); null after reporting an unusable one.</summary>
    internal static ExactMatcher? Read(JsonNode? node, string pointer, string path, OperandReader reader) =>
        ReadScalar(node, pointer, path, reader) is { } value ? new ExactMatcher(value, reader.Locate(pointer)) : null;

    private static Scalar? ReadScalar(JsonNode? node, string pointer, string path, OperandReader reader)
    {
        if (node is null)
        {
            return Scalar.Null;
        }

        switch (node.GetValueKind())
        {
            case JsonValueKind.String:
                return Scalar.FromString(node.GetValue<string>());
            case JsonValueKind.True:
                return Scalar.True;
            case JsonValueKind.False:
                return Scalar.False;
            case JsonValueKind.Null:
                return Scalar.Null;
            case JsonValueKind.Number:
                if (OperandText.TryReadNumber(node, out var number, out var literal))
                {
                    return Scalar.FromNumber(number, literal);
                }

                reader.Error(DiagnosticIds.MalformedNumeric, reader.Locate(pointer),
                    $"The number {literal} in '{path}' is out of range.",
                    "Use a finite number between about ±4.9e-324 and ±1.7e308, or 0 (event ids and counts are well inside that).");
                return null;
            default:
                reader.Error(DiagnosticIds.BadOperatorValue, reader.Locate(pointer),
                    $"'{path}' holds {OperandText.Describe(node)}, which is not a value a pattern can match.",
                    "Use a string, number, true, false or null.");
                return null;
        }
    }

    internal override bool Matches(Scalar value) => Value.Equals(value);

    internal override ValueTest Compile() => Value.Kind switch
    {
        ScalarKind.String => new StringTest(Value.Text!),
        ScalarKind.Number => new NumberTest(Value.Number),
        _ => new KindTest(Value.Kind),
    };

    internal override IndexKey? ToIndexKey() => Value.Kind switch
    {
        ScalarKind.String => IndexKey.Of(IndexKeyKind.String, Value.Text!),
        ScalarKind.Number => IndexKey.OfNumber(Value.Number),
        ScalarKind.True => IndexKey.Of(IndexKeyKind.True),
        ScalarKind.False => IndexKey.Of(IndexKeyKind.False),
        _ => IndexKey.Of(IndexKeyKind.Null),
    };

    internal override bool KeyIsExact => true;

    internal override PlainTest ToPlainTest() => PlainTest.Of(PlainTestKind.Exact, Value);

    /// <summary>A plain value is written as itself, not as an operator object.</summary>
    internal override void WriteJson(Utf8JsonWriter writer) => WriteOperand(writer);

    internal override void WriteOperand(Utf8JsonWriter writer) => MatcherFormatter.WriteScalar(writer, Value);

    internal override NeverMatch? NeverMatches(DocumentedField field) => Value.Kind switch
    {
        ScalarKind.String when !field.HoldsText => new NeverMatch(
            $"{field.Owner}: the string {Value} can never equal '{field.Path}', which is documented as {field.Documented}",
            FixedLiteralHint(field, Value.Text!)),

        ScalarKind.Number when !field.HoldsNumbers => new NeverMatch(
            $"{field.Owner}: the number {Value} can never equal '{field.Path}', which is documented as {field.Documented}",
            field.HoldsText
                ? $"Strings never equal numbers: quote the value, {field.Name}: [\"{Value}\"]."
                : $"Strings never equal numbers; write a value of the documented type ({field.Documented})."),

        ScalarKind.True or ScalarKind.False when !field.HoldsBooleans => new NeverMatch(
            $"{field.Owner}: the boolean {Value} can never equal '{field.Path}', which is documented as {field.Documented}",
            field.HoldsText
                ? $"Booleans never equal strings: quote the value, {field.Name}: [\"{Value}\"]."
                : $"Booleans never equal {field.Documented} values; write a value of the documented type."),

        _ => null,
    };

    private static string FixedLiteralHint(DocumentedField field, string literal)
    {
        if (field.HoldsNumbers && JsonNumber.IsJsonNumberSyntax(literal))
        {
            return $"Strings never equal numbers: write the number without quotes, {field.Name}: [{literal}].";
        }

        if (field.HoldsBooleans && literal is "true" or "false")
        {
            return $"Strings never equal booleans: write the value without quotes, {field.Name}: [{literal}].";
        }

        return field.HoldsNumbers
            ? $"'{field.Name}' holds numbers: write a number without quotes, or use numeric, e.g. {field.Name}: [{{\"numeric\": [\">=\", 5]}}]."
            : $"Write a value of the documented type without quotes.";
    }

    private sealed class StringTest(string expected) : ValueTest
    {
        public override bool Test(in LeafValue value) => value.IsString && value.Text.SequenceEqual(expected);
    }

    private sealed class NumberTest(JsonNumber expected) : ValueTest
    {
        public override bool Test(in LeafValue value) => value.Kind == ScalarKind.Number && value.Number.Equals(expected);
    }

    /// <summary>null, true, false: equal when of the same kind.</summary>
    private sealed class KindTest(ScalarKind kind) : ValueTest
    {
        public override bool Test(in LeafValue value) => value.Kind == kind;
    }
}
