using System.Collections.Immutable;
using System.Text;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Parsing;

namespace OpenEvent.Rules.Core.Tests.Compilation;

/// <summary>The compiled set reads each event once: no document unless a matched policy's template needs one.</summary>
public sealed class SinglePassEventReaderTests
{
    private static CompiledPolicySet Compile()
    {
        var template = new MessageTemplate("{{ data.fileName }}",
            [new PlaceholderPart("data.fileName", ["data", "fileName"], SourceLocation.None)], SourceLocation.None);
        var policy = new PolicyDefinition("freeze", new PolicyMetadata(null, null, ImmutableSortedDictionary<string, string>.Empty),
            PolicyMode.Enforce, 0, TestPatterns.FromJson("""{"type":["dataworks:FileChange:DeployFile"],"data":{"fileName":[{"prefix":"dws_"}]}}"""),
            new ScopeDefinition([], ["10001234"], [], [], [], SourceLocation.None), [], null,
            [new BlockAction(template, SourceLocation.None)], new SourceLocation("p.yaml", 1, 1));
        return PolicySetCompiler.Compile(new PolicySetDefinition([policy], [], []));
    }

    private static EventSlice Slice(string json) => new(new EventOrigin("t", 0), Encoding.UTF8.GetBytes(json), null);

    private const string Deploy = """{"specversion":"1.0","id":"e1","source":"acs.dataworks","type":"dataworks:FileChange:DeployFile","aliyunregionid":"cn-hangzhou","data":{"projectId":10001234,"operator":"42","fileName":"FILE"}}""";

    [Fact]
    public void TryRead_NonMatchingEvent_IsCheckedResolvedAndEvaluatedWithoutADocument()
    {
        using var set = Compile();
        using var e = set.TryRead(Slice(Deploy.Replace("FILE", "ods_orders")), out var error);

        Assert.Null(error);
        Assert.Equal("e1", e!.Id);
        Assert.True(e.IsExtensionPoint);
        Assert.Equal(new EventScope(null, "10001234", "cn-hangzhou", null, "42"), e.Scope);
        var decision = set.Evaluator.Evaluate(e);

        Assert.Empty(decision.Matched);
        Assert.Equal(Verdict.Ok, decision.Verdict);
        Assert.False(e.HasDocument);
    }

    [Theory]
    [InlineData("10001234", "10001234")]
    [InlineData("10001234.0", "10001234")]
    [InlineData("1.0001234e7", "10001234")]
    [InlineData("100012340E-1", "10001234")]
    [InlineData("\"10001234\"", "10001234")]
    [InlineData("10001234.5", "10001234.5")]
    public void TryRead_WorkspaceWrittenAsAnyFormOfTheInteger_IsThatWorkspace(string written, string workspace)
    {
        // Scopes compare text: 10001234.0 was another workspace, and a frozen one's deploy went through unmatched.
        using var set = Compile();
        var json = Deploy.Replace("10001234", written).Replace("FILE", "ods_orders");
        using var e = set.TryRead(Slice(json), out var error);
        using var parsed = new EventParser(OpenEvent.Rules.Catalog.EventCatalog.Default).Parse(Encoding.UTF8.GetBytes(json), new EventOrigin("t", 0));

        Assert.Null(error);
        Assert.Equal(workspace, e!.Scope.Workspace);
        Assert.Equal(workspace, parsed.Scope.Workspace);
    }

    [Fact]
    public void TryRead_MatchingEvent_ParsesTheDocumentOnlyToRenderTheTemplate()
    {
        using var set = Compile();
        using var e = set.TryRead(Slice(Deploy.Replace("FILE", "dws_orders")), out _);
        Assert.False(e!.HasDocument);

        var decision = set.Evaluator.Evaluate(e);

        Assert.Equal("dws_orders", Assert.IsType<BlockOutcome>(decision.Matched.Single().Actions.Single()).Reason);
        Assert.True(e.HasDocument);
    }

