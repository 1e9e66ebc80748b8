using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace OpenEvent.Rules.Host.Tests.Broker;

/// <summary>The host executable in its own process (dotnet OpenEvent.Rules.Host.dll), so that it can be killed like a crashed server.</summary>
internal sealed class BrokerHostProcess : IDisposable
{
    private readonly Process _process;

    private BrokerHostProcess(Process process, HttpClient client)
    {
        _process = process;
        Client = client;
    }

    public HttpClient Client { get; }

    public static async Task<BrokerHostProcess> StartAsync(string policies, string dataFolder, IEnumerable<string> settings, IReadOnlyDictionary<string, string> environment)
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
            "--OpenEventRules:DataDirectory", dataFolder,
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
        return new BrokerHostProcess(process, client);
    }

    /// <summary>SIGKILL: no shutdown code runs; the broker returns what the process held once its connection drops.</summary>
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
