using System.Globalization;
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

    /// <summary>
    /// A thread keeps its reading frames and pending source map entries between files: a file that fails with
    /// collections still open (an unknown alias, nesting past the limit, an unclosed bracket) leaves nothing that
    /// changes the next file, which reads exactly as on a thread that never read anything.
    /// </summary>
    [Fact]
    public void ReadText_AfterFilesThatFailedMidway_NextFileReadsAsOnAFreshThread()
    {
        const string text = "apiVersion: v1\nspec:\n  mode: audit\n  actions: &s\n    - block: { reason: \"x {{ id }}\" }\n  more: [1, 'a', *s]\n";
        string[] pointers = ["", "/spec", "/spec/mode", "/spec/mode/0", "/spec/x", "/spec/actions/0", "/spec/actions/0/block/reason", "/spec/more/2", "/spec/more/2/0/block"];
        static string Describe(IReadOnlyList<SourceDocument> documents, IReadOnlyList<Diagnostic> diagnostics, string[] pointers) =>
            string.Join(" | ", documents.Select(d => d.Root!.ToJsonString())
                .Concat(documents.SelectMany(d => pointers.Select(p => $"{p} {d.Map.Locate(p)} {d.Map.LocateKey(p)} {d.Map.GetScalar(p)}")))
                .Concat(diagnostics.Select(d => d.ToString())));

        string? fresh = null;
        var thread = new Thread(() =>
        {
            var (alone, aloneDiagnostics) = Read(text);
            fresh = Describe(alone, aloneDiagnostics, pointers);
        });
        thread.Start();
        thread.Join();

        Single(Read("spec:\n  x: 1\n  mode: [1, { c: *nope }]\n").Diagnostics, DiagnosticIds.YamlSyntax);
        Single(Read("a: " + new string('[', 70)).Diagnostics, DiagnosticIds.NestingTooDeep);
        Assert.NotEmpty(Read("a: { b: [1, 2\nc: d\n").Diagnostics);
        var (documents, diagnostics) = Read(text);

        Assert.Empty(diagnostics);
        Assert.Equal(fresh, Describe(documents, diagnostics, pointers));
        Assert.Contains("/spec/actions/0/block/reason p.yaml:5:24", fresh, StringComparison.Ordinal);
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

    /// <summary>A text with one problem, the diagnostic the reader reports for it, and how many documents it still returns.</summary>
    private sealed record OneProblem(string Text, string Id, int Line, int Column, string Message, string Hint, int Documents);

    private const string NestingHint = "flatten the structure: policies never need this much nesting";

    private const string TabHint = "indent with spaces (set your editor to insert spaces for YAML files)";

    private const string EmptyHint = "add a policy, channel or target, or delete the file";

    private const string DuplicateKeyHint = "remove one of the two entries, or merge their contents";

    private static readonly Dictionary<string, OneProblem> s_oneProblem = new(StringComparer.Ordinal)
    {
        // OER1001: YAML syntax, at the parser's mark, with a hint for the usual cause
        ["invalid-mapping"] = new("a: b: c\n", DiagnosticIds.YamlSyntax, 1, 5,
            "YAML syntax error: while scanning a plain scalar value, found invalid mapping", "a value that contains ': ' must be quoted, e.g. reason: \"frozen: see ticket 42\"", 0),
        ["bad-indentation"] = new("a:\n  - x\n y: 1\n", DiagnosticIds.YamlSyntax, 3, 2,
            "YAML syntax error: while parsing a block mapping, did not find expected key", "check the indentation: the keys of one mapping start in the same column, and a list item starts with '- '", 0),
        ["unclosed-flow-sequence"] = new("a: [1, 2\nb: 3\n", DiagnosticIds.YamlSyntax, 1, 4,
            "YAML syntax error: '[' is not closed", "close every '[' with ']' and every '{' with '}', and separate items with ','", 0),
        ["non-scalar-key"] = new("? [a, b]\n: 1\n", DiagnosticIds.YamlSyntax, 1, 3,
            "YAML syntax error: a mapping key must be a plain string, not a list, a mapping or an alias", "write the key as text, e.g. name: value", 0),
        // The usual cause: a message template without quotes, whose braces YAML reads as a mapping used as a key.
        ["unquoted-template"] = new("reason: {{ data.fileName }} is frozen\n", DiagnosticIds.YamlSyntax, 1, 10,
            "YAML syntax error: a mapping key must be a plain string, not a list, a mapping or an alias",
            "a value that starts with {{ is read by YAML as a mapping: quote it, e.g. reason: \"{{ data.fileName }} is frozen\"", 0),
        ["alias-without-anchor"] = new("a: 1\nb: *nope\n", DiagnosticIds.YamlSyntax, 2, 4,
            "YAML syntax error: alias '*nope' refers to no anchor defined before it", "define '&nope' on a node above this alias", 0),

        // OER1002: nothing to read, at the start of the file
        ["empty"] = new("", DiagnosticIds.EmptyFile, 1, 1, "file has no YAML content (empty or only comments)", EmptyHint, 0),
        ["only-comments"] = new("# only a comment\n\n# and another\n", DiagnosticIds.EmptyFile, 1, 1, "file has no YAML content (empty or only comments)", EmptyHint, 0),
        ["only-a-document-marker"] = new("---\n", DiagnosticIds.EmptyFile, 1, 1, "file has only empty YAML documents", EmptyHint, 0),
        ["only-blank-lines"] = new("\n\n   \n", DiagnosticIds.EmptyFile, 1, 1, "file has no YAML content (empty or only comments)", EmptyHint, 0),

        // OER1005: nesting past 64 levels, at the first level too deep. In flow mappings level 1 is the root mapping,
        // level 2 the '{' at column 4, and each level adds 4 columns; in block mappings and sequences level 65 starts on line 65.
        ["10000-deep-flow-mappings"] = new("a: " + string.Concat(Enumerable.Repeat("{a: ", 10_000)) + "1" + new string('}', 10_000),
            DiagnosticIds.NestingTooDeep, 1, 4 + (63 * 4), "nesting is deeper than 64 levels", NestingHint, 0),
        ["10000-deep-block-mappings"] = new(string.Concat(Enumerable.Range(0, 10_000).Select(i => new string(' ', i) + "a:\n")) + new string(' ', 10_000) + "x\n",
            DiagnosticIds.NestingTooDeep, 65, 65, "nesting is deeper than 64 levels", NestingHint, 0),
        ["10000-deep-block-sequences"] = new(string.Concat(Enumerable.Range(0, 10_000).Select(i => new string(' ', i * 2) + "-\n")),
            DiagnosticIds.NestingTooDeep, 65, 129, "nesting is deeper than 64 levels", NestingHint, 0),

        // OER1006: a tab in indentation, at the tab, rather than the syntax error it causes further on
        ["tab-indentation"] = new("spec:\n  mode: audit\n \tpriority: 1\n", DiagnosticIds.TabIndentation, 3, 2,
            "tab character in indentation: YAML indentation must use spaces", TabHint, 0),
        ["tab-indented-mapping"] = new("spec:\n\tmode: audit\n", DiagnosticIds.TabIndentation, 2, 1,
            "tab character in indentation: YAML indentation must use spaces", TabHint, 0),
        ["tab-after-block-scalars"] = new("a: |\n  x\n  \ty\nb: |\n  z\n\tc: 1\n", DiagnosticIds.TabIndentation, 6, 1,
            "tab character in indentation: YAML indentation must use spaces", TabHint, 0),

        // OER1007: a duplicate key, at the second one, reported once however deep
        ["duplicate-key"] = new("spec:\n  mode: audit\n  priority: 1\n  mode: enforce\n", DiagnosticIds.DuplicateKey, 4, 3,
            "duplicate key 'mode' in spec: it is already defined above", DuplicateKeyHint, 1),
        // Two documents pasted without ---: the hint says so instead of "merge their contents".
        ["second-document-without-separator"] = new("apiVersion: openevent.rules/v1\nkind: Policy\nmetadata: { name: a }\napiVersion: openevent.rules/v1\n",
            DiagnosticIds.DuplicateKey, 4, 1, "duplicate key 'apiVersion': it is already defined above",
            "a second document? Put a line with --- before it: each policy, channel or target is a document of its own", 1),
        ["duplicate-key-inside-a-duplicate"] = new("a: 1\na: {b: 1, b: 2}\n", DiagnosticIds.DuplicateKey, 2, 1,
            "duplicate key 'a': it is already defined above", DuplicateKeyHint, 1),

        // OER1008: too many nodes, through aliases (a billion laughs) or without (at the node past the limit)
        ["billion-laughs"] = new(BillionLaughs(), DiagnosticIds.AliasLimit, 5, 8,
            "document expands to more than 10000 nodes through aliases", "aliases (*name) copy their anchor: avoid aliases of aliases, or write the values out", 0),
        ["too-many-nodes-without-aliases"] = new("a: [" + string.Join(',', Enumerable.Repeat("1", 10_000)) + "]\n", DiagnosticIds.AliasLimit, 1, 20001,
            "document has more than 10000 nodes", "split the document into several smaller documents", 0),
        // ... or through aliases of a long text: four copies of 300,000 characters pass the 1,048,576 bound (the node
        // count alone let a 4 MB text be aliased 2,000 times, and the load grew past 6 GB); a mapping's text counts too.
        ["aliased-long-text"] = new("a: &t \"" + new string('x', 300_000) + "\"\nb: [*t, *t, *t, *t]\n", DiagnosticIds.AliasLimit, 2, 17,
            "document copies more than 1,048,576 characters of text through aliases", "aliases (*name) copy their anchor's text: write a long text once, or shorten it", 0),
        ["aliased-mapping-with-long-text"] = new("a: &m {r: \"" + new string('x', 300_000) + "\", n: 1}\nb: [*m, *m, *m, *m]\n", DiagnosticIds.AliasLimit, 2, 17,
            "document copies more than 1,048,576 characters of text through aliases", "aliases (*name) copy their anchor's text: write a long text once, or shorten it", 0),
    };

    /// <summary>Nine levels of nine aliases each: a few lines that expand to 9^9 nodes.</summary>
    private static string BillionLaughs()
    {
        var text = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (var level = 'b'; level <= 'i'; level++)
        {
            var previous = (char)(level - 1);
            text.Append(CultureInfo.InvariantCulture, $"{level}: &{level} [{string.Join(',', Enumerable.Repeat($"*{previous}", 9))}]\n");
        }

        return text.ToString();
    }

    public static TheoryData<string> OneProblemTexts() => new(s_oneProblem.Keys);

    [Theory]
    [MemberData(nameof(OneProblemTexts))]
    public void ReadText_OneProblem_ExactlyItsDiagnostic(string name)
    {
        var expected = s_oneProblem[name];

        var (documents, diagnostics) = Read(expected.Text);

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(
            (expected.Id, DiagnosticSeverity.Error, new SourceLocation(File, expected.Line, expected.Column), expected.Message, expected.Hint, expected.Documents),
            (diagnostic.Id, diagnostic.Severity, diagnostic.Location, diagnostic.Message, diagnostic.Hint, documents.Count));
    }

    [Fact]
    public void ReadText_SyntaxErrorInSecondDocument_KeepsTheFirst()
    {
        var (documents, diagnostics) = Read("a: 1\n---\nb: c: d\n");

        Assert.Equal("1", Assert.Single(documents).Root!["a"]!.ToJsonString());
        Assert.Equal(new SourceLocation(File, 3, 5), Single(diagnostics, DiagnosticIds.YamlSyntax).Location);
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
    public void ReadText_10000DeepUnclosedFlowMappings_OneLocatedError()
    {
        // YamlDotNet scans ahead for implicit keys and reaches the end before the depth limit: a syntax error, no crash.
        var (_, diagnostics) = Read("a: " + string.Concat(Enumerable.Repeat("{a: ", 10_000)));

        var diagnostic = Assert.Single(diagnostics);
        Assert.Contains(diagnostic.Id, new[] { DiagnosticIds.YamlSyntax, DiagnosticIds.NestingTooDeep });
        Assert.True(diagnostic.Location.Line > 0);
    }

    [Fact]
    public void ReadText_64Levels_Accepted()
    {
        var (documents, diagnostics) = Read(new string('[', 64) + new string(']', 64));

        Assert.Empty(diagnostics);
        Assert.Single(documents);
    }

    [Fact]
    public void ReadText_TabsInsideBlockScalarAndValues_Accepted()
    {
        var (documents, diagnostics) = Read("condition: |\n  a &&\n  \tb\nreason: a\tb\n# \tcomment\n");

        Assert.Empty(diagnostics);
        Assert.Equal("a &&\n\tb\n", Assert.Single(documents).Root!["condition"]!.GetValue<string>());
    }

    [Fact]
    public void ReadText_DuplicateKey_FirstValueKept()
    {
        var (documents, _) = Read("spec:\n  mode: audit\n  priority: 1\n  mode: enforce\n");

        Assert.Equal("audit", Assert.Single(documents).Root!["spec"]!["mode"]!.GetValue<string>());
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
