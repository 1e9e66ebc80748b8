using System.Text;
using System.Text.Json;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Core.Tests.Compilation;

public sealed class CompiledPatternSetTests
{
    // Every case runs three ways: the pattern alone, the pattern behind fillers that make the candidate index split
    // (so the case also goes through partitions), and the reference evaluator; all three must agree.
    private static bool Matches(string pattern, string cloudEvent)
    {
        var compiled = TestPatterns.FromJson(pattern);
        var bytes = Encoding.UTF8.GetBytes(cloudEvent);
        var alone = new CompiledPatternSetBuilder().Build([compiled]).Match(bytes).Length == 1;

        var fillers = Enumerable.Range(0, 40).Select(i => TestPatterns.FromJson(
            i % 2 == 0 ? $$"""{"type":["filler:{{i}}"]}""" : $$"""{"data":{"projectId":[{{i}}]},"type":[{"prefix":"f{{i}}"}]}"""));
        var crowded = new CompiledPatternSetBuilder().Build([.. fillers, compiled]).Match(bytes).Contains(40);

        using var document = JsonDocument.Parse(bytes, TestPatterns.DocumentOptions);
        var reference = ReferencePatternEvaluator.Matches(compiled, document.RootElement);

        Assert.True(alone == crowded, $"alone={alone}, with fillers={crowded}: {pattern} on {cloudEvent}");
        Assert.True(alone == reference, $"compiled={alone}, reference={reference}: {pattern} on {cloudEvent}");
        return alone;
    }

    [Theory]
    [InlineData("""{"type":["a"]}""", """{"type":"a"}""", true)]
    [InlineData("""{"type":["a"]}""", """{"type":"A"}""", false)]
    [InlineData("""{"type":["a","b"]}""", """{"type":"b"}""", true)]
    [InlineData("""{"type":["a"]}""", """{}""", false)]
    [InlineData("""{"name":["é"]}""", """{"name":"e\u0301"}""", false)]
    [InlineData("""{"name":["é"]}""", """{"name":"\u00e9"}""", true)]
    [InlineData("""{"name":[""]}""", """{"name":""}""", true)]
    [InlineData("""{"name":[""]}""", """{"name":null}""", false)]
    [InlineData("""{"name":[""]}""", """{}""", false)]
    [InlineData("""{"name":[null]}""", """{"name":null}""", true)]
    [InlineData("""{"name":[null]}""", """{}""", false)]
    [InlineData("""{"name":[null]}""", """{"name":"null"}""", false)]
    [InlineData("""{"flag":[true]}""", """{"flag":true}""", true)]
    [InlineData("""{"flag":[true]}""", """{"flag":"true"}""", false)]
    [InlineData("""{"flag":[false]}""", """{"flag":false}""", true)]
    [InlineData("""{"flag":[false]}""", """{"flag":0}""", false)]
    [InlineData("""{"data":{"x":["a"]}}""", """{"data":{"x":"a"}}""", true)]
    [InlineData("""{"data":["a"]}""", """{"data":{"x":"a"}}""", false)]
    public void Match_ExactValues_FollowsSemantics(string pattern, string cloudEvent, bool expected) =>
        Assert.Equal(expected, Matches(pattern, cloudEvent));

