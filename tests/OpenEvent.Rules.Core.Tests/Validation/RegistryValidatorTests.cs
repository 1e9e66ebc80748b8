using OpenEvent.Rules.Core.Tests.Sources;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Core.Tests.Validation;

/// <summary>The registry's consistency and its use by policies: each finding located, with its fix.</summary>
public sealed class RegistryValidatorTests
{
    private static async Task<IReadOnlyList<Diagnostic>> DiagnosticsAsync(params string[] documents)
    {
        using var temp = new TempFolder();
        return (await RegistryYaml.LoadAsync(temp, documents)).Diagnostics;
    }

    private static string Registry(string spec, string name = "r") => $"apiVersion: openevent.rules/v1\nkind: Registry\nmetadata: {{ name: {name} }}\nspec:\n{spec}";

    private static string Policy(string spec, string name = "p") =>
        $"apiVersion: openevent.rules/v1\nkind: Policy\nmetadata: {{ name: {name} }}\nspec:\n  match: {{ type: [\"dataworks:FileChange:DeployFile\"] }}\n{spec}  actions: [ {{ block: {{ reason: \"x\" }} }} ]";

    [Fact]
    public async Task Validate_DuplicatesAcrossDocuments_EachAtTheSecondDeclaration()
    {
        var diagnostics = await DiagnosticsAsync(
            Registry("  tenants: [ { id: 1, name: acme } ]\n  workspaces: [ { id: 10, name: sales } ]\n  sets: { admins: [\"1\"] }\n  windows: { weekend: { timeZone: UTC, weekly: { from: \"Sat 00:00\", to: \"Mon 00:00\" } } }"),
            Registry("  tenants: [ { id: 1 }, { id: 2, name: acme } ]\n  workspaces: [ { id: 11, name: sales } ]\n  sets: { admins: [\"2\"] }\n  windows: { weekend: { timeZone: UTC, from: 2024-01-01, to: 2024-01-02 } }", "r2"));

        Assert.Equal(
        [
            ("OER3055 at 14:20", "tenant id '1' is already declared at ", 5, 20),
            ("OER3055 at 14:40", "tenant name 'acme' is already declared at ", 5, 29),
            ("OER3055 at 15:33", "workspace name 'sales' is already declared at ", 6, 33),
            ("OER3055 at 16:11", "set 'admins' is already declared at ", 7, 11),
            ("OER3055 at 17:14", "window 'weekend' is already declared at ", 8, 14),
        ], diagnostics.Select(d => (RegistryYaml.Located([d]).Single(), Before(d.Message), Line(d.Message), Column(d.Message))));
        Assert.All(diagnostics, d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));

