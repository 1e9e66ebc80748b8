using System.Diagnostics;
using System.Net;
using OpenEvent.Rules.Host.Actions;
using OpenEvent.Rules.Host.Tests.Endpoints;
using static OpenEvent.Rules.Host.Tests.Actions.ActionHarness;

namespace OpenEvent.Rules.Host.Tests.Actions;

/// <summary>
/// The host as a separate process, killed with SIGKILL while deliveries hang and answers fail, then started again
/// on the same outbox: every action is delivered, once per idempotency key, none lost.
/// </summary>
public sealed class CrashRecoveryTests
{
    private const string AccessKeyId = "LTAIcrash";
    private const string AccessKeySecret = "crash-secret";

    [Fact]
    public async Task SigkillMidDelivery_RestartDeliversEveryActionExactlyOnce()
    {
        using var folder = new TempFolder();
        await using var hook = await StandInServer.StartAsync();
        await using var dataWorks = await DataWorksStandIn.StartAsync(AccessKeyId, AccessKeySecret);
        hook.Mode = ReceiverMode.Hang;
        dataWorks.Mode = ReceiverMode.AlwaysFail;
        folder.Write("policies/policies.yaml", $$$"""
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: deploy-freeze }
            spec:
              match:
                type: ["dataworks:FileChange:DeployFile"]
                data: { fileName: [{ prefix: "dws_" }] }
              actions:
                - block: { reason: "Deploying {{ data.fileName }} is frozen" }
                - notify: { channel: hook, message: "blocked {{ data.fileName }} ({{ id }})" }
            ---
            apiVersion: openevent.rules/v1
            kind: Channel
            metadata: { name: hook }
            spec: { type: webhook, url: "{{{hook.Url("/hook")}}}" }
            """);
        var outbox = folder.Path("data", "outbox.db");

        var blocked = Enumerable.Range(0, 4).Select(i => NewId($"kill-block{i}")).ToList();
        var passing = Enumerable.Range(0, 3).Select(i => NewId($"kill-pass{i}")).ToList();
        var expected = blocked.SelectMany(id => new[] { $"{id}/deploy-freeze/1/notify:hook", $"{id}/dataworks-callback" })
            .Concat(passing.Select(id => $"{id}/dataworks-callback"))
            .Order(StringComparer.Ordinal)
            .ToList();

        using (var first = await HostProcess.StartAsync(folder, outbox, dataWorks))
        {
            foreach (var id in blocked)
            {
                using var response = await first.Client.PostAsync("/events", Content(HostEndpointTests.DeployEvent(id, "dws_" + id)));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            foreach (var id in passing)
            {
                using var response = await first.Client.PostAsync("/events", Content(HostEndpointTests.DeployEvent(id, "ods_" + id)));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            // Deliveries are under way: the webhook holds its requests open, DataWorks refuses the answers.
            await WaitUntilAsync(() => hook.Calls >= 1 && dataWorks.Calls >= 1, "deliveries to be in flight");
            first.Kill();
        }

        Assert.Empty(hook.Delivered);
        Assert.Empty(dataWorks.Delivered);
        var store = new OutboxStore(outbox);
        Assert.Equal(expected.Count, store.Counts().Pending);

        hook.Mode = ReceiverMode.Succeed;
        dataWorks.Mode = ReceiverMode.Succeed;
        using (var second = await HostProcess.StartAsync(folder, outbox, dataWorks))
        {
            await WaitUntilAsync(() => store.Counts().Pending == 0, "the restarted host to deliver the outbox");
            second.Kill();
        }

        var delivered = hook.Delivered.Concat(dataWorks.Delivered).Select(r => r.Header("Idempotency-Key")!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, delivered);
        Assert.All(dataWorks.Answers.Where(a => a.SignatureValid), a => Assert.Equal(ExtensionCode, a.Parameters["ExtensionCode"]));
        Assert.Equal(passing.Count, dataWorks.Answers.Count(a => a.Parameters["CheckResult"] == "OK"));
        Assert.Equal(blocked.Count, dataWorks.Answers.Count(a => a.Parameters["CheckResult"] == "FAIL"));
        Assert.Equal((0L, (long)expected.Count, 0L), store.Counts());
    }

    private static StringContent Content(string json) => new(json, System.Text.Encoding.UTF8, "application/cloudevents+json");

    /// <summary>The host executable in its own process, so that it can be killed like a crashed server.</summary>
    private sealed class HostProcess : IDisposable
    {
        private readonly Process _process;

        private HostProcess(Process process, HttpClient client)
        {
            _process = process;
            Client = client;
        }

        public HttpClient Client { get; }

        public static async Task<HostProcess> StartAsync(TempFolder folder, string outbox, StandInServer dataWorks)
        {
            using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var argument in (string[])[
                Path.Combine(AppContext.BaseDirectory, "OpenEvent.Rules.Host.dll"),
                "--urls", $"http://127.0.0.1:{port}",
                "--OpenEventRules:PoliciesPath", folder.Path("policies"),
                "--OpenEventRules:Reload:Watch", "false",
                "--OpenEventRules:DecisionLog:Path", folder.Path("decisions.jsonl"),
                "--OpenEventRules:Outbox:Path", outbox,
                "--OpenEventRules:DataWorks:ExtensionCode", ExtensionCode,
                "--OpenEventRules:DataWorks:Endpoint", dataWorks.BaseAddress.ToString(),
                .. FastOutbox,
                "--OpenEventRules:Outbox:MaxAttempts", "1000",
            ])
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["ALIBABA_CLOUD_ACCESS_KEY_ID"] = AccessKeyId;
            start.Environment["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = AccessKeySecret;
            var process = Process.Start(start)!;
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

        /// <summary>SIGKILL: no shutdown code runs, leases and in-flight requests are left as they are.</summary>
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
}
