using Microsoft.Extensions.Options;
using OpenEvent.Rules.Host;

namespace OpenEvent.Rules.Host.Tests;

public sealed class HostStartupTests
{
    [Fact]
    public async Task Start_BadSetting_FailsNamingTheSetting()
    {
        var app = RulesHost.Build(["--urls", "http://127.0.0.1:0", "--OpenEventRules:PoliciesPath", RunningHost.FixturePolicies,
            "--OpenEventRules:Limits:MaxEventBytes", "0", "--OpenEventRules:Limits:MaxBatchEvents", "0", "--OpenEventRules:DecisionLog:Mask:0", "data/sqlText"]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("OpenEventRules:Limits:MaxEventBytes is 0: it must be between 1024 and 67108864.", error.Failures);
        Assert.Contains("OpenEventRules:Limits:MaxBatchEvents is 0: it must be between 1 and 1000000.", error.Failures);
        Assert.Contains("OpenEventRules:DecisionLog:Mask entry 'data/sqlText' is not a JSON pointer: write it like /data/sqlText.", error.Failures);
        await app.DisposeAsync();
    }

    [Fact]
    public async Task Start_MissingPolicyFolder_FailsNamingTheSetting()
    {
        var app = RulesHost.Build(["--urls", "http://127.0.0.1:0", "--OpenEventRules:PoliciesPath", "/nonexistent/policies"]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("OpenEventRules:PoliciesPath '/nonexistent/policies' does not exist: set it to the policy folder.", error.Failures);
        await app.DisposeAsync();
    }

    [Fact]
    public async Task Start_InvalidPolicies_FailsTheStart()
    {
        using var temp = new TempFolder();
        var file = temp.Write(Path.Combine("policies", "bad.yaml"), "apiVersion: openevent.rules/v1\nkind: Policy\nmetadata: { name: Bad_Name }\nspec: {}\n");
        var app = RulesHost.Build(["--urls", "http://127.0.0.1:0", "--OpenEventRules:PoliciesPath", Path.GetDirectoryName(file)!]);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());

        Assert.Contains("are invalid", error.Message);
        await app.DisposeAsync();
    }

    [Fact]
    public async Task Start_ShippedPolicies_LoadAndServe()
    {
        await using var host = await RunningHost.StartAsync(RepositoryPaths.Combine("policies"));

        Assert.True(host.State.IsReady);
        Assert.NotEmpty(host.State.Current!.Snapshot.Set.Policies);
    }
}
