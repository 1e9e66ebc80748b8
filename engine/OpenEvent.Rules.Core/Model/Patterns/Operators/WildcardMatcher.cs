using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenEvent.Rules.Model.Patterns.Operators;

/// <summary><c>{"wildcard": "dws_*_daily"}</c>; <c>*</c> matches any run of characters, <c>\*</c> a literal star, <c>\\</c> a backslash.</summary>
internal sealed record WildcardMatcher(string Pattern, SourceLocation Location) : Matcher(Location)
{
    internal static LeafOperator Definition { get; } = new("wildcard", Parse) { Aliases = ["glob", "like", "shellstyle"] }; // shellstyle: quamina's name for it

    public override string Operator => Definition.Key;

    private static WildcardMatcher? Parse(JsonNode? operand, OperandSite site, OperandReader reader)
    {
        var text = reader.RequireString(Definition.Key, operand, site.Pointer, site.Path);
        return text is not null && Check(text, site.Pointer, site.Path, reader) ? new WildcardMatcher(text, site.Entry) : null;
    }

    /// <summary>Whether <paramref name="text"/> is a wildcard EventBridge accepts (escapes \* and \\ only, no '**'); reports it (OER3015) when not.</summary>
    internal static bool Check(string text, string pointer, string path, OperandReader reader)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\')
            {
                if (i + 1 == text.Length)
                {
                    reader.Error(DiagnosticIds.BadWildcard, reader.Locate(pointer),
                        $"The wildcard \"{text}\" in '{path}' ends with a lone backslash.",
                        "A backslash escapes the next character: write \\\\ for a literal backslash, or remove it.");
                    return false;
                }

                var next = text[i + 1];
                if (next is not ('*' or '\\'))
                {
                    reader.Error(DiagnosticIds.BadWildcard, reader.Locate(pointer),
                        $"The wildcard \"{text}\" in '{path}' has the escape '\\{next}' at position {i}; only \\* and \\\\ are escapes.",
                        $"Write \\\\{next} for a literal backslash followed by '{next}', or drop the backslash.");
                    return false;
                }

                i++;
            }
            else if (c == '*' && i + 1 < text.Length && text[i + 1] == '*')
            {
                reader.Error(DiagnosticIds.BadWildcard, reader.Locate(pointer),
                    $"The wildcard \"{text}\" in '{path}' has consecutive '**' at position {i}.",
                    "Use a single '*': it already matches any run of characters, including an empty one; write \\* for a literal star.");
                return false;
            }
        }

        return true;
    }

    internal override bool Matches(Scalar value) => value.IsString && MatcherSemantics.WildcardMatches(Pattern, value.Text!);

    internal override ValueTest Compile() => new CompiledTest(WildcardPattern.Parse(Pattern));

    /// <summary>
    /// A wildcard without a star is a value; else its literal head is a prefix, or its literal tail a suffix; with stars at
    /// both ends, its longest literal run is a part the value must contain ("*_orders_*" holds "_orders_").
    /// </summary>
    internal override IndexKey? ToIndexKey() => KeyOf(WildcardPattern.Parse(Pattern));

    private static IndexKey? KeyOf(WildcardPattern pattern)
    {
        if (pattern.IsLiteral)
        {
            return IndexKey.Of(IndexKeyKind.String, pattern.Literal);
        }

        if (pattern.LeadingLiteral.Length > 0)
        {
            return IndexKey.Of(IndexKeyKind.Prefix, pattern.LeadingLiteral);
        }

        if (pattern.TrailingLiteral.Length > 0)
        {
            return IndexKey.Of(IndexKeyKind.Suffix, pattern.TrailingLiteral);
        }

        var longest = pattern.Segments.MaxBy(segment => segment.Length)!;
        return longest.Length > 0 ? IndexKey.OfPart(longest) : null;
    }

    /// <summary>
    /// Its head, its tail and its longest run between stars, each a key every value it accepts hits: "dws_*orders_42"
    /// is listed under the prefix "dws_" unless the set holds so many "dws_" patterns that the suffix "orders_42" narrows
    /// more (<see cref="IndexKeyChoice"/>).
    /// </summary>
    internal override bool MayHaveSeveralKeys => true;

    internal override IndexKey[] IndexKeyOptions()
    {
        var pattern = WildcardPattern.Parse(Pattern);
        if (KeyOf(pattern) is not { } first)
        {
            return [];
        }

        if (pattern.IsLiteral)
        {
            return [first];
        }

        List<IndexKey> options = [first];
        if (pattern.TrailingLiteral.Length > 0)
        {
            options.Add(IndexKey.Of(IndexKeyKind.Suffix, pattern.TrailingLiteral));
        }

        var inner = pattern.Segments.Skip(1).SkipLast(1).MaxBy(segment => segment.Length);
        if (inner is { Length: > 0 })
        {
            options.Add(IndexKey.OfPart(inner));
        }

        return [.. options.Distinct()];
    }

    /// <summary>A wildcard without a star compares whole (<see cref="WildcardPattern.IsMatch"/>); else its segments.</summary>
    internal override PlainTest ToPlainTest()
    {
        var pattern = WildcardPattern.Parse(Pattern);
        return pattern.IsLiteral
            ? PlainTest.Of(PlainTestKind.Exact, Scalar.FromString(pattern.Literal))
            : new PlainTest(PlainTestKind.Wildcard, Scalar.FromString(Pattern), pattern.Segments);
    }

    internal override void WriteOperand(Utf8JsonWriter writer) => writer.WriteStringValue(Pattern);

    internal override NeverMatch? NeverMatches(DocumentedField field) => field.StringOperator(Operator);

    internal override TextSelector? TextSelector => new($"wildcard \"{Pattern}\"", null);

    private sealed class CompiledTest(WildcardPattern pattern) : ValueTest
    {
        public override bool Test(in LeafValue value) => value.IsString && pattern.IsMatch(value.Text);
    }
}