    [Theory]
    [InlineData("""{"n":[300]}""", """{"n":300}""", true)]
    [InlineData("""{"n":[9007199254740993]}""", """{"n":9007199254740993}""", true)]
    [InlineData("""{"n":[9007199254740993]}""", """{"n":9007199254740992}""", false)]
    [InlineData("""{"n":[{"numeric":[">", 9007199254740991]}]}""", """{"n":9007199254740992}""", true)]
    [InlineData("""{"n":[{"numeric":["<", -9007199254740991]}]}""", """{"n":-9007199254740993}""", true)]
    [InlineData("""{"n":[{"numeric":["=", 999999999999999999]}]}""", """{"n":999999999999999999}""", true)]
    [InlineData("""{"n":[300]}""", """{"n":300.0}""", true)]
    [InlineData("""{"n":[300]}""", """{"n":3e2}""", true)]
    [InlineData("""{"n":[3e2]}""", """{"n":300}""", true)]
    [InlineData("""{"n":[300.5]}""", """{"n":3.005E2}""", true)]
    [InlineData("""{"n":[300]}""", """{"n":"300"}""", false)]
    [InlineData("""{"n":["300"]}""", """{"n":300}""", false)]
    [InlineData("""{"n":[1234567890123456]}""", """{"n":1234567890123457}""", false)]
    [InlineData("""{"n":[1234567890123456]}""", """{"n":1234567890123456}""", true)]
    [InlineData("""{"n":[0]}""", """{"n":-0}""", true)]
    [InlineData("""{"n":[0]}""", """{"n":1e400}""", false)]
    [InlineData("""{"n":[{"exists":true}]}""", """{"n":1e400}""", true)]
    public void Match_Numbers_CompareByValueNeverAsStrings(string pattern, string cloudEvent, bool expected) =>
        Assert.Equal(expected, Matches(pattern, cloudEvent));

