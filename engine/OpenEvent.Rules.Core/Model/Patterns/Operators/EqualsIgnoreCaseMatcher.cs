using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenEvent.Rules.Model.Patterns.Operators;

/// <summary><c>{"equals-ignore-case": "PROD"}</c>; strings only, Unicode simple case folding (ToUpperInvariant on both sides).</summary>
internal sealed record EqualsIgnoreCaseMatcher(string Value, SourceLocation Location) : Matcher(Location)
{
    internal static LeafOperator Definition { get; } = new("equals-ignore-case", Parse) { Aliases = ["ignorecase"] };

    public override string Operator => Definition.Key;

    private static EqualsIgnoreCaseMatcher? Parse(JsonNode? operand, OperandSite site, OperandReader reader) =>
        reader.RequireString(Definition.Key, operand, site.Pointer, site.Path) is { } text ? new EqualsIgnoreCaseMatcher(text, site.Entry) : null;

    internal override bool Matches(Scalar value) => value.IsString && MatcherSemantics.EqualsIgnoreCase(value.Text!, Value);

    internal override ValueTest Compile() => new CompiledTest(MatcherSemantics.FoldCase(Value));

    internal override IndexKey? ToIndexKey() => IndexKey.Of(IndexKeyKind.Upper, MatcherSemantics.FoldCase(Value));

    internal override void WriteOperand(Utf8JsonWriter writer) => writer.WriteStringValue(Value);

    internal override NeverMatch? NeverMatches(DocumentedField field) => field.StringOperator(Operator);

    /// <summary>One name spelled in another case: suggest the event type it means.</summary>
    internal override TextSelector? TextSelector => new($"equals-ignore-case \"{Value}\"", Value);

    private sealed class CompiledTest(string folded) : ValueTest
    {
        public override bool FoldsCase => true;

        public override bool Test(in LeafValue value) => value.IsString && value.FoldedText.SequenceEqual(folded);
    }
}
