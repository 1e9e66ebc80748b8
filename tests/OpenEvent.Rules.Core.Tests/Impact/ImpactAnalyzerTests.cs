using System.Text;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Impact;
using OpenEvent.Rules.Sources;

namespace OpenEvent.Rules.Core.Tests.Impact;

public sealed class ImpactAnalyzerTests : IDisposable
{
    private const string Policy = """
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: NAME }
        spec:
          mode: MODE
          match: { type: ["dataworks:FileChange:DeployFile"], data: { fileName: [{ prefix: "PREFIX" }] } }
          actions:
            - block: { reason: "REASON {{ data.fileName }}" }
            - forward: { target: log }

        """;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task<CompiledPolicySet> CompileAsync(string folder, string name, string mode, string prefix, string reason)
    {
        _temp.Write($"{folder}/p.yaml", Policy.Replace("NAME", name, StringComparison.Ordinal).Replace("MODE", mode, StringComparison.Ordinal)
            .Replace("PREFIX", prefix, StringComparison.Ordinal).Replace("REASON", reason, StringComparison.Ordinal));
        var result = await PolicyFolderLoader.LoadAsync([_temp.Path(folder)]);
        Assert.Empty(result.Diagnostics);
        return PolicySetCompiler.Compile(result.Set);
    }

    /// <summary>JSON Lines: one deploy event per file name; a name starting with '!' is written as an invalid line.</summary>
    private static (string, ReadOnlyMemory<byte>) Input(params string[] files) =>
        ("events.jsonl", Encoding.UTF8.GetBytes(string.Join('\n', files.Select((f, i) => f.StartsWith('!')
            ? f[1..]
            : $$$"""{"specversion":"1.0","id":"e{{{i}}}","source":"acs.dataworks","type":"dataworks:FileChange:DeployFile","data":{"projectId":1,"fileName":"{{{f}}}"}}"""))));

    [Fact]
    public async Task Analyze_NewBlockRemovedBlockAndReasonChange_EachReported()
    {
        using var before = await CompileAsync("base", "p", "enforce", "tmp_", "old");
        using var after = await CompileAsync("head", "p", "enforce", "t", "new");

        var report = ImpactAnalyzer.Analyze(before, after, [Input("tmp_a", "test_b", "dws_c", "!{")]);

        Assert.Equal(4, report.Events);
        Assert.Equal(["events.jsonl[3]"], report.InvalidEvents.Select(e => $"{e.File}[{e.Index}]"));
        Assert.Equal(["e0", "e1"], report.Changes.Select(c => c.Event.Id));
        var reason = report.Changes[0];
        Assert.False(reason.VerdictChanged);
        Assert.Equal(["p: block \"new tmp_a\""], reason.AddedActions.Select(a => a.ToString()));
        Assert.Equal(["p: block \"old tmp_a\""], reason.RemovedActions.Select(a => a.ToString()));
        var blocked = report.Changes[1];
        Assert.Equal((Verdict.Ok, Verdict.Fail), (blocked.BaseVerdict!.Value, blocked.HeadVerdict!.Value));
        Assert.Equal(["p"], blocked.AddedPolicies.AsEnumerable());
        Assert.Equal((1, 0, 1, 0), (report.NewlyBlocked, report.NoLongerBlocked, report.Added("forward"), report.Removed("forward")));
        Assert.Equal([new PolicyMatchCount("p", 1, 2)], report.PolicyCounts.AsEnumerable());
        Assert.Empty(report.UnmatchedPolicies);
    }

    [Fact]
    public async Task Analyze_EnforceToAudit_NoLongerBlockedAndAuditMarked()
    {
        using var before = await CompileAsync("base", "p", "enforce", "tmp_", "r");
        using var after = await CompileAsync("head", "p", "audit", "tmp_", "r");

        var report = ImpactAnalyzer.Analyze(before, after, [Input("tmp_a")]);

        var change = Assert.Single(report.Changes);
        Assert.Equal((Verdict.Fail, Verdict.Ok), (change.BaseVerdict!.Value, change.HeadVerdict!.Value));
        Assert.Equal(["p (audit): block \"r tmp_a\"", "p (audit): forward to log"], change.AddedActions.Select(a => a.ToString()));
        Assert.Equal(0, report.Added("forward"));
        Assert.Equal(1, report.Removed("forward"));
    }

    [Fact]
    public async Task Analyze_RenamedPolicyMatchingNothing_CountsAndUnmatched()
    {
        using var before = await CompileAsync("base", "old", "enforce", "tmp_", "r");
        using var after = await CompileAsync("head", "new", "enforce", "zzz_", "r");

        var report = ImpactAnalyzer.Analyze(before, after, [Input("tmp_a")]);

        Assert.Equal([new PolicyMatchCount("new", 0, 0), new PolicyMatchCount("old", 1, 0)], report.PolicyCounts.AsEnumerable());
        Assert.Equal(["new"], report.UnmatchedPolicies.AsEnumerable());
        Assert.Equal(["old"], Assert.Single(report.Changes).RemovedPolicies.AsEnumerable());
    }
}
