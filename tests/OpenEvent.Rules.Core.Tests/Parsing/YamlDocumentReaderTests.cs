using System.Text;
using System.Text.Json.Nodes;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Parsing;

namespace OpenEvent.Rules.Core.Tests.Parsing;

public sealed class YamlDocumentReaderTests
{
    private const string File = "p.yaml";

    private static (IReadOnlyList<SourceDocument> Documents, IReadOnlyList<Diagnostic> Diagnostics) Read(string text)
    {
        var bag = new DiagnosticBag();
        var documents = YamlDocumentReader.ReadText(File, text, bag);
        return (documents, bag.Items);
    }

    private static Diagnostic Single(IReadOnlyList<Diagnostic> diagnostics, string id)
    {
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(id, diagnostic.Id);
        return diagnostic;
    }

    [Fact]
    public void ReadText_PlainScalars_TypedByYaml12CoreSchema()
    {
        var (documents, diagnostics) = Read("""
            nulls: [null, Null, NULL, ~]
            bools: [true, True, TRUE, false, False, FALSE]
            yaml11: [yes, no, on, off, Yes, y, n]
            ints: [0, -12, +7, 007, 0x1F, 0o17]
            floats: [1.5, .5, -.5, 1., 3e2, 1E-3, +2.5e+3]
            special: [.inf, -.inf, .nan, 1_000, 0x, 1e]
            quoted: ["123", 'true', "null"]
            tagged: [!!str 12, ! 12]
            id: 1234567890123456789012
            empty:
            """);

        Assert.Empty(diagnostics);
        var root = Assert.Single(documents).Root!;
        Assert.Equal("[null,null,null,null]", root["nulls"]!.ToJsonString());
        Assert.Equal("[true,true,true,false,false,false]", root["bools"]!.ToJsonString());
        Assert.Equal("""["yes","no","on","off","Yes","y","n"]""", root["yaml11"]!.ToJsonString());
        Assert.Equal("[0,-12,7,7,31,15]", root["ints"]!.ToJsonString());
        Assert.Equal("[1.5,0.5,-0.5,1.0,3e2,1E-3,2.5e+3]", root["floats"]!.ToJsonString());
        Assert.Equal("""[".inf","-.inf",".nan","1_000","0x","1e"]""", root["special"]!.ToJsonString());
        Assert.Equal("""["123","true","null"]""", root["quoted"]!.ToJsonString());
        Assert.Equal("""["12","12"]""", root["tagged"]!.ToJsonString());
        Assert.Equal("1234567890123456789012", root["id"]!.ToJsonString());
        Assert.True(root.AsObject().ContainsKey("empty"));
        Assert.Null(root["empty"]);
    }

    [Theory]
    [InlineData("+1", "1")]
    [InlineData(".5", "0.5")]
    [InlineData("1.", "1.0")]
    [InlineData("-0", "-0")]
    [InlineData("00", "0")]
    [InlineData("1.e5", "1.0e5")]
    [InlineData("0xff", "255")]
    public void TryNormalizeNumber_YamlForms_ValidJsonNumberText(string yaml, string json)
    {
        Assert.True(YamlScalarTyping.TryNormalizeNumber(yaml, out var normalized));
        Assert.Equal(json, normalized);
    }

    [Theory]
    [InlineData(".inf")]
    [InlineData(".nan")]
    [InlineData("+")]
    [InlineData(".")]
    [InlineData("1.2.3")]
    [InlineData("0o8")]
    [InlineData("12abc")]
    public void TryNormalizeNumber_NotANumber_False(string yaml) =>
        Assert.False(YamlScalarTyping.TryNormalizeNumber(yaml, out _));

