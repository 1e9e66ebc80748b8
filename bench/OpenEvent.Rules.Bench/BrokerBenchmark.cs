using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpenEvent.Rules.Host;
using OpenEvent.Rules.Host.Tests.Broker;
using RabbitMQ.Client;

namespace OpenEvent.Rules.Bench;

/// <summary>
/// End to end, in one run: an event in, its notification delivered to a local webhook receiver, at 1,000 policies.
/// Three set-ups: HTTP ingest on one host with the SQLite outbox; events from the RabbitMQ queue with 1 host; the same
/// with 2 hosts (in this process: they share its cores). A private RabbitMQ node is started for the run (as the broker
/// tests do). <see cref="Clients"/> closed-loop clients each send an event and wait for its notification before the
/// next; latency is from sending (POST, or the publish) to the notification reaching the receiver.
/// </summary>
internal static class BrokerBenchmark
{
    private const int Clients = 64;
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(string[] args)
    {
        var policyCount = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
        await using var receiver = await Receiver.StartAsync();
        var root = Directory.CreateTempSubdirectory("oer-broker-bench-").FullName;
        await using var node = new RabbitNode();
        try
        {
            var policies = await WritePoliciesAsync(root, policyCount, receiver.Url);
            await node.InitializeAsync();
            Console.WriteLine($"{Environment.ProcessorCount} cores; {policyCount:N0} policies; {Clients} closed-loop clients; {Warmup.TotalSeconds:0} s warm-up, {Duration.TotalSeconds:0} s measured");
            Console.WriteLine("| ingest | outbox | hosts | events/s | p50 (ms) | p99 (ms) | errors |");
            Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
            Console.WriteLine(await RunSqliteAsync(root, policies, receiver, "Full"));
            Console.WriteLine(await RunSqliteAsync(root, policies, receiver, "Normal"));
            Console.WriteLine(await RunBrokerAsync(root, policies, receiver, node, hosts: 1));
            Console.WriteLine(await RunBrokerAsync(root, policies, receiver, node, hosts: 2));
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<string> RunSqliteAsync(string root, string policies, Receiver receiver, string synchronous)
    {
        var app = await StartHostAsync(root, policies, "sqlite-" + synchronous, ["--OpenEventRules:Outbox:Synchronous", synchronous]);
        try
        {
            var workload = Workload.Create(1).Events(512);
            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Clients };
            using var client = new HttpClient(handler) { BaseAddress = new Uri(app.Urls.First()) };
            async Task<bool> SendAsync(byte[] body)
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/cloudevents+json");
                using var response = await client.PostAsync("/events", content);
                return response.IsSuccessStatusCode;
            }

            return Row("HTTP POST /events", $"SQLite (synchronous={synchronous})", 1, await DriveAsync(receiver, workload, "sqlite-" + synchronous, SendAsync));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static async Task<string> RunBrokerAsync(string root, string policies, Receiver receiver, RabbitNode node, int hosts)
    {
        var prefix = $"bench{hosts}";
        string[] broker = ["--OpenEventRules:Broker:Uri", node.Uri, "--OpenEventRules:Broker:QueuePrefix", prefix, "--OpenEventRules:Broker:EventsQueue", prefix + ".events"];
        var apps = new List<Microsoft.AspNetCore.Builder.WebApplication>();
        for (var i = 0; i < hosts; i++)
        {
            apps.Add(await StartHostAsync(root, policies, $"{prefix}-{i}", broker));
        }

        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(apps[0].Urls.First()) };
            while (!(await http.GetAsync("/readyz")).IsSuccessStatusCode)
            {
                await Task.Delay(100);
            }

            await using var connection = await new ConnectionFactory { Uri = new Uri(node.Uri) }.CreateConnectionAsync();
            var channels = new ConcurrentBag<IChannel>();
            async Task<bool> SendAsync(byte[] body)
            {
                if (!channels.TryTake(out var channel))
                {
                    channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
                }

                await channel.BasicPublishAsync("", prefix + ".events", mandatory: true, new BasicProperties { Persistent = true }, body);
                channels.Add(channel);
                return true;
            }

            var workload = Workload.Create(1).Events(512);
            return Row("RabbitMQ queue", "RabbitMQ", hosts, await DriveAsync(receiver, workload, prefix, SendAsync));
        }
        finally
        {
            foreach (var app in apps)
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
    }

    private static async Task<Microsoft.AspNetCore.Builder.WebApplication> StartHostAsync(string root, string policies, string name, string[] settings)
    {
        var app = RulesHost.Build([
            "--urls", "http://127.0.0.1:0",
            "--OpenEventRules:PoliciesPath", policies,
            "--OpenEventRules:DataDirectory", Path.Combine(root, name),
            "--OpenEventRules:Reload:Watch", "false",
            "--OpenEventRules:Actions:RateLimitPerMinute", "0",
            "--OpenEventRules:Actions:DedupWindow", "00:00:00",
            "--OpenEventRules:Outbox:Concurrency", "32",
            "--Logging:LogLevel:Default", "Warning",
            "--Logging:LogLevel:OpenEvent.Rules.Host", "Error",
            .. settings,
        ]);
        await app.StartAsync();
        return app;
    }

    /// <summary>The workload's patterns as policies (forwarding to the log), and one policy that notifies the receiver of every event.</summary>
    private static async Task<string> WritePoliciesAsync(string root, int count, string url)
    {
        var policies = Path.Combine(root, "policies");
        await Workload.Create(count).WritePoliciesAsync(policies, "log");

        await File.WriteAllTextAsync(Path.Combine(policies, "every-event.yaml"), $$$"""
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: every-event }
            spec:
              match: { source: ["acs.dataworks"] }
              actions: [ { notify: { channel: receiver, message: "{{ id }}" } } ]
            ---
            apiVersion: openevent.rules/v1
            kind: Channel
            metadata: { name: receiver }
            spec: { type: webhook, url: "{{{url}}}" }
            """);
        return policies;
    }

    /// <summary>Closed loop: each client sends an event with a fresh id and waits for its notification (30 s at most).</summary>
    private static async Task<(long Done, long Errors, TimeSpan Elapsed, double[] Latencies)> DriveAsync(Receiver receiver, List<byte[]> workload, string run, Func<byte[], Task<bool>> send)
    {
        await LoopAsync(Warmup, null);
        var latencies = new ConcurrentBag<double>();
        return await LoopAsync(Duration, latencies);

        async Task<(long, long, TimeSpan, double[])> LoopAsync(TimeSpan duration, ConcurrentBag<double>? record)
        {
            long done = 0;
            long errors = 0;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, Clients).Select(async c =>
            {
                for (var i = 0; clock.Elapsed < duration; i++)
                {
                    var id = $"{run}-{(record is null ? "w" : "m")}-{c}-{i}";
                    var body = WithId(workload[(c + i) % workload.Count], id);
                    var arrived = receiver.Expect(id);
                    var started = Stopwatch.GetTimestamp();
                    if (!await send(body) || await Task.WhenAny(arrived, Task.Delay(TimeSpan.FromSeconds(30))) != arrived)
                    {
                        Interlocked.Increment(ref errors);
                        continue;
                    }

                    record?.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    Interlocked.Increment(ref done);
                }
            }));
            return (done, errors, clock.Elapsed, record?.Order().ToArray() ?? []);
        }
    }

    private static byte[] WithId(byte[] cloudEvent, string id)
    {
        var original = JsonDocument.Parse(cloudEvent).RootElement.GetProperty("id").GetString()!;
        return Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(cloudEvent).Replace($"\"id\":\"{original}\"", $"\"id\":\"{id}\"", StringComparison.Ordinal));
    }

    private static string Row(string ingest, string outbox, int hosts, (long Done, long Errors, TimeSpan Elapsed, double[] Latencies) result)
    {
        double Percentile(double p) => result.Latencies.Length == 0 ? 0 : result.Latencies[Math.Min(result.Latencies.Length - 1, (int)(p * result.Latencies.Length))];
        return string.Create(CultureInfo.InvariantCulture,
            $"| {ingest} | {outbox} | {hosts} | {result.Done / result.Elapsed.TotalSeconds:N0} | {Percentile(0.50):F1} | {Percentile(0.99):F1} | {result.Errors} |");
    }

    /// <summary>The webhook receiver: completes the wait of the event whose id the notification carries.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiting = new(StringComparer.Ordinal);
        private readonly Microsoft.AspNetCore.Builder.WebApplication _app;

        private Receiver(Microsoft.AspNetCore.Builder.WebApplication app) => _app = app;

        public string Url => _app.Urls.First() + "/hook";

        public static async Task<Receiver> StartAsync()
        {
            var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var receiver = new Receiver(app);
            app.MapPost("/hook", async (HttpContext context) =>
            {
                using var document = await JsonDocument.ParseAsync(context.Request.Body);
                var id = document.RootElement.GetProperty("message").GetString()!;
                if (receiver._waiting.TryRemove(id, out var waiting))
                {
                    waiting.TrySetResult();
                }

                return Results.Ok();
            });
            await app.StartAsync();
            return receiver;
        }

        public Task Expect(string id) => _waiting.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
