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
    public void Analyze_ConflictingPair_WarningWithTheWitness_Exit0ThenExit1UnderStrict()
    {
        var path = _temp.Write("policies/p.yaml", Conflicting);

        var (exitCode, stdout, _) = CliRunner.Run("analyze", _temp.Path("policies"));
        var (strictExit, _, _) = CliRunner.Run("analyze", _temp.Path("policies"), "--strict");

        Assert.Equal((ExitCodes.Success, ExitCodes.Failure), (exitCode, strictExit));
        Assert.Equal(
            $"{path}:10:19: warning OER3093: policies 'block-dws' (block) and 'warn-daily' (warn) both apply to this event: {Witness}\n"
            + "  hint: Make one of them exclude the other's events (spec.exclude, a narrower match or scope), or give both the same effect.\n"
            + "0 errors, 1 warning in 1 file\n",
            stdout);
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
