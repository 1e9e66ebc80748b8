using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenEvent.Rules.Model.Patterns.Operators;

/// <summary><c>{"suffix": ".sql"}</c> or <c>{"suffix": {"equals-ignore-case": ".sql"}}</c>: a string ending with the text; strings only.</summary>
internal sealed record SuffixMatcher(string Value, bool IgnoreCase, SourceLocation Location) : Matcher(Location)
{
    internal static LeafOperator Definition { get; } = new("suffix", Parse) { Aliases = ["endswith"] };

    public override string Operator => Definition.Key;

    private static Matcher? Parse(JsonNode? operand, OperandSite site, OperandReader reader) =>
        AffixOperand.Parse(Definition.Key, operand, site, reader, (text, ignoreCase, location) => new SuffixMatcher(text, ignoreCase, location));

    internal override bool Matches(Scalar value) => value.IsString && MatcherSemantics.EndsWith(value.Text!, Value, IgnoreCase);

    internal override ValueTest Compile() => IgnoreCase ? new FoldedTest(MatcherSemantics.FoldCase(Value)) : new OrdinalTest(Value);

    internal override IndexKey? ToIndexKey() => IgnoreCase
        ? IndexKey.Of(IndexKeyKind.SuffixUpper, MatcherSemantics.FoldCase(Value))
        : IndexKey.Of(IndexKeyKind.Suffix, Value);

    internal override bool KeyIsExact => !IgnoreCase;

    internal override PlainTest? ToPlainTest() => IgnoreCase ? null : PlainTest.Of(PlainTestKind.Suffix, Scalar.FromString(Value));

    internal override void WriteOperand(Utf8JsonWriter writer)
    {
        if (IgnoreCase)
        {
            MatcherFormatter.WriteObject(writer, EqualsIgnoreCaseMatcher.Definition.Key, w => w.WriteStringValue(Value));
        }
        else
        {
            writer.WriteStringValue(Value);
        }
    }

    internal override NeverMatch? NeverMatches(DocumentedField field) => field.StringOperator(Operator);

    internal override TextSelector? TextSelector => new($"suffix \"{Value}\"", null);

    private sealed class OrdinalTest(string suffix) : ValueTest
    {
        public override bool Test(in LeafValue value) => value.IsString && value.Text.EndsWith(suffix, StringComparison.Ordinal);
    }

    /// <summary>Against the folded text, which keeps lengths: the folded suffix of the value is the value's folded suffix.</summary>
    private sealed class FoldedTest(string foldedSuffix) : ValueTest
    {
        public override bool FoldsCase => true;

        public override bool Test(in LeafValue value) => value.IsString && value.FoldedText.EndsWith(foldedSuffix, StringComparison.Ordinal);
    }
}
