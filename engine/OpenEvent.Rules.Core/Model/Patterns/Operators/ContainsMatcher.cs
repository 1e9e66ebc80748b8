using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenEvent.Rules.Model.Patterns.Operators;

/// <summary><c>{"contains": "prod"}</c> (Alibaba EventBridge); strings only, ordinal.</summary>
internal sealed record ContainsMatcher(string Value, SourceLocation Location) : Matcher(Location)
{
    internal static LeafOperator Definition { get; } = new("contains", Parse);

    public override string Operator => Definition.Key;

    private static ContainsMatcher? Parse(JsonNode? operand, OperandSite site, OperandReader reader) =>
        reader.RequireString(Definition.Key, operand, site.Pointer, site.Path) is { } text ? new ContainsMatcher(text, site.Entry) : null;

    internal override bool Matches(Scalar value) => value.IsString && value.Text!.Contains(Value, StringComparison.Ordinal);

    internal override ValueTest Compile() => new CompiledTest(Value);

    /// <summary>The part itself (the index finds every part a value holds in one pass); "" holds for every string, so it keys nothing.</summary>
    internal override IndexKey? ToIndexKey() => Value.Length > 0 ? IndexKey.OfPart(Value) : null;

    internal override bool KeyIsExact => Value.Length is > 0 and <= IndexKey.MaxPartLength;

    internal override void WriteOperand(Utf8JsonWriter writer) => writer.WriteStringValue(Value);

    internal override NeverMatch? NeverMatches(DocumentedField field) => field.StringOperator(Operator);

    internal override TextSelector? TextSelector => new($"contains \"{Value}\"", null);

    private sealed class CompiledTest(string part) : ValueTest
    {
        public override bool Test(in LeafValue value) => value.IsString && value.Text.IndexOf(part, StringComparison.Ordinal) >= 0;
    }
}
