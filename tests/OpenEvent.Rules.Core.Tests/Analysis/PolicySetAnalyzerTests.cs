using System.Text;
using OpenEvent.Rules.Analysis;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Sources;

namespace OpenEvent.Rules.Core.Tests.Analysis;

public sealed class PolicySetAnalyzerTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>A policy document for the analysis tests (the cost model's too): <paramref name="extra"/> holds spec lines before the actions.</summary>
    internal static string Policy(string name, string match, string actions = "[ { forward: { target: log } } ]", string extra = "") => $$"""
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: {{name}} }
        spec:
          match: {{match}}
        {{extra}}  actions: {{actions}}

        """;

    private async Task<PolicySetDefinition> LoadAsync(params string[] policies)
    {
        var path = _temp.Write($"set-{Guid.NewGuid():N}/p.yaml", string.Join("---\n", policies));
        var result = await PolicyFolderLoader.LoadAsync([path]);
        Assert.DoesNotContain(result.Diagnostics, d => d.IsError);
        return result.Set;
    }

    private static List<string> Ids(PolicySetDefinition set) =>
        [.. PolicySetAnalyzer.Analyze(set).Select(d => $"{d.Id} at {d.Location.Line}:{d.Location.Column}")];

    [Fact]
    public async Task NeverMatches_NumericBoundsContradictAcrossOrBranches_OER3090AtTheMatch()
    {
        // fileSize is documented as one integer: "> 5" and ("< 3" or "< 2") share no value.
        var set = await LoadAsync(Policy("dead", """
            { type: ["dataworks:ResourcesDownload:DownloadResources"], data: { fileSize: [{ numeric: [">", 5] }] }, $or: [ { data: { fileSize: [{ numeric: ["<", 3] }] } }, { data: { fileSize: [{ numeric: ["<", 2] }] } } ] }
            """));

        Assert.Equal(["OER3090 at 5:10"], Ids(set));
        Assert.Contains("'data.fileSize'", PolicySetAnalyzer.Analyze(set)[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NeverMatches_OneBranchSatisfiable_NothingReported()
    {
        var set = await LoadAsync(Policy("alive", """
            { type: ["dataworks:ResourcesDownload:DownloadResources"], data: { fileSize: [{ numeric: [">", 5] }] }, $or: [ { data: { fileSize: [{ numeric: ["<", 3] }] } }, { data: { fileSize: [{ numeric: ["<", 9] }] } } ] }
            """));

        Assert.Empty(Ids(set));
    }

    [Fact]
    public async Task NeverMatches_UndocumentedFieldMayBeAnArray_NotClaimed()
    {
        // [6, 1] is both "> 5" and "< 3": without the catalog's word that the field holds one value, no claim.
        var set = await LoadAsync(Policy("arrays", """
            { type: ["dataworks:ResourcesDownload:DownloadResources"], data: { sizes: [{ numeric: [">", 5] }] }, $or: [ { data: { sizes: [{ numeric: ["<", 3] }] } }, { data: { other: [1] } } ] }
            """));

        Assert.DoesNotContain(PolicySetAnalyzer.Analyze(set), d => d.Id == DiagnosticIds.NeverMatches);
    }

    [Fact]
    public async Task NeverMatches_AllowUnknownTypes_CatalogFieldTypesNotTrusted()
    {
        // A type newer than the catalog may carry fileSize as a list: the numeric clauses are not claimed contradictory.
        var set = await LoadAsync(Policy("future", """
            { type: [{ prefix: "dataworks:ResourcesDownload:" }], data: { fileSize: [{ numeric: [">", 5] }] }, $or: [ { data: { fileSize: [{ numeric: ["<", 3] }] } }, { data: { fileSize: [{ numeric: ["<", 2] }] } } ] }
            """, extra: "  allowUnknownTypes: true\n"));

        Assert.Empty(Ids(set));
    }

    [Fact]
    public async Task NeverMatches_ExistsFalseBesideAValue_OER3090()
    {
        var set = await LoadAsync(Policy("absent-and-present", """
            { type: ["dataworks:FileChange:DeployFile"], data: { fileName: [{ exists: false }] }, $or: [ { data: { fileName: [{ prefix: "a" }] } }, { data: { fileName: ["b"] } } ] }
            """));

        Assert.Equal(["OER3090 at 5:10"], Ids(set));
    }

    [Fact]
    public async Task Exclusion_CoveringTheMatch_OER3091AtTheExclusion_NarrowerOneIsFine()
    {
        var covering = Policy("covered", """{ type: ["dataworks:FileChange:DeployFile"], data: { fileName: [{ prefix: "tmp_a" }] } }""",
            extra: "  exclude:\n    - match: { data: { fileName: [{ prefix: \"tmp_\" }] } }\n");
        var narrower = Policy("narrow", """{ type: ["dataworks:FileChange:DeployFile"], data: { fileName: [{ prefix: "tmp_" }] } }""",
            extra: "  exclude:\n    - match: { data: { fileName: [{ prefix: \"tmp_a\" }] } }\n");

        Assert.Equal(["OER3091 at 7:7"], Ids(await LoadAsync(covering)));
        Assert.Empty(Ids(await LoadAsync(narrower)));
    }

    [Fact]
    public async Task Shadowed_NarrowerPolicyWithSameActions_OER3092AtTheNarrowerOne()
    {
        var set = await LoadAsync(
            Policy("wide", """{ type: ["dataworks:FileChange:DeployFile"], data: { fileName: [{ suffix: "_daily" }] } }"""),
            Policy("narrow", """{ type: ["dataworks:FileChange:DeployFile"], data: { fileName: ["dws_orders_daily", { suffix: "s_daily" }] } }"""));

        var finding = Assert.Single(PolicySetAnalyzer.Analyze(set));
        Assert.Equal((DiagnosticIds.ShadowedPolicy, 10), (finding.Id, finding.Location.Line));
        Assert.StartsWith("policy 'narrow' is shadowed by 'wide'", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shadowed_WiderOneIsWaived_NotReported_SinceDeletingTheNarrowerOneWouldChangeVerdicts()
    {
        // Waived in workspace 1, 'wide' lets its deploys through, where 'narrow' still blocks them.
        const string waiver = """
            apiVersion: openevent.rules/v1
            kind: Waiver
            metadata: { name: wide-in-1 }
            spec:
              policies: [wide]
              owner: data-eng
              ticket: GOV-1
              reason: a migration
              expires: 2099-12-31
              scope: { workspaces: ["1"] }

            """;
        var set = await LoadAsync(
            Policy("wide", """{ type: ["dataworks:FileChange:DeployFile"] }""", "[ { block: { reason: b } } ]"),
            Policy("narrow", """{ type: ["dataworks:FileChange:DeployFile"], data: { projectId: [1] } }""", "[ { block: { reason: b } } ]"),
            waiver);

        Assert.DoesNotContain(PolicySetAnalyzer.Analyze(set), d => d.Id == DiagnosticIds.ShadowedPolicy);
    }

    [Fact]
    public async Task Shadowed_WiderOneHasAConditionOrOtherActions_NotReported()
    {
        var set = await LoadAsync(
            Policy("wide-with-condition", """{ type: ["dataworks:FileChange:DeployFile"] }""", extra: "  condition: 'e.Data.GetString(\"fileName\") == \"x\"'\n"),
            Policy("wide-other-actions", """{ type: ["dataworks:FileChange:DeployFile"] }""", actions: "[ { warn: { reason: \"w\" } } ]"),
            Policy("narrow", """{ type: ["dataworks:FileChange:DeployFile"], data: { fileName: ["a"] } }"""));

        Assert.DoesNotContain(PolicySetAnalyzer.Analyze(set), d => d.Id == DiagnosticIds.ShadowedPolicy);
    }

    [Fact]
    public async Task Conflict_BlockAndWarnOverlap_OER3093WithAWitnessThatTheCompiledSetConfirms()
    {
        var set = await LoadAsync(
            Policy("block-dws", """{ type: ["dataworks:FileChange:DeployFile"], data: { fileName: [{ prefix: "dws_" }] } }""", "[ { block: { reason: b } } ]"),
            Policy("warn-daily", """{ type: ["dataworks:FileChange:DeployFile"], data: { fileName: [{ suffix: "_daily" }] } }""", "[ { warn: { reason: w } } ]",
                extra: "  scope: { workspaces: [\"10001\", \"10002\"] }\n"),
            Policy("warn-other", """{ type: ["dataworks:FileChange:DeployFile"], data: { fileName: [{ prefix: "ods_" }] } }""", "[ { warn: { reason: w } } ]"));

        var finding = Assert.Single(PolicySetAnalyzer.Find(set));
        Assert.Equal((DiagnosticIds.ConflictingPolicies, "warn-daily", "block-dws"), (finding.Diagnostic.Id, finding.Policy, finding.Other));
        Assert.Contains(finding.Witness!, finding.Diagnostic.Message, StringComparison.Ordinal);
        AssertConfirmed(set, finding);
    }

    [Fact]
    public async Task Conflict_BlockAndAForwardToATargetThatActs_OER3093_ToAnAuditTrailOrTheLog_NotReported()
    {
        const string deploys = """{ type: ["dataworks:FileChange:DeployFile"] }""";
        const string targets = """
            apiVersion: openevent.rules/v1
            kind: Target
            metadata: { name: release-pipeline }
            spec: { type: http, url: "https://ci.example.com/deploys" }
            ---
            apiVersion: openevent.rules/v1
            kind: Target
            metadata: { name: audit-trail }
            spec: { type: file, path: audit.jsonl, receivesBlocked: true }

            """;
        var set = await LoadAsync(
            targets,
            Policy("freeze", """{ type: ["dataworks:FileChange:DeployFile"], data: { fileName: [{ prefix: "dws_" }] } }""", "[ { block: { reason: frozen } } ]"),
            Policy("to-pipeline", deploys, "[ { forward: { target: release-pipeline } } ]"),
            Policy("to-audit", deploys, "[ { forward: { target: audit-trail } } ]"),
            Policy("to-log", deploys),
            Policy("freeze-and-forward", """{ type: ["dataworks:FileChange:DeployFile"], data: { fileName: [{ prefix: "ods_" }] } }""",
                "[ { block: { reason: frozen } }, { forward: { target: release-pipeline } } ]"));

        var conflicts = PolicySetAnalyzer.Find(set).Where(f => f.Diagnostic.Id == DiagnosticIds.ConflictingPolicies).ToList();

        // The pipeline would run deploys the freezes block; the audit trail and the log only record them, and a policy
        // that blocks and forwards its own events means to.
        Assert.Equal(
            [("freeze-and-forward", "to-pipeline"), ("to-pipeline", "freeze")],
            conflicts.Select(f => (f.Policy, f.Other!)).Order());
        Assert.All(conflicts, finding => AssertConfirmed(set, finding));
        Assert.Contains("receivesBlocked: true", conflicts[0].Diagnostic.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Conflict_ConditionDisjointScopesOrAudit_NotReported()
    {
        var set = await LoadAsync(
            Policy("block-cond", """{ type: ["dataworks:FileChange:DeployFile"] }""", "[ { block: { reason: b } } ]", extra: "  condition: 'true'\n"),
            Policy("block-ws1", """{ type: ["dataworks:FileChange:DeployFile"] }""", "[ { block: { reason: b } } ]", extra: "  scope: { workspaces: [\"1\"] }\n"),
            Policy("warn-ws2", """{ type: ["dataworks:FileChange:DeployFile"] }""", "[ { warn: { reason: w } } ]", extra: "  scope: { workspaces: [\"2\"] }\n"),
            Policy("warn-audit", """{ type: ["dataworks:FileChange:DeployFile"] }""", "[ { warn: { reason: w } } ]", extra: "  mode: audit\n"));

        Assert.DoesNotContain(PolicySetAnalyzer.Analyze(set), d => d.Id == DiagnosticIds.ConflictingPolicies);
    }

    [Fact]
    public async Task Conflicts_InThePolicyLibraryAndGuideShapes_EveryWitnessConfirmedByTheCompiledSet()
    {
        // Operators of every kind, paired: every conflict reported must be an event both policies decide.
        string[] matches =
        [
            """{ type: ["dataworks:FileChange:DeployFile"], data: { fileName: [{ wildcard: "dws_*_daily" }] } }""",
            """{ type: ["dataworks:FileChange:DeployFile"], data: { fileName: [{ equals-ignore-case: "DWS_ORDERS_DAILY" }] } }""",
            """{ type: [{ prefix: "dataworks:FileChange:" }], data: { fileName: [{ anything-but: { prefix: "tmp_" } }] } }""",
            """{ type: ["dataworks:ResourcesDownload:DownloadResources"], data: { fileSize: [{ numeric: [">=", 100, "<", 200] }] } }""",
            """{ type: ["dataworks:ResourcesDownload:DownloadResources"], data: { fileSize: [{ numeric: [">", 150] }] } }""",
            """{ type: ["dataworks:ResourcesDownload:DownloadResourcesExecute"], data: { ip: [{ cidr: "10.1.0.0/16" }] } }""",
            """{ type: ["dataworks:ResourcesDownload:DownloadResourcesExecute"], data: { ip: [{ cidr: "10.0.0.0/8" }], fileName: [{ exists: true }] } }""",
            """{ $or: [ { type: ["dataworks:FileChange:CommitFile"] }, { type: ["dataworks:FileChange:DeployFile"], data: { fileName: [{ contains: "orders" }] } } ] }""",
        ];
        var policies = matches.SelectMany((m, i) => new[]
        {
            Policy($"block-{i}", m, "[ { block: { reason: b } } ]"),
            Policy($"warn-{i}", m.Replace("dws_", "dws_o", StringComparison.Ordinal), "[ { warn: { reason: w } } ]"),
        }).ToArray();
        var set = await LoadAsync(policies);

        var conflicts = PolicySetAnalyzer.Find(set).Where(f => f.Diagnostic.Id == DiagnosticIds.ConflictingPolicies).ToList();

        Assert.True(conflicts.Count >= 8, $"only {conflicts.Count} conflicts");
        Assert.All(conflicts, finding => AssertConfirmed(set, finding));
    }

    /// <summary>What `oer dry-run` does: the compiled set evaluates the witness, and both policies are among the matches.</summary>
    private static void AssertConfirmed(PolicySetDefinition set, AnalysisFinding finding)
    {
        using var compiled = PolicySetCompiler.Compile(set with { Policies = [.. set.Policies.Where(p => p.Condition is null)] });
        var decision = compiled.EvaluateInput(Encoding.UTF8.GetBytes(finding.Witness!), "witness").Single();
        Assert.Null(decision.Error);
        var matched = decision.Matched.Select(m => m.Policy).ToList();
        Assert.Contains(finding.Policy, matched);
        Assert.Contains(finding.Other!, matched);
    }
}
