using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenEvent.Rules.Model.Patterns.Operators;

/// <summary><c>{"exists": true|false}</c>: whether the field has a leaf value (objects and empty arrays are not leaves).</summary>
internal sealed record ExistsMatcher(bool Exists, SourceLocation Location) : Matcher(Location)
{
    internal static LeafOperator Definition { get; } = new("exists", Parse) { HintOperand = "true" };

    public override string Operator => Definition.Key;

    private static ExistsMatcher? Parse(JsonNode? operand, OperandSite site, OperandReader reader)
    {
        if (operand is JsonValue && operand.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
        {
            return new ExistsMatcher(operand.GetValueKind() == JsonValueKind.True, site.Entry);
        }

        reader.Error(DiagnosticIds.BadOperatorValue, reader.Locate(site.Pointer),
            $"'exists' in '{site.Path}' needs true or false; found {OperandText.Describe(operand)}.",
            "Write {\"exists\": true} to require the field or {\"exists\": false} to require its absence (no quotes).");
        return null;
    }

    /// <summary>About the field as a whole: a field that has this value has a leaf value.</summary>
    internal override bool Matches(Scalar value) => Exists;

    internal override bool MatchesMissing => !Exists;

    /// <summary><c>exists: true</c> passes any value; <c>exists: false</c> none (it holds only without values).</summary>
    internal override ValueTest? Compile() => Exists ? ValueTest.AnyValue : null;

    /// <summary>
    /// <c>exists: true</c> is hit by any value of the field, so the index can skip it for events without the field;
    /// <c>exists: false</c> holds without values, so no value can key it.
    /// </summary>
    internal override IndexKey? ToIndexKey() => Exists ? IndexKey.Of(IndexKeyKind.Present) : null;

    internal override bool KeyIsExact => Exists;

    internal override void WriteOperand(Utf8JsonWriter writer) => writer.WriteBooleanValue(Exists);

    /// <summary>Any field can exist or be missing.</summary>
    internal override NeverMatch? NeverMatches(DocumentedField field) => null;
}
