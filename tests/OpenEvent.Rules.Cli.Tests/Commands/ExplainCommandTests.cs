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
        var (exitCode, stdout, stderr) = CliRunner.Run("explain", "--policies", Policies, "--event", Sample("FileChange-DeployFile.json"),
            "--policy", "prod-deploy-freeze");

        Assert.True(exitCode == ExitCodes.Success, stderr);
        Assert.Contains("policy prod-deploy-freeze (", stdout);
        Assert.Contains("): APPLIES", stdout);
        Assert.Contains("pass type \"dataworks:FileChange:DeployFile\"  saw \"dataworks:FileChange:DeployFile\"", stdout);
        Assert.Contains("pass workspace in [", stdout);
        Assert.DoesNotContain("policy no-delete-prod-files", stdout);
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
