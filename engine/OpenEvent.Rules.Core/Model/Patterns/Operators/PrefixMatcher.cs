using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenEvent.Rules.Model.Patterns.Operators;

/// <summary><c>{"prefix": "acs."}</c> or <c>{"prefix": {"equals-ignore-case": "acs."}}</c>: a string starting with the text; strings only.</summary>
internal sealed record PrefixMatcher(string Value, bool IgnoreCase, SourceLocation Location) : Matcher(Location)
{
    internal static LeafOperator Definition { get; } = new("prefix", Parse) { Aliases = ["startswith"] };

    public override string Operator => Definition.Key;

    private static Matcher? Parse(JsonNode? operand, OperandSite site, OperandReader reader) =>
        AffixOperand.Parse(Definition.Key, operand, site, reader, (text, ignoreCase, location) => new PrefixMatcher(text, ignoreCase, location));

    internal override bool Matches(Scalar value) => value.IsString && MatcherSemantics.StartsWith(value.Text!, Value, IgnoreCase);

    internal override ValueTest Compile() => IgnoreCase ? new FoldedTest(MatcherSemantics.FoldCase(Value)) : new OrdinalTest(Value);

    internal override IndexKey? ToIndexKey() => IgnoreCase
        ? IndexKey.Of(IndexKeyKind.PrefixUpper, MatcherSemantics.FoldCase(Value))
        : IndexKey.Of(IndexKeyKind.Prefix, Value);

    internal override bool KeyIsExact => !IgnoreCase;

    internal override PlainTest? ToPlainTest() => IgnoreCase ? null : PlainTest.Of(PlainTestKind.Prefix, Scalar.FromString(Value));

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

    internal override TextSelector? TextSelector => new($"prefix \"{Value}\"", null);

    private sealed class OrdinalTest(string prefix) : ValueTest
    {
        public override bool Test(in LeafValue value) => value.IsString && value.Text.StartsWith(prefix, StringComparison.Ordinal);
    }

    /// <summary>Against the folded text, which keeps lengths: the folded prefix of the value is the value's folded prefix.</summary>
    private sealed class FoldedTest(string foldedPrefix) : ValueTest
    {
        public override bool FoldsCase => true;

        public override bool Test(in LeafValue value) => value.IsString && value.FoldedText.StartsWith(foldedPrefix, StringComparison.Ordinal);
    }
}
