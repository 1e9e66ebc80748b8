using OpenEvent.Rules.Core.Tests.Sources;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Model.Registry;

namespace OpenEvent.Rules.Core.Tests.Parsing;

public sealed class RegistryParserTests
{
    [Fact]
    public async Task Load_Estate_EveryEntryWithItsValues()
    {
        using var temp = new TempFolder();

        var result = await RegistryYaml.LoadValidAsync(temp, RegistryYaml.Estate, RegistryYaml.LabelUser);

        Assert.Empty(result.Diagnostics);
        var registry = result.Set.Registry;
        var acme = registry.FindTenant("acme")!;
        Assert.Equal("283780000010656", acme.Id);
        Assert.Equal(["1234567890123456"], acme.Accounts.ToArray());
        Assert.Same(acme, registry.FindTenantByAccount("1234567890123456"));
        Assert.Equal("283780000020000", registry.FindTenantByAccount("3333333333333333")!.Id);

        var sales = registry.FindWorkspace("10001234")!;
        Assert.Equal(("sales_prod", "acme", "cn-hangzhou", "PROD"), (sales.Name, sales.Tenant, sales.Region, sales.Environment));
        Assert.Equal(["core", "sensitive"], sales.Labels.ToArray());
        Assert.Equal(["200012345678901"], sales.Owners.ToArray());
        Assert.Same(acme, registry.TenantOf(sales));
        Assert.Same(acme, registry.TenantOf(registry.FindWorkspaceByName("sales_dev")!));
        Assert.Equal(["core", "finance", "sensitive"], registry.Labels.ToArray());

        // Numbers stay numbers (a pattern then matches the number), text stays text.
        Assert.All(registry.FindSet("core-workspaces")!.Values, v => Assert.Equal(ScalarKind.Number, v.Kind));
        Assert.Equal(["10001234", "10001235"], registry.FindSet("core-workspaces")!.Texts);
        Assert.All(registry.FindSet("platform-admins")!.Values, v => Assert.Equal(ScalarKind.String, v.Kind));

        var weekend = Assert.IsType<RecurringWindow>(registry.FindWindow("weekend"));
        Assert.Equal("weekend (every week Fri 18:00 to Mon 08:00, Asia/Shanghai)", weekend.ToString());
        var yearEnd = Assert.IsType<AbsoluteWindow>(registry.FindWindow("year-end"));
        Assert.Equal(DateTimeOffset.Parse("2024-12-20T00:00:00+08:00", System.Globalization.CultureInfo.InvariantCulture), yearEnd.Start);
        Assert.Equal(DateTimeOffset.Parse("2025-01-04T00:00:00+08:00", System.Globalization.CultureInfo.InvariantCulture), yearEnd.End);
    }

    [Fact]
    public async Task Load_SetWithDescription_ValuesAndDescription()
    {
        using var temp = new TempFolder();

        var result = await RegistryYaml.LoadValidAsync(temp, """
            apiVersion: openevent.rules/v1
            kind: Registry
            metadata: { name: sets }
            spec:
              sets:
                holo-sources: { description: "Hologres data sources", values: [prod_holo, prod_holo_2] }
            """);

        var set = result.Set.Registry.FindSet("holo-sources")!;
        Assert.Equal(["prod_holo", "prod_holo_2"], set.Texts);
        Assert.Equal("Hologres data sources", set.Description);
        Assert.Equal(new SourceLocation(Path.Join(temp.Root, RegistryYaml.File), 6, 5), set.Location);
    }

    [Fact]
    public async Task Load_RegistrySplitOverTwoFiles_Merged()
    {
        using var temp = new TempFolder();
        temp.Write("registry/workspaces.yaml", "apiVersion: openevent.rules/v1\nkind: Registry\nmetadata: { name: ws }\nspec:\n  workspaces: [ { id: 1, name: one } ]\n");
        temp.Write("registry/sets.yaml", "apiVersion: openevent.rules/v1\nkind: Registry\nmetadata: { name: sets }\nspec:\n  sets: { ones: [\"1\"] }\n");
        temp.Write("policy.yaml", "apiVersion: openevent.rules/v1\nkind: Policy\nmetadata: { name: p }\nspec:\n  match: { type: [\"dataworks:FileChange:RunFile\"] }\n  scope: { workspaces: [one], operators: [{ set: ones }] }\n  actions: [ { forward: { target: log } } ]\n");

        var result = await OpenEvent.Rules.Sources.PolicyFolderLoader.LoadAsync([temp.Root]);

        Assert.Empty(result.Diagnostics);
        var scope = Assert.Single(result.Set.Policies).Scope!;
        Assert.Equal(["1"], scope.Workspaces.ToArray());
        Assert.Equal(["1"], scope.Operators.ToArray());
    }

