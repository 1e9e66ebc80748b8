using OpenEvent.Rules.Model;
using static OpenEvent.Rules.Core.Tests.Validation.M;

namespace OpenEvent.Rules.Core.Tests.Validation;

public sealed class ScopeValidatorTests
{
    [Fact]
    public void Validate_UnknownEnvironment_ErrorAtTheValue()
    {
        var scope = Scope(environments: ["DEV", "STAGING"], line: 9, column: 5).WithLocations("environments", (10, 21), (10, 26));

        var diagnostic = Assert.Single(Validate(Policy("p", Types(CommitTable), scope)));

        AssertDiagnostic(diagnostic, "OER3024", DiagnosticSeverity.Error, 10, 26, "Policy 'p': environment 'STAGING' is not DEV or PROD");
        Assert.Equal("DataWorks has two environments: write DEV (development) or PROD (production).", diagnostic.Hint);
    }

    [Fact]
    public void Validate_UnknownEnvironmentWithoutValueLocations_FallsBackToScope()
    {
        var diagnostic = Assert.Single(Validate(Policy("p", Pattern(), Scope(environments: ["test"], line: 9, column: 5))));

        Assert.Equal(L(9, 5), diagnostic.Location);
    }

    [Fact]
    public void Validate_EmptyList_WarningItFiltersNothing()
    {
        var scope = Scope(line: 9, column: 5).WithLocations("workspaces");

        var diagnostic = Assert.Single(Validate(Policy("p", Types(CommitTable), scope)));

        AssertDiagnostic(diagnostic, "OER3024", DiagnosticSeverity.Warning, 9, 5, "Policy 'p': scope 'workspaces' is an empty list, which filters nothing");
        Assert.Equal("List the values to keep, e.g. workspaces: [\"10001234\"], or remove 'workspaces' to accept every value.", diagnostic.Hint);
    }

    [Fact]
    public void Validate_ListNotWritten_NoDiagnostics() =>
        Assert.Empty(Validate(Policy("p", Types(CommitTable), Scope(workspaces: ["1"]))));

    [Theory]
    [InlineData("DEV")]
    [InlineData("PROD")]
    [InlineData("prod")]
    public void Validate_KnownEnvironment_NoDiagnostics(string environment) =>
        Assert.Empty(Validate(Policy("p", Pattern(), Scope(environments: [environment]))));

    [Fact]
    public void Validate_OperatorsOnInstanceStatus_WarningNoOperator()
    {
        var scope = Scope(operators: ["200012345678901"], line: 9, column: 5).WithLocations("operators", (10, 18));

        var diagnostic = Assert.Single(Validate(Policy("failures", Types(InstanceStatus), scope)));

        AssertDiagnostic(diagnostic, "OER3024", DiagnosticSeverity.Warning, 10, 18,
            $"Policy 'failures': scope 'operators' can never match: {InstanceStatus} carries no operator");
    }

    [Fact]
    public void Validate_TenantsOnDownload_WarningNoTenant()
    {
        var diagnostic = Assert.Single(Validate(Policy("dl", Types(Download), Scope(tenants: ["283780000010656"]))));

        Assert.Equal($"Policy 'dl': scope 'tenants' can never match: {Download} carries no tenant", diagnostic.Message);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
    }

    [Fact]
    public void Validate_DimensionResolvedBySomeMatchedType_NoDiagnostics() =>
        Assert.Empty(Validate(Policy("p", Types(InstanceStatus, Deploy), Scope(operators: ["200012345678901"]))));

    [Fact]
    public void Validate_RegionsAndWorkspaces_AlwaysResolvable() =>
        Assert.Empty(Validate(Policy("p", Types(InstanceStatus, Download), Scope(regions: ["cn-hangzhou"], workspaces: ["10001234"]))));

    [Fact]
    public void Validate_UnconstrainedPolicy_NoDimensionWarnings() =>
        Assert.Empty(Validate(Policy("p", Pattern(Leaf("source", Exact("acs.dataworks"))), Scope(tenants: ["1"], operators: ["2"], environments: ["DEV"]))));

    [Fact]
    public void Validate_EnvironmentsOnTypesWithoutEnvironment_Warning()
    {
        var diagnostic = Assert.Single(Validate(Policy("p", Types(Deploy), Scope(environments: ["PROD"]))));

        Assert.Equal($"Policy 'p': scope 'environments' can never match: {Deploy} carries no environment", diagnostic.Message);
    }

    [Fact]
    public void Validate_ProdOnCommitTable_WarningAlwaysDev()
    {
        var scope = Scope(environments: ["PROD"]).WithLocations("environments", (10, 21));

        var diagnostic = Assert.Single(Validate(Policy("p", Types(CommitTable), scope)));

        AssertDiagnostic(diagnostic, "OER3024", DiagnosticSeverity.Warning, 10, 21,
            $"Policy 'p': scope 'environments' can never match: {CommitTable} is always DEV");
        Assert.Equal("Add DEV to 'environments', or remove 'environments' from the scope.", diagnostic.Hint);
    }

    [Fact]
    public void Validate_DevOnCommitTable_NoDiagnostics() =>
        Assert.Empty(Validate(Policy("p", Types(CommitTable), Scope(environments: ["DEV"]))));

    [Fact]
    public void Validate_ExclusionScope_Checked()
    {
        var policy = Policy("p", Types(InstanceStatus),
            exclude: [Exclusion(scope: Scope(environments: ["QA"], operators: ["1"]).WithLocations("environments", (12, 23)).WithLocations("operators", (13, 20)))]);

        var diagnostics = Validate(policy);

        // QA is no environment, instance-status events carry neither an environment nor an operator.
        Assert.Equal([(DiagnosticSeverity.Error, 12), (DiagnosticSeverity.Warning, 12), (DiagnosticSeverity.Warning, 13)], diagnostics.Select(d => (d.Severity, d.Location.Line)));
    }

    [Fact]
    public void Validate_MatchingNothing_NoDimensionWarnings() =>
        Assert.Equal(["OER3023"], Validate(Policy("p", Pattern(Leaf("source", Exact("acs.ecs"))), Scope(operators: ["1"]))).Select(d => d.Id));
}
