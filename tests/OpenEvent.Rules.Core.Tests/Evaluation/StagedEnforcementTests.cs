using System.Text;
using System.Text.Json;
using OpenEvent.Rules.Analysis;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Sources;

namespace OpenEvent.Rules.Core.Tests.Evaluation;

/// <summary>
/// Staged enforcement (spec.enforceIn): a policy enforces in its pilot and audits in the rest of its scope, the same with
/// the compiled and the reference matcher; every match says which stage it was in and why; the stage is checked against
/// the mode and the scope (OER3110-OER3113); the analysis never calls a staged policy shadowed or conflicting.
/// </summary>
public sealed class StagedEnforcementTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private const string Registry = """
        apiVersion: openevent.rules/v1
        kind: Registry
        metadata: { name: estate }
        spec:
          workspaces:
            - { id: 10001234, name: sales_prod, environment: PROD, labels: [pilot] }
            - { id: 10005678, name: finance_prod, environment: PROD }
        ---

        """;

    private static string Staged(string enforceIn, string mode = "", string scope = "workspaces: [10001234, 10005678]", string name = "dws-deploy-review") => $$$"""
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: {{{name}}} }
        spec:
        {{{mode}}}  match:
            type: ["dataworks:FileChange:DeployFile"]
            data: { fileName: [{ prefix: "dws_" }] }
          scope: { {{{scope}}} }
          enforceIn: {{{enforceIn}}}
          actions:
            - block: { reason: "Deploying {{ data.fileName }} needs a review" }

        """;

    private async Task<PolicyLoadResult> LoadAsync(params string[] documents)
    {
        var path = _temp.Write($"set-{Guid.NewGuid():N}/p.yaml", string.Join("---\n", documents));
        return await PolicyFolderLoader.LoadAsync([path]);
    }

    private static byte[] Deploy(long workspace, string time = "2024-07-12T11:08:14+08:00") =>
        Encoding.UTF8.GetBytes($$$"""{"specversion":"1.0","id":"e-{{{workspace}}}","source":"acs.dataworks","type":"dataworks:FileChange:DeployFile","time":"{{{time}}}","data":{"projectId":{{{workspace}}},"operator":"200012345678901","fileName":"dws_orders"}}""");

    private static Decision Evaluate(CompiledPolicySet set, byte[] bytes)
    {
        using var e = set.TryRead(new EventSlice(new EventOrigin("test", 0), bytes, null), out var error)!;
        Assert.Null(error);
        return set.Evaluator.Evaluate(e);
    }

    private async Task<CompiledPolicySet> CompileAsync(bool reference, params string[] documents)
    {
        var load = await LoadAsync(documents);
        Assert.False(load.HasErrors, string.Join("\n", load.Diagnostics));
        return PolicySetCompiler.Compile(load.Set, new PolicySetCompilerOptions { UseReferenceMatcher = reference });
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Evaluate_PilotWorkspace_EnforcesWithFailAndSaysWhy(bool reference)
    {
        using var set = await CompileAsync(reference, Staged("{ workspaces: [10001234] }"));

        var decision = Evaluate(set, Deploy(10001234));

        Assert.Equal(Verdict.Fail, decision.Verdict);
        Assert.Empty(decision.Audit);
        var match = Assert.Single(decision.Matched);
        Assert.Equal(PolicyMode.Enforce, match.Mode);
        Assert.Equal(new PolicyStage(true, "in enforceIn: workspace 10001234"), match.Stage);
        Assert.Equal("Deploying dws_orders needs a review", Assert.IsType<BlockOutcome>(Assert.Single(match.Actions)).Reason);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Evaluate_OutsideThePilot_AuditsAsWouldAndAnswersOk(bool reference)
    {
        using var set = await CompileAsync(reference, Staged("{ workspaces: [10001234] }"));

        var decision = Evaluate(set, Deploy(10005678));

        Assert.Equal(Verdict.Ok, decision.Verdict);
        Assert.Empty(decision.Matched);
        var match = Assert.Single(decision.Audit);
        Assert.Equal(PolicyMode.Audit, match.Mode);
        Assert.Equal(new PolicyStage(false, "not in enforceIn: workspace 10005678"), match.Stage);
    }

    [Fact]
    public async Task Evaluate_PilotBySelector_TheRegistryLabelDecides()
    {
        using var set = await CompileAsync(false, Registry, Staged("{ workspaces: [{ labels: [pilot] }] }"));

        Assert.Equal(Verdict.Fail, Evaluate(set, Deploy(10001234)).Verdict);
        Assert.Equal(Verdict.Ok, Evaluate(set, Deploy(10005678)).Verdict);
    }

    [Fact]
    public async Task Validate_LabelUsedOnlyInEnforceIn_IsNotUnused()
    {
        var load = await LoadAsync(Registry, Staged("{ workspaces: [{ labels: [pilot] }] }"));

        Assert.DoesNotContain(load.Diagnostics, d => d.Id == DiagnosticIds.UnusedLabel);
    }

    [Fact]
    public async Task Evaluate_StageWithAWindow_EnforcesInsideTheWindowAndAuditsOutside()
    {
        var window = "{ windows: [{ timeZone: Asia/Shanghai, from: 2024-07-12, to: 2024-07-13 }] }";
        using var set = await CompileAsync(false, Staged(window));

        var inside = Evaluate(set, Deploy(10005678, "2024-07-12T11:08:14+08:00"));
        var outside = Evaluate(set, Deploy(10005678, "2024-07-20T11:08:14+08:00"));

        Assert.Equal(Verdict.Fail, inside.Verdict);
        Assert.Equal("in enforceIn: time 2024-07-12T03:08:14Z inside its windows", Assert.Single(inside.Matched).Stage!.Reason);
        Assert.Equal(Verdict.Ok, outside.Verdict);
        Assert.Equal("not in enforceIn: time 2024-07-20T03:08:14Z outside its windows", Assert.Single(outside.Audit).Stage!.Reason);
    }

    [Fact]
    public async Task Evaluate_PolicyWithoutEnforceIn_HasNoStage()
    {
        using var set = await CompileAsync(false, Staged("{ workspaces: [10001234] }").Replace("  enforceIn: { workspaces: [10001234] }\n", "", StringComparison.Ordinal));

        var match = Assert.Single(Evaluate(set, Deploy(10005678)).Matched);

        Assert.Null(match.Stage);
        Assert.Contains("\"stage\":null", DecisionJson.Serialize(Evaluate(set, Deploy(10005678))), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DecisionJson_StagedMatch_WritesTheStage()
    {
        using var set = await CompileAsync(false, Staged("{ workspaces: [10001234] }"));

        using var json = JsonDocument.Parse(DecisionJson.Serialize(Evaluate(set, Deploy(10005678))));

        var audit = Assert.Single(json.RootElement.GetProperty("audit").EnumerateArray().ToList());
        Assert.Equal("audit", audit.GetProperty("mode").GetString());
        Assert.False(audit.GetProperty("stage").GetProperty("enforced").GetBoolean());
        Assert.Equal("not in enforceIn: workspace 10005678", audit.GetProperty("stage").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Explain_StagedPolicy_NamesTheStageOfTheDecision()
    {
        using var set = await CompileAsync(false, Staged("{ workspaces: [10001234] }"));
        using var e = set.TryRead(new EventSlice(new EventOrigin("test", 0), Deploy(10005678), null), out _)!;

        var explanation = PolicyExplainer.Explain(set.Evaluator.Policies[0], e, set.Evaluator.Evaluate(e));

        Assert.True(explanation.Applies);
        Assert.Equal(new PolicyStage(false, "not in enforceIn: workspace 10005678"), explanation.Stage);
    }

    [Theory]
    [InlineData("mode: audit", "OER3110", DiagnosticSeverity.Error)]
    [InlineData("mode: disabled", "OER3110", DiagnosticSeverity.Warning)]
    public async Task Validate_EnforceInWithoutEnforce_OER3110(string mode, string id, DiagnosticSeverity severity)
    {
        var load = await LoadAsync(Staged("{ workspaces: [10001234] }", "  " + mode + "\n"));

        var diagnostic = Assert.Single(load.Diagnostics, d => d.Id == id);
        Assert.Equal(severity, diagnostic.Severity);
        Assert.Equal((10, 14), (diagnostic.Location.Line, diagnostic.Location.Column));
        Assert.StartsWith("Policy 'dws-deploy-review': enforceIn is only read in mode enforce", diagnostic.Message, StringComparison.Ordinal);
        Assert.NotNull(diagnostic.Hint);
    }

    [Fact]
    public async Task Validate_EnforceInSelectorSelectsNothing_OER3111()
    {
        var load = await LoadAsync(Registry, Staged("{ workspaces: [{ labels: [pilott] }] }"));

        Assert.Contains(load.Diagnostics, d => d.Id == DiagnosticIds.SelectorSelectsNothing);
        var diagnostic = Assert.Single(load.Diagnostics, d => d.Id == DiagnosticIds.EnforceInSelectsNothing);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Contains("never enforces", diagnostic.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{ workspaces: [10005678, 10001234] }")]
    public async Task Validate_EnforceInKeepsTheWholeScope_OER3113(string enforceIn)
    {
        var load = await LoadAsync(Staged(enforceIn));

        var diagnostic = Assert.Single(load.Diagnostics, d => d.Id == DiagnosticIds.EnforceInCoversScope);
        Assert.Equal((9, 14), (diagnostic.Location.Line, diagnostic.Location.Column));
    }

    [Theory]
    [InlineData("{ workspaces: [10001234] }")]
    [InlineData("{ windows: [{ timeZone: Asia/Shanghai, weekly: { from: \"Fri 18:00\", to: \"Mon 08:00\" } }] }")]
    [InlineData("{ operators: [200012345678901] }")]
    public async Task Validate_APilotInsideTheScope_NoStagingDiagnostic(string enforceIn)
    {
        var load = await LoadAsync(Staged(enforceIn));

        Assert.DoesNotContain(load.Diagnostics, d => d.Id.StartsWith("OER311", StringComparison.Ordinal));
        Assert.False(load.HasErrors, string.Join("\n", load.Diagnostics));
    }

    [Fact]
    public async Task Validate_EnforceInDimensionTheTypesDoNotCarry_OER3024()
    {
        // A deploy has no environment in its data: without a registry, an environment stage keeps no event.
        var load = await LoadAsync(Staged("{ environments: [PROD] }", scope: "workspaces: [10001234]"));

        Assert.Contains(load.Diagnostics, d => d.Id == DiagnosticIds.UnknownScopeValue && d.Location.Line == 9);
    }

    [Fact]
    public async Task CostModel_StagedPolicy_PricesItsStageAsAScope()
    {
        var load = await LoadAsync(Staged("{ workspaces: [10001234] }"));

        var cost = Assert.Single(PolicyCostModel.Estimate(load.Set).Policies);

        var stage = Assert.Single(cost.Terms, t => t.What == "the stage (enforceIn)");
        Assert.Equal(Assert.Single(cost.Terms, t => t.What == "the scope").Units, stage.Units);
        Assert.Equal(9, stage.Location.Line);
    }

    [Fact]
    public async Task Analyze_StagedBlockBesideAWarn_NoConflictClaimed()
    {
        var warn = """
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: warn-dws }
            spec:
              match: { type: ["dataworks:FileChange:DeployFile"], data: { fileName: [{ prefix: "dws_" }] } }
              actions: [ { warn: { reason: "check dws deploys" } } ]

            """;
        var staged = await LoadAsync(Staged("{ workspaces: [10001234] }"), warn);
        var enforced = await LoadAsync(Staged("{ workspaces: [10001234] }").Replace("  enforceIn: { workspaces: [10001234] }\n", "", StringComparison.Ordinal), warn);

        Assert.DoesNotContain(PolicySetAnalyzer.Analyze(staged.Set), d => d.Id == DiagnosticIds.ConflictingPolicies);
        Assert.Contains(PolicySetAnalyzer.Analyze(enforced.Set), d => d.Id == DiagnosticIds.ConflictingPolicies);
    }
}
