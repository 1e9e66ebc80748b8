using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Host;
using OpenEvent.Rules.Host.Configuration;

namespace OpenEvent.Rules.Host.Tests.Configuration;

/// <summary>
/// What the host writes stays out of its policy folder. With the data directory and the file targets' folder set to the
/// policy folder, forwarded event lines became a policy file (a target's path: inj.yaml), the host's own writes triggered
/// reloads that were refused (OER1011 on 'specversion'), and the next start failed; now such settings stop the start.
/// </summary>
public sealed class PolicyFolderSeparationTests
{
    private const string InsideHint = "what the host writes there would be read as policy files and reload the set; move it out of the policy folder.";

    private static string[] Settings(string policies, params string[] more) =>
        ["--urls", "http://127.0.0.1:0", "--OpenEventRules:PoliciesPath", policies, .. more];

    private static string Policies(TempFolder temp, params string[] parts)
    {
        var folder = temp.Path(parts);
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(RunningHost.FixturePolicies, "deploy-freeze.yaml"), Path.Combine(folder, "deploy-freeze.yaml"));
        return folder;
    }

    private static async Task<IEnumerable<string>> StartFailuresAsync(string[] settings)
    {
        await using var app = RulesHost.Build(settings);
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        return error.Failures.Order(StringComparer.Ordinal);
    }

    [Fact]
    public async Task Start_DataDirectoryAndTargetsFolderAreThePolicyFolder_RefusedNamingEachSettingAndThePolicyFolder()
    {
        using var temp = new TempFolder();
        var p = Policies(temp, "p");

        var failures = await StartFailuresAsync(Settings(p, "--OpenEventRules:DataDirectory", p, "--OpenEventRules:Actions:File:Directory", p));

        // The outbox and the decision log are relative by default: under the data directory, so inside the policy folder too.
        Assert.Equal(
            [
                $"OpenEventRules:Actions:File:Directory '{p}' is inside OpenEventRules:PoliciesPath '{p}': {InsideHint}",
                $"OpenEventRules:DataDirectory '{p}' is inside OpenEventRules:PoliciesPath '{p}': {InsideHint}",
                $"OpenEventRules:DecisionLog:Path '{Path.Combine(p, "logs", "decisions.jsonl")}' is inside OpenEventRules:PoliciesPath '{p}': {InsideHint}",
                $"OpenEventRules:Outbox:Path '{Path.Combine(p, "data", "outbox.db")}' is inside OpenEventRules:PoliciesPath '{p}': {InsideHint}",
            ],
            failures);
    }

    [Fact]
    public async Task Start_PolicyFolderInsideTheTargetsFolder_OrTheConditionCacheInsideThePolicyFolder_Refused()
    {
        using var temp = new TempFolder();
        var policies = Policies(temp, "site", "policies");
        var cache = Path.Combine(policies, ".cache");

        var failures = await StartFailuresAsync(Settings(policies,
            "--OpenEventRules:Actions:File:Directory", temp.Path("site"), "--OpenEventRules:Conditions:CacheDirectory", cache));

        Assert.Equal(
            [
                $"OpenEventRules:Conditions:CacheDirectory '{cache}' is inside OpenEventRules:PoliciesPath '{policies}': {InsideHint}",
                $"OpenEventRules:PoliciesPath '{policies}' is inside OpenEventRules:Actions:File:Directory '{temp.Path("site")}': what the host writes there could land in the policy folder; keep the two apart.",
            ],
            failures);
    }

    [Fact]
    public async Task Start_PolicyFolderReachedThroughSymbolicLinks_ComparedByItsRealPath()
    {
        // current -> releases/1 (a release layout), and a logs folder that is a link to the release.
        using var temp = new TempFolder();
        var release = Policies(temp, "releases", "1");
        var current = temp.Path("current");
        Directory.CreateSymbolicLink(current, release);
        Directory.CreateSymbolicLink(temp.Path("logs"), release);
        var outbox = Path.Combine(release, "outbox.db");
        var log = temp.Path("logs", "decisions.jsonl");

        var failures = await StartFailuresAsync(Settings(current, "--OpenEventRules:Outbox:Path", outbox, "--OpenEventRules:DecisionLog:Path", log));

        Assert.Equal(
            [
                $"OpenEventRules:DecisionLog:Path '{log}' (really '{Path.Combine(release, "decisions.jsonl")}') is inside OpenEventRules:PoliciesPath '{current}' (really '{release}'): {InsideHint}",
                $"OpenEventRules:Outbox:Path '{outbox}' is inside OpenEventRules:PoliciesPath '{current}' (really '{release}'): {InsideHint}",
            ],
            failures);
    }

    [Fact]
    public async Task Build_HostFilesBesideThePolicyFolder_Accepted()
    {
        // The default layout (site/policies beside site/data, site/logs, site/targets; the data directory holds the policy
        // folder), and a sibling whose name only starts like the policy folder's.
        using var temp = new TempFolder();
        var policies = Policies(temp, "site", "policies");
        await using var app = RulesHost.Build(Settings(policies,
            "--OpenEventRules:DataDirectory", temp.Path("site"),
            "--OpenEventRules:Outbox:Path", temp.Path("site", "policies-data", "outbox.db")));

        var options = app.Services.GetRequiredService<IOptions<RulesHostOptions>>().Value; // validates

        Assert.Equal(temp.Path("site", "targets"), options.Actions.File.Directory);
    }
}
