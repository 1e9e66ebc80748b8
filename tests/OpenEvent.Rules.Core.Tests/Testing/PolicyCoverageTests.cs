using System.Text.Json.Nodes;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Sources;
using OpenEvent.Rules.Testing;

namespace OpenEvent.Rules.Core.Tests.Testing;

public sealed class PolicyCoverageTests : IDisposable
{
    private const string Policy = """
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: p }
        spec:
          match:
            type: ["dataworks:NodeChange:StartDiJob"]
            $or:
              - data: { tableMapping: { dstDatasourceName: ["holo_dw", { prefix: "prod_" }] } }
              - data: { forceRun: [true] }
          exclude:
            - scope: { workspaces: [1] }
          actions:
            - notify: { channel: log, message: "m" }

        """;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task<PolicySetDefinition> LoadAsync()
    {
        _temp.Write("p.yaml", Policy);
        var result = await PolicyFolderLoader.LoadAsync([_temp.Root]);
        Assert.Empty(result.Diagnostics);
        return result.Set;
    }

    private static CoverageReport Cover(PolicySetDefinition set, params string[] events)
    {
        var coverage = new PolicyCoverage(set);
        using var compiled = PolicySetCompiler.Compile(set);
        foreach (var json in events)
        {
            using var e = compiled.Parser.Parse(System.Text.Encoding.UTF8.GetBytes(json), new OpenEvent.Rules.Events.EventOrigin("e", 0));
            coverage.Record(compiled.Evaluator.Policies, e, compiled.Evaluator.Evaluate(e));
        }

        return coverage.Report();
    }

    private static string Event(int appId, string data) =>
        $$$"""{"specversion":"1.0","id":"1","source":"acs.dataworks","type":"dataworks:NodeChange:StartDiJob","data":{"appId":{{{appId}}}{{{data}}}}}""";

    [Fact]
    public async Task Items_LeafEntriesOrBranchesAndExclusions_InPatternOrder()
    {
        var policy = Assert.Single((await LoadAsync()).Policies);

        Assert.Equal(
            [
                "clause type: \"dataworks:NodeChange:StartDiJob\"",
                "$or branch $or[0]",
                "clause $or[0].data.tableMapping.dstDatasourceName: \"holo_dw\"",
                "clause $or[0].data.tableMapping.dstDatasourceName: {\"prefix\":\"prod_\"}",
                "$or branch $or[1]",
                "clause $or[1].data.forceRun: true",
                "exclusion exclude[0]",
            ],
            PolicyCoverage.Items(policy).Select(i => $"{i.Kind} {i.Description}"));
    }

    [Fact]
    public async Task Report_NothingRecorded_PolicyAndEveryItemUncovered()
    {
        var report = Cover(await LoadAsync());

        var policy = Assert.Single(report.Policies);
        Assert.False(policy.Matched);
        Assert.Equal(7, policy.Uncovered.Length);
        Assert.False(report.IsComplete);
    }

    [Fact]
    public async Task Report_ClausePassingInANonMatchingEvent_Covered()
    {
        // The type clause passes although the policy does not match (no $or branch holds).
        var report = Cover(await LoadAsync(), Event(5, ""));

        var policy = Assert.Single(report.Policies);
        Assert.Equal(0, policy.MatchingCases);
        Assert.DoesNotContain(policy.Uncovered, i => i.Description.StartsWith("type", StringComparison.Ordinal));
        Assert.Equal(6, policy.Uncovered.Length);
    }

    [Fact]
    public async Task Report_EveryBranchEntryAndExclusionExercised_Complete()
    {
        var report = Cover(
            await LoadAsync(),
            Event(5, ""","tableMapping":[{"dstDatasourceName":"odps"},{"dstDatasourceName":"holo_dw"}]"""),
            Event(5, ""","tableMapping":[{"dstDatasourceName":"prod_mysql"}]"""),
            Event(5, ""","forceRun":true"""),
            Event(1, ""","forceRun":true"""));

        Assert.True(report.IsComplete);
        Assert.Equal(3, Assert.Single(report.Policies).MatchingCases);
        Assert.Equal((7, 7), (report.CoveredItems, report.TotalItems));
    }

    [Fact]
    public async Task Report_ExclusionOnlyCoveredWhenThePolicyOtherwiseMatched()
    {
        // Workspace 1 is excluded, but the pattern does not match either: the exclusion did not decide anything.
        var report = Cover(await LoadAsync(), Event(1, ""));

        Assert.Contains(Assert.Single(report.Policies).Uncovered, i => i.Kind == "exclusion");
    }

    [Fact]
    public void Merge_ObjectsMergeNullRemovesOtherValuesReplace()
    {
        var target = (JsonObject)JsonNode.Parse("""{"a":{"b":1,"c":2},"d":[1,2],"e":"x"}""")!;

        PolicyTestRunner.Merge(target, (JsonObject)JsonNode.Parse("""{"a":{"b":null,"f":3},"d":[9],"g":{"h":true}}""")!);

        Assert.Equal("""{"a":{"c":2,"f":3},"d":[9],"e":"x","g":{"h":true}}""", target.ToJsonString());
    }
}
