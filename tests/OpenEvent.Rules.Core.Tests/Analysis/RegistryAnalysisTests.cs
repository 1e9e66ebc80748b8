using OpenEvent.Rules.Analysis;
using OpenEvent.Rules.Core.Tests.Sources;

namespace OpenEvent.Rules.Core.Tests.Analysis;

/// <summary>
/// oer analyze over policies written with the registry: an exclusion by time window does not cover the policy (the
/// analyzer does not compare windows: OER3058 does), a selector that selects nothing is not a covering exclusion, and a
/// witness event is completed from the registry as the engine completes events.
/// </summary>
public sealed class RegistryAnalysisTests
{
    private static async Task<IEnumerable<string>> AnalyzeAsync(params string[] documents)
    {
        using var temp = new TempFolder();
        var result = await RegistryYaml.LoadValidAsync(temp, [RegistryYaml.Estate, RegistryYaml.LabelUser, .. documents]);
        return PolicySetAnalyzer.Analyze(result.Set).Select(d => d.Id);
    }

    [Fact]
    public async Task CoveringExclusion_ByAMaintenanceWindow_NotClaimed() =>
        Assert.Empty(await AnalyzeAsync("""
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: weekend-deploys }
            spec:
              match: { type: ["dataworks:FileChange:DeployFile"] }
              scope: { windows: [weekend] }
              exclude:
                - scope: { windows: [{ timeZone: Asia/Shanghai, daily: { from: "08:00", to: "09:00", days: [Sat] } }] }
              actions: [ { block: { reason: "x" } } ]
            """));

    [Fact]
    public async Task CoveringExclusion_ByTheAdministrators_StillReported() =>
        Assert.Equal(["OER3091"], await AnalyzeAsync("""
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: admin-deletes }
            spec:
              match: { type: ["dataworks:FileChange:DeleteFile"] }
              scope: { operators: [{ set: platform-admins }] }
              exclude:
                - scope: { operators: [{ set: platform-admins }, "42"] }
              actions: [ { block: { reason: "x" } } ]
            """));

    [Fact]
    public async Task Conflict_OnAWorkspaceSelectedByLabel_WitnessedWithTheRegistrysEnvironment() =>
        Assert.Contains("OER3093", await AnalyzeAsync("""
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: block-prod-deletes }
            spec:
              match: { type: ["dataworks:FileChange:DeleteFile"] }
              scope: { workspaces: [{ labels: [core] }], environments: [PROD] }
              actions: [ { block: { reason: "no" } } ]
            ---
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: warn-sales-deletes }
            spec:
              match: { type: ["dataworks:FileChange:DeleteFile"] }
              scope: { workspaces: [sales_prod] }
              actions: [ { warn: { reason: "careful" } } ]
            """));
}
