using System.Text;
using System.Text.Json;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Evaluation;

namespace OpenEvent.Rules.Core.Tests.Compilation;

/// <summary>
/// Each entry form of a verification block (PatternPrograms: exact strings, numbers and kinds, prefixes, suffixes,
/// wildcards with their segments in the shared arena, numeric comparisons; $or branches) answers as the operator's own
/// test and the reference evaluator.
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
    [InlineData("""{"f":[{"numeric":[">",0,"<=",5]}]}""", "5", true)]
    [InlineData("""{"f":[{"numeric":[">",0,"<=",5]}]}""", "5.0000000000000000001", false)] // one double, two decimals
    [InlineData("""{"f":[{"numeric":[">",0,"<=",5]}]}""", "0", false)]
    [InlineData("""{"f":[{"numeric":[">",0,"<=",5]}]}""", "1e-300", true)]
    [InlineData("""{"f":[{"numeric":[">",0,"<=",5]}]}""", "\"3\"", false)]
    [InlineData("""{"f":[{"numeric":[">",0,"<=",5]}]}""", "[9, -1, 2.5]", true)]
    [InlineData("""{"f":[{"numeric":[">=",1234567890123456]}]}""", "1234567890123455", false)] // past 2^53 the doubles round
    [InlineData("""{"f":[{"numeric":[">=",1234567890123456]}]}""", "12345678901234567", true)]
    [InlineData("""{"f":[{"numeric":["=",300]}, "x"]}""", "3e2", true)]
    [InlineData("""{"f":[{"numeric":["=",300]}, "x"]}""", "\"x\"", true)]
    [InlineData("""{"f":[{"numeric":["<",-1e308]}]}""", "-1.5e308", true)] // beyond decimal: doubles alone
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

    // $or branches inline in the block: over the same object (an element of an array of objects is one instance), a
    // branch that is itself nested or holds another $or, a branch that matches the empty object where the object is
    // missing, and branches with leaves the block calls back into (anything-but, exists).
    [Theory]
    [InlineData("""{"$or":[{"a":[1]},{"b":[2]}]}""", """{"a":1}""", true)]
    [InlineData("""{"$or":[{"a":[1]},{"b":[2]}]}""", """{"a":2,"b":1}""", false)]
    [InlineData("""{"$or":[{"a":[1],"c":[3]},{"b":[2]}]}""", """{"a":1,"c":4}""", false)]
    [InlineData("""{"$or":[{"a":[1],"c":[3]},{"b":[2]}]}""", """{"a":1,"b":2}""", true)]
    [InlineData("""{"g":{"$or":[{"a":[1]},{"b":[2]}],"c":[3]}}""", """{"g":[{"a":1,"c":0},{"b":2,"c":3}]}""", true)]
    [InlineData("""{"g":{"$or":[{"a":[1]},{"b":[2]}],"c":[3]}}""", """{"g":[{"a":1,"c":0},{"b":0,"c":3}]}""", false)]
    [InlineData("""{"$or":[{"g":{"a":[1]}},{"$or":[{"b":[{"prefix":"x"}]},{"c":[{"numeric":[">",5]}]}]}]}""", """{"c":6}""", true)]
    [InlineData("""{"$or":[{"g":{"a":[1]}},{"$or":[{"b":[{"prefix":"x"}]},{"c":[{"numeric":[">",5]}]}]}]}""", """{"g":{"a":2},"b":"y","c":5}""", false)]
    [InlineData("""{"$or":[{"g":{"a":[1]}},{"$or":[{"b":[{"prefix":"x"}]},{"c":[{"numeric":[">",5]}]}]}]}""", """{"g":[{"a":2},{"a":1}]}""", true)]
    [InlineData("""{"g":{"$or":[{"a":[{"exists":false}]},{"b":[1]}]}}""", """{"x":1}""", true)]
    [InlineData("""{"g":{"$or":[{"a":[{"exists":false}]},{"b":[1]}]}}""", """{"g":{"a":0}}""", false)]
    [InlineData("""{"$or":[{"a":[{"anything-but":["x"]}]},{"b":[{"exists":true}]}]}""", """{"a":"x"}""", false)]
    [InlineData("""{"$or":[{"a":[{"anything-but":["x"]}]},{"b":[{"exists":true}]}]}""", """{"a":"x","b":null}""", true)]
    public void Match_OrBranchesInTheBlock_AnswerAsTheReference(string pattern, string cloudEvent, bool matches)
    {
        var parsed = TestPatterns.FromJson(pattern);
        var set = new CompiledPatternSetBuilder().Build([parsed]);
        var bytes = Encoding.UTF8.GetBytes(cloudEvent);
        using var document = JsonDocument.Parse(bytes, TestPatterns.DocumentOptions);

        Assert.Equal(matches, ReferencePatternEvaluator.Matches(parsed, document.RootElement));
        Assert.Equal(matches ? [0] : [], set.Match(bytes));
    }

    // A long list of values (a registry set of thousands, past the 1,024 keys the index lists a pattern under) is looked
    // up in one set: strings ordinally, numbers by value (3e2 = 300), true / false / null by kind, beside other entries of
    // the leaf (a prefix), and inside anything-but (also its equals-ignore-case list: "U42" is excluded as "u42" is).
    // Every answer is the reference evaluator's.
    [Theory]
    [InlineData("\"u42\"", true)]
    [InlineData("\"U42\"", false)]
    [InlineData("\"u42 \"", false)]
    [InlineData("\"u5000\"", false)]
    [InlineData("3e2", true)]
    [InlineData("300.0", true)]
    [InlineData("300.5", false)]
    [InlineData("\"300\"", false)]
    [InlineData("true", true)]
    [InlineData("false", false)]
    [InlineData("null", true)]
    [InlineData("\"tmp_x\"", true)]
    [InlineData("[\"x\", \"u4999\"]", true)]
    [InlineData("{}", false)]
    public void Match_LongValueLists_LookedUpAsTheReference(string field, bool inList)
    {
        var values = string.Join(",", Enumerable.Range(0, 5_000).Select(i => "\"u" + i + "\""));
        var numbers = string.Join(",", Enumerable.Range(0, 2_000).Select(i => (i * 100).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var list = "{\"f\":[" + values + "," + numbers + ",true,null,{\"prefix\":\"tmp_\"}]}";
        foreach (var pattern in new[]
        {
            list, "{\"f\":[{\"anything-but\":[" + values + "]}]}", "{\"f\":[{\"anything-but\":{\"equals-ignore-case\":[" + values + "]}}]}",
        })
        {
            var parsed = TestPatterns.FromJson(pattern);
            var set = new CompiledPatternSetBuilder().Build([parsed]);
            var bytes = Encoding.UTF8.GetBytes($$"""{"type":"t","f":{{field}}}""");
            using var document = JsonDocument.Parse(bytes, TestPatterns.DocumentOptions);

            var reference = ReferencePatternEvaluator.Matches(parsed, document.RootElement);
            Assert.Equal(reference, set.Match(bytes).Length == 1);
            if (ReferenceEquals(pattern, list))
            {
                Assert.Equal(inList, reference);
            }
        }
    }

    // A long list of keyed entries of every kind in one leaf (prefixes, suffixes, ignore-case values and prefixes,
    // wildcards, contains, numeric ranges and values, IPv4 networks, beside numeric-string and exists: false entries that
    // have no key of their own) is looked up by the entries' keys: each value's answer is the reference evaluator's.
    [Fact]
    public void Match_LongListsOfKeyedEntries_AnswerAsTheReference()
    {
        var random = new Random(7);
        string Word() => new([.. Enumerable.Range(0, random.Next(1, 5)).Select(_ => "abAB_.1é"[random.Next(8)])]);
        var entries = Enumerable.Range(0, 400).Select(i => (i % 12) switch
        {
            0 => "{\"prefix\":\"" + Word() + "\"}",
            1 => "{\"suffix\":\"" + Word() + "\"}",
            2 => "{\"equals-ignore-case\":\"" + Word() + "\"}",
            3 => "{\"prefix\":{\"equals-ignore-case\":\"" + Word() + "\"}}",
            4 => "{\"wildcard\":\"" + Word() + "*" + Word() + "\"}",
            5 => "{\"contains\":\"" + Word() + "\"}",
            6 => "{\"numeric\":[\">\"," + random.Next(100) + ",\"<=\"," + random.Next(100, 200) + "]}",
            7 => random.Next(300).ToString(System.Globalization.CultureInfo.InvariantCulture),
            8 => "{\"cidr\":\"10." + random.Next(4) + ".0.0/16\"}",
            9 => "\"" + Word() + "\"",
            10 => "{\"suffix\":{\"equals-ignore-case\":\"" + Word() + "\"}}",
            _ => "{\"numeric-string\":[\">\"," + random.Next(1000, 5000) + "]}",
        }).ToList();
        var pattern = TestPatterns.FromJson("{\"f\":[" + string.Join(",", entries) + ",{\"exists\":false}]}");
        var keyedOnly = TestPatterns.FromJson("{\"f\":[" + string.Join(",", entries.Where(e => !e.Contains("numeric-string", StringComparison.Ordinal))) + "]}");
        foreach (var parsed in new[] { pattern, keyedOnly })
        {
            var set = new CompiledPatternSetBuilder().Build([parsed]);
            var matched = 0;
            for (var i = 0; i < 600; i++)
            {
                var field = (i % 5) switch
                {
                    0 => random.Next(-50, 350).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    1 => "\"10." + random.Next(6) + ".1." + random.Next(9) + "\"",
                    2 => "[\"" + Word() + Word() + "\"," + random.Next(300) + ",\"" + random.Next(6000) + "\"]",
                    3 => i % 10 == 3 ? "null" : "{}",
                    _ => "\"" + Word() + Word() + Word() + "\"",
                };
                var bytes = Encoding.UTF8.GetBytes($$"""{"type":"t","f":{{field}}}""");
                using var document = JsonDocument.Parse(bytes, TestPatterns.DocumentOptions);
                var reference = ReferencePatternEvaluator.Matches(parsed, document.RootElement);

                Assert.True(reference == (set.Match(bytes).Length == 1), $"f = {field}: the reference says {reference}");
                matched += reference ? 1 : 0;
            }

            Assert.InRange(matched, 50, 590); // neither side of the check is vacuous
        }
    }

    // Hostile values against a long list of keyed entries: 200 nested prefixes ("", "a", "aa", ...) that a value of
    // 100,000 a's hits all at once, control chars and a NUL, a surrogate pair, an empty string. Each answer is the
    // reference evaluator's, and a value no entry can start matches only through "".
    [Theory]
    [InlineData(100_000, "")]
    [InlineData(3, "\\u0000b")]
    [InlineData(0, "\\u0001\\n\\t")]
    [InlineData(0, "\\ud83d\\ude00")]
    [InlineData(0, "")]
    [InlineData(250, "\\u007f")]
    public void Match_HostileValuesAgainstLongKeyedLists_AnswerAsTheReference(int aCount, string tail)
    {
        var prefixes = string.Join(",", Enumerable.Range(0, 200).Select(k => "{\"prefix\":\"" + new string('a', k) + "\"}"));
        var suffixes = string.Join(",", Enumerable.Range(1, 50).Select(k => "{\"suffix\":\"" + new string('b', k) + "x\"}"));
        var value = new string('a', aCount) + tail;
        foreach (var pattern in new[] { "{\"f\":[" + prefixes + "]}", "{\"f\":[" + suffixes + "]}" })
        {
            var parsed = TestPatterns.FromJson(pattern);
            var set = new CompiledPatternSetBuilder().Build([parsed]);
            var bytes = Encoding.UTF8.GetBytes($$"""{"type":"t","f":"{{value}}"}""");
            using var document = JsonDocument.Parse(bytes, TestPatterns.DocumentOptions);

            var reference = ReferencePatternEvaluator.Matches(parsed, document.RootElement);
            Assert.Equal(reference, set.Match(bytes).Length == 1);
            Assert.Equal(pattern.Contains("prefix", StringComparison.Ordinal), reference); // "" prefixes every string; no value ends in "x"
        }
    }
}
