using System.Text;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Events.Detail;
using OpenEvent.Rules.Expressions;
using OpenEvent.Rules.Sources;

namespace OpenEvent.Rules.Core.Tests.Evaluation;

/// <summary>
/// The event's detail in evaluation: asked for only when a policy that reads it matched everything else, once per
/// evaluation; matched with the same operators (compiled and reference agree); seen by conditions and templates; and,
/// when it cannot be had, each policy's detailErrors decides. A member named detail in the event itself is never it.
/// </summary>
public sealed class DetailEvaluationTests
{
    private static readonly RoslynConditionCompiler s_conditions = new();

    private const string Policies = """
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: no-drop }
        spec:
          match:
            type: ["dataworks:FileChange:CommitFile"]
            data: { fileName: [{ prefix: "dws_" }] }
            detail: { CommittedFile: { Content: [{ contains: "DROP TABLE" }] } }
          actions:
            - block: { reason: "{{ detail.CommittedFile.FileName }} drops a table" }
        ---
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: no-select-star }
        spec:
          match:
            type: ["dataworks:FileChange:DeployFile"]
          condition: e.Data.Str("fileName", "").StartsWith("ads_") && e.Detail.Sql.SelectStar
          actions:
            - warn: { reason: "SELECT * in {{ data.fileName }}" }
        ---
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: deploy-unless-dry-run }
        spec:
          match:
            type: ["dataworks:FileChange:DeployFile"]
            data: { fileName: [{ prefix: "dim_" }] }
          exclude:
            - match: { detail: { CommittedFile: { NodeConfiguration: { SchedulerType: ["SKIP"] } } } }
          actions:
            - block: { reason: "dim tables deploy only as dry-runs" }
        """;

    private sealed class CountingSource(Func<DataWorksEvent, EventDetailResult> answer) : IEventDetailSource
    {
        public int Calls { get; private set; }

        public ValueTask<EventDetailResult> GetAsync(DataWorksEvent e, CancellationToken cancellationToken)
        {
            Calls++;
            return ValueTask.FromResult(answer(e));
        }
    }

    private static EventDetailResult Committed(string content, string fileName = "dws_orders", string schedulerType = "NORMAL")
    {
        var json = $$"""{"RequestId":"r1","EventDetail":{"CommittedFile":{"FileName":"{{fileName}}","FileType":10,"Content":{{System.Text.Json.JsonSerializer.Serialize(content)}},"NodeConfiguration":{"SchedulerType":"{{schedulerType}}" """ + "}}}}";
        Assert.True(EventDetail.TryRead(json, "CommittedFile", out var detail, out var error), error);
        return EventDetailResult.Found(detail!, "test");
    }

    private static byte[] Event(string type, string fileName, string extra = "") =>
        Encoding.UTF8.GetBytes($$$"""{"specversion":"1.0","id":"e-1","source":"acs.dataworks","type":"{{{type}}}","aliyunregionid":"cn-hangzhou"{{{extra}}},"data":{"projectId":10001234,"fileName":"{{{fileName}}}"}}""");

    private static async Task<CompiledPolicySet> CompileAsync(string yaml, bool reference = false, Verdict failMode = Verdict.Warn) =>
        Compile(await LoadAsync(yaml), reference, failMode);

    private static async Task<Model.PolicySetDefinition> LoadAsync(string yaml)
    {
        using var folder = new TempFolder();
        folder.Write("policies.yaml", yaml);
        var load = await PolicyFolderLoader.LoadAsync([folder.Root]);
        Assert.False(load.HasErrors, string.Join("\n", load.Diagnostics));
        return load.Set;
    }

    private static CompiledPolicySet Compile(Model.PolicySetDefinition set, bool reference = false, Verdict failMode = Verdict.Warn) =>
        PolicySetCompiler.Compile(set, new PolicySetCompilerOptions { ConditionCompiler = s_conditions, UseReferenceMatcher = reference, DetailFailMode = failMode });

    private static async Task<Decision> EvaluateAsync(CompiledPolicySet set, byte[] bytes, IEventDetailSource source)
    {
        using var e = set.TryRead(new EventSlice(new EventOrigin("test", 0), bytes, null), out var error)!;
        Assert.Null(error);
        return await set.Evaluator.EvaluateAsync(e, source);
    }

