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

        using (var first = await StartHostAsync(folder, outbox, dataWorks))
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
        using (var second = await StartHostAsync(folder, outbox, dataWorks))
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

    private static Task<HostProcess> StartHostAsync(TempFolder folder, string outbox, StandInServer dataWorks) => HostProcess.StartAsync(
        folder.Path("policies"),
        [
            "--OpenEventRules:DecisionLog:Path", folder.Path("decisions.jsonl"),
            "--OpenEventRules:Outbox:Path", outbox,
            "--OpenEventRules:DataWorks:ExtensionCode", ExtensionCode,
            "--OpenEventRules:DataWorks:Endpoint", dataWorks.BaseAddress.ToString(),
            .. FastOutbox,
            "--OpenEventRules:Outbox:MaxAttempts", "1000",
        ],
        new Dictionary<string, string> { ["ALIBABA_CLOUD_ACCESS_KEY_ID"] = AccessKeyId, ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = AccessKeySecret });
}
