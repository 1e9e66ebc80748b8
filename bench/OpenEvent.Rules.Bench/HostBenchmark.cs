using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpenEvent.Rules.Host;
using OpenEvent.Rules.Host.Actions;

namespace OpenEvent.Rules.Bench;

/// <summary>
/// The host path per event, bytes in to actions stored, against the floor of the HTTP stack: the real host (token
/// authentication on, SQLite outbox, decision log on, the workload's policies each forwarding the event to a file
/// target, so every matched event has its actions stored before the 2xx) and a minimal ASP.NET Core endpoint that
/// reads the body and answers 200, both on loopback in this process, driven alternately by the same clients (same
/// concurrency, keep-alive connections, the same ~1 KB events with a fresh id each, the token sent to both).
/// Five rounds each, interleaved (the floor first in odd rounds, the host first in even ones), so that the machine's load falls on both alike; the median ratio is the result.
/// </summary>
internal static class HostBenchmark
{
    /// <summary>Closed-loop clients driving each server (16; <c>--clients=N</c>): the same for the minimal endpoint and the host.</summary>
    private static int Clients { get; set; } = 16;
    private const int Rounds = 5;
    private const string Token = "bench-token-0123456789abcdef";
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(string[] args)
    {
        // --dense: the load benchmark's workload, where every event matches a few policies (~1.7 forwards stored per
        // event), instead of the scan workload's stream, where most events match none (issue 18's 200,000 events).
        var dense = args.Contains("--dense");
        // --clients=N: more concurrent senders (EventBridge sends in parallel); with Outbox:Synchronous=Full an event that
        // stores waits for its flush, so the host's rate depends on how many others can proceed meanwhile.
        if (args.FirstOrDefault(a => a.StartsWith("--clients=", StringComparison.Ordinal)) is { } clients)
        {
            Clients = int.Parse(clients["--clients=".Length..], CultureInfo.InvariantCulture);
        }

        args = [.. args.Where(a => !a.StartsWith("--", StringComparison.Ordinal))];
        var policyCount = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
        var synchronous = args.Length > 1 ? args[1] : "Full";
        var target = args.Length > 2 ? args[2] : "archive"; // "log": decided and logged, nothing stored
        var root = Directory.CreateTempSubdirectory("oer-host-bench-").FullName;
        try
        {
            var events = dense ? Workload.Create(policyCount).Events(512) : ScanWorkload.Events(8_192);
            var policies = await WritePoliciesAsync(root, dense ? Workload.Create(policyCount).PatternTexts : ScanWorkload.PatternTexts(policyCount), target);
            await using var minimal = await MinimalEndpoint.StartAsync();
            var host = await StartHostAsync(root, policies, synchronous);
            try
            {
                Console.WriteLine($"{Environment.ProcessorCount} cores; {policyCount:N0} policies of the {(dense ? "dense" : "scan")} workload; outbox synchronous={synchronous}; forward to {target}; {Clients} clients, keep-alive; "
                    + $"{Workload.Describe(events)}; {Warmup.TotalSeconds:0} s warm-up + {Duration.TotalSeconds:0} s per round");
                Console.WriteLine("| round | minimal events/s | host events/s | host / minimal | host p50 (ms) | host p99 (ms) | errors | minimal CPU µs/event | host CPU µs/event | minimal KB allocated/event | host KB allocated/event | host round: forwards delivered/s | pending at its end |");
                Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
                var profiled = Environment.GetEnvironmentVariable("OER_BENCH_PROFILE");
                if (profiled is "host" or "minimal")
                {
                    // For a profiler attached to this process: one server alone under the same load for 60 s ("minimal"
                    // gives the floor's profile, to compare with the host's system call by system call).
                    Console.WriteLine($"profiling: {profiled} only, pid {Environment.ProcessId}");
                    var url = profiled == "host" ? host.Urls.First() : minimal.Url;
                    await WarmUpAsync(new Uri(url), events, TimeSpan.FromSeconds(5));
                    using var allocations = Environment.GetEnvironmentVariable("OER_BENCH_ALLOCATIONS") == "1" ? new AllocationSampler() : null;
                    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                    var (gen0, gen1, gen2, paused) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());
                    var (workItems, contentions) = (ThreadPool.CompletedWorkItemCount, Monitor.LockContentionCount);
                    var (unmatched, matched) = (new List<double>[Clients], new List<double>[Clients]);
                    var (sent, _, elapsed) = await LoopAsync(new HttpClient { BaseAddress = new Uri(url) }, events, "p", TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("OER_BENCH_SECONDS"), out var seconds) ? seconds : 60), unmatched,
                        profiled == "host" ? matched : null);
                    cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
                    allocations?.Print();
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"GCs: {GC.CollectionCount(0) - gen0} gen0, {GC.CollectionCount(1) - gen1} gen1, {GC.CollectionCount(2) - gen2} gen2; paused {(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:N0} ms of {elapsed.TotalMilliseconds:N0}"));
                    // Counts per event move less with the machine's speed than times do: a change that saves hand-offs shows here.
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"thread-pool work items: {(ThreadPool.CompletedWorkItemCount - workItems) / (double)Math.Max(sent, 1):F2} per event; lock contentions: {(Monitor.LockContentionCount - contentions) / (double)Math.Max(sent, 1):F3} per event"));
                    foreach (var (name, lists) in (ReadOnlySpan<(string, List<double>[])>)[("matched (actions stored)", matched), ("not matched", unmatched)])
                    {
                        var all = lists.Where(l => l is not null).SelectMany(l => l).Order().ToArray();
                        if (all.Length > 0)
                        {
                            double At(double p) => all[Math.Min(all.Length - 1, (int)(p * all.Length))];
                            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"latency, {name}: {all.Length:N0} events, p50 {At(0.5):F2} ms, p90 {At(0.9):F2} ms, p99 {At(0.99):F2} ms, mean {all.Average():F2} ms"));
                        }
                    }

                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"profiled: {sent / elapsed.TotalSeconds:N0} events/s, {cpu.TotalMicroseconds / Math.Max(sent, 1):N0} CPU µs/event"));
                    return 0;
                }

                // Both servers' code reaches its optimized tier before round 1 (the host's path is long: 2 s per round was
                // not enough on the shared cores, and round 1 read the JIT rather than the host).
                await WarmUpAsync(new Uri(minimal.Url), events, TimeSpan.FromSeconds(3));
                await WarmUpAsync(new Uri(host.Urls.First()), events, TimeSpan.FromSeconds(10));
                var ratios = new List<double>();
                var outbox = new OutboxStore(Path.Combine(root, "data", "outbox.db"));
                for (var round = 1; round <= Rounds; round++)
                {
                    // Odd rounds drive the floor first, even rounds the host first: a machine that speeds up or slows down
                    // over the run (the 2-core VM does, by ±20 %) then favours neither side of the median.
                    var floor = round % 2 == 1 ? await DriveAsync(new Uri(minimal.Url), events, "m" + round) : null;
                    // The deliveries of the stored forwards run beside the way in (and on through the next minimal round):
                    // how many the host round saw delivered tells whether they kept up, and so what its CPU column holds.
                    var (_, deliveredBefore, _) = outbox.Counts();
                    var roundStarted = Stopwatch.GetTimestamp();
                    var measured = await DriveAsync(new Uri(host.Urls.First()), events, "h" + round);
                    var (pending, deliveredAfter, _) = outbox.Counts();
                    var deliveredRate = (deliveredAfter - deliveredBefore) / Stopwatch.GetElapsedTime(roundStarted).TotalSeconds;
                    floor ??= await DriveAsync(new Uri(minimal.Url), events, "m" + round);

                    ratios.Add(measured.Rate / floor.Rate);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {round} | {floor.Rate:N0} | {measured.Rate:N0} | {measured.Rate / floor.Rate:F2} | {measured.P50:F2} | {measured.P99:F2} | {floor.Errors + measured.Errors} | {floor.CpuPerEvent:N0} | {measured.CpuPerEvent:N0} | {floor.AllocatedPerEvent / 1024:F1} | {measured.AllocatedPerEvent / 1024:F1} | {deliveredRate:N0} | {pending:N0} |"));
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median host / minimal: {ratios.Order().ElementAt(Rounds / 2):F2}"));
                await DrainAsync(outbox);
                return 0;
            }
            finally
            {
                await host.StopAsync();
                await host.DisposeAsync();
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// What a delivered forward costs: no more requests, the backlog's deliveries alone for <see cref="Duration"/> (the
    /// process's CPU over the forwards delivered meanwhile; a backlog drained early adds idle time, not CPU).
    /// </summary>
    private static async Task DrainAsync(OutboxStore outbox)
    {
        var (pendingBefore, deliveredBefore, _) = outbox.Counts();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        await Task.Delay(Duration);
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var (pendingAfter, deliveredAfter, _) = outbox.Counts();
        var delivered = deliveredAfter - deliveredBefore;
        var perForward = delivered > 0 ? (cpu.TotalMicroseconds / delivered).ToString("N0", CultureInfo.InvariantCulture) : "- (nothing left to deliver)";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"drain ({Duration.TotalSeconds:0} s, no requests): {delivered / Duration.TotalSeconds:N0} forwards delivered/s, {perForward} CPU µs per forward delivered, pending {pendingBefore:N0} -> {pendingAfter:N0}"));
    }

    /// <summary>The workload's patterns as policies, each forwarding the event to one file target (an outbox row per match), or to the log.</summary>
    private static async Task<string> WritePoliciesAsync(string root, IReadOnlyList<string> patterns, string target)
    {
        var policies = Path.Combine(root, "policies");
        await Workload.WritePoliciesAsync(policies, target, patterns);

        await File.WriteAllTextAsync(Path.Combine(policies, "archive.yaml"), $$"""
            apiVersion: openevent.rules/v1
            kind: Target
            metadata: { name: archive }
            spec: { type: file, path: archive.jsonl }
            """);
        return policies;
    }

    private static async Task<WebApplication> StartHostAsync(string root, string policies, string synchronous)
    {
        var app = RulesHost.Build([
            "--urls", "http://127.0.0.1:0",
            "--OpenEventRules:PoliciesPath", policies,
            "--OpenEventRules:DataDirectory", Path.Combine(root, "data"),
            // Beside the policy folder, not above it: the host refuses a file-target folder that holds its policies.
            "--OpenEventRules:Actions:File:Directory", Path.Combine(root, "targets"),
            "--OpenEventRules:Outbox:Path", Path.Combine(root, "data", "outbox.db"),
            "--OpenEventRules:Outbox:Synchronous", synchronous,
            "--OpenEventRules:DecisionLog:Path", Path.Combine(root, "decisions.jsonl"),
            "--OpenEventRules:Auth:Token", Token,
            // One delivery in flight: the forwards are delivered (a file append and fsync each) behind the measurement
            // instead of competing with it; what is measured is the way in, up to the actions stored.
            "--OpenEventRules:Outbox:Concurrency", "1",
            "--OpenEventRules:Reload:Watch", "false",
            "--Logging:LogLevel:Default", "Warning",
            "--Logging:LogLevel:OpenEvent.Rules.Host", "Error", // the generated policies draw catalog warnings
            // OER_BENCH_HOST_ARGS: more settings for an experiment ("--OpenEventRules:DecisionLog:IncludeEvent false ...").
            .. (Environment.GetEnvironmentVariable("OER_BENCH_HOST_ARGS") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries),
        ]);
        await app.StartAsync();
        return app;
    }

    /// <param name="CpuPerEvent">
    /// The process's CPU time (all threads: clients, server, the host's writers and deliveries) per event sent, in µs: less
    /// sensitive than the rates to the other work on a shared machine.
    /// </param>
    /// <param name="AllocatedPerEvent">Bytes allocated by the process (all threads, the clients' included) per event sent.</param>
    private sealed record Result(double Rate, double P50, double P99, long Errors, double CpuPerEvent, double AllocatedPerEvent);

    /// <summary>Warm-up, then the measured period: <see cref="Clients"/> closed-loop clients on keep-alive connections.</summary>
    private static async Task<Result> DriveAsync(Uri address, List<byte[]> events, string run)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Clients, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) };
        using var client = new HttpClient(handler) { BaseAddress = address };
        await LoopAsync(client, events, run + "w", Warmup, null);
        var latencies = new List<double>[Clients];
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: false);
        var (sent, errors, elapsed) = await LoopAsync(client, events, run, Duration, latencies);
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        allocated = GC.GetTotalAllocatedBytes(precise: false) - allocated;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        double Percentile(double p) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)(p * all.Length))];
        return new Result(sent / elapsed.TotalSeconds, Percentile(0.50), Percentile(0.99), errors, cpu.TotalMicroseconds / Math.Max(sent, 1), (double)allocated / Math.Max(sent, 1));
    }

    private static async Task WarmUpAsync(Uri address, List<byte[]> events, TimeSpan duration)
    {
        using var client = new HttpClient { BaseAddress = address };
        await LoopAsync(client, events, "warm" + address.Port.ToString(CultureInfo.InvariantCulture), duration, null);
    }

    private static async Task<(long Sent, long Errors, TimeSpan Elapsed)> LoopAsync(HttpClient client, List<byte[]> events, string run, TimeSpan duration, List<double>[]? latencies,
        List<double>[]? matchedLatencies = null)
    {
        long sent = 0;
        long errors = 0;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(async c =>
        {
            var mine = latencies is null ? null : latencies[c] = [];
            var mineMatched = matchedLatencies is null ? null : matchedLatencies[c] = [];
            for (var i = 0; stopwatch.Elapsed < duration; i++)
            {
                using var content = new ByteArrayContent(WithId(events[(c + i * Clients) % events.Count], $"{run}-{c}-{i}"));
                content.Headers.ContentType = new MediaTypeHeaderValue("application/cloudevents+json");
                using var request = new HttpRequestMessage(HttpMethod.Post, "/events") { Content = content };
                request.Headers.Add("x-eventbridge-signature-token", Token);
                var started = Stopwatch.GetTimestamp();
                using var response = await client.SendAsync(request);
                var took = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                // The profile mode tells the events that matched (their forwards were stored before the answer) from the rest.
                var matched = mineMatched is not null && (await response.Content.ReadAsByteArrayAsync()).AsSpan().IndexOf("\"matched\":[]"u8) < 0;
                (matched ? mineMatched : mine)?.Add(took);
                Interlocked.Increment(ref sent);
                if (response.StatusCode != System.Net.HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }));
        return (sent, errors, stopwatch.Elapsed);
    }

    /// <summary>
    /// The event with a fresh id (the outbox skips keys it has stored, so a repeated id would store nothing): the
    /// workload writes the id, a GUID, as the second member; it is overwritten in place with a same-length id.
    /// </summary>
    private static byte[] WithId(byte[] cloudEvent, string id)
    {
        var copy = (byte[])cloudEvent.Clone();
        var start = cloudEvent.AsSpan().IndexOf("\"id\":\""u8) + 6;
        var padded = id.PadRight(36, '0');
        Encoding.ASCII.GetBytes(padded, copy.AsSpan(start, 36));
        return copy;
    }

    /// <summary>The floor: Kestrel with a minimal API that reads the whole body and answers 200 with a small JSON body.</summary>
    private sealed class MinimalEndpoint : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private MinimalEndpoint(WebApplication app) => _app = app;

        public string Url => _app.Urls.First();

        public static async Task<MinimalEndpoint> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            app.MapPost("/events", async (HttpContext context) =>
            {
                // Pooled, as the floor should not pay for a fresh 16 KB per request (it doubled its GCs before).
                var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
                try
                {
                    while (await context.Request.Body.ReadAsync(buffer, context.RequestAborted) > 0)
                    {
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }

                context.Response.StatusCode = StatusCodes.Status200OK;
                context.Response.ContentType = "application/json";
                await context.Response.Body.WriteAsync("{\"accepted\":1}"u8.ToArray(), context.RequestAborted);
            });
            await app.StartAsync();
            return new MinimalEndpoint(app);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