    [Fact]
    public void ReadText_SourceMap_LocatesValuesKeysAndAncestors()
    {
        var (documents, diagnostics) = Read("""
            apiVersion: openevent.rules/v1
            spec:
              mode: audit
              actions:
                - block: { reason: "x" }
              "a/b~c": 1
            """);

        Assert.Empty(diagnostics);
        var map = Assert.Single(documents).Map;
        Assert.Equal(new SourceLocation(File, 3, 9), map.Locate("/spec/mode"));
        Assert.Equal(new SourceLocation(File, 3, 3), map.LocateKey("/spec/mode"));
        Assert.Equal(new SourceLocation(File, 5, 7), map.Locate("/spec/actions/0"));
        Assert.Equal(new SourceLocation(File, 5, 24), map.Locate("/spec/actions/0/block/reason"));
        Assert.Equal(new SourceLocation(File, 6, 12), map.Locate("/spec/a~1b~0c"));
        Assert.Equal(new SourceLocation(File, 3, 9), map.Locate("/spec/mode/missing/deeper"));
        Assert.Equal(new SourceLocation(File, 5, 7), map.LocateKey("/spec/actions/0"));
        Assert.Equal(new SourceLocation(File, 1, 1), map.Locate(""));
    }

    [Fact]
    public void ReadText_SeveralDocuments_EachWithItsOwnMap()
    {
        var (documents, diagnostics) = Read("""
            # header comment
            kind: Channel
            ---
            ---
            kind: Target
            name: t
            """);

        Assert.Empty(diagnostics);
        Assert.Collection(documents,
            first =>
            {
                Assert.Equal(0, first.Index);
                Assert.Equal("Channel", first.Root!["kind"]!.GetValue<string>());
                Assert.Equal(new SourceLocation(File, 2, 7), first.Map.Locate("/kind"));
            },
            second =>
            {
                Assert.Equal(2, second.Index);
                Assert.Equal("Target", second.Root!["kind"]!.GetValue<string>());
                Assert.Equal(new SourceLocation(File, 6, 7), second.Map.Locate("/name"));
            });
    }

    [Fact]
    public void ReadText_InvalidMapping_Oer1001AtParserMark()
    {
        var (_, diagnostics) = Read("a: b: c\n");

        var diagnostic = Single(diagnostics, DiagnosticIds.YamlSyntax);
        Assert.Equal(new SourceLocation(File, 1, 5), diagnostic.Location);
        Assert.Equal("YAML syntax error: while scanning a plain scalar value, found invalid mapping", diagnostic.Message);
        Assert.Equal("a value that contains ': ' must be quoted, e.g. reason: \"frozen: see ticket 42\"", diagnostic.Hint);
    }

    [Fact]
    public void ReadText_BadIndentation_Oer1001WithIndentationHint()
    {
        var (_, diagnostics) = Read("a:\n  - x\n y: 1\n");

        var diagnostic = Single(diagnostics, DiagnosticIds.YamlSyntax);
        Assert.Equal(new SourceLocation(File, 3, 2), diagnostic.Location);
        Assert.Equal("YAML syntax error: while parsing a block mapping, did not find expected key", diagnostic.Message);
        Assert.StartsWith("check the indentation", diagnostic.Hint);
    }

    [Fact]
    public void ReadText_UnclosedFlowSequence_Oer1001AtTheBracket()
    {
        var (_, diagnostics) = Read("a: [1, 2\nb: 3\n");

        var diagnostic = Single(diagnostics, DiagnosticIds.YamlSyntax);
        Assert.Equal(new SourceLocation(File, 1, 4), diagnostic.Location);
        Assert.Equal("YAML syntax error: '[' is not closed", diagnostic.Message);
    }

    [Fact]
    public void ReadText_SyntaxErrorInSecondDocument_KeepsTheFirst()
    {
        var (documents, diagnostics) = Read("a: 1\n---\nb: c: d\n");

        Assert.Equal("1", Assert.Single(documents).Root!["a"]!.ToJsonString());
        Assert.Equal(new SourceLocation(File, 3, 5), Single(diagnostics, DiagnosticIds.YamlSyntax).Location);
    }

    [Fact]
    public void ReadText_NonScalarKey_Oer1001()
    {
        var (documents, diagnostics) = Read("? [a, b]\n: 1\n");

        Assert.Empty(documents);
        var diagnostic = Single(diagnostics, DiagnosticIds.YamlSyntax);
        Assert.Equal(new SourceLocation(File, 1, 3), diagnostic.Location);
        Assert.Equal("YAML syntax error: a mapping key must be a plain string, not a list, a mapping or an alias", diagnostic.Message);
    }