    public static TheoryData<string, string, int, int, string, string> BadWindows => new()
    {
        { "{ timeZone: Asia/Beijing, from: 2024-12-20, to: 2025-01-03 }", DiagnosticIds.UnknownTimeZone, 6, 20,
            "window 'w' names the time zone 'Asia/Beijing', which is not known", "use an IANA time-zone id, e.g. Asia/Shanghai (China) or UTC" },
        { "{ timeZone: UTC, from: 2024-13-01, to: 2025-01-03 }", DiagnosticIds.WindowTimeSyntax, 6, 31, "'2024-13-01' is not a local date or date and time",
            "write a date as yyyy-MM-dd (2024-12-20) or a date and time as yyyy-MM-ddTHH:mm (2024-12-20T18:00), without an offset: the window's timeZone says where" },
        { "{ timeZone: UTC, from: \"2024-12-20T18:00+08:00\", to: 2025-01-03 }", DiagnosticIds.WindowTimeSyntax, 6, 31, "'2024-12-20T18:00+08:00' is not a local date or date and time",
            "write a date as yyyy-MM-dd (2024-12-20) or a date and time as yyyy-MM-ddTHH:mm (2024-12-20T18:00), without an offset: the window's timeZone says where" },
        { "{ timeZone: UTC, weekly: { from: \"Fryday 18:00\", to: \"Mon 08:00\" } }", DiagnosticIds.WindowTimeSyntax, 6, 41, "'Fryday' is not a day of the week",
            "did you mean 'Friday'? days: Mon, Tue, Wed, Thu, Fri, Sat, Sun (or the full English names)" },
        { "{ timeZone: UTC, weekly: { from: \"Fri 25:00\", to: \"Mon 08:00\" } }", DiagnosticIds.WindowTimeSyntax, 6, 41, "'25:00' is not a time of day",
            "write a 24-hour time as HH:mm, from 00:00 to 24:00, e.g. \"18:00\"" },
        { "{ timeZone: UTC, weekly: { from: \"18:00\", to: \"Mon 08:00\" } }", DiagnosticIds.WindowTimeSyntax, 6, 41, "'18:00' is not a day and a time",
            "write a day and a 24-hour time, e.g. \"Fri 18:00\" (days: Mon, Tue, Wed, Thu, Fri, Sat, Sun)" },
        { "{ timeZone: UTC, daily: { from: \"22:00\", to: \"06:00\", days: [Mon, Fru] } }", DiagnosticIds.WindowTimeSyntax, 6, 74, "'Fru' is not a day of the week",
            "did you mean 'Fri'? days: Mon, Tue, Wed, Thu, Fri, Sat, Sun (or the full English names)" },
        { "{ timeZone: UTC, from: 2025-01-03, to: 2024-12-20 }", DiagnosticIds.EmptyWindow, 6, 47, "window 'w' ends (2024-12-20) before it starts (2025-01-03)",
            "swap from and to, or correct the dates" },
        { "{ timeZone: UTC, weekly: { from: \"Mon 08:00\", to: \"Monday 08:00\" } }", DiagnosticIds.EmptyWindow, 6, 58,
            "the weekly window opens and closes at the same moment (Mon 08:00)",
            "give it an end other than its start; a window that never closes is no window: remove it from the scope instead" },
        { "{ timeZone: UTC, daily: { from: \"08:00\", to: \"08:00\" } }", DiagnosticIds.EmptyWindow, 6, 53, "the daily window opens and closes at the same time (08:00)",
            "give it an end other than its start, e.g. from: \"22:00\", to: \"06:00\" (an end before the start is on the next day)" },
        { "{ timeZone: UTC, from: 2024-12-20 }", DiagnosticIds.MissingKey, 6, 5, "window 'w' has 'from' but no 'to'",
            "add to: a local date (2024-12-20) or date and time (2024-12-20T18:00) in UTC" },
        { "{ timeZone: UTC }", DiagnosticIds.MissingKey, 6, 5, "window 'w' says neither when it starts nor when it ends",
            "write one of: from and to (dates, e.g. from: 2024-12-20, to: 2025-01-03), weekly: { from: \"Fri 18:00\", to: \"Mon 08:00\" }, or daily: { from: \"22:00\", to: \"06:00\" }" },
        { "{ timeZone: UTC, from: 2024-12-20, to: 2024-12-21, daily: { from: \"22:00\", to: \"06:00\" } }", DiagnosticIds.InvalidValue, 6, 5,
            "window 'w' is written in 2 ways at once (from/to, daily)",
            "write one of: from and to (dates, e.g. from: 2024-12-20, to: 2025-01-03), weekly: { from: \"Fri 18:00\", to: \"Mon 08:00\" }, or daily: { from: \"22:00\", to: \"06:00\" }" },
        { "{ timeZone: Europe/Berlin, from: \"2024-03-31T02:30\", to: 2024-04-01 }", DiagnosticIds.WindowTimeSyntax, 6, 41,
            "2024-03-31T02:30 does not exist in Europe/Berlin: the clocks skip it", "choose a time outside the clock change" },
    };

