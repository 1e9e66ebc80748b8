using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace OpenEvent.Rules.Host.Tests.Policies;

/// <summary>
/// SIGHUP reloads the policy set, and with Reload:Watch off it is the only thing that does. The host runs in its own
/// process: a signal sent to the test process would reach every host the other tests run in it.
/// </summary>
public sealed class SighupReloadTests
{
    [Fact]
    public async Task Sighup_WatchingOff_ReloadsOnTheSignalOnly()
    {
        using var folder = new TempFolder();
        var policies = folder.Path("policies");
        Directory.CreateDirectory(policies);
        foreach (var file in Directory.GetFiles(RunningHost.FixturePolicies))
        {
            File.Copy(file, Path.Combine(policies, Path.GetFileName(file)));
        }

        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                Path.Combine(AppContext.BaseDirectory, "OpenEvent.Rules.Host.dll"), "--urls", $"http://127.0.0.1:{port}",
                "--OpenEventRules:PoliciesPath", policies, "--OpenEventRules:Reload:Watch", "false",
                "--OpenEventRules:Reload:DebounceMilliseconds", "50",
                "--OpenEventRules:DecisionLog:Path", folder.Path("decisions.jsonl"), "--OpenEventRules:Outbox:Path", folder.Path("outbox.db"),
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        async Task<bool> ServesAsync(string policy) => (await client.GetStringAsync("/policies")).Contains($"\"{policy}\"", StringComparison.Ordinal);
        try
        {
            await RunningHost.WaitUntilAsync(() => IsReadyAsync(client), "the host process to be ready", timeoutSeconds: 60);

            // A change, then SIGHUP: reloaded. How long that took measures how soon a watcher would have reloaded.
            File.WriteAllText(Path.Combine(policies, "warn-run-file.yaml"), HazardHost.Policy("warn-run-file"));
            var clock = Stopwatch.StartNew();
            await SighupAsync(process);
            await RunningHost.WaitUntilAsync(() => ServesAsync("warn-run-file"), "SIGHUP to reload");
            var signalled = clock.Elapsed;

            // A change alone is not loaded: not within three times that (and at least a second), when a watcher would have.
            File.WriteAllText(Path.Combine(policies, "audit-run-file.yaml"), HazardHost.Policy("audit-run-file"));
            var bound = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(1).Ticks, 3 * signalled.Ticks));
            Assert.False(await BecomesTrueWithinAsync(() => ServesAsync("audit-run-file"), bound),
                $"the change was loaded without SIGHUP although Reload:Watch is false (SIGHUP took {signalled.TotalMilliseconds:0} ms)");

            // The next SIGHUP loads it.
            await SighupAsync(process);
            await RunningHost.WaitUntilAsync(() => ServesAsync("audit-run-file"), "the second SIGHUP to reload");
            Assert.False(process.HasExited);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static async Task<bool> IsReadyAsync(HttpClient client)
    {
        try
        {
            using var ready = await client.GetAsync("/readyz");
            return ready.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static async Task SighupAsync(Process process)
    {
        using var kill = Process.Start("kill", ["-HUP", process.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds (true) or <paramref name="bound"/> has passed (false).</summary>
    private static async Task<bool> BecomesTrueWithinAsync(Func<Task<bool>> condition, TimeSpan bound)
    {
        var clock = Stopwatch.StartNew();
        do
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(50);
        }
        while (clock.Elapsed < bound);

        return await condition();
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