    [Fact]
    public void ReadText_AliasWithoutAnchor_Oer1001()
    {
        var (_, diagnostics) = Read("a: 1\nb: *nope\n");

        var diagnostic = Single(diagnostics, DiagnosticIds.YamlSyntax);
        Assert.Equal(new SourceLocation(File, 2, 4), diagnostic.Location);
        Assert.Equal("YAML syntax error: alias '*nope' refers to no anchor defined before it", diagnostic.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n\n# and another\n")]
    [InlineData("---\n")]
    [InlineData("\n\n   \n")]
    public void ReadText_NoContent_Oer1002AtFileStart(string text)
    {
        var (documents, diagnostics) = Read(text);

        Assert.Empty(documents);
        var diagnostic = Single(diagnostics, DiagnosticIds.EmptyFile);
        Assert.Equal(new SourceLocation(File, 1, 1), diagnostic.Location);
    }

    [Fact]
    public void Read_InvalidUtf8_Oer1003AtTheFirstBadByte()
    {
        var bytes = Encoding.UTF8.GetBytes("a: ok\nété: ").Concat(new byte[] { 0xC3, 0x28, 0xFF }).ToArray();
        var bag = new DiagnosticBag();

        var documents = YamlDocumentReader.Read(File, bytes, bag);

        Assert.Empty(documents);
        var diagnostic = Single(bag.Items, DiagnosticIds.NotUtf8);
        Assert.Equal(new SourceLocation(File, 2, 6), diagnostic.Location);
        Assert.Equal("file is not valid UTF-8: invalid byte 0xC3 at byte offset 13", diagnostic.Message);
        Assert.Equal("save the file as UTF-8", diagnostic.Hint);
    }

    [Fact]
    public void Read_Utf8Bom_Accepted()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes("kind: Policy\n")).ToArray();
        var bag = new DiagnosticBag();

        var document = Assert.Single(YamlDocumentReader.Read(File, bytes, bag));

        Assert.Empty(bag.Items);
        Assert.Equal("Policy", document.Root!["kind"]!.GetValue<string>());
        Assert.Equal(new SourceLocation(File, 1, 7), document.Map.Locate("/kind"));
    }

    [Fact]
    public void ReadFile_50MbFile_Oer1004FromTheLengthAlone()
    {
        using var temp = new TempFolder();
        var path = temp.Path("huge.yaml");
        using (var stream = new FileStream(path, FileMode.CreateNew))
        {
            stream.SetLength(50L * 1024 * 1024); // sparse: nothing is written, and nothing must be read
        }

        var bag = new DiagnosticBag();
        var documents = YamlDocumentReader.ReadFile(path, bag, "policies/huge.yaml");

        Assert.Empty(documents);
        var diagnostic = Single(bag.Items, DiagnosticIds.FileTooLarge);
        Assert.Equal(new SourceLocation("policies/huge.yaml", 0, 0), diagnostic.Location);
        Assert.Equal("file is 50 MB, larger than the 10 MB limit", diagnostic.Message);
    }

    [Fact]
    public void ReadFile_JustOverTheLimit_Oer1004()
    {
        using var temp = new TempFolder();
        var path = temp.Path("big.yaml");
        System.IO.File.WriteAllBytes(path, new byte[YamlDocumentReader.MaxFileBytes + 1]);

        var bag = new DiagnosticBag();
        YamlDocumentReader.ReadFile(path, bag);

        Single(bag.Items, DiagnosticIds.FileTooLarge);
    }

    [Fact]
    public void ReadFile_10000DeepFlowNestingFile_Oer1005AtLevel65()
    {
        using var temp = new TempFolder();
        var path = temp.Path("deep.yaml");
        System.IO.File.WriteAllText(path, new string('[', 10_000) + new string(']', 10_000));

        var bag = new DiagnosticBag();
        var documents = YamlDocumentReader.ReadFile(path, bag, "deep.yaml");

        Assert.Empty(documents);
        var diagnostic = Single(bag.Items, DiagnosticIds.NestingTooDeep);
        Assert.Equal(new SourceLocation("deep.yaml", 1, 65), diagnostic.Location);
        Assert.Equal("nesting is deeper than 64 levels", diagnostic.Message);
    }

