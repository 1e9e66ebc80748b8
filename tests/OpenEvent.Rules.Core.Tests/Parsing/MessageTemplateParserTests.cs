using OpenEvent.Rules.Model;
using OpenEvent.Rules.Parsing;

namespace OpenEvent.Rules.Core.Tests.Parsing;

public sealed class MessageTemplateParserTests
{
    private const string File = "p.yaml";

    /// <summary>Parses the template written as the YAML value of <c>reason</c> (e.g. a quoted or plain scalar).</summary>
    private static (MessageTemplate? Template, IReadOnlyList<Diagnostic> Diagnostics) Parse(string yamlValue)
    {
        var bag = new DiagnosticBag();
        var document = Assert.Single(YamlDocumentReader.ReadText(File, "reason: " + yamlValue + "\n", bag));
        Assert.Empty(bag.Items);
        var template = MessageTemplateParser.Parse(document.Root!["reason"]!.GetValue<string>(), "/reason", document.Map, bag);
        return (template, bag.Items);
    }

    private static Diagnostic SingleError(string yamlValue, int column)
    {
        var (template, diagnostics) = Parse(yamlValue);
        Assert.Null(template);
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(DiagnosticIds.TemplateSyntax, diagnostic.Id);
        Assert.Equal(new SourceLocation(File, 1, column), diagnostic.Location);
        return diagnostic;
    }

    [Fact]
    public void Parse_TextAndPlaceholders_Parts()
    {
        var (template, diagnostics) = Parse("\"Deploying {{ data.fileName }} by {{data.operator}} ({{ data.tableMapping.0.dstTable }})\"");

        Assert.Empty(diagnostics);
        Assert.NotNull(template);
        Assert.Equal(new SourceLocation(File, 1, 9), template.Location);
        Assert.Collection(template.Parts,
            p => Assert.Equal(new LiteralPart("Deploying "), p),
            p =>
            {
                var placeholder = Assert.IsType<PlaceholderPart>(p);
                Assert.Equal("data.fileName", placeholder.Path);
                Assert.Equal<string>(["data", "fileName"], placeholder.Segments);
                Assert.Equal(new SourceLocation(File, 1, 20), placeholder.Location);
            },
            p => Assert.Equal(new LiteralPart(" by "), p),
            p => Assert.Equal("data.operator", Assert.IsType<PlaceholderPart>(p).Path),
            p => Assert.Equal(new LiteralPart(" ("), p),
            p => Assert.Equal<string>(["data", "tableMapping", "0", "dstTable"], Assert.IsType<PlaceholderPart>(p).Segments),
            p => Assert.Equal(new LiteralPart(")"), p));
    }

    [Fact]
    public void Parse_EscapedBraces_Literal()
    {
        var (template, diagnostics) = Parse(@"'use \{{ name }} literally, }} too'");

        Assert.Empty(diagnostics);
        Assert.Equal(new LiteralPart("use {{ name }} literally, }} too"), Assert.Single(template!.Parts));
    }

    [Fact]
    public void Parse_NoPlaceholders_OneLiteral()
    {
        var (template, _) = Parse("frozen until Jan 4");

        Assert.Equal(new LiteralPart("frozen until Jan 4"), Assert.Single(template!.Parts));
    }

    [Fact]
    public void Parse_Unclosed_Oer3034AtTheOpeningBraces()
    {
        var diagnostic = SingleError("\"file {{ data.fileName is frozen\"", 15);
        Assert.Equal("unclosed placeholder: '{{' without '}}'", diagnostic.Message);
        Assert.Equal("close it with '}}', e.g. {{ data.fileName }}, or write \\{{ for a literal {{", diagnostic.Hint);
    }

    [Fact]
    public void Parse_Empty_Oer3034()
    {
        var diagnostic = SingleError("plain {{ }} text", 15);
        Assert.Equal("empty placeholder '{{ }}'", diagnostic.Message);
    }

    [Fact]
    public void Parse_BadCharacter_Oer3034AtTheCharacter()
    {
        var diagnostic = SingleError("\"x {{ data.file-name }}\"", 24);
        Assert.Equal("invalid placeholder '{{ data.file-name }}': '-' is not allowed in a path", diagnostic.Message);
    }

    [Fact]
    public void Parse_EmptySegment_Oer3034()
    {
        var diagnostic = SingleError("'{{ data..fileName }}'", 18);
        Assert.Equal("invalid placeholder '{{ data..fileName }}': empty segment ('..', or '.' at the start or end)", diagnostic.Message);
    }

    [Fact]
    public void Parse_NumberFirst_Oer3034()
    {
        var diagnostic = SingleError("'{{ 0.x }}'", 13);
        Assert.Equal("invalid placeholder '{{ 0.x }}': a path starts with a name, not a number", diagnostic.Message);
    }

    [Fact]
    public void Parse_SingleQuotedWithDoubledQuotes_ColumnAccountsForEscapes()
    {
        // 'it''s {{ x y }}': the value index of ' y' is shifted by one in the source because of the doubled quote.
        var diagnostic = SingleError("'it''s {{ x y }}'", 20);
        Assert.Equal("invalid placeholder '{{ x y }}': ' ' is not allowed in a path", diagnostic.Message);
    }

    [Theory]
    [InlineData("\"tab\\there {{ }}\"", 20)]
    [InlineData("\"q\\\" \\u00e9 \\x41 {{ }}\"", 26)]
    [InlineData("\"wide \\U0001F600 {{ }}\"", 26)]
    public void Parse_DoubleQuotedWithEscapes_ColumnAccountsForEachEscape(string yamlValue, int column)
    {
        // Each escape is several characters of the file and one (or, beyond the BMP, two) of the value.
        SingleError(yamlValue, column);
    }

    // A literal block keeps its lines: the braces' own line and column. A folded block joins its lines with spaces, so
    // its value's offsets are not its lines' (not mapped): the scalar's start.
    [Theory]
    [InlineData("|", 3, 5)]
    [InlineData(">", 1, 9)]
    public void Parse_BlockScalar_LiteralAtTheBracesFoldedAtTheStart(string indicator, int line, int column)
    {
        var bag = new DiagnosticBag();
        var document = Assert.Single(YamlDocumentReader.ReadText(File, $"reason: {indicator}\n  line one\n    {{{{ oops\n", bag));

        var template = MessageTemplateParser.Parse(document.Root!["reason"]!.GetValue<string>(), "/reason", document.Map, bag);

        Assert.Null(template);
        Assert.Equal(new SourceLocation(File, line, column), Assert.Single(bag.Items).Location);
    }

    [Fact]
    public void Parse_SeveralErrors_EachReported()
    {
        var bag = new DiagnosticBag();
        var document = Assert.Single(YamlDocumentReader.ReadText(File, "reason: a {{ }} b {{ x-y }} c {{ d\n", bag));

        MessageTemplateParser.Parse(document.Root!["reason"]!.GetValue<string>(), "/reason", document.Map, bag);

        Assert.Equal(["1:11", "1:23", "1:31"], bag.Items.Select(d => $"{d.Location.Line}:{d.Location.Column}"));
    }
}