    [Fact]
    public void TryRead_EventsInTurn_EachGetsItsOwnValuesAndAnEqualTextIsTheStringAlreadyMade()
    {
        // The reader keeps the text last read at each field (per thread) so that a value repeated from the event before
        // costs no new string; a changed value must never be served from it.
        using var set = Compile();
        var longRegion = new string('r', 300);
        string Event(string id, string workspace, string region) =>
            Deploy.Replace("\"e1\"", $"\"{id}\"").Replace("10001234", workspace).Replace("cn-hangzhou", region).Replace("FILE", "ods_orders");

        using var first = set.TryRead(Slice(Event("a", "10001234", "cn-hangzhou")), out _);
        using var second = set.TryRead(Slice(Event("b", "10001235", "cn-hangzhou")), out _);
        using var third = set.TryRead(Slice(Event("c", "10001234", longRegion)), out _);
        using var fourth = set.TryRead(Slice(Event("d", "10001234", longRegion)), out _);

        Assert.Equal(["a", "b", "c", "d"], new[] { first!.Id, second!.Id, third!.Id, fourth!.Id });
        Assert.Equal("10001234 10001235 10001234 10001234", string.Join(' ', first.Scope.Workspace, second.Scope.Workspace, third.Scope.Workspace, fourth.Scope.Workspace));
        Assert.Equal($"cn-hangzhou cn-hangzhou {longRegion} {longRegion}", string.Join(' ', first.Scope.Region, second.Scope.Region, third.Scope.Region, fourth.Scope.Region));
        Assert.Same(first.Scope.Region, second.Scope.Region);
        Assert.Same(third.Scope.Workspace, fourth.Scope.Workspace);
        Assert.NotSame(third.Scope.Region, fourth.Scope.Region); // a long text is not kept past its event
        Assert.Equal(Verdict.Ok, set.Evaluator.Evaluate(second).Verdict);
    }

    [Theory]
    [InlineData("""{"specversion":"1.0","id":"x","source":"s"}""", "missing-type")]
    [InlineData("""{"specversion":"1.0","id":"x","type":["dataworks:FileChange:DeployFile"]}""", "missing-type")]
    [InlineData("""{"id":"x","type":"t"}""", "missing-specversion")]
    [InlineData("""{"specversion":"0.3","id":"x","type":"t"}""", "unsupported-specversion")]
    [InlineData("""{"specversion":"1.0","type":"t"}""", "missing-id")]
    [InlineData("""{"specversion":"1.0","id":"x","type":"t","data":"text"}""", "data-not-object")]
    [InlineData("""{"specversion":"1.0","id":"x","type":"t","data":[{"a":1}]}""", "data-not-object")]
    [InlineData("""{"specversion":"1.0","id":"x","type":"t","data":[]}""", "data-not-object")]
    [InlineData("""{"specversion":"1.0","id":"x","type":"a","type":"b"}""", "duplicate-key")]
    [InlineData("""[1]""", "not-an-object")]
    [InlineData("""{"specversion":""", "invalid-json")]
    public void TryRead_BadEvent_GivesTheSameErrorAsTheParser(string json, string id)
    {
        using var set = Compile();
        var expected = set.Parser.TryParse(Slice(json), out var parserError);
        expected?.Dispose();

        using var e = set.TryRead(Slice(json), out var error);

        Assert.Null(e);
        Assert.Equal(id, error!.Id);
        Assert.Equal(parserError, error);
    }

    [Fact]
    public void TryRead_PartialEvent_IsRewrittenAsTheParserDoes_MatchedAndDecidedAsARegularEvent()
    {
        using var set = Compile();
        const string bare = """{"eventCode":"deploy-file","projectId":10001234,"operator":"42","fileName":"dws_orders","blockBusiness":true}""";

        using var e = set.TryRead(Slice(bare), out var error);
        using var parsed = set.Parser.TryParse(Slice(bare), out _);

        Assert.Null(error);
        Assert.True(e!.IsPartial);
        Assert.Equal(parsed!.Id, e.Id);
        Assert.Equal("dataworks:FileChange:DeployFile", e.Type);
        var decision = set.Evaluator.Evaluate(e);
        Assert.Equal("freeze", Assert.Single(decision.Matched).Policy);
        Assert.Null(decision.Verdict); // nobody could be answered: no verdict
    }

    [Fact]
    public void TryRead_InvalidUtf8_KeepsTheParsersPreciseMessage()
    {
        using var set = Compile();
        var bytes = Encoding.UTF8.GetBytes(Deploy);
        bytes[bytes.Length - 10] = 0xFF;

        using var e = set.TryRead(new EventSlice(new EventOrigin("t", 0), bytes, null), out var error);

        Assert.Equal("invalid-utf8", error!.Id);
        Assert.Equal($"the event is not valid UTF-8 (first bad byte at offset {bytes.Length - 10})", error.Message);
    }
}
