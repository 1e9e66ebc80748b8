using OpenEvent.Rules.Core.Tests.Sources;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Core.Tests.Parsing;

/// <summary>Scopes name registry entries: names, sets and selectors become ids, windows become windows, at parse time.</summary>
public sealed class RegistryReferencesTests
{
    private static string Policy(string scope, string type = "dataworks:FileChange:DeleteFile") => $$"""
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: p }
        spec:
          match: { type: ["{{type}}"] }
          scope: {{scope}}
          actions: [ { block: { reason: "x" } } ]
        """;

    private static async Task<(ScopeDefinition? Scope, IReadOnlyList<Diagnostic> Diagnostics)> ScopeAsync(string scope, string type = "dataworks:FileChange:DeleteFile")
    {
        using var temp = new TempFolder();
        var result = await RegistryYaml.LoadAsync(temp, RegistryYaml.Estate, RegistryYaml.LabelUser, Policy(scope, type));
        return (result.Set.Policies.SingleOrDefault(p => p.Name == "p")?.Scope, result.Diagnostics);
    }

    public static TheoryData<string, string[]> Workspaces => new()
    {
        { "[10001234]", ["10001234"] },
        { "[sales_prod, finance_prod]", ["10001234", "10001235"] },
        { "[{ set: core-workspaces }]", ["10001234", "10001235"] },
        { "[{ labels: [sensitive] }]", ["10001234", "10001235"] },
        { "[{ labels: [sensitive, finance] }]", ["10001235"] },
        { "[{ labels: [core], environment: PROD }]", ["10001234"] },
        { "[{ environment: prod }]", ["10001234", "10001235", "293624"] },
        { "[{ tenant: globex }]", ["293624"] },
        { "[{ tenant: 283780000010656, region: cn-shanghai }]", ["10001235"] },
        { "[99, sales_dev, { labels: [finance] }, 10001235]", ["99", "10001236", "10001235"] },
    };

    [Theory]
    [MemberData(nameof(Workspaces))]
    public async Task Parse_Workspaces_ExpandedIntoIds(string workspaces, string[] ids)
    {
        var (scope, diagnostics) = await ScopeAsync($"{{ workspaces: {workspaces} }}");

        Assert.DoesNotContain(diagnostics, d => d.IsError);
        Assert.Equal(ids, scope!.Workspaces.ToArray());
        Assert.False(scope.SelectsNothing);
    }

    [Fact]
    public async Task Parse_TenantsOperatorsRegions_NamesAndSetsExpanded()
    {
        var (scope, diagnostics) = await ScopeAsync("{ tenants: [acme, 283780000020000], operators: [{ set: platform-admins }, \"42\"], regions: [{ set: local-sources }] }");

        // The set's values expand into the regions; they are upload source types, not region ids, which the validator says.
        Assert.Equal(["region 'LOCAL' is not a region id", "region 'DW_EXCEL' is not a region id"],
            diagnostics.Select(d => d.Message[(d.Message.IndexOf("region '", StringComparison.Ordinal))..d.Message.IndexOf(", so", StringComparison.Ordinal)]));
        Assert.Equal(["283780000010656", "283780000020000"], scope!.Tenants.ToArray());
        Assert.Equal(["200000000001", "200000000002", "42"], scope.Operators.ToArray());
        Assert.Equal(["LOCAL", "DW_EXCEL"], scope.Regions.ToArray());
        Assert.Equal("[acme, 283780000020000]", scope.Written["tenants"]);
        Assert.Equal("[{ set: platform-admins }, 42]", scope.Written["operators"]);
    }

    [Fact]
    public async Task Parse_SelectorThatSelectsNothing_WarningAndTheScopeMatchesNothing()
    {
        var (scope, diagnostics) = await ScopeAsync("{ workspaces: [{ labels: [sensitiv], environment: PROD }] }");

        var line = RegistryYaml.LineAfter(6, RegistryYaml.Estate, RegistryYaml.LabelUser);
        var warning = Assert.Single(diagnostics);
        Assert.Equal((DiagnosticIds.SelectorSelectsNothing, DiagnosticSeverity.Warning, line, 36), (warning.Id, warning.Severity, warning.Location.Line, warning.Location.Column));
        Assert.Equal("the selector { labels: [sensitiv], environment: PROD } selects no workspace: no registered workspace has the label 'sensitiv'", warning.Message);
        Assert.Equal("did you mean 'sensitive'? labels in the registry: core, finance, sensitive", warning.Hint);
        Assert.Empty(scope!.Workspaces);
        Assert.True(scope.SelectsNothing);
    }

