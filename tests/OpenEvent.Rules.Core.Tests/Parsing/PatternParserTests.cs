using System.Text.Json.Nodes;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Model.Patterns.Operators;
using OpenEvent.Rules.Parsing;

namespace OpenEvent.Rules.Core.Tests.Parsing;

public sealed class PatternParserTests
{
    private const string File = "policies/demo.json";

    private static (PatternObject? Pattern, IReadOnlyList<Diagnostic> Diagnostics) Parse(string json, string pointer = "")
    {
        var map = new JsonTextSourceMap(File, json);
        var root = JsonNode.Parse(json);
        var node = pointer.Length == 0 ? root : root![pointer.TrimStart('/')];
        var bag = new DiagnosticBag();
        return (PatternParser.Parse(node, pointer, map, bag), bag.Items);
    }

    [Fact]
    public void Parse_ValidPattern_BuildsModelWithSourceLocations()
    {
        var json = """
            {
              "source": ["acs.dataworks"],
              "data": {
                "fileName": [{"suffix": ".sql"}, "x"],
                "$or": [{"a": [1]}, {"b": [{"numeric": [">", 0, "<=", 5]}]}]
              }
            }
            """;

        var (pattern, diagnostics) = Parse(json);

        Assert.Empty(diagnostics);
        Assert.NotNull(pattern);
        Assert.Equal(new SourceLocation(File, 1, 1), pattern.Location);
        var source = Assert.IsType<LeafMember>(pattern.Members[0]);
        Assert.Equal("source", source.Name);
        Assert.Equal(new SourceLocation(File, 2, 3), source.Location);
        var exact = Assert.IsType<ExactMatcher>(Assert.Single(source.Matchers));
        Assert.Equal(Scalar.FromString("acs.dataworks"), exact.Value);
        Assert.Equal(new SourceLocation(File, 2, 14), exact.Location);

        var data = Assert.IsType<NestedMember>(pattern.Members[1]);
        Assert.Equal(new SourceLocation(File, 3, 3), data.Location);
        var fileName = Assert.IsType<LeafMember>(data.Pattern.Members[0]);
        var suffix = Assert.IsType<SuffixMatcher>(fileName.Matchers[0]);
        Assert.Equal((".sql", false), (suffix.Value, suffix.IgnoreCase));
        Assert.Equal(new SourceLocation(File, 4, 18), suffix.Location);
        var or = Assert.IsType<OrMember>(data.Pattern.Members[1]);
        Assert.Equal(new SourceLocation(File, 5, 5), or.Location);
        Assert.Equal(2, or.Branches.Length);
        var numeric = Assert.IsType<NumericMatcher>(Assert.IsType<LeafMember>(or.Branches[1].Members[0]).Matchers[0]);
        NumericComparison[] expected =
        [
            new(NumericOperator.GreaterThan, JsonNumber.FromDecimal(0)),
            new(NumericOperator.LessThanOrEqual, JsonNumber.FromDecimal(5)),
        ];
        Assert.True(expected.SequenceEqual(numeric.Comparisons));
    }

    [Fact]
    public void Parse_PatternInsideADocument_UsesThePointerForLocations()
    {
        var json = """
            {"spec": {"match":
              {"type": [{"prefx": "dataworks:"}]}}}
            """;
        var map = new JsonTextSourceMap(File, json);
        var node = JsonNode.Parse(json)!["spec"]!["match"];
        var bag = new DiagnosticBag();

        var pattern = PatternParser.Parse(node, "/spec/match", map, bag);

        Assert.Null(pattern);
        var diagnostic = Assert.Single(bag.Items);
        Assert.Equal(new SourceLocation(File, 2, 14), diagnostic.Location);
    }

    /// <summary>A pattern with one mistake, and the one error the parser reports for it (the pattern is then refused).</summary>
    private sealed record OneMistake(string Json, string Id, int Line, int Column, string Message, string Hint);

