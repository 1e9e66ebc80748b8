using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using OpenEvent.Rules.Host;

namespace OpenEvent.Rules.Bench;

/// <summary>
/// HTTP load on the real host over loopback: the benchmark workload's policies written as YAML files, the host
/// started in this process on a free port (decision log on, to a temporary file), and several concurrent clients
/// posting the workload's ~1 KB events for a fixed time. Reports events/s and latency percentiles per policy count.
/// Client and host share the machine's cores, so the numbers are a floor for a dedicated host.
/// </summary>
internal static class LoadBenchmark
{
    private const int Clients = 16;
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(string[] args)
    {
        var counts = args.Length > 0 ? args.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [100, 1000];
        Console.WriteLine($"| policies | clients | events/s | p50 (ms) | p99 (ms) | errors |");
        Console.WriteLine($"|---:|---:|---:|---:|---:|---:|");
        foreach (var count in counts)
        {
            var row = await RunOneAsync(count);
            Console.WriteLine(row);
        }

        return 0;
    }

    private static async Task<string> RunOneAsync(int policyCount)
    {
        var root = Directory.CreateTempSubdirectory("oer-load-").FullName;
        var policies = Path.Combine(root, "policies");
        var workload = Workload.Create(policyCount);
        await workload.WritePoliciesAsync(policies, "log");

        var events = workload.Events(512);
        var app = RulesHost.Build([
            "--urls", "http://127.0.0.1:0",
            "--OpenEventRules:PoliciesPath", policies,
            "--OpenEventRules:DecisionLog:Path", Path.Combine(root, "decisions.jsonl"),
            "--OpenEventRules:Reload:Watch", "false",
            "--Logging:LogLevel:Default", "Warning",
            "--Logging:LogLevel:OpenEvent.Rules.Host.Policies", "Error", // the generated policies draw catalog warnings
        ]);
        await app.StartAsync();
        try
        {
            var address = new Uri(app.Urls.First());
            await DriveAsync(address, events, Warmup, latencies: null);
            var latencies = new List<double>[Clients];
            var (sent, errors, elapsed) = await DriveAsync(address, events, Duration, latencies);
            var all = latencies.SelectMany(l => l).Order().ToArray();
            double Percentile(double p) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)(p * all.Length))];
            return string.Create(CultureInfo.InvariantCulture,
                $"| {policyCount:N0} | {Clients} | {sent / elapsed.TotalSeconds:N0} | {Percentile(0.50):F2} | {Percentile(0.99):F2} | {errors} |");
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<(long Sent, long Errors, TimeSpan Elapsed)> DriveAsync(Uri address, List<byte[]> events, TimeSpan duration, List<double>[]? latencies)
    {
        long sent = 0;
        long errors = 0;
        var stopwatch = Stopwatch.StartNew();
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Clients };
        using var client = new HttpClient(handler) { BaseAddress = address };
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(async c =>
        {
            var mine = latencies is null ? null : latencies[c] = [];
            var i = c;
            while (stopwatch.Elapsed < duration)
            {
                using var content = new ByteArrayContent(events[i++ % events.Count]);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/cloudevents+json");
                var started = Stopwatch.GetTimestamp();
                using var response = await client.PostAsync("/events", content);
                mine?.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                Interlocked.Increment(ref sent);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }));
        return (sent, errors, stopwatch.Elapsed);
    }
}