    [Fact]
    public void ReadText_10000DeepFlowMappings_Oer1005()
    {
        var text = "a: " + string.Concat(Enumerable.Repeat("{a: ", 10_000)) + "1" + new string('}', 10_000);

        var (_, diagnostics) = Read(text);

        // Level 1 is the root mapping; level 2 is the '{' at column 4, and each level adds 4 columns.
        Assert.Equal(new SourceLocation(File, 1, 4 + (63 * 4)), Single(diagnostics, DiagnosticIds.NestingTooDeep).Location);
    }

    [Fact]
    public void ReadText_10000DeepUnclosedFlowMappings_OneLocatedError()
    {
        // YamlDotNet scans ahead for implicit keys and reaches the end before the depth limit: a syntax error, no crash.
        var (_, diagnostics) = Read("a: " + string.Concat(Enumerable.Repeat("{a: ", 10_000)));

        var diagnostic = Assert.Single(diagnostics);
        Assert.Contains(diagnostic.Id, new[] { DiagnosticIds.YamlSyntax, DiagnosticIds.NestingTooDeep });
        Assert.True(diagnostic.Location.Line > 0);
    }

    [Fact]
    public void ReadText_10000DeepBlockMappings_Oer1005AtLevel65()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 10_000; i++)
        {
            text.Append(' ', i).Append("a:\n");
        }

        text.Append(' ', 10_000).Append("x\n");

        var (_, diagnostics) = Read(text.ToString());

        // The root mapping is level 1 (line 1), so level 65 is the mapping that starts on line 65.
        Assert.Equal(new SourceLocation(File, 65, 65), Single(diagnostics, DiagnosticIds.NestingTooDeep).Location);
    }

    [Fact]
    public void ReadText_10000DeepBlockSequences_Oer1005()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 10_000; i++)
        {
            text.Append(' ', i * 2).Append("-\n");
        }

        var (_, diagnostics) = Read(text.ToString());

        Assert.Equal(DiagnosticIds.NestingTooDeep, Assert.Single(diagnostics).Id);
    }

    [Fact]
    public void ReadText_64Levels_Accepted()
    {
        var (documents, diagnostics) = Read(new string('[', 64) + new string(']', 64));

        Assert.Empty(diagnostics);
        Assert.Single(documents);
    }

    [Fact]
    public void ReadText_TabIndentation_Oer1006AtTheTab()
    {
        var (_, diagnostics) = Read("spec:\n  mode: audit\n \tpriority: 1\n");

        var diagnostic = Single(diagnostics, DiagnosticIds.TabIndentation);
        Assert.Equal(new SourceLocation(File, 3, 2), diagnostic.Location);
        Assert.Equal("tab character in indentation: YAML indentation must use spaces", diagnostic.Message);
        Assert.Equal("indent with spaces (set your editor to insert spaces for YAML files)", diagnostic.Hint);
    }

    [Fact]
    public void ReadText_TabIndentedMapping_Oer1006InsteadOfASyntaxErrorElsewhere()
    {
        var (_, diagnostics) = Read("spec:\n\tmode: audit\n");

        Assert.Equal(new SourceLocation(File, 2, 1), Single(diagnostics, DiagnosticIds.TabIndentation).Location);
    }

    [Fact]
    public void ReadText_TabsInsideBlockScalarAndValues_Accepted()
    {
        var (documents, diagnostics) = Read("condition: |\n  a &&\n  \tb\nreason: a\tb\n# \tcomment\n");

        Assert.Empty(diagnostics);
        Assert.Equal("a &&\n\tb\n", Assert.Single(documents).Root!["condition"]!.GetValue<string>());
    }

    [Fact]
    public void ReadText_TabAfterBlockScalars_Oer1006StillReported()
    {
        var (_, diagnostics) = Read("a: |\n  x\n  \ty\nb: |\n  z\n\tc: 1\n");

        Assert.Equal(new SourceLocation(File, 6, 1), Single(diagnostics, DiagnosticIds.TabIndentation).Location);
    }

    [Fact]
    public void ReadText_DuplicateKey_Oer1007AtTheSecondKeyAndFirstValueKept()
    {
        var (documents, diagnostics) = Read("spec:\n  mode: audit\n  priority: 1\n  mode: enforce\n");

        var diagnostic = Single(diagnostics, DiagnosticIds.DuplicateKey);
        Assert.Equal(new SourceLocation(File, 4, 3), diagnostic.Location);
        Assert.Equal("duplicate key 'mode' in spec: it is already defined above", diagnostic.Message);
        Assert.Equal("audit", Assert.Single(documents).Root!["spec"]!["mode"]!.GetValue<string>());
    }

    [Fact]
    public void ReadText_DuplicateKeyInsideADuplicate_ReportedOnce()
    {
        var (_, diagnostics) = Read("a: 1\na: {b: 1, b: 2}\n");

        Assert.Equal(new SourceLocation(File, 2, 1), Single(diagnostics, DiagnosticIds.DuplicateKey).Location);
    }

    [Fact]
    public void ReadText_Aliases_ExpandedAsCopies()
    {
        var (documents, diagnostics) = Read("a: &ids [1, 2]\nb: *ids\nc: &s text\nd: *s\n");

        Assert.Empty(diagnostics);
        var document = Assert.Single(documents);
        Assert.Equal("""{"a":[1,2],"b":[1,2],"c":"text","d":"text"}""", document.Root!.ToJsonString());
        Assert.Equal(new SourceLocation(File, 2, 4), document.Map.Locate("/b/1"));
    }

    [Fact]
    public void ReadText_BillionLaughs_Oer1008()
    {
        var text = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (var level = 'b'; level <= 'i'; level++)
        {
            var previous = (char)(level - 1);
            text.Append($"{level}: &{level} [{string.Join(',', Enumerable.Repeat($"*{previous}", 9))}]\n");
        }

        var (documents, diagnostics) = Read(text.ToString());

        Assert.Empty(documents);
        var diagnostic = Single(diagnostics, DiagnosticIds.AliasLimit);
        Assert.Equal(new SourceLocation(File, 5, 8), diagnostic.Location);
        Assert.Equal("document expands to more than 10000 nodes through aliases", diagnostic.Message);
    }

    [Fact]
    public void ReadText_TooManyNodesWithoutAliases_Oer1008()
    {
        var (_, diagnostics) = Read("a: [" + string.Join(',', Enumerable.Repeat("1", 10_000)) + "]\n");

        var diagnostic = Single(diagnostics, DiagnosticIds.AliasLimit);
        Assert.Equal("document has more than 10000 nodes", diagnostic.Message);
    }

    [Fact]
    public void ReadFile_MissingFile_Oer1009()
    {
        using var temp = new TempFolder();
        var bag = new DiagnosticBag();

        YamlDocumentReader.ReadFile(temp.Path("nope.yaml"), bag, "nope.yaml");

        var diagnostic = Single(bag.Items, DiagnosticIds.UnreadablePath);
        Assert.Equal(new SourceLocation("nope.yaml", 0, 0), diagnostic.Location);
        Assert.StartsWith("cannot read 'nope.yaml': ", diagnostic.Message);
    }

    [Fact]
    public void ReadFile_Folder_Oer1009()
    {
        using var temp = new TempFolder();
        var bag = new DiagnosticBag();

        YamlDocumentReader.ReadFile(temp.Root, bag, "folder");

        Single(bag.Items, DiagnosticIds.UnreadablePath);
    }

    [Fact]
    public void ReadText_MergeKey_KeptAsAPlainKey()
    {
        var (documents, diagnostics) = Read("base: &b {x: 1}\nspec:\n  <<: *b\n");

        Assert.Empty(diagnostics);
        var spec = Assert.Single(documents).Root!["spec"]!.AsObject();
        Assert.Equal("<<", Assert.Single(spec).Key);
        Assert.Equal("""{"x":1}""", spec["<<"]!.ToJsonString());
    }

    [Fact]
    public void ReadText_NumbersKeepTheirLiteral()
    {
        var (documents, _) = Read("a: 3e2\nb: 200000000001\nc: 1.50\n");

        var root = (JsonObject)Assert.Single(documents).Root!;
        Assert.Equal("""{"a":3e2,"b":200000000001,"c":1.50}""", root.ToJsonString());
    }
}