    private static readonly Dictionary<string, OneMistake> s_oneMistake = new(StringComparer.Ordinal)
    {
        ["unknown-operator"] = new("{\n  \"type\": [{\"prefx\": \"dataworks:\"}]\n}", DiagnosticIds.UnknownOperator, 2, 13,
            "Unknown operator 'prefx' in 'type'.",
            "Did you mean 'prefix'? Operators: prefix, suffix, contains, equals-ignore-case, wildcard, numeric, numeric-string, cidr, exists, anything-but."),
        // A named set is expanded before the list is read; a misspelt 'set' is still recognised.
        ["set-misspelt"] = new("{\n  \"data\": {\"projectId\": [{\"sett\": \"core\"}]}\n}", DiagnosticIds.UnknownOperator, 2, 27,
            "Unknown operator 'sett' in 'data.projectId'.",
            "Did you mean 'set'? Operators: prefix, suffix, contains, equals-ignore-case, wildcard, numeric, numeric-string, cidr, exists, anything-but."),
        ["quamina-shellstyle"] = new("{\n  \"data\": {\"fileName\": [{\"shellstyle\": \"*_tmp_*\"}]}\n}", DiagnosticIds.UnknownOperator, 2, 26,
            "Unknown operator 'shellstyle' in 'data.fileName'.",
            "Did you mean 'wildcard'? Operators: prefix, suffix, contains, equals-ignore-case, wildcard, numeric, numeric-string, cidr, exists, anything-but."),
        ["leaf-not-a-list"] = new("""{"source": "acs.dataworks"}""", DiagnosticIds.LeafNotArray, 1, 12,
            "The value of 'source' must be a list of values or operators; found the string \"acs.dataworks\".",
            "Write a list: \"source\": [\"acs.dataworks\"]."),
        ["operator-object-with-its-list-inside"] = new("""{"ip": {"exists": [true]}}""", DiagnosticIds.LeafNotArray, 1, 8,
            "The value of 'ip' must be a list of values or operators; found the operator object {\"exists\":[true]}.",
            "Wrap it in a list: \"ip\": [{\"exists\": true}]."),
        ["cidr-with-host-bits"] = new("""{"data": {"ip": [{"cidr": "10.0.0.1/8"}]}}""", DiagnosticIds.BadCidr, 1, 27,
            "The cidr \"10.0.0.1/8\" in 'data.ip' has host bits set; the network it names is 10.0.0.0/8.",
            "Write \"10.0.0.0/8\" (or \"10.0.0.1/32\" to match that single address)."),
        ["contradictory-range"] = new("""{"n": [{"numeric": [">", 10, "<", 5]}]}""", DiagnosticIds.ContradictoryRange, 1, 20,
            "The range [\">\", 10, \"<\", 5] in 'n' can never match: no number is above 10 and below 5.",
            "Make the lower bound ('>' or '>=') smaller than the upper bound ('<' or '<='); were the bounds swapped?"),
        ["number-as-string"] = new("""{"n": [{"numeric": [">=", "5"]}]}""", DiagnosticIds.MalformedNumeric, 1, 27,
            "'numeric' in 'n' compares numbers, but \"5\" is a string.",
            "Write 5 without quotes. (A field sent as a string, like \"changeType\": \"1\", cannot be compared with numeric; match it exactly: [\"5\"].)"),

        // Issue 19: forms EventBridge refuses, each with its fix
        ["range-with-the-upper-bound-first"] = new("""{"n": [{"numeric": ["<", 10, ">", 0]}]}""", DiagnosticIds.MalformedNumeric, 1, 30,
            "The range [\"<\", 10, \">\", 0] in 'n' has its bounds in the wrong order: the lower bound ('>' or '>=') comes first.",
            "Write [\">\", 0, \"<\", 10]."),
        ["closed-range-of-one-point"] = new("""{"n": [{"numeric": [">=", 5, "<=", 5]}]}""", DiagnosticIds.MalformedNumeric, 1, 20,
            "The range [\">=\", 5, \"<=\", 5] in 'n' has equal bounds; EventBridge requires the lower bound to be smaller than the upper bound.",
            "To match exactly 5 write [\"=\", 5]."),
        ["anything-but-null"] = new("""{"x": [{"anything-but": null}]}""", DiagnosticIds.BadOperatorValue, 1, 25,
            "'anything-but' in 'x' takes strings or numbers; found null.",
            "To require a value that is not null, match its kind: [{\"prefix\": \"\"}] matches every string, [{\"numeric\": [\">=\", 0]}] non-negative numbers; [{\"exists\": true}] accepts null too."),
        ["anything-but-true"] = new("""{"x": [{"anything-but": [true]}]}""", DiagnosticIds.BadOperatorValue, 1, 26,
            "'anything-but' in 'x' takes strings or numbers; found true.", "Match the other value directly: [false]."),
        ["anything-but-false"] = new("""{"x": [{"anything-but": false}]}""", DiagnosticIds.BadOperatorValue, 1, 25,
            "'anything-but' in 'x' takes strings or numbers; found false.", "Match the other value directly: [true]."),
        ["anything-but-mixing-strings-and-numbers"] = new("""{"v": [{"anything-but": ["1", "2", 3]}]}""", DiagnosticIds.BadOperatorValue, 1, 36,
            "The 'anything-but' list in 'v' mixes strings and numbers (\"1\" and 3).",
            "List only strings or only numbers, the kind the field holds: a string never equals a number, so the other kind excludes nothing (quote or unquote it)."),
        ["anything-but-empty-prefix"] = new("""{"f": [{"anything-but": {"prefix": ""}}]}""", DiagnosticIds.BadOperatorValue, 1, 36,
            "'anything-but' in 'f' has an empty prefix, which would exclude every string.",
            """Write the text to exclude, e.g. {"anything-but": {"prefix": "tmp_"}}; to match only numbers use numeric."""),
        ["anything-but-empty-suffix"] = new("""{"f": [{"anything-but": {"suffix": ""}}]}""", DiagnosticIds.BadOperatorValue, 1, 36,
            "'anything-but' in 'f' has an empty suffix, which would exclude every string.",
            """Write the text to exclude, e.g. {"anything-but": {"suffix": "_bak"}}; to match only numbers use numeric."""),
        ["operator-keyword-as-field-in-or"] = new("""{"$or": [{"prefix": ["tmp_"]}, {"fileName": ["a"]}]}""", DiagnosticIds.OperatorAsFieldName, 1, 11,
            "'prefix' is an operator keyword, so it cannot be a field name inside '$or'.",
            "Name the event field and put the operator in its list, e.g. {\"fieldName\": [{\"prefix\": \"tmp_\"}]}."),
    };

