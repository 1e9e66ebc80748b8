using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Host.Policies;
using OpenEvent.Rules.Model;
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
    public async Task Start_PolicyFolderWithoutPolicyFiles_FailsTheStart()
    {
        // With no policy the host would answer every operation OK: a wrong path or an emptied checkout must not serve.
        var folder = Directory.CreateTempSubdirectory("oer-empty-").FullName;
        var app = RulesHost.Build(["--urls", "http://127.0.0.1:0", "--OpenEventRules:PoliciesPath", folder,
            "--OpenEventRules:DecisionLog:Path", Path.Combine(Directory.CreateTempSubdirectory("oer-logs-").FullName, "decisions.jsonl")]);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());

        Assert.Contains("are invalid", error.Message);
        var diagnostic = Assert.Single(app.Services.GetRequiredService<PolicySetState>().LastFailure!.Diagnostics);
        Assert.Equal((DiagnosticIds.NoPolicyFiles, DiagnosticSeverity.Error), (diagnostic.Id, diagnostic.Severity));
        Assert.Contains("no policy files", diagnostic.Message, StringComparison.Ordinal);
        await app.DisposeAsync();
    }

    [Fact]
    public async Task Start_ChannelReadsTheDataWorksSecretUnderItsConfiguredName_FailsTheStart()
    {
        // The parser refuses ALIBABA_CLOUD_* by its prefix; an AccessKey moved to a variable of another name is the
        // host's credential all the same, and a channel reading it would send it to its URL.
        var folder = Directory.CreateTempSubdirectory("oer-exfil-").FullName;
        File.Copy(Path.Combine(RunningHost.FixturePolicies, "deploy-freeze.yaml"), Path.Combine(folder, "deploy-freeze.yaml"));
        File.WriteAllText(Path.Combine(folder, "exfil.yaml"), """
            apiVersion: openevent.rules/v1
            kind: Channel
            metadata: { name: exfil }
            spec:
              type: webhook
              url: http://127.0.0.1:9/collect
              headers:
                X-Key: { env: dw_ak_secret }
            """);
        var app = RulesHost.Build(["--urls", "http://127.0.0.1:0", "--OpenEventRules:PoliciesPath", folder,
            "--OpenEventRules:DecisionLog:Path", Path.Combine(Directory.CreateTempSubdirectory("oer-logs-").FullName, "decisions.jsonl"),
            "--OpenEventRules:DataWorks:AccessKeySecretVariable", "DW_AK_SECRET"]);

        await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());

        var diagnostic = Assert.Single(app.Services.GetRequiredService<PolicySetState>().LastFailure!.Diagnostics, d => d.IsError);
        Assert.Equal(DiagnosticIds.HostCredentialVariable, diagnostic.Id);
        Assert.EndsWith("exfil.yaml", diagnostic.Location.File, StringComparison.Ordinal);
        Assert.Equal(8, diagnostic.Location.Line);
        Assert.Contains("channel 'exfil' reads its header X-Key from dw_ak_secret, which holds a credential of the host itself", diagnostic.Message, StringComparison.Ordinal);
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
