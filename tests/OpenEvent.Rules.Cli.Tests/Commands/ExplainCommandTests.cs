using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using OpenEvent.Rules.Cli;

namespace OpenEvent.Rules.Cli.Tests.Commands;

public sealed class ExplainCommandTests
{
    private static string Policies => RepositoryPaths.Combine("policies");

    private static string Sample(string name) => RepositoryPaths.Combine("samples", "events", name);

    [Fact]
    public void Explain_MatchingPolicy_MarksEveryClauseAndApplies()
    {
        var (exitCode, stdout, stderr) = CliRunner.Run("explain", "--policies", Policies, "--event", Sample("FileChange-DeployFile.json"), "--policy", "prod-deploy-freeze");

        Assert.True(exitCode == ExitCodes.Success, stderr);
        Assert.Contains("policy prod-deploy-freeze (", stdout);
        Assert.Contains("): APPLIES", stdout);
        Assert.Contains("pass type \"dataworks:FileChange:DeployFile\"  saw \"dataworks:FileChange:DeployFile\"", stdout);
        Assert.Contains("pass workspace in [10001234, 10001235] (from [{ labels: [core-warehouse] }])  saw 10001234", stdout);
        Assert.Contains("\n  registry: workspace sales_dw, tenant acme, labels [core-warehouse], owners [200012345678901]; environment from the workspace\n", stdout);
        Assert.DoesNotContain("policy no-delete-prod-files", stdout);
    }

    [Fact]
    public void Explain_Window_TheEventsLocalTimeInsideOrTheFirstFailingClause()
    {
        using var temp = new TempFolder();
        temp.Write("policies/freeze.yaml", """
            apiVersion: openevent.rules/v1
            kind: Registry
            metadata: { name: calendar }
            spec:
              windows:
                year-end-freeze: { timeZone: Asia/Shanghai, from: 2026-12-18, to: 2027-01-03 }
                weekend: { timeZone: Asia/Shanghai, weekly: { from: "Fri 18:00", to: "Mon 08:00" } }
            ---
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: freeze }
            spec:
              match: { type: ["dataworks:FileChange:DeployFile"] }
              scope: { windows: [year-end-freeze, weekend] }
              actions: [ { block: { reason: "frozen" } } ]
            """);
        var inside = temp.Write("inside.json", File.ReadAllText(Sample("FileChange-DeployFile.json")).Replace("\"time\": \"2024-07-12T11:08:14+08:00\"", "\"time\": \"2026-12-24T10:30:00+08:00\"", StringComparison.Ordinal));

        var (exitCode, stdout, stderr) = CliRunner.Run("explain", "--policies", temp.Path("policies"), inside, Sample("FileChange-DeployFile.json"));

        Assert.True(exitCode == ExitCodes.Success, stderr);
        Assert.Contains("pass window in [year-end-freeze (2026-12-18 to 2027-01-03, Asia/Shanghai), weekend (every week Fri 18:00 to Mon 08:00, Asia/Shanghai)]"
            + "  saw 2026-12-24T10:30:00+08:00 (Thu 2026-12-24 10:30 Asia/Shanghai)", stdout);
        Assert.Contains("): does not apply\n  first failing clause: scope: window [year-end-freeze (2026-12-18 to 2027-01-03, Asia/Shanghai), weekend (every week Fri 18:00 to Mon 08:00, Asia/Shanghai)] (", stdout);
        Assert.Contains("; saw 2024-07-12T11:08:14+08:00 (Fri 2024-07-12 11:08 Asia/Shanghai)\n", stdout);
    }

