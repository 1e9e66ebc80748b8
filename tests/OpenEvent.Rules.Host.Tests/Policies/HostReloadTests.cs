using System.Diagnostics;
using System.Net;
using System.Text.Json;
using OpenEvent.Rules.Host.Tests.Endpoints;

namespace OpenEvent.Rules.Host.Tests.Policies;

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
        await RunningHost.WaitUntilAsync(async () => (await host.Client.GetStringAsync("/metrics")).Contains("oer_policy_reload_failing 1"), "the failing gauge");
        Assert.Contains("result=\"failure\"", await host.Client.GetStringAsync("/metrics"));

        // Fixing the file clears the error.
        File.Delete(Path.Combine(host.PoliciesPath, "broken.yaml"));
        await RunningHost.WaitUntilAsync(() => Task.FromResult(host.State.LastFailure is null), "the error to clear");
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

    [Fact]
    public async Task Sighup_ReloadsWhenWatchingIsOff()
    {
        var root = Directory.CreateTempSubdirectory("oer-sighup-").FullName;
        var policies = Path.Combine(root, "policies");
        Directory.CreateDirectory(policies);
        foreach (var file in Directory.GetFiles(RunningHost.FixturePolicies))
        {
            File.Copy(file, Path.Combine(policies, Path.GetFileName(file)));
        }

        var port = FreePort();
        var hostDll = Path.Combine(AppContext.BaseDirectory, "OpenEvent.Rules.Host.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { hostDll, "--urls", $"http://127.0.0.1:{port}", "--OpenEventRules:PoliciesPath", policies,
                "--OpenEventRules:Reload:Watch", "false", "--OpenEventRules:DecisionLog:Path", Path.Combine(root, "decisions.jsonl"),
                "--OpenEventRules:Outbox:Path", Path.Combine(root, "outbox.db") },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        try
        {
            await RunningHost.WaitUntilAsync(async () =>
            {
                try
                {
                    return (await client.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, "the host process to be ready", timeoutSeconds: 60);

            File.WriteAllText(Path.Combine(policies, "warn-run-file.yaml"), WarnPolicy);
            await Task.Delay(500);
            Assert.DoesNotContain("warn-run-file", await client.GetStringAsync("/policies"));

            using (var kill = Process.Start("kill", ["-HUP", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            await RunningHost.WaitUntilAsync(async () => (await client.GetStringAsync("/policies")).Contains("warn-run-file"), "SIGHUP to reload");
            Assert.False(process.HasExited);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