    public static TheoryData<string> OneMistakePatterns() => new(s_oneMistake.Keys);

    [Theory]
    [MemberData(nameof(OneMistakePatterns))]
    public void Parse_OneMistake_RefusedWithExactlyItsError(string name)
    {
        var expected = s_oneMistake[name];

        var (pattern, diagnostics) = Parse(expected.Json);

        Assert.Null(pattern);
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(
            (expected.Id, DiagnosticSeverity.Error, new SourceLocation(File, expected.Line, expected.Column), expected.Message, expected.Hint),
            (diagnostic.Id, diagnostic.Severity, diagnostic.Location, diagnostic.Message, diagnostic.Hint));
    }

    [Fact]
    public void Parse_SeveralProblems_ReportsEveryOneInDocumentOrder()
    {
        var json = """
            {
              "source": "acs.dataworks",
              "type": [{"prefx": "dataworks:"}],
              "data": {
                "n": [{"numeric": [">", "5"]}],
                "ip": [{"cidr": "10.0.0.1/8"}],
                "f": [{"wildcard": "a**"}, {"anything-but": []}]
              },
              "$or": [{"a": ["x"]}]
            }
            """;

        var (pattern, diagnostics) = Parse(json);

        Assert.Null(pattern);
        Assert.Equal(
            [
                ("OER3015", 2), ("OER3010", 3), ("OER3011", 5), ("OER3012", 6), ("OER3018", 7), ("OER3013", 7), ("OER3014", 9),
            ],
            diagnostics.Select(d => (d.Id, d.Location.Line)));
        Assert.All(diagnostics, d => Assert.False(string.IsNullOrEmpty(d.Hint)));
    }

    [Fact]
    public void Parse_BagAlreadyHasErrors_ValidPatternIsStillReturned()
    {
        var map = new JsonTextSourceMap(File, """{"a": ["x"]}""");
        var bag = new DiagnosticBag();
        bag.Error("OER1001", SourceLocation.None, "earlier problem");

        var pattern = PatternParser.Parse(JsonNode.Parse("""{"a": ["x"]}"""), "", map, bag);

        Assert.NotNull(pattern);
        Assert.Single(bag.Items);
    }