    [Fact]
    public async Task Parse_SelectorOfKnownLabelsSelectingNothing_WarningAtTheSelector()
    {
        var (_, diagnostics) = await ScopeAsync("{ workspaces: [{ labels: [finance], environment: DEV }] }");

        var warning = Assert.Single(diagnostics);
        Assert.Equal((DiagnosticIds.SelectorSelectsNothing, RegistryYaml.LineAfter(6, RegistryYaml.Estate, RegistryYaml.LabelUser), 25),
            (warning.Id, warning.Location.Line, warning.Location.Column));
        Assert.Equal("the selector { labels: [finance], environment: DEV } selects no workspace: no registered workspace has all of it", warning.Message);
    }

    public static TheoryData<string, string, int, string, string> UnknownNames => new()
    {
        { "{ workspaces: [sales_prd] }", DiagnosticIds.UnknownWorkspace, 25, "unknown workspace 'sales_prd': it is not an id, and the registry has no workspace of that name",
            "did you mean 'sales_prod'? (workspaces of the registry: sales_prod, finance_prod, sales_dev, globex_etl)" },
        { "{ tenants: [acmee] }", DiagnosticIds.UnknownTenant, 22, "unknown tenant 'acmee': the registry declares no tenant with this id or name",
            "did you mean 'acme'? (tenants of the registry: acme, globex, 283780000010656, 283780000020000)" },
        { "{ workspaces: [{ tenant: initech }] }", DiagnosticIds.UnknownTenant, 35, "unknown tenant 'initech': the registry declares no tenant with this id or name",
            "declare the tenant under spec.tenants of a Registry document (id, name, accounts), or use the tenant id" },
        { "{ operators: [{ set: platform-admin }] }", DiagnosticIds.UnknownSet, 31, "unknown set 'platform-admin'",
            "did you mean 'platform-admins'? (sets of the registry: platform-admins, core-workspaces, scratch-prefixes, office-networks, local-sources)" },
        { "{ windows: [weekends] }", DiagnosticIds.UnknownWindow, 22, "unknown window 'weekends'", "did you mean 'weekend'? (windows of the registry: weekend, year-end)" },
    };

    [Theory]
    [MemberData(nameof(UnknownNames))]
    public async Task Parse_UnknownName_ErrorWithDidYouMean(string scope, string id, int column, string message, string hint)
    {
        var (parsed, diagnostics) = await ScopeAsync(scope);

        var error = Assert.Single(diagnostics);
        Assert.Equal((id, RegistryYaml.LineAfter(6, RegistryYaml.Estate, RegistryYaml.LabelUser), column), (error.Id, error.Location.Line, error.Location.Column));
        Assert.Equal(message, error.Message);
        Assert.Equal(hint, error.Hint);
        Assert.Null(parsed);
    }

    [Fact]
    public async Task Parse_WorkspaceNameWithoutRegistry_Error()
    {
        using var temp = new TempFolder();

        var result = await RegistryYaml.LoadAsync(temp, Policy("{ workspaces: [sales_prod] }"));

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticIds.UnknownWorkspace, error.Id);
        Assert.Equal("write the workspace id (digits, e.g. 10001234), or declare the workspace with this name under spec.workspaces of a Registry document", error.Hint);
    }

    [Fact]
    public async Task Parse_Windows_NamedAndInline()
    {
        var (scope, diagnostics) = await ScopeAsync("{ windows: [weekend, { timeZone: UTC, daily: { from: \"22:00\", to: \"06:00\", days: [Mon] } }] }");

        Assert.Empty(diagnostics);
        Assert.Equal(["weekend (every week Fri 18:00 to Mon 08:00, Asia/Shanghai)", "every day on Mon 22:00 to 06:00, UTC"], scope!.Windows.Select(w => w.ToString()));
    }
}