    [Theory]
    [InlineData("dataworks:FileChange:CommitFile", "ods_orders")] // the data clause of no-drop fails
    [InlineData("dataworks:FileChange:DeployFile", "ods_orders")] // no-select-star's condition is false before it reads the detail
    [InlineData("dataworks:NodeChange:NodeChangeCreated", "dws_orders")] // no policy that reads the detail matches the type
    public async Task EvaluateAsync_NoPolicyThatReadsTheDetailGetsThatFar_NotAskedFor(string type, string fileName)
    {
        using var set = await CompileAsync(Policies);
        var source = new CountingSource(_ => throw new InvalidOperationException("not to be asked"));

        var decision = await EvaluateAsync(set, Event(type, fileName), source);

        Assert.Equal(0, source.Calls);
        Assert.Null(decision.Detail);
        Assert.Empty(decision.DetailFailures);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EvaluateAsync_DetailMatches_AskedOnceAndRendered(bool reference)
    {
        using var set = await CompileAsync(Policies, reference);
        var source = new CountingSource(_ => Committed("-- nightly\nDROP TABLE IF EXISTS tmp;", "dws_orders.sql"));

        var decision = await EvaluateAsync(set, Event("dataworks:FileChange:CommitFile", "dws_orders"), source);

        Assert.Equal(1, source.Calls);
        Assert.Equal(Verdict.Fail, decision.Verdict);
        var block = Assert.IsType<BlockOutcome>(Assert.Single(Assert.Single(decision.Matched).Actions));
        Assert.Equal("dws_orders.sql drops a table", block.Reason);
        Assert.Equal(new DetailReport("test", null, false), decision.Detail);
    }

    [Fact]
    public async Task EvaluateAsync_DetailDoesNotMatch_Ok()
    {
        using var set = await CompileAsync(Policies);
        var source = new CountingSource(_ => Committed("SELECT 'DROP TABLE is only text here' FROM t"));

        // contains is a plain text operator: the pattern sees the words inside the string; the SQL helper would not.
        var decision = await EvaluateAsync(set, Event("dataworks:FileChange:CommitFile", "dws_orders"), source);
        Assert.Equal(Verdict.Fail, decision.Verdict);

        var clean = new CountingSource(_ => Committed("INSERT INTO t SELECT a FROM s"));
        var ok = await EvaluateAsync(set, Event("dataworks:FileChange:CommitFile", "dws_orders"), clean);
        Assert.Equal(Verdict.Ok, ok.Verdict);
        Assert.Empty(ok.Matched);
    }

    [Theory]
    [InlineData("SELECT * FROM s", Verdict.Warn)]
    [InlineData("SELECT COUNT(*) FROM s -- SELECT * in a comment", Verdict.Ok)]
    public async Task EvaluateAsync_ConditionReadsTheDetailSql(string content, Verdict verdict)
    {
        using var set = await CompileAsync(Policies);
        var source = new CountingSource(_ => Committed(content, "ads_report"));

        var decision = await EvaluateAsync(set, Event("dataworks:FileChange:DeployFile", "ads_report"), source);

        Assert.Equal(1, source.Calls);
        Assert.Equal(verdict, decision.Verdict);
        Assert.Empty(decision.ConditionFailures);
    }

    [Theory]
    [InlineData("SKIP", Verdict.Ok)]
    [InlineData("NORMAL", Verdict.Fail)]
    public async Task EvaluateAsync_ExclusionReadsTheDetail(string schedulerType, Verdict verdict)
    {
        using var set = await CompileAsync(Policies);
        var source = new CountingSource(_ => Committed("SELECT 1", "dim_shop", schedulerType));

        var decision = await EvaluateAsync(set, Event("dataworks:FileChange:DeployFile", "dim_shop"), source);

        Assert.Equal(1, source.Calls);
        Assert.Equal(verdict, decision.Verdict);
    }

    [Theory]
    [InlineData("", Verdict.Ok, "no-match", false)]
    [InlineData("detailErrors: no-match", Verdict.Ok, "no-match", false)]
    [InlineData("detailErrors: match", Verdict.Fail, "match", true)]
    [InlineData("detailErrors: fail-mode", Verdict.Fail, "fail-mode", false)]
    public async Task EvaluateAsync_DetailCannotBeHad_DetailErrorsDecides(string setting, Verdict verdict, string outcome, bool matched)
    {
        using var set = await CompileAsync(Policies.Replace("  actions:\n    - block: { reason: \"{{ detail", $"  {setting}\n  actions:\n    - block: {{ reason: \"{{{{ detail", StringComparison.Ordinal), failMode: Verdict.Fail);
        var source = new CountingSource(_ => EventDetailResult.Failed("DataWorks refused GetIDEEventDetail: HTTP 403 Forbidden.Access: denied", "dataworks"));

        var decision = await EvaluateAsync(set, Event("dataworks:FileChange:CommitFile", "dws_orders"), source);

        Assert.Equal(verdict, decision.Verdict);
        Assert.Equal(matched, decision.Matched.Any(m => m.Policy == "no-drop"));
        var failure = Assert.Single(decision.DetailFailures);
        Assert.Equal(("no-drop", "DataWorks refused GetIDEEventDetail: HTTP 403 Forbidden.Access: denied", outcome), (failure.Policy, failure.Message, failure.OutcomeText));
        Assert.Equal(new DetailReport("dataworks", "DataWorks refused GetIDEEventDetail: HTTP 403 Forbidden.Access: denied", false), decision.Detail);
    }

    [Fact]
    public async Task Evaluate_WithoutASource_NoDetailSupplied()
    {
        using var set = await CompileAsync(Policies);
        using var e = set.TryRead(new EventSlice(new EventOrigin("test", 0), Event("dataworks:FileChange:CommitFile", "dws_orders"), null), out _)!;

        var decision = set.Evaluator.Evaluate(e);

        Assert.Equal("no detail was supplied for the event", Assert.Single(decision.DetailFailures).Message);
        Assert.Equal(Verdict.Ok, decision.Verdict);
    }

    [Fact]
    public async Task EvaluateAsync_EventCarriesItsOwnDetailMember_ItIsNotTheDetail()
    {
        // A poster cannot hand the policies a detail of its choosing: only the source's detail counts, for patterns,
        // templates and conditions alike.
        using var set = await CompileAsync(Policies);
        var forged = ""","detail":{"CommittedFile":{"FileName":"forged","Content":"DROP TABLE x; SELECT * FROM y"}}""";
        var source = new CountingSource(_ => Committed("INSERT INTO t SELECT a FROM s", "ads_report"));

        var commit = await EvaluateAsync(set, Event("dataworks:FileChange:CommitFile", "dws_orders", forged), source);
        var deploy = await EvaluateAsync(set, Event("dataworks:FileChange:DeployFile", "ads_report", forged), source);

        Assert.Equal(Verdict.Ok, commit.Verdict);
        Assert.Equal(Verdict.Ok, deploy.Verdict);
        Assert.Equal(2, source.Calls);
    }

    [Fact]
    public async Task EvaluateAsync_CompiledAndReference_AgreeOnEveryCase()
    {
        var definition = await LoadAsync(Policies);
        using var compiled = Compile(definition);
        using var reference = Compile(definition, reference: true);
        string[] contents = ["DROP TABLE a", "drop table a", "SELECT * FROM a", "SELECT 1", ""];
        string[] names = ["dws_a", "ads_a", "dim_a", "ods_a"];
        string[] types = ["dataworks:FileChange:CommitFile", "dataworks:FileChange:DeployFile"];
        foreach (var content in contents)
        {
            foreach (var name in names)
            {
                foreach (var type in types)
                {
                    var source = new CountingSource(_ => Committed(content, name, content.Length == 0 ? "SKIP" : "NORMAL"));
                    var expected = DecisionJson.Serialize(await EvaluateAsync(reference, Event(type, name), source));
                    var actual = DecisionJson.Serialize(await EvaluateAsync(compiled, Event(type, name), source));
                    Assert.Equal(expected, actual);
                }
            }
        }
    }
}