    // Event integers take a fast path (no decimal-to-double conversion below 2^53); it must give the very number the
    // general parser gives, on both sides of that bound and at the 18-digit limit of the fast path.
    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("9007199254740991")]
    [InlineData("9007199254740992")]
    [InlineData("9007199254740993")]
    [InlineData("-9007199254740993")]
    [InlineData("999999999999999999")]
    [InlineData("-999999999999999999")]
    [InlineData("1000000000000000001")]
    public void EventIntegers_ReadAsTheGeneralParserReadsThem(string literal)
    {
        Assert.True(JsonNumber.TryParse(literal, out var general));
        var fast = JsonNumber.FromEventLiteral(literal);
        Assert.Equal(general, fast);
        Assert.Equal(general.AsDouble, fast.AsDouble);
        Assert.Equal(general.TryGetInt64(out var a), fast.TryGetInt64(out var b));
        Assert.Equal(a, b);
    }

    [Theory]
    [InlineData("""{"tags":["b"]}""", """{"tags":["a","b"]}""", true)]
    [InlineData("""{"tags":["c"]}""", """{"tags":["a","b"]}""", false)]
    [InlineData("""{"tags":[2]}""", """{"tags":[1,[[2]],3]}""", true)]
    [InlineData("""{"tags":["a"]}""", """{"tags":[]}""", false)]
    [InlineData("""{"tags":["a"]}""", """{"tags":[{"x":"a"}]}""", false)]
    [InlineData("""{"items":{"a":["1"],"b":["2"]}}""", """{"items":[{"a":"1","b":"x"},{"a":"y","b":"2"}]}""", false)]
    [InlineData("""{"items":{"a":["1"],"b":["2"]}}""", """{"items":[{"a":"1","b":"x"},{"a":"1","b":"2"}]}""", true)]
    [InlineData("""{"items":{"a":["1"],"b":["2"]}}""", """{"items":[[{"a":"1","b":"2"}]]}""", true)]
    [InlineData("""{"items":{"a":["1"]}}""", """{"items":[1,{"a":"1"},"x"]}""", true)]
    [InlineData("""{"a":{"b":{"c":["x"],"d":["y"]}}}""", """{"a":[{"b":[{"c":"x"},{"d":"y"}]}]}""", false)]
    [InlineData("""{"a":{"b":{"c":["x"],"d":["y"]}}}""", """{"a":[{"b":{"c":"x"}},{"b":{"c":"x","d":"y"}}]}""", true)]
    [InlineData("""{"a":{"b":[{"exists":false}]}}""", """{}""", true)]
    [InlineData("""{"a":{"b":[{"exists":false}]}}""", """{"a":null}""", true)]
    [InlineData("""{"a":{"b":[{"exists":false}]}}""", """{"a":5}""", true)]
    [InlineData("""{"a":{"b":[{"exists":false}]}}""", """{"a":[1,2]}""", true)]
    [InlineData("""{"a":{"b":[{"exists":false}]}}""", """{"a":[{"b":1}]}""", false)]
    [InlineData("""{"a":{"b":[{"exists":false}]}}""", """{"a":[{"b":1},{"c":1}]}""", true)]
    [InlineData("""{"a":{"b":["x"]}}""", """{"a":"x"}""", false)]
    public void Match_ArraysAndNesting_AreTransparentWithinOneElement(string pattern, string cloudEvent, bool expected) =>
        Assert.Equal(expected, Matches(pattern, cloudEvent));

    [Theory]
    [InlineData("""{"x":[{"exists":true}]}""", """{"x":null}""", true)]
    [InlineData("""{"x":[{"exists":true}]}""", """{"x":"v"}""", true)]
    [InlineData("""{"x":[{"exists":true}]}""", """{"x":{"y":1}}""", false)]
    [InlineData("""{"x":[{"exists":true}]}""", """{"x":[]}""", false)]
    [InlineData("""{"x":[{"exists":true}]}""", """{"x":[{"y":1}]}""", false)]
    [InlineData("""{"x":[{"exists":true}]}""", """{"x":[null]}""", true)]
    [InlineData("""{"x":[{"exists":true}]}""", """{}""", false)]
    [InlineData("""{"x":[{"exists":false}]}""", """{}""", true)]
    [InlineData("""{"x":[{"exists":false}]}""", """{"x":{"y":1}}""", true)]
    [InlineData("""{"x":[{"exists":false}]}""", """{"x":[]}""", true)]
    [InlineData("""{"x":[{"exists":false}]}""", """{"x":[{"y":1},{"z":2}]}""", true)]
    [InlineData("""{"x":[{"exists":false}]}""", """{"x":null}""", false)]
    [InlineData("""{"x":[{"exists":false}]}""", """{"x":[{"y":1},0]}""", false)]
    [InlineData("""{"x":[{"exists":false},"a"]}""", """{"x":"a"}""", true)]
    [InlineData("""{"x":{"y":[{"exists":true}]}}""", """{"x":{"y":1}}""", true)]
    [InlineData("""{"x":[{"exists":true}],"x2":{"y":["1"]}}""", """{"x":[[]],"x2":{"y":"1"}}""", false)]
    public void Match_Exists_JudgesTheFieldAsAWhole(string pattern, string cloudEvent, bool expected) =>
        Assert.Equal(expected, Matches(pattern, cloudEvent));

    [Theory]
    [InlineData("""{"f":[{"prefix":"dws_"}]}""", """{"f":"dws_orders"}""", true)]
    [InlineData("""{"f":[{"prefix":"dws_"}]}""", """{"f":"DWS_orders"}""", false)]
    [InlineData("""{"f":[{"prefix":"dws_"}]}""", """{"f":"dws"}""", false)]
    [InlineData("""{"f":[{"prefix":""}]}""", """{"f":""}""", true)]
    [InlineData("""{"f":[{"prefix":""}]}""", """{"f":1}""", false)]
    [InlineData("""{"f":[{"prefix":"1"}]}""", """{"f":10}""", false)]
    [InlineData("""{"f":[{"prefix":{"equals-ignore-case":"DWS_"}}]}""", """{"f":"dWs_x"}""", true)]
    [InlineData("""{"f":[{"prefix":{"equals-ignore-case":"dws_"}}]}""", """{"f":"ods_x"}""", false)]
    [InlineData("""{"f":[{"suffix":".sql"}]}""", """{"f":"a.sql"}""", true)]
    [InlineData("""{"f":[{"suffix":".sql"}]}""", """{"f":"a.SQL"}""", false)]
    [InlineData("""{"f":[{"suffix":{"equals-ignore-case":".sql"}}]}""", """{"f":"a.SQL"}""", true)]
    [InlineData("""{"f":[{"suffix":{"equals-ignore-case":".sql"}}]}""", """{"f":"sql"}""", false)]
    [InlineData("""{"f":[{"contains":"prod"}]}""", """{"f":"x_prod_y"}""", true)]
    [InlineData("""{"f":[{"contains":"prod"}]}""", """{"f":"x_PROD_y"}""", false)]
    [InlineData("""{"f":[{"equals-ignore-case":"PROD"}]}""", """{"f":"prod"}""", true)]
    [InlineData("""{"f":[{"equals-ignore-case":"PROD"}]}""", """{"f":"prod "}""", false)]
    [InlineData("""{"f":[{"equals-ignore-case":"ǆ"}]}""", """{"f":"Ǆ"}""", true)]
    [InlineData("""{"f":[{"equals-ignore-case":"straße"}]}""", """{"f":"STRASSE"}""", false)]
    [InlineData("""{"f":[{"equals-ignore-case":"1"}]}""", """{"f":1}""", false)]
    [InlineData("""{"f":[{"prefix":"a"},{"suffix":"z"}]}""", """{"f":"xyz"}""", true)]
    public void Match_StringOperators_AreOrdinalOrUpperInvariant(string pattern, string cloudEvent, bool expected) =>
        Assert.Equal(expected, Matches(pattern, cloudEvent));

    [Theory]
    [InlineData("dws_*_daily", "dws_orders_daily", true)]
    [InlineData("dws_*_daily", "dws__daily", true)]
    [InlineData("dws_*_daily", "dws_daily", false)]
    [InlineData("*", "", true)]
    [InlineData("a*b*c", "abc", true)]
    [InlineData("a*b*c", "axxbyyc", true)]
    [InlineData("a*b*c", "acb", false)]
    [InlineData("*.sql", "x.sql.bak", false)]
    [InlineData("abc", "abc", true)]
    [InlineData("abc", "abcd", false)]
    [InlineData("a\\\\*b", "a*b", true)]
    [InlineData("a\\\\*b", "axb", false)]
    [InlineData("a\\\\\\\\b", "a\\\\b", true)]
    [InlineData("a\\\\\\\\*", "a\\\\xyz", true)]
    [InlineData("*ab", "aab", true)]
    public void Match_Wildcard_StarsAndEscapes(string wildcard, string value, bool expected) =>
        Assert.Equal(expected, Matches($$"""{"f":[{"wildcard":"{{wildcard}}"}]}""", $$"""{"f":"{{value}}"}"""));

    [Theory]
    [InlineData("""[">", 0, "<=", 5]""", "5", true)]
    [InlineData("""[">", 0, "<=", 5]""", "5.0", true)]
    [InlineData("""[">", 0, "<=", 5]""", "0", false)]
    [InlineData("""[">", 0, "<=", 5]""", "0.0001", true)]
    [InlineData("""[">", 0, "<", 5]""", "5", false)]
    [InlineData("""[">=", 0, "<", 5]""", "0", true)]
    [InlineData("""["<", 10]""", "-1e10", true)]
    [InlineData("""[">", 10]""", "1e10", true)]
    [InlineData("""["=", 300]""", "3e2", true)]
    [InlineData("""["=", 300]""", "\"300\"", false)]
    [InlineData("""[">", 0]""", "\"5\"", false)]
    [InlineData("""[">", 0]""", "true", false)]
    [InlineData("""[">=", 0.1, "<=", 0.100001]""", "0.1", true)]
    [InlineData("""[">", 0.1]""", "0.1", false)]
    [InlineData("""[">", 1234567890123455, "<", 1234567890123457]""", "1234567890123456", true)]
    [InlineData("""[">", 1234567890123456]""", "1234567890123456", false)]
    public void Match_Numeric_ComparesNumbersOnly(string comparisons, string value, bool expected) =>
        Assert.Equal(expected, Matches($$"""{"n":[{"numeric":{{comparisons}}}]}""", $$"""{"n":{{value}}}"""));

    [Theory]
    [InlineData("10.0.0.0/8", "10.1.2.3", true)]
    [InlineData("10.0.0.0/8", "11.1.2.3", false)]
    [InlineData("10.0.0.0/24", "10.0.0.255", true)]
    [InlineData("10.0.0.0/24", "10.0.1.0", false)]
    [InlineData("10.0.0.0/8", "10.1.2", false)]
    [InlineData("10.0.0.0/8", "010.1.2.3", false)]
    [InlineData("10.0.0.0/8", "10.1.2.3 ", false)]
    [InlineData("10.0.0.0/8", "::ffff:10.1.2.3", false)]
    [InlineData("2001:db8::/32", "2001:db8::1", true)]
    [InlineData("2001:db8::/32", "2001:db9::1", false)]
    [InlineData("2001:db8::/32", "10.1.2.3", false)]
    [InlineData("2001:db8::/32", "not an ip", false)]
    public void Match_Cidr_SameFamilyInsideNetwork(string network, string value, bool expected) =>
        Assert.Equal(expected, Matches($$"""{"ip":[{"cidr":"{{network}}"}]}""", $$"""{"ip":"{{value}}"}"""));

    [Fact]
    public void Match_CidrOnNumber_DoesNotMatch() =>
        Assert.False(Matches("""{"ip":[{"cidr":"10.0.0.0/8"}]}""", """{"ip":10}"""));

    [Theory]
    [InlineData("""{"s":[{"anything-but":"a"}]}""", """{"s":"b"}""", true)]
    [InlineData("""{"s":[{"anything-but":"a"}]}""", """{"s":"a"}""", false)]
    [InlineData("""{"s":[{"anything-but":"a"}]}""", """{}""", false)]
    [InlineData("""{"s":[{"anything-but":"a"}]}""", """{"s":{"x":1}}""", false)]
    [InlineData("""{"s":[{"anything-but":"a"}]}""", """{"s":[]}""", false)]
    [InlineData("""{"s":[{"anything-but":"a"}]}""", """{"s":null}""", true)]
    [InlineData("""{"s":[{"anything-but":"a"}]}""", """{"s":["a","b"]}""", true)]
    [InlineData("""{"s":[{"anything-but":"a"}]}""", """{"s":["a","a"]}""", false)]
    [InlineData("""{"s":[{"anything-but":["a","b"]}]}""", """{"s":"b"}""", false)]
    [InlineData("""{"s":[{"anything-but":["a","b"]}]}""", """{"s":"c"}""", true)]
    [InlineData("""{"s":[{"anything-but":[300]}]}""", """{"s":3e2}""", false)]
    [InlineData("""{"s":[{"anything-but":[300]}]}""", """{"s":"300"}""", true)]
    [InlineData("""{"s":[{"anything-but":{"prefix":"tmp_"}}]}""", """{"s":"tmp_x"}""", false)]
    [InlineData("""{"s":[{"anything-but":{"prefix":"tmp_"}}]}""", """{"s":"dws_x"}""", true)]
    [InlineData("""{"s":[{"anything-but":{"prefix":"tmp_"}}]}""", """{"s":7}""", true)]
    [InlineData("""{"s":[{"anything-but":{"suffix":"_bak"}}]}""", """{"s":"x_bak"}""", false)]
    [InlineData("""{"s":[{"anything-but":{"wildcard":["a*","*z"]}}]}""", """{"s":"xyz"}""", false)]
    [InlineData("""{"s":[{"anything-but":{"wildcard":["a*","*z"]}}]}""", """{"s":"xy"}""", true)]
    [InlineData("""{"s":[{"anything-but":{"equals-ignore-case":["PROD","pre"]}}]}""", """{"s":"Prod"}""", false)]
    [InlineData("""{"s":[{"anything-but":{"equals-ignore-case":["PROD","pre"]}}]}""", """{"s":"dev"}""", true)]
    public void Match_AnythingBut_PerElementNeedsALeafValue(string pattern, string cloudEvent, bool expected) =>
        Assert.Equal(expected, Matches(pattern, cloudEvent));

    [Theory]
    [InlineData("""{"$or":[{"a":["1"]},{"b":["2"]}]}""", """{"b":"2"}""", true)]
    [InlineData("""{"$or":[{"a":["1"]},{"b":["2"]}]}""", """{"a":"2","b":"1"}""", false)]
    [InlineData("""{"t":["x"],"$or":[{"a":["1"]},{"b":["2"]}]}""", """{"t":"y","a":"1"}""", false)]
    [InlineData("""{"t":["x"],"$or":[{"a":["1"]},{"b":["2"]}]}""", """{"t":"x","a":"1"}""", true)]
    [InlineData("""{"$or":[{"a":["1"]},{"$or":[{"b":["2"]},{"c":["3"]}]}]}""", """{"c":"3"}""", true)]
    [InlineData("""{"$or":[{"a":["1"]},{"$or":[{"b":["2"]},{"c":["3"]}]}]}""", """{"c":"4"}""", false)]
    [InlineData("""{"d":{"$or":[{"a":["1"]},{"b":["2"]}]}}""", """{"d":[{"a":"0"},{"b":"2"}]}""", true)]
    [InlineData("""{"d":{"$or":[{"a":["1"]},{"b":["2"]}],"c":["3"]}}""", """{"d":[{"c":"3"},{"b":"2"}]}""", false)]
    [InlineData("""{"d":{"$or":[{"a":["1"]},{"b":["2"]}],"c":["3"]}}""", """{"d":[{"c":"3","b":"2"}]}""", true)]
    [InlineData("""{"$or":[{"a":[{"exists":false}]},{"a":["1"]}]}""", """{"a":"2"}""", false)]
    [InlineData("""{"$or":[{"a":[{"exists":false}]},{"a":["1"]}]}""", """{}""", true)]
    public void Match_Or_AnyBranchOverTheSameObject(string pattern, string cloudEvent, bool expected) =>
        Assert.Equal(expected, Matches(pattern, cloudEvent));

    [Fact]
    public void Match_EscapedNamesAndValues_CompareUnescaped()
    {
        Assert.True(Matches("""{"type":["a\"b"]}""", """{"\u0074ype":"a\u0022b"}"""));
        Assert.True(Matches("""{"emoji":["😀"]}""", """{"emoji":"\ud83d\ude00"}"""));
    }

    [Fact]
    public void Match_ManyPatterns_ReturnsEveryMatchingIdAscending()
    {
        var patterns = new List<PatternObject>();
        for (var i = 0; i < 300; i++)
        {
            patterns.Add(TestPatterns.FromJson((i % 3) switch
            {
                0 => "{\"type\":[\"t" + (i % 7) + "\"],\"data\":{\"projectId\":[" + (i % 11) + "]}}",
                1 => "{\"type\":[{\"prefix\":\"t\"}],\"data\":{\"status\":[{\"numeric\":[\">=\", " + (i % 13) + "]}]}}",
                _ => "{\"data\":{\"fileName\":[{\"suffix\":\"_" + (i % 5) + "\"}]}}",
            }));
        }

        var set = new CompiledPatternSetBuilder().Build(patterns);
        var cloudEvent = """{"type":"t3","data":{"projectId":3,"status":6,"fileName":"dws_2"}}""";
        using var document = JsonDocument.Parse(cloudEvent);
        var expected = Enumerable.Range(0, patterns.Count).Where(i => ReferencePatternEvaluator.Matches(patterns[i], document.RootElement)).ToArray();

        var actual = set.Match(Encoding.UTF8.GetBytes(cloudEvent));

        Assert.NotEmpty(expected);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Match_SameResultReusedAcrossEvents_ResetsBetweenEvents()
    {
        var set = new CompiledPatternSetBuilder().Build([TestPatterns.FromJson("""{"type":["a"]}"""), TestPatterns.FromJson("""{"type":["b"]}""")]);
        var result = new MatchResult();

        set.Match("""{"type":"a"}"""u8, result);
        Assert.Equal([0], result.PatternIds.ToArray());
        set.Match("""{"type":"b"}"""u8, result);
        Assert.Equal([1], result.PatternIds.ToArray());
        set.Match("""{"type":"c"}"""u8, result);
        Assert.Equal(0, result.Count);
    }

    [Fact]
    public void TryGetExtra_ExtraPaths_ReturnFirstScalarInDocumentOrder()
    {
        var builder = new CompiledPatternSetBuilder();
        var type = builder.AddExtraPath("type");
        var project = builder.AddExtraPath("data.projectId");
        var region = builder.AddExtraPath("aliyunregionid");
        var names = builder.AddExtraPath("data.items.name");
        var missing = builder.AddExtraPath("data.nothing");
        var set = builder.Build([TestPatterns.FromJson("""{"data":{"projectId":[1]}}""")]);
        var result = new MatchResult();

        set.Match("""{"type":"dataworks:FileChange:CommitFile","aliyunregionid":null,"data":{"projectId":10001234,"items":[{"x":1},{"name":"first"},{"name":["second"]}]}}"""u8, result);

        Assert.Equal(0, result.Count);
        Assert.True(result.TryGetExtra(type, out var t));
        Assert.Equal(Scalar.FromString("dataworks:FileChange:CommitFile"), t);
        Assert.True(result.TryGetExtra(project, out var p));
        Assert.Equal(ScalarKind.Number, p.Kind);
        Assert.Equal(JsonNumber.FromDecimal(10001234), p.Number);
        Assert.Equal("10001234", p.Text);
        Assert.True(result.TryGetExtra(region, out var r));
        Assert.Equal(Scalar.Null, r);
        Assert.True(result.TryGetExtra(names, out var n));
        Assert.Equal("first", n.Text);
        Assert.False(result.TryGetExtra(missing, out _));
        Assert.False(result.TryGetExtra(99, out _));
        Assert.Equal(["type", "data.projectId", "aliyunregionid", "data.items.name", "data.nothing"], set.ExtraPaths);
    }

    [Fact]
    public void Build_CalledTwice_Throws()
    {
        var builder = new CompiledPatternSetBuilder();
        builder.Build([]);

        var error = Assert.Throws<InvalidOperationException>(() => builder.Build([]));
        Assert.Equal("This CompiledPatternSetBuilder has already built its set; create a new builder for another set.", error.Message);
        Assert.Throws<InvalidOperationException>(() => builder.AddExtraPath("type"));
    }

    [Fact]
    public void AddExtraPath_EmptySegment_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => new CompiledPatternSetBuilder().AddExtraPath("data..projectId"));
        Assert.StartsWith("The extra path \"data..projectId\" has an empty segment", error.Message);
    }

    [Fact]
    public void Match_EmptySet_MatchesNothing() =>
        Assert.Empty(new CompiledPatternSetBuilder().Build([]).Match("""{"type":"a"}"""u8));

    [Fact]
    public void Match_AfterWarmUp_AllocatesNothing()
    {
        var patterns = Enumerable.Range(0, 1000).Select(i => TestPatterns.FromJson(
            "{\"type\":[\"dataworks:FileChange:CommitFile\"],\"data\":{\"projectId\":[" + i + "],\"fileName\":[{\"prefix\":\"dws_\"},{\"equals-ignore-case\":\"X" + i + "\"}],\"fileType\":[{\"numeric\":[\">\"," + (i % 20) + "]}]}}")).ToList();
        var set = new CompiledPatternSetBuilder().Build(patterns);
        var bytes = Encoding.UTF8.GetBytes("""{"type":"dataworks:FileChange:CommitFile","id":"x","data":{"projectId":7,"fileName":"dws_orders","fileType":10,"tags":["a","b"],"nested":{"a":[1,2,{"b":"c"}]}}}""");
        var result = new MatchResult();
        set.Match(bytes, result);
        set.Match(bytes, result);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            set.Match(bytes, result);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal([7], result.PatternIds.ToArray());
    }
}
