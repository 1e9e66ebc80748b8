using System.Text;
using System.Text.Json;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Evaluation;

namespace OpenEvent.Rules.Core.Tests.Compilation;

/// <summary>
/// Each entry form of a verification block (PatternPrograms: exact strings, numbers and kinds, prefixes, suffixes,
/// wildcards with their segments in the shared arena) answers as the operator's own test and the reference evaluator.
/// A one-pattern set verifies its pattern for every event, so these go through the block.
/// </summary>
public sealed class PatternProgramsTests
{
    [Theory]
    [InlineData("""{"f":[{"wildcard":"a*b*c"}]}""", "\"axxbyyc\"", true)]
    [InlineData("""{"f":[{"wildcard":"a*b*c"}]}""", "\"abc\"", true)]
    [InlineData("""{"f":[{"wildcard":"a*b*c"}]}""", "\"acb\"", false)]
    [InlineData("""{"f":[{"wildcard":"a*b*c"}]}""", "\"abcb\"", false)]
    [InlineData("""{"f":[{"wildcard":"ab*bc"}]}""", "\"abc\"", false)] // head and tail may not overlap
    [InlineData("""{"f":[{"wildcard":"*x*y*"}]}""", "\"yx\"", false)]
    [InlineData("""{"f":[{"wildcard":"*x*y*"}]}""", "\"0x1y2\"", true)]
    [InlineData("""{"f":[{"wildcard":"\\**"}]}""", "\"*abc\"", true)]
    [InlineData("""{"f":[{"wildcard":"\\**"}]}""", "\"abc\"", false)]
    [InlineData("""{"f":[{"wildcard":"*"}]}""", "\"\"", true)]
    [InlineData("""{"f":[{"wildcard":"*"}]}""", "5", false)]
    [InlineData("""{"f":[{"wildcard":"abc"}]}""", "\"abc\"", true)]
    [InlineData("""{"f":[{"wildcard":"abc"}]}""", "\"abcd\"", false)]
    [InlineData("""{"f":[300]}""", "3e2", true)]
    [InlineData("""{"f":[300]}""", "300.0", true)]
    [InlineData("""{"f":[300]}""", "300.5", false)]
    [InlineData("""{"f":[300]}""", "\"300\"", false)]
    [InlineData("""{"f":[1234567890123456]}""", "1234567890123457", false)]
    [InlineData("""{"f":[null, true]}""", "null", true)]
    [InlineData("""{"f":[null, true]}""", "[false, true]", true)]
    [InlineData("""{"f":[null, true]}""", "false", false)]
    [InlineData("""{"f":[null, true]}""", "{}", false)]
    [InlineData("""{"f":["x", 1]}""", "[\"y\", 1]", true)]
    [InlineData("""{"f":["x", 1]}""", "\"1\"", false)]
    [InlineData("""{"f":[{"prefix":""}]}""", "\"\"", true)]
    [InlineData("""{"f":[{"prefix":""}]}""", "1", false)]
    [InlineData("""{"f":[{"prefix":"ab"}]}""", "\"a\"", false)]
    [InlineData("""{"f":[{"suffix":"_daily"}]}""", "\"x_daily\"", true)]
    [InlineData("""{"f":[{"suffix":"_daily"}]}""", "\"x_DAILY\"", false)]
    [InlineData("""{"g":{"f":[{"suffix":"z"}],"h":[2]}}""", "[{\"f\":\"az\",\"h\":1},{\"f\":\"b\",\"h\":2}]", false)]
    [InlineData("""{"g":{"f":[{"suffix":"z"}],"h":[2]}}""", "[{\"f\":\"b\",\"h\":1},{\"f\":\"az\",\"h\":2}]", true)]
    public void Match_BlockEntries_AnswerAsTheReference(string pattern, string field, bool matches)
    {
        var parsed = TestPatterns.FromJson(pattern);
        var set = new CompiledPatternSetBuilder().Build([parsed]);
        var name = pattern.StartsWith("{\"g\"", StringComparison.Ordinal) ? "g" : "f";
        var bytes = Encoding.UTF8.GetBytes($$"""{"type":"t","{{name}}":{{field}}}""");
        using var document = JsonDocument.Parse(bytes, TestPatterns.DocumentOptions);

        Assert.Equal(matches, ReferencePatternEvaluator.Matches(parsed, document.RootElement));
        Assert.Equal(matches ? [0] : [], set.Match(bytes));
    }
}
