using System.Text.Json;
using OpenEvent.Rules.Cli;

namespace OpenEvent.Rules.Cli.Tests.Commands;

public sealed class AnalyzeCommandTests : IDisposable
{
    private const string Conflicting = """
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: block-dws }
        spec:
          match: { type: ["dataworks:FileChange:DeployFile"], data: { fileName: [{ prefix: "dws_" }] } }
          actions: [ { block: { reason: "no" } } ]
        ---
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: warn-daily }
        spec:
          match: { type: ["dataworks:FileChange:DeployFile"], data: { fileName: [{ suffix: "_daily" }] } }
          actions: [ { warn: { reason: "daily" } } ]

        """;

    private const string Witness = """{"specversion":"1.0","id":"oer-witness","source":"acs.dataworks","type":"dataworks:FileChange:DeployFile","data":{"fileName":"dws__daily"}}""";

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Analyze_LoadWarning_IsListed_AndFailsUnderStrict_AsValidateDoes()
    {
        // A field the catalog does not document (OER3021) is a load warning: analyze left it out, so --strict passed
        // where oer validate --strict failed.
        _temp.Write("policies/p.yaml", """
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: odd-field }
            spec:
              match: { type: ["dataworks:FileChange:DeployFile"], data: { fileNmae: ["x"] } }
              actions: [ { warn: { reason: "x" } } ]
            """);

        var (analyzeStrict, stdout, _) = CliRunner.Run("analyze", _temp.Path("policies"), "--strict");
        var (validateStrict, _, _) = CliRunner.Run("validate", _temp.Path("policies"), "--strict");

        Assert.Equal((ExitCodes.Failure, ExitCodes.Failure), (analyzeStrict, validateStrict));
        Assert.Contains("warning OER3021", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_ConflictingPair_WarningWithTheWitness_Exit0ThenExit1UnderStrict()
    {
        var path = _temp.Write("policies/p.yaml", Conflicting);

        var (exitCode, stdout, _) = CliRunner.Run("analyze", _temp.Path("policies"));
        var (strictExit, _, _) = CliRunner.Run("analyze", _temp.Path("policies"), "--strict");

        Assert.Equal((ExitCodes.Success, ExitCodes.Failure), (exitCode, strictExit));
        Assert.Equal(
            $"{path}:10:19: warning OER3093: policies 'block-dws' (block) and 'warn-daily' (warn) both apply to this event: {Witness}\n"
            + "  hint: Make one of them exclude the other's events (spec.exclude, a narrower match or scope), or give both the same effect.\n"
            + "cost in units per event (~ns of matcher work; policy-guide.md, Cost budget); no budget:\n"
            + $"  15.5  block-dws   {path}:3:19  reaches the events of 1 type in 52; dearest: decoding data.fileName in every event that has it (15)\n"
            + $"  15.5  warn-daily  {path}:10:19  reaches the events of 1 type in 52; dearest: decoding data.fileName in every event that has it (15)\n"
            + "  set total: 15.9 for 2 policies\n"
            + "0 errors, 1 warning in 1 file\n",
            stdout);
    }

    private const string Untyped = """
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: non-tmp-anywhere }
        spec:
          match: { data: { fileName: [{ anything-but: { wildcard: "*_tmp_*" } }] } }
          actions: [ { forward: { target: log } } ]

        """;

    private static string Budget(string spec) => $$"""
        apiVersion: openevent.rules/v1
        kind: Budget
        metadata: { name: cost }
        spec: {{spec}}

        """;

    [Fact]
    public void Analyze_PolicyOverTheFolderBudget_Exit1WithOER3120AtTheClause_WithinIt_Exit0()
    {
        var path = _temp.Write("policies/p.yaml", Untyped);
        _temp.Write("policies/budget.yaml", Budget("{ maxPolicyCost: 50 }"));

        var (overExit, overOut, _) = CliRunner.Run("analyze", _temp.Path("policies"));
        _temp.Write("policies/budget.yaml", Budget("{ maxPolicyCost: 100 }"));
        var (withinExit, withinOut, _) = CliRunner.Run("analyze", _temp.Path("policies"));

        Assert.Equal((ExitCodes.Failure, ExitCodes.Success), (overExit, withinExit));
        var budget = _temp.Path("policies/budget.yaml");
        Assert.StartsWith(
            $"{path}:5:31: error OER3120: policy 'non-tmp-anywhere' costs 74 units per event, over the budget of 50 (spec.maxPolicyCost at {budget}:4:9); dearest: anything-but on data.fileName (44)\n"
            + "  hint: The anything-but on data.fileName is evaluated for every event: add a type (spec.match.type) so that only the events of that type are checked.\n"
            + "cost in units per event (~ns of matcher work; policy-guide.md, Cost budget); budget 50 per policy:\n"
            + $"  74  non-tmp-anywhere  {path}:3:19  reaches every event; dearest: anything-but on data.fileName (44)\n",
            overOut, StringComparison.Ordinal);
        Assert.EndsWith("1 error, 0 warnings in 2 files\n", overOut, StringComparison.Ordinal);
        Assert.DoesNotContain("OER3120", withinOut, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_Options_OverrideTheFolderBudget_SetOverIt_OER3121NamesTheOption()
    {
        _temp.Write("policies/p.yaml", Conflicting + "---\n" + Untyped);
        _temp.Write("policies/budget.yaml", Budget("{ maxSetCost: 1000 }"));

        var (exitCode, stdout, _) = CliRunner.Run("analyze", _temp.Path("policies"), "--max-set-cost", "70", "--top", "1");

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains(
            $"{_temp.Path("policies")}: error OER3121: the policy set costs 74.9 units per event, over the budget of 70 (--max-set-cost); dearest: 'non-tmp-anywhere' 74, 'block-dws' 15.5, 'warn-daily' 15.5\n",
            stdout, StringComparison.Ordinal);
        Assert.Contains("  set total: 74.9 for 3 policies (1 dearest shown; --top N for more)\n", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_Json_DiagnosticsAndTheCostSection()
    {
        _temp.Write("policies/p.yaml", Untyped);

        var (exitCode, stdout, _) = CliRunner.Run("analyze", _temp.Path("policies"), "--format", "json", "--max-policy-cost", "60");

        Assert.Equal(ExitCodes.Failure, exitCode);
        using var report = JsonDocument.Parse(stdout);
        var diagnostic = report.RootElement.GetProperty("diagnostics").EnumerateArray().Single();
        var cost = report.RootElement.GetProperty("cost");
        var policy = cost.GetProperty("policies").EnumerateArray().Single();
        Assert.Equal(("OER3120", 74, 60, JsonValueKind.Null), (diagnostic.GetProperty("id").GetString(), cost.GetProperty("total").GetDouble(), cost.GetProperty("maxPolicyCost").GetInt64(), cost.GetProperty("maxSetCost").ValueKind));
        Assert.Equal(("non-tmp-anywhere", 74, 1, "every event"), (policy.GetProperty("policy").GetString(), policy.GetProperty("cost").GetDouble(), policy.GetProperty("reach").GetDouble(), policy.GetProperty("reaches").GetString()));
        Assert.Equal(["anything-but on data.fileName", "the candidate check", "decoding data.fileName in every event that has it"],
            policy.GetProperty("terms").EnumerateArray().Select(t => t.GetProperty("what").GetString()));
    }

    [Fact]
    public void GuideCiRecipe_AnalyzeStep_PassesOnTheLibraryWithItsBudget()
    {
        // The step exactly as the guide's CI recipe writes it, run on this repository's policies/ (and its budget.yaml).
        var guide = File.ReadAllText(RepositoryPaths.Combine("policy-guide.md"));
        var recipe = guide[guide.IndexOf("## CI recipe for a policy repository", StringComparison.Ordinal)..];
        var step = recipe.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("run: oer analyze ", StringComparison.Ordinal));
        var arguments = step["run: oer ".Length..].Split('#')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(a => a == "policies" ? RepositoryPaths.Combine("policies") : a)
            .ToArray();

        var (exitCode, stdout, stderr) = CliRunner.Run(arguments);

        Assert.Equal(["analyze", RepositoryPaths.Combine("policies"), "--strict", "--top", "20"], arguments);
        Assert.True(exitCode == ExitCodes.Success, stdout + stderr);
        Assert.Contains("; budget 50000 per policy, 200000 for the set:\n", stdout, StringComparison.Ordinal);
        Assert.EndsWith("  set total: 154545.9 for 18 policies\n0 errors, 0 warnings in 22 files\n", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--max-policy-cost", "0")]
    [InlineData("--max-set-cost", "-5")]
    [InlineData("--top", "0")]
    [InlineData("--top", "many")]
    [InlineData("--max-set-cost", "1e6")]
    public void Analyze_LimitBelowOneOrNotAWholeNumber_UsageExit2(string option, string value)
    {
        _temp.Write("policies/p.yaml", Untyped);

        var (exitCode, _, stderr) = CliRunner.Run("analyze", _temp.Path("policies"), option, value);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains(long.TryParse(value, out _) ? $"{option} must be at least 1" : $"cannot parse argument '{value}' for option '{option}'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_Witness_DryRunDecidesItWithBothPolicies()
    {
        _temp.Write("policies/p.yaml", Conflicting);
        var events = _temp.Write("witness.json", Witness);

        var (exitCode, stdout, _) = CliRunner.Run("dry-run", "--policies", _temp.Path("policies"), events, "--format", "json");

        Assert.Equal(ExitCodes.Success, exitCode);
        using var decision = JsonDocument.Parse(stdout.Trim());
        var matched = decision.RootElement.GetProperty("matched").EnumerateArray().Select(m => m.GetProperty("policy").GetString());
        Assert.Equal(["block-dws", "warn-daily"], matched.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Validate_RunsTheAnalysis_SarifNamesTheRule()
    {
        _temp.Write("policies/p.yaml", Conflicting);

        var (exitCode, stdout, _) = CliRunner.Run("validate", _temp.Path("policies"), "--format", "sarif");

        Assert.Equal(ExitCodes.Success, exitCode);
        using var sarif = JsonDocument.Parse(stdout);
        var result = sarif.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().Single();
        Assert.Equal(("OER3093", "warning"), (result.GetProperty("ruleId").GetString(), result.GetProperty("level").GetString()));
    }

    [Fact]
    public void Analyze_SetWithErrors_ReportsTheErrorsAndExits1()
    {
        _temp.Write("policies/p.yaml", "a: b: c\n");

        var (exitCode, stdout, _) = CliRunner.Run("analyze", _temp.Path("policies"));

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("error OER1001", stdout, StringComparison.Ordinal);
    }
}