    [Theory]
    [MemberData(nameof(BadWindows))]
    public async Task Load_BadWindow_LocatedDiagnosticWithItsFix(string window, string id, int line, int column, string message, string hint)
    {
        using var temp = new TempFolder();

        var result = await RegistryYaml.LoadAsync(temp, $"apiVersion: openevent.rules/v1\nkind: Registry\nmetadata: {{ name: calendar }}\nspec:\n  windows:\n    w: {window}");

        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal((id, line, column), (diagnostic.Id, diagnostic.Location.Line, diagnostic.Location.Column));
        Assert.Equal(message, diagnostic.Message);
        Assert.Equal(hint, diagnostic.Hint);
        Assert.Empty(result.Set.Registry.Windows);
    }

    [Fact]
    public async Task Load_WindowBoundAtATimeTheClocksPassTwice_StartsAtTheFirstPassAndEndsAfterTheSecond()
    {
        // New York falls back at 02:00 EDT on 2024-11-03: 01:00-02:00 local happens twice (05:00-06:00Z, then 06:00-07:00Z).
        using var temp = new TempFolder();
        var result = await RegistryYaml.LoadAsync(temp, """
            apiVersion: openevent.rules/v1
            kind: Registry
            metadata: { name: calendar }
            spec:
              windows:
                fold-end: { timeZone: America/New_York, from: 2024-11-03T00:00, to: 2024-11-03T01:30 }
                fold-start: { timeZone: America/New_York, from: 2024-11-03T01:30, to: 2024-11-03T03:00 }
            """);
        Assert.Empty(result.Diagnostics);
        var firstPass = DateTimeOffset.Parse("2024-11-03T05:45:00Z", System.Globalization.CultureInfo.InvariantCulture); // 01:45 EDT
        var secondPass = DateTimeOffset.Parse("2024-11-03T06:15:00Z", System.Globalization.CultureInfo.InvariantCulture); // 01:15 EST

        // Each window holds both passes of its ambiguous bound: the 01:45 EDT event was in neither's later half before.
        Assert.True(result.Set.Registry.FindWindow("fold-start")!.Contains(firstPass));
        Assert.True(result.Set.Registry.FindWindow("fold-end")!.Contains(firstPass));
        Assert.True(result.Set.Registry.FindWindow("fold-end")!.Contains(secondPass));
        Assert.True(result.Set.Registry.FindWindow("fold-start")!.Contains(secondPass));
    }

    public static TheoryData<string, string, int, int, string> SchemaMistakes => new()
    {
        { "  workspaces: [ { id: 1, enviroment: PROD } ]", DiagnosticIds.UnknownKey, 5, 26, "unknown key 'enviroment' in spec.workspaces[0]" },
        { "  workspaces: [ { id: 1, environment: STAGING } ]", DiagnosticIds.InvalidValue, 5, 39, "invalid environment 'STAGING' for spec.workspaces[0].environment" },
        { "  workspaces: [ { id: abc } ]", DiagnosticIds.InvalidValue, 5, 23, "invalid id 'abc' for spec.workspaces[0].id" },
        { "  workspaces: [ { id: 1, name: 1st_workspace } ]", DiagnosticIds.InvalidName, 5, 32, "invalid name '1st_workspace' for spec.workspaces[0].name" },
        { "  tenants: [ { id: 1, accounts: [acct-1] } ]", DiagnosticIds.InvalidValue, 5, 34, "invalid account id 'acct-1' for spec.tenants[0].accounts[0]" },
        { "  sets: { Office_Networks: [\"10.0.0.0/8\"] }", DiagnosticIds.InvalidName, 5, 11, "invalid set name 'Office_Networks': names are kebab-case" },
        { "  sets: { empty: [] }", DiagnosticIds.InvalidValue, 5, 18, "spec.sets.empty is an empty list" },
        { "  workspace: []", DiagnosticIds.UnknownKey, 5, 3, "unknown key 'workspace' in spec" },
    };

    [Theory]
    [MemberData(nameof(SchemaMistakes))]
    public async Task Load_RegistryMistake_LocatedDiagnostic(string spec, string id, int line, int column, string message)
    {
        using var temp = new TempFolder();

        var result = await RegistryYaml.LoadAsync(temp, $"apiVersion: openevent.rules/v1\nkind: Registry\nmetadata: {{ name: estate }}\nspec:\n{spec}");

        Assert.Contains(result.Diagnostics, d => (d.Id, d.Location.Line, d.Location.Column, d.Message) == (id, line, column, message));
        Assert.True(result.HasErrors);
    }
}
