using System.Text.Json;
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

    [Fact]
    public void Explain_EveryPolicyOnEverySample_Succeeds()
    {
        foreach (var sample in Directory.EnumerateFiles(RepositoryPaths.Combine("samples", "events"), "*.json"))
        {
            var (exitCode, stdout, stderr) = CliRunner.Run("explain", "--policies", Policies, "--event", sample);
            Assert.True(exitCode == ExitCodes.Success, $"{sample}: {stderr}");
            Assert.Contains("policy prod-deploy-freeze", stdout);
        }
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