    [Fact]
    public void Explain_EventWithoutATime_NeverInsideAWindowAndSaysSo()
    {
        using var temp = new TempFolder();
        temp.Write("policies/night.yaml", """
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: night-downloads }
            spec:
              match: { type: ["dataworks:ResourcesDownload:DownloadResources"] }
              scope: { windows: [{ timeZone: Asia/Shanghai, daily: { from: "22:00", to: "06:00" } }] }
              actions: [ { warn: { reason: "downloads at night are reviewed" } } ]
            """);

        var (exitCode, stdout, stderr) = CliRunner.Run("explain", "--policies", temp.Path("policies"), "--event", Sample("fc-envelope-download.json"), "--format", "json");

        Assert.True(exitCode == ExitCodes.Success, stderr);
        var policy = JsonDocument.Parse(stdout).RootElement.GetProperty("policies").EnumerateArray().Single();
        Assert.False(policy.GetProperty("applies").GetBoolean());
        var window = policy.GetProperty("clauses").EnumerateArray().Single(c => c.GetProperty("path").GetString() == "window");
        Assert.False(window.GetProperty("passed").GetBoolean());
        Assert.Equal("[every day 22:00 to 06:00, Asia/Shanghai]", window.GetProperty("clause").GetString());
        Assert.Equal("no time: an event without a time never falls inside a window", window.GetProperty("actual")[0].GetString());
        Assert.EndsWith("; saw no time: an event without a time never falls inside a window", policy.GetProperty("firstFailure").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_Json_TheEventsResolvedScope()
    {
        var (exitCode, stdout, stderr) = CliRunner.Run("explain", "--policies", Policies, "--event", Sample("ResourcesDownload-DownloadResources.json"),
            "--policy", "download-sensitive-workspace", "--format", "json");

        Assert.True(exitCode == ExitCodes.Success, stderr);
        var scope = JsonDocument.Parse(stdout).RootElement.GetProperty("scope");
        Assert.Equal(("283780000010656", "acme", "workspace"), (scope.GetProperty("tenant").GetString(), scope.GetProperty("tenantName").GetString(),
            scope.GetProperty("fromRegistry").GetProperty("tenant").GetString()));
    }

    [Fact]
    public void Explain_NonMatchingPolicy_NamesTheFirstFailingClauseWithTheValueSeen()
    {
        var (exitCode, stdout, _) = CliRunner.Run("explain", "--policies", Policies, "--event", Sample("FileChange-RunFile.json"),
            "--policy", "prod-deploy-freeze", "--format", "json");

        Assert.Equal(ExitCodes.Success, exitCode);
        var policy = JsonDocument.Parse(stdout).RootElement.GetProperty("policies").EnumerateArray().Single();
        Assert.False(policy.GetProperty("applies").GetBoolean());
        Assert.StartsWith("match: type \"dataworks:FileChange:DeployFile\" (policies/prod-deploy-freeze.yaml:", policy.GetProperty("firstFailure").GetString()!.Replace(RepositoryPaths.Root + "/", ""));
        var clause = policy.GetProperty("clauses").EnumerateArray().First();
        Assert.Equal("match", clause.GetProperty("part").GetString());
        Assert.Equal("type", clause.GetProperty("path").GetString());
        Assert.False(clause.GetProperty("passed").GetBoolean());
        Assert.Equal("\"dataworks:FileChange:RunFile\"", clause.GetProperty("actual")[0].GetString());
    }

    public static TheoryData<string> Samples() =>
        new(Directory.EnumerateFiles(RepositoryPaths.Combine("samples", "events"), "*.json").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Samples))]
    public void Explain_EveryPolicyOnASample_EachAppliesOrNamesItsFirstFailingClause(string sample)
    {
        var (exitCode, stdout, stderr) = CliRunner.Run("explain", "--policies", Policies, "--event", Sample(sample));

        Assert.True(exitCode == ExitCodes.Success, stderr);
        var loaded = int.Parse(Regex.Match(stderr, @"^oer: policies from .+: (\d+) policies in ", RegexOptions.Multiline).Groups[1].Value, CultureInfo.InvariantCulture);
        var events = stdout.Split("\nevent ").Select((text, i) => i == 0 ? text : "event " + text).ToList();
        Assert.All(events, e => Assert.StartsWith($"event {Sample(sample)}[", e, StringComparison.Ordinal));
        Assert.All(events, e =>
        {
            var policies = Regex.Matches(e, @"^policy (\S+) \([^\n]*\): (APPLIES|does not apply)\n(  first failing clause: )?", RegexOptions.Multiline);
            Assert.Equal(loaded, policies.Count);
            Assert.Contains(policies, p => p.Groups[1].Value == "prod-deploy-freeze");
            Assert.All(policies, p => Assert.Equal(p.Groups[2].Value == "does not apply", p.Groups[3].Success));
        });
    }

    [Fact]
    public void Explain_UnknownPolicy_Exit2ListingTheNames()
    {
        var (exitCode, _, stderr) = CliRunner.Run("explain", "--policies", Policies, "--event", Sample("FileChange-DeployFile.json"), "--policy", "nope");

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Contains("\noer: no policy named 'nope'; the set has: ", stderr);
    }

    [Fact]
    public void Explain_MissingEventOption_Exit2()
    {
        var (exitCode, _, _) = CliRunner.Run("explain", "--policies", Policies);

        Assert.Equal(ExitCodes.Usage, exitCode);
    }
}