        // "... is already declared at /tmp/.../set.yaml:5:19": the first declaration, located.
        static string Before(string message) => message[..(message.IndexOf(" at ", StringComparison.Ordinal) + 4)];
        static int Line(string message) => int.Parse(message.Split(':')[^2], System.Globalization.CultureInfo.InvariantCulture);
        static int Column(string message) => int.Parse(message.Split(':')[^1], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Validate_WorkspaceInTwoTenants_TwoTenantsAtTheSecond()
    {
        var diagnostics = await DiagnosticsAsync(Registry("  tenants: [ { id: 1, name: acme }, { id: 2, name: globex } ]\n  workspaces:\n    - { id: 10, tenant: acme }\n    - { id: 10, tenant: globex }\n    - { id: 10, tenant: 1 }"));

        Assert.Equal(["OER3056 at 8:25", "OER3055 at 9:13"], RegistryYaml.Located(diagnostics));
        Assert.StartsWith("workspace 10 is declared in tenant globex here and in tenant acme at ", diagnostics[0].Message, StringComparison.Ordinal);
        Assert.Equal("keep one declaration of the workspace, with its real tenant", diagnostics[0].Hint);
        Assert.StartsWith("workspace 10 is already declared at ", diagnostics[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_AccountInTwoTenants_TwoTenants()
    {
        var diagnostics = await DiagnosticsAsync(Registry("  tenants:\n    - { id: 1, accounts: [\"5\", \"6\"] }\n    - { id: 2, name: globex, accounts: [\"6\"] }"));

        var error = Assert.Single(diagnostics);
        Assert.Equal("OER3056 at 7:41", RegistryYaml.Located([error]).Single());
        Assert.StartsWith("account 6 is listed in tenant globex and in tenant 1 (at ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_WorkspaceNamingAnUnknownTenant_UnknownTenant()
    {
        var diagnostics = await DiagnosticsAsync(Registry("  tenants: [ { id: 1, name: acme } ]\n  workspaces: [ { id: 10, tenant: acmee }, { id: 11, tenant: 283780000010656 } ]"));

        var error = Assert.Single(diagnostics);
        Assert.Equal("OER3052 at 6:35", RegistryYaml.Located([error]).Single());
        Assert.Equal("did you mean 'acme'? (tenants of the registry: acme, 1)", error.Hint);
    }

    [Fact]
    public async Task Validate_LabelNobodyUses_WarningAtItsFirstUse()
    {
        var diagnostics = await DiagnosticsAsync(
            Registry("  workspaces:\n    - { id: 10, labels: [sensitive, finanse] }\n    - { id: 11, labels: [finanse, hr] }"),
            Policy("  scope: { workspaces: [{ labels: [sensitive] }] }\n"),
            Policy("  condition: e.Scope.HasLabel(\"hr\")\n", "q"));

        Assert.Equal(["OER3059 at 6:37"], RegistryYaml.Located(diagnostics));
        Assert.Equal("no policy uses the label 'finanse' (workspace 10)", diagnostics[0].Message);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostics[0].Severity);
    }

    public static TheoryData<string, string, string, string> Conditions => new()
    {
        { "  condition: 'e.InSet(\"admin\", e.Scope.Operator)'\n", "OER3050 at 21:23", "unknown set 'admin'", "did you mean 'admins'? (sets of the registry: admins)" },
        { "  condition: '!e.InSet(e.Scope.Region, e.Scope.Operator)'\n", "OER3060 at 21:24",
            "Policy 'q': the set name given to e.InSet is not a string literal, so it cannot be checked when the policies are loaded",
            "write the set's name in quotes, e.g. e.InSet(\"platform-admins\", e.Scope.Operator)" },
        { "  condition: |\n    e.Scope.Environment == \"PROD\"\n      && e.Scope.HasLabel(\"snsitive\")\n", "OER3054 at 23:27",
            "Policy 'q': e.Scope.HasLabel(\"snsitive\") is never true: no registered workspace has the label 'snsitive'", "did you mean 'sensitive'?" },
    };

    [Theory]
    [MemberData(nameof(Conditions))]
    public async Task Validate_ConditionNamingTheRegistry_CheckedAtLoad(string condition, string located, string message, string hint)
    {
        var diagnostics = await DiagnosticsAsync(
            Registry("  workspaces: [ { id: 10, labels: [sensitive] } ]\n  sets: { admins: [\"1\"] }"),
            Policy("  scope: { workspaces: [{ labels: [sensitive] }] }\n"),
            Policy(condition, "q"));

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(located, RegistryYaml.Located([diagnostic]).Single());
        Assert.Equal(message, diagnostic.Message);
        Assert.Equal(hint, diagnostic.Hint);
    }

    [Fact]
    public async Task Validate_SetNamesInsideStringsAndComments_NotTakenForCalls()
    {
        var diagnostics = await DiagnosticsAsync(
            Registry("  sets: { admins: [\"1\"] }"),
            Policy("  condition: 'e.Data.Str(\"note\") != \"e.InSet(\\\"nope\\\", x)\" && e.InSet(\"admins\", e.Scope.Operator) /* e.InSet(\"gone\", 1) */'\n"));

        Assert.Empty(diagnostics);
    }

    public static TheoryData<string, string?> Windows => new()
    {
        // Saturday and Sunday are inside Friday 18:00 to Monday 08:00: nothing is left.
        { "  scope: { windows: [{ timeZone: UTC, weekly: { from: \"Sat 00:00\", to: \"Mon 00:00\" } }] }\n  exclude:\n    - scope: { windows: [{ timeZone: UTC, weekly: { from: \"Fri 18:00\", to: \"Mon 08:00\" } }] }\n",
            "OER3058 at 8:26" },
        // Two exclusions that together cover the freeze.
        { "  scope: { windows: [{ timeZone: UTC, from: 2024-12-20, to: 2024-12-31 }] }\n  exclude:\n    - scope: { windows: [{ timeZone: UTC, from: 2024-12-20, to: 2024-12-25 }] }\n    - scope: { windows: [{ timeZone: UTC, from: 2024-12-26, to: 2025-01-03 }] }\n",
            "OER3058 at 8:26" },
        // An absolute freeze entirely on a weekend, excluded by the weekly weekend.
        { "  scope: { windows: [{ timeZone: UTC, from: 2024-07-13, to: 2024-07-14 }] }\n  exclude:\n    - scope: { windows: [{ timeZone: UTC, weekly: { from: \"Sat 00:00\", to: \"Mon 00:00\" } }] }\n",
            "OER3058 at 8:26" },
        // Every hour of every day excluded, and the scope has no windows.
        { "  exclude:\n    - scope: { windows: [{ timeZone: UTC, daily: { from: \"00:00\", to: \"24:00\" } }] }\n", "OER3058 at 7:26" },
        // A gap on the 25th: the policy applies then.
        { "  scope: { windows: [{ timeZone: UTC, from: 2024-12-20, to: 2024-12-31 }] }\n  exclude:\n    - scope: { windows: [{ timeZone: UTC, from: 2024-12-20, to: 2024-12-24 }] }\n    - scope: { windows: [{ timeZone: UTC, from: 2024-12-26, to: 2025-01-03 }] }\n",
            null },
        // An exclusion with a match as well excludes only some events: it cancels nothing.
        { "  scope: { windows: [{ timeZone: UTC, weekly: { from: \"Sat 00:00\", to: \"Mon 00:00\" } }] }\n  exclude:\n    - match: { data: { fileType: [10] } }\n      scope: { windows: [{ timeZone: UTC, weekly: { from: \"Fri 18:00\", to: \"Mon 08:00\" } }] }\n",
            null },
        // Recurring windows of two zones are not compared.
        { "  scope: { windows: [{ timeZone: UTC, weekly: { from: \"Sat 00:00\", to: \"Sun 00:00\" } }] }\n  exclude:\n    - scope: { windows: [{ timeZone: Asia/Shanghai, weekly: { from: \"Fri 00:00\", to: \"Mon 08:00\" } }] }\n",
            null },
    };

    [Theory]
    [MemberData(nameof(Windows))]
    public async Task Validate_ExclusionWindows_CancelOutWhenTheyCoverTheScope(string spec, string? expected)
    {
        var diagnostics = await DiagnosticsAsync(Policy(spec));

        Assert.Equal(expected is null ? [] : [expected], RegistryYaml.Located(diagnostics));
        Assert.All(diagnostics, d => Assert.Equal(DiagnosticSeverity.Warning, d.Severity));
    }

    [Fact]
    public async Task Validate_TenantScopeOnDownloads_ResolvableWithAccounts()
    {
        // Downloads carry no tenantId: without a registry the scope is a warning (it rejects every event), with accounts it is not.
        const string Downloads = "apiVersion: openevent.rules/v1\nkind: Policy\nmetadata: { name: d }\nspec:\n  match: { type: [\"dataworks:ResourcesDownload:DownloadResources\"] }\n  scope: { tenants: [\"1\"] }\n  actions: [ { block: { reason: \"x\" } } ]";

        Assert.Equal(["OER3024 at 6:22"], RegistryYaml.Located(await DiagnosticsAsync(Downloads)));
        Assert.Empty(await DiagnosticsAsync(Registry("  tenants: [ { id: 1, accounts: [\"9\"] } ]"), Downloads));
    }

    [Fact]
    public async Task Validate_RegistryPlaceholdersWithoutRegistry_WarnedAsAlwaysEmpty()
    {
        var diagnostics = await DiagnosticsAsync("apiVersion: openevent.rules/v1\nkind: Policy\nmetadata: { name: p }\nspec:\n  match: { type: [\"dataworks:FileChange:DeployFile\"] }\n  actions: [ { block: { reason: \"{{ scope.workspaceName }} {{ scope.tenantName }}\" } } ]");

        Assert.Equal(["OER3033 at 6:34", "OER3033 at 6:60"], RegistryYaml.Located(diagnostics));
        Assert.Equal("Policy 'p': placeholder '{{ scope.workspaceName }}' is always empty: no Registry document describes the workspaces and tenants", diagnostics[0].Message);
    }
}
