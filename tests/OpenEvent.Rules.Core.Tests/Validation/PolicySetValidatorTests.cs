using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Model.Patterns.Operators;
using OpenEvent.Rules.Validation;
using static OpenEvent.Rules.Core.Tests.Validation.M;

namespace OpenEvent.Rules.Core.Tests.Validation;

/// <summary>Realistic policy sets: the validators must stay silent on policies a governance team would really write.</summary>
public sealed class PolicySetValidatorTests
{
    private static PolicyDefinition DeployFreeze() => Policy("deploy-freeze",
        Pattern(
            Leaf("source", Exact("acs.dataworks")),
            Leaf("type", Exact(Deploy), Exact(Commit)),
            Data(Leaf("fileName", AnythingBut(1, 1, Prefix("hotfix_"))), Leaf("fileType", Number("10"), Number("1221")))),
        Scope(workspaces: ["10001234"], operators: ["200012345678901"]),
        exclude: [Exclusion(Pattern(Data(Leaf("fileName", Suffix("_tmp")))))],
        actions: [
            Block("Deploys are frozen until Monday: {{ data.fileName }} by {{ data.operator }} ({{ scope.workspace }})"),
            Notify("ops", "{{ policy.name }} blocked {{ type }} of {{ data.fileName }} in {{ aliyunregionid }}"),
        ]);

    private static PolicyDefinition DownloadRowLimit() => Policy("download-row-limit",
        Pattern(
            Leaf("type", Prefix("dataworks:ResourcesDownload:")),
            Data(
                Leaf("dataRowSize", NumericString(1, 1, (NumericOperator.GreaterThan, 100000)), Wildcard("??????*")),
                Leaf("queryDwProjectId", Exact("10001234")),
                Leaf("ip", AnythingBut(1, 1, Exact("10.0.0.1")), Cidr("10.0.0.0/8")))),
        Scope(workspaces: ["10001234"], operators: ["149318960370001"], regions: ["cn-hangzhou"]),
        actions: [Warn("{{ data.dataRowSize }} rows from {{ data.sqlText }}"), Forward("audit")]);

    private static PolicyDefinition FailureNotification() => Policy("instance-failed",
        Pattern(
            Leaf("source", Exact("acs.dataworks")),
            Leaf("type", Exact(InstanceStatus)),
            Data(Leaf("status", Number("5")), Leaf("dagType", Numeric(1, 1, (NumericOperator.LessThanOrEqual, 1))))),
        Scope(tenants: ["283780000010656"], workspaces: ["3100002"]),
        actions: [Notify("ops", "Instance {{ data.taskId }} of node {{ data.nodeId }} failed in workspace {{ scope.workspace }} at {{ time }}")],
        mode: PolicyMode.Audit);

    private static PolicyDefinition TableLockdown() => Policy("dev-table-naming",
        Pattern(Or(
            Pattern(Leaf("type", Exact(CommitTable)), Data(Leaf("tableName", AnythingBut(1, 1, Prefix("ods_"), Prefix("dwd_"))))),
            Pattern(Leaf("type", Exact(StartDi)), Data(Nested("tableMapping", 1, 1, Leaf("dstTable", Wildcard("tmp_*"))))))),
        Scope(environments: ["DEV"]),
        actions: [Block("{{ data.tableName }}{{ data.tableMapping.0.dstTable }} does not follow the naming rules")],
        mode: PolicyMode.Disabled);

    [Fact]
    public void Validate_RealisticPolicies_NoDiagnostics()
    {
        var set = new PolicySetDefinition(
            [DeployFreeze(), DownloadRowLimit(), FailureNotification(), TableLockdown()],
            [Channel("ops")],
            [Target("audit")]);

        Assert.Empty(Validate(set));
    }

    [Fact]
    public void Validate_EmptySet_NoDiagnostics() => Assert.Empty(Validate(PolicySetDefinition.Empty));

    [Fact]
    public void Validate_DeployFreezeWithEmbeddedCatalog_NoDiagnostics()
    {
        // The catalog shipped in the assembly: whatever it grows into, it must keep documenting this policy's fields.
        var policy = Policy("deploy-freeze",
            Pattern(Leaf("type", Exact(Deploy)), Data(Leaf("fileName", Prefix("dws_")))),
            Scope(operators: ["200012345678901"]),
            actions: [Block("{{ data.fileName }} cannot be deployed by {{ scope.operator }}")]);
        var diagnostics = new DiagnosticBag();

        PolicySetValidator.Validate(Set(policy), EventCatalog.Default, diagnostics);

        Assert.Empty(diagnostics.Items);
    }

    [Fact]
    public void Validate_ManyProblems_AllCollectedInOneRun()
    {
        var broken = Policy("broken",
            Pattern(Leaf("type", Exact("dataworks:InstanceStatusChanges:InstanceStatusChange")), Data(Leaf("status", Exact("5")))),
            actions: [Notify("nowhere"), Forward("nowhere")]);
        var regularBlock = Policy("regular-block",
            Pattern(Leaf("type", Exact(InstanceStatus)), Data(Leaf("status", Exact("5")))),
            Scope(operators: ["1"], environments: ["UAT"]),
            actions: [Block("{{ data.fileName }}")]);

        var ids = Validate(Set(broken, regularBlock, Policy("broken", Types(Deploy)))).Select(d => d.Id).Order(StringComparer.Ordinal);

        Assert.Equal(["OER3001", "OER3020", "OER3022", "OER3024", "OER3024", "OER3024", "OER3030", "OER3031", "OER3032", "OER3033"], ids);
    }
}

/// <summary>A big set's field checks run on another core: the diagnostics must be exactly those of every validator in turn on one thread.</summary>
public sealed class PolicySetValidatorParallelTests
{
    [Fact]
    public async Task Validate_BigSet_FieldChecksOnAnotherCore_SameDiagnosticsInTheSameOrderAsOneThread()
    {
        // Every semantic fixture twice (names collide too), so that each validator has something to say.
        var fixtures = Directory.EnumerateFiles(RepositoryPaths.Combine("tests", "fixtures", "broken"), "OER3*.yaml").Order(StringComparer.Ordinal).ToList();
        using var temp = new TempFolder();
        for (var copy = 0; copy < 2; copy++)
        {
            foreach (var fixture in fixtures)
            {
                File.Copy(fixture, temp.Path($"c{copy}-{Path.GetFileName(fixture)}"));
            }
        }

        var set = (await OpenEvent.Rules.Sources.PolicyFolderLoader.LoadAsync([temp.Root])).Set;
        var parallel = new DiagnosticBag();
        PolicySetValidator.Validate(set, EventCatalog.Default, parallel);

        var oneThread = new DiagnosticBag();
        PolicySetValidator.InOrder(new ValidationContext(set, EventCatalog.Default, oneThread));

        Assert.True(set.Policies.Length >= PolicySetValidator.ParallelThreshold, $"{set.Policies.Length} policies");
        // Not vacuous: the field checks (run apart) and the others both reported.
        Assert.Contains(parallel.Items, d => d.Id == DiagnosticIds.UndocumentedField);
        Assert.Contains(parallel.Items, d => d.Id == DiagnosticIds.OperatorFieldTypeMismatch);
        Assert.Contains(parallel.Items, d => d.Id == DiagnosticIds.DuplicateName);
        Assert.True(parallel.Items.Select(d => d.Id).Distinct().Count() >= 20, string.Join(", ", parallel.Items.Select(d => d.Id).Distinct()));
        Assert.Equal(oneThread.Items.Select(d => d.ToString()), parallel.Items.Select(d => d.ToString()));
    }
}
