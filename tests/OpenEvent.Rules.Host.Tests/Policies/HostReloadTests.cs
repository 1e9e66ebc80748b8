using System.Net;
using System.Text.Json;
using OpenEvent.Rules.Host.Tests.Endpoints;

namespace OpenEvent.Rules.Host.Tests.Policies;

/// <summary>Hot reload in the host: a valid change is swapped in, an invalid one reported while the last good set serves.</summary>
[Collection(HostMetricsCollection.Name)]
public sealed class HostReloadTests
{
    private const string WarnPolicy = """
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata:
          name: warn-run-file
        spec:
          match:
            type: ["dataworks:FileChange:RunFile"]
          actions:
            - warn: { reason: "ad-hoc runs are audited" }
        """;

    private static async Task<string[]> PolicyNamesAsync(RunningHost host)
    {
        var body = JsonDocument.Parse(await host.Client.GetStringAsync("/policies")).RootElement;
        return body.GetProperty("policies").EnumerateArray().Select(p => p.GetProperty("name").GetString()!).Order().ToArray();
    }

    [Fact]
    public async Task Reload_ValidChange_SwapsTheSet()
    {
        await using var host = await RunningHost.StartAsync();
        var before = host.State.Current!.Revision;

        File.WriteAllText(Path.Combine(host.PoliciesPath, "warn-run-file.yaml"), WarnPolicy);

        await RunningHost.WaitUntilAsync(async () => (await PolicyNamesAsync(host)).Contains("warn-run-file"), "the new policy to load");
        Assert.NotEqual(before, host.State.Current!.Revision);
        var runFile = File.ReadAllText(RepositoryPaths.Combine("samples", "events", "FileChange-RunFile.json"));
        using var response = await host.PostAsync("/evaluate", runFile);
        Assert.Equal("WARN", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("verdict").GetString());
    }

    [Fact]
    public async Task Reload_InvalidChange_KeepsTheLastGoodSetAndReportsTheError()
    {
        await using var host = await RunningHost.StartAsync();
        var before = host.State.Current!.Revision;

        File.WriteAllText(Path.Combine(host.PoliciesPath, "broken.yaml"), "apiVersion: openevent.rules/v1\nkind: Policy\nmetadata:\n  name: broken\nspec:\n  mode: sometimes\n  match: { type: [x] }\n  actions: [ { forward: { target: log } } ]\n");

        await RunningHost.WaitUntilAsync(() => Task.FromResult(host.State.LastFailure is not null), "the reload to fail");
        var body = JsonDocument.Parse(await host.Client.GetStringAsync("/policies")).RootElement;
        Assert.Equal(before, body.GetProperty("revision").GetString());
        var error = body.GetProperty("lastReloadError");
        var diagnostic = error.GetProperty("diagnostics").EnumerateArray().First(d => d.GetProperty("severity").GetString() == "error");
        Assert.Equal("OER1014", diagnostic.GetProperty("id").GetString());
        Assert.EndsWith("broken.yaml", diagnostic.GetProperty("file").GetString());
        Assert.Equal(6, diagnostic.GetProperty("line").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/readyz")).StatusCode);
        Assert.Equal(["deploy-freeze", "failed-instances"], await PolicyNamesAsync(host));
        // The sample line, not the text: the HELP line reads "oer_policy_reload_failing 1 while the last reload failed".
        await RunningHost.WaitUntilAsync(async () => HazardHost.MetricValue(await host.Client.GetStringAsync("/metrics"), "oer_policy_reload_failing") == 1, "the failing gauge");
        Assert.Contains("result=\"failure\"", await host.Client.GetStringAsync("/metrics"));

        // Fixing the file clears the error.
        File.Delete(Path.Combine(host.PoliciesPath, "broken.yaml"));
        await RunningHost.WaitUntilAsync(() => Task.FromResult(host.State.LastFailure is null), "the error to clear");
    }

    [Fact]
    public async Task Reload_EveryPolicyFileDeleted_KeepsTheLastGoodSetAndSaysTheFolderIsEmpty()
    {
        // An emptied folder (a bad checkout, a wrong mount) would let every operation through: the set in service stays.
        await using var host = await RunningHost.StartAsync();
        var before = host.State.Current!.Revision;

        foreach (var file in Directory.GetFiles(host.PoliciesPath))
        {
            File.Delete(file);
        }

        await RunningHost.WaitUntilAsync(() => Task.FromResult(host.State.LastFailure is not null), "the reload to fail");
        var body = JsonDocument.Parse(await host.Client.GetStringAsync("/policies")).RootElement;
        Assert.Equal(before, body.GetProperty("revision").GetString());
        Assert.Equal("OER1023", Assert.Single(body.GetProperty("lastReloadError").GetProperty("diagnostics").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(["deploy-freeze", "failed-instances"], await PolicyNamesAsync(host));
    }

    [Fact]
    public async Task Reload_EventsInFlight_FinishOnTheSetTheyStartedWith()
    {
        await using var host = await RunningHost.StartAsync();
        var lease = host.State.Acquire()!;

        File.WriteAllText(Path.Combine(host.PoliciesPath, "warn-run-file.yaml"), WarnPolicy);
        await RunningHost.WaitUntilAsync(() => Task.FromResult(!ReferenceEquals(host.State.Current, lease)), $"the swap (last failure: {host.State.LastFailure?.Summary})");

        // The old set is retired but still usable by the lease holder until it releases it.
        var decision = lease.Compiled.EvaluateInput(System.Text.Encoding.UTF8.GetBytes(HostEndpointTests.DeployEvent("inflight", "dws_a")), "x").Single();
        Assert.Equal("deploy-freeze", decision.Matched.Single().Policy);
        lease.Release();
    }
}