    [Fact]
    public void Parse_Numbers_KeepTheirLiteralAndCompareByValue()
    {
        var (pattern, _) = Parse("""{"n": [3e2, 300.0, -0]}""");

        var values = Assert.IsType<LeafMember>(pattern!.Members[0]).Matchers.Cast<ExactMatcher>().Select(m => m.Value).ToList();
        Assert.Equal(["3e2", "300.0", "-0"], values.Select(v => v.Text));
        Assert.Equal(values[0], values[1]);
        Assert.Equal(Scalar.FromNumber(JsonNumber.FromDecimal(0)), values[2]);
    }

    [Fact]
    public void Parse_NullInALeafList_IsTheNullScalar()
    {
        var (pattern, _) = Parse("""{"x": [null, "", false]}""");

        var values = Assert.IsType<LeafMember>(pattern!.Members[0]).Matchers.Cast<ExactMatcher>().Select(m => m.Value);
        Assert.Equal([Scalar.Null, Scalar.FromString(""), Scalar.False], values);
    }

    [Fact]
    public void Parse_KeyWithSlash_IsLocatedThroughAnEscapedPointer()
    {
        var (_, diagnostics) = Parse("""{"a/b": "x", "c~d": 1}""");

        Assert.Equal([new SourceLocation(File, 1, 9), new SourceLocation(File, 1, 21)], diagnostics.Select(d => d.Location));
    }

    [Fact]
    public void Parse_NodesBuiltInCode_AreReadLikeParsedJson()
    {
        // The YAML reader builds JsonValues from CLR values rather than from JSON text.
        var node = new JsonObject
        {
            ["n"] = new JsonArray(JsonValue.Create(5L), JsonValue.Create(2.5m), JsonValue.Create("x"), JsonValue.Create(true), null),
            ["m"] = new JsonArray(new JsonObject { ["numeric"] = new JsonArray(">", 1.5, "<", JsonValue.Create(10)) }),
        };
        var bag = new DiagnosticBag();

        var pattern = PatternParser.Parse(node, "", new JsonTextSourceMap(File, "{}"), bag);

        Assert.Empty(bag.Items);
        var values = Assert.IsType<LeafMember>(pattern!.Members[0]).Matchers.Cast<ExactMatcher>().Select(m => m.Value);
        Assert.Equal([Scalar.FromNumber(JsonNumber.FromDecimal(5)), Scalar.FromNumber(JsonNumber.FromDecimal(2.5m)), Scalar.FromString("x"), Scalar.True, Scalar.Null], values);
    }

    [Fact]
    public void Parse_NotANumberFromYaml_IsReportedNotThrown()
    {
        var node = new JsonObject
        {
            ["n"] = new JsonArray(new JsonObject { ["numeric"] = new JsonArray(">", JsonValue.Create(double.NaN)) }),
            ["m"] = new JsonArray(JsonValue.Create(double.PositiveInfinity)),
        };
        var bag = new DiagnosticBag();

        var pattern = PatternParser.Parse(node, "", new JsonTextSourceMap(File, "{}"), bag);

        Assert.Null(pattern);
        Assert.Equal(["OER3011", "OER3011"], bag.Items.Select(d => d.Id));
        Assert.Equal("The number NaN in 'numeric' of 'n' is out of range.", bag.Items[0].Message);
    }

    [Theory]
    [InlineData("prefx", "prefix")]
    [InlineData("Prefix", "prefix")]
    [InlineData("sufix", "suffix")]
    [InlineData("anythingBut", "anything-but")]
    [InlineData("anything_but", "anything-but")]
    [InlineData("equalsIgnoreCase", "equals-ignore-case")]
    [InlineData("exist", "exists")]
    [InlineData("cider", "cidr")]
    [InlineData("numerc", "numeric")]
    [InlineData("startsWith", "prefix")]
    [InlineData("regex", null)]
    [InlineData("in", null)]
    public void Suggest_OperatorTypos_FindsTheIntendedOperator(string typed, string? expected)
    {
        Assert.Equal(expected, PatternParser.Suggest(typed, PatternParser.OperatorNames));
    }

    // Issue 19: forms EventBridge refuses, each with its fix

    [Fact]
    public void Parse_OperatorKeywordAsFieldOutsideOr_ReadAsAFieldAsEventBridgeDoes()
    {
        var (pattern, diagnostics) = Parse("""{"prefix": ["tmp_"], "data": {"numeric": [1], "b": [2]}}""");

        Assert.Empty(diagnostics);
        Assert.Equal("prefix", Assert.IsType<LeafMember>(pattern!.Members[0]).Name);
    }
}
