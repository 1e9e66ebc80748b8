using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace OpenEvent.Rules.Host.Tests;

/// <summary>
/// The host executable in its own process (dotnet OpenEvent.Rules.Host.dll) on a free loopback port, so that it can be
/// killed like a crashed server (the outbox crash-recovery and broker kill tests).
/// </summary>
internal sealed class HostProcess : IDisposable
{
    private readonly Process _process;

    private HostProcess(Process process, HttpClient client)
    {
        _process = process;
        Client = client;
    }

    public HttpClient Client { get; }

    /// <summary>Starts the host on <paramref name="policies"/> (no reload watch) with extra command-line settings and environment, and waits until /readyz answers.</summary>
    public static async Task<HostProcess> StartAsync(string policies, IEnumerable<string> settings, IReadOnlyDictionary<string, string> environment)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])[
            Path.Combine(AppContext.BaseDirectory, "OpenEvent.Rules.Host.dll"),
            "--urls", $"http://127.0.0.1:{port}",
            "--OpenEventRules:PoliciesPath", policies,
            "--OpenEventRules:Reload:Watch", "false",
            .. settings,
        ])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        // The host logs every delivery at Information: a test of thousands keeps to warnings.
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await RunningHost.WaitUntilAsync(async () =>
        {
            Assert.False(process.HasExited, "the host process exited during its start");
            try
            {
                return (await client.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, "the host process to be ready", timeoutSeconds: 60);
        return new HostProcess(process, client);
    }

    /// <summary>SIGKILL: no shutdown code runs; leases, in-flight requests and broker deliveries are left as they are.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        Kill();
        Client.Dispose();
        _process.Dispose();
    }
}
