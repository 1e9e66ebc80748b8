using System.Net;
using System.Text.Json;
using OpenEvent.Rules.Host.Actions;
using OpenEvent.Rules.Host.Tests.Endpoints;
using static OpenEvent.Rules.Host.Tests.Actions.ActionHarness;

namespace OpenEvent.Rules.Host.Tests.Actions;

/// <summary>
/// The whole path against real local servers: POST /events → decision → outbox → DataWorks stand-in (signature
/// verified), webhook receivers and targets. Every assertion waits for the outbox to drain, then counts.
/// </summary>
public sealed class ActionDeliveryTests
{
    private const string AccessKeyId = "LTAItestkey";
    private const string AccessKeySecret = "test-secret-for-the-stand-in";

    private static string Policies(string hookUrl, string auditUrl, string filePath) => $$$"""
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: deploy-freeze }
        spec:
          priority: 100
          match:
            type: ["dataworks:FileChange:DeployFile"]
            data: { fileName: [{ prefix: "dws_" }] }
          actions:
            - block: { reason: "Deploying {{ data.fileName }} is frozen" }
            - notify: { channel: hook, message: "blocked deploy of {{ data.fileName }}" }
            - forward: { target: audit }
            - forward: { target: sink }
        ---
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: deploy-review }
        spec:
          priority: 50
          match:
            type: ["dataworks:FileChange:DeployFile"]
            data: { fileName: [{ prefix: "dws_" }] }
          actions:
            - warn: { reason: "dws tables need a review" }
        ---
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: undeploy-warn }
        spec:
          match:
            type: ["dataworks:NodeChange:UndeployNode"]
          actions:
            - warn: { reason: "undeploying node {{ data.nodeIds }}" }
        ---
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: download-limit }
        spec:
          match:
            type: ["dataworks:ResourcesDownload:DownloadResources"]
          actions:
            - block: { reason: "downloads are closed" }
        ---
        apiVersion: openevent.rules/v1
        kind: Channel
        metadata: { name: hook }
        spec: { type: webhook, url: "{{{hookUrl}}}" }
        ---
        apiVersion: openevent.rules/v1
        kind: Target
        metadata: { name: audit }
        spec: { type: http, url: "{{{auditUrl}}}", headers: { X-Source: { value: oer } } }
        ---
        apiVersion: openevent.rules/v1
        kind: Target
        metadata: { name: sink }
        spec: { type: file, path: "{{{filePath}}}" }
        """;

    private sealed class Setup : IAsyncDisposable
    {
        public required DataWorksStandIn DataWorks { get; init; }
        public required StandInServer Hook { get; init; }
        public required StandInServer Audit { get; init; }
        public required RunningHost Host { get; init; }
        public required string FilePath { get; init; }

        public static async Task<Setup> StartAsync(params string[] settings)
        {
            var dataWorks = await DataWorksStandIn.StartAsync(AccessKeyId, AccessKeySecret);
            var hook = await StandInServer.StartAsync();
            var audit = await StandInServer.StartAsync();
            var folder = Path.Combine(Path.GetTempPath(), "oer-sink-" + Guid.NewGuid().ToString("N"));
            var file = Path.Combine(folder, "sink", "events.jsonl");
            var host = await ActionHarness.StartAsync(Policies(hook.Url("/hook"), audit.Url("/audit"), "sink/events.jsonl"),
                [.. DataWorksSettings(dataWorks, AccessKeyId, AccessKeySecret), "--OpenEventRules:Actions:File:Directory", folder, .. settings]);
            return new Setup { DataWorks = dataWorks, Hook = hook, Audit = audit, Host = host, FilePath = file };
        }

        public async ValueTask DisposeAsync()
        {
            await Host.DisposeAsync();
            await DataWorks.DisposeAsync();
            await Hook.DisposeAsync();
            await Audit.DisposeAsync();
            var folder = Path.GetDirectoryName(Path.GetDirectoryName(FilePath))!;
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [Fact]
    public async Task BlockedDeploy_OneSignedFailAnswerAndEachActionOnce_EvenWhenRedelivered()
    {
        await using var setup = await Setup.StartAsync();
        var id = NewId("block");

        for (var i = 0; i < 2; i++)
        {
            using var response = await setup.Host.PostAsync("/events", HostEndpointTests.DeployEvent(id, "dws_orders"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("\"verdict\":\"FAIL\"", await response.Content.ReadAsStringAsync());
        }

        await WaitUntilAsync(() => !setup.DataWorks.Answers.IsEmpty && setup.Hook.Delivered.Any() && setup.Audit.Delivered.Any() && File.Exists(setup.FilePath), "the actions");
        await setup.Host.WaitForIdleAsync("the outbox to drain");
        // A redelivery after the actions were sent must not repeat them either.
        using (var again = await setup.Host.PostAsync("/events", HostEndpointTests.DeployEvent(id, "dws_orders")))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        await setup.Host.WaitForIdleAsync("the outbox to drain");

        var call = Assert.Single(setup.DataWorks.Answers);
        Assert.True(call.SignatureValid, call.SignatureError);
        Assert.Equal("UpdateIDEEventResult", call.Action);
        Assert.Equal("2020-05-18", call.Version);
        Assert.Equal(id, call.Parameters["MessageId"]);
        Assert.Equal(ExtensionCode, call.Parameters["ExtensionCode"]);
        Assert.Equal("FAIL", call.Parameters["CheckResult"]);
        Assert.Equal("[deploy-freeze] Deploying dws_orders is frozen; [deploy-review] warning: dws tables need a review", call.Parameters["CheckResultTip"]);

        var notification = Assert.Single(setup.Hook.Delivered);
        Assert.Equal($"{id}/deploy-freeze/1/notify:hook", notification.Header("Idempotency-Key"));
        using var body = JsonDocument.Parse(notification.Body);
        Assert.Equal("deploy-freeze", body.RootElement.GetProperty("policy").GetString());
        Assert.Equal(id, body.RootElement.GetProperty("eventId").GetString());
        Assert.Equal("dataworks:FileChange:DeployFile", body.RootElement.GetProperty("eventType").GetString());
        Assert.Equal("blocked deploy of dws_orders", body.RootElement.GetProperty("message").GetString());

        var forwarded = Assert.Single(setup.Audit.Delivered);
        Assert.StartsWith("application/cloudevents+json", forwarded.Header("Content-Type"));
        Assert.Equal("oer", forwarded.Header("X-Source"));
        Assert.Equal($"{id}/deploy-freeze/2/forward:audit", forwarded.Header("Idempotency-Key"));
        Assert.Equal(id, JsonDocument.Parse(forwarded.Body).RootElement.GetProperty("id").GetString());

        var line = Assert.Single(File.ReadAllLines(setup.FilePath));
        Assert.Equal(id, JsonDocument.Parse(line).RootElement.GetProperty("id").GetString());
        Assert.Equal((0L, 4L, 0L), setup.Host.Outbox().Counts());
        using var status = JsonDocument.Parse(await setup.Host.Client.GetStringAsync("/outbox"));
        Assert.Equal(4, status.RootElement.GetProperty("delivered").GetInt64());
        Assert.Equal(0, status.RootElement.GetProperty("pending").GetInt64());
        Assert.Equal(setup.Host.OutboxPath, status.RootElement.GetProperty("path").GetString());
    }

    [Fact]
    public async Task PassingDeploy_AnswersOkWithoutTip()
    {
        await using var setup = await Setup.StartAsync();
        var id = NewId("pass");

        using var response = await setup.Host.PostAsync("/events", HostEndpointTests.DeployEvent(id, "ods_orders"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await WaitUntilAsync(() => !setup.DataWorks.Answers.IsEmpty, "the OK answer");
        await setup.Host.WaitForIdleAsync("the outbox to drain");
        var call = Assert.Single(setup.DataWorks.Answers);
        Assert.True(call.SignatureValid, call.SignatureError);
        Assert.Equal(("UpdateIDEEventResult", id, "OK"), (call.Action, call.Parameters["MessageId"], call.Parameters["CheckResult"]));
        Assert.False(call.Parameters.ContainsKey("CheckResultTip"));
        Assert.Empty(setup.Hook.Requests);
    }

    [Fact]
    public async Task OperationCenterAndGenericEvents_UseTheirApis()
    {
        await using var setup = await Setup.StartAsync();
        var undeploy = NewId("undeploy");
        var download = NewId("download");

        (await setup.Host.PostAsync("/events", Sample("NodeChange-UndeployNode.json", undeploy))).EnsureSuccessStatusCode();
        (await setup.Host.PostAsync("/events", Sample("ResourcesDownload-DownloadResources.json", download))).EnsureSuccessStatusCode();

        await WaitUntilAsync(() => setup.DataWorks.Answers.Count >= 2, "two answers");
        await setup.Host.WaitForIdleAsync("the outbox to drain");
        var calls = setup.DataWorks.Answers.ToDictionary(c => c.Parameters["MessageId"]);
        Assert.All(calls.Values, c => Assert.True(c.SignatureValid, c.SignatureError));
        // Operation Center knows only OK and FAIL: a warning passes, with its tip.
        Assert.Equal("UpdateWorkbenchEventResult", calls[undeploy].Action);
        Assert.Equal("OK", calls[undeploy].Parameters["CheckResult"]);
        Assert.Equal("[undeploy-warn] warning: undeploying node [700012003]", calls[undeploy].Parameters["CheckResultTip"]);
        Assert.Equal("CallbackExtension", calls[download].Action);
        Assert.Equal("FAIL", calls[download].Parameters["CheckResult"]);
        Assert.Equal("[download-limit] downloads are closed", calls[download].Parameters["CheckMessage"]);
    }

    [Fact]
    public async Task SignatureV2_IsAcceptedByTheStandIn()
    {
        await using var setup = await Setup.StartAsync("--OpenEventRules:DataWorks:SignatureVersion", "V2");
        var id = NewId("v2");

        (await setup.Host.PostAsync("/events", HostEndpointTests.DeployEvent(id, "dws_v2"))).EnsureSuccessStatusCode();

        await WaitUntilAsync(() => !setup.DataWorks.Answers.IsEmpty, "the answer");
        await setup.Host.WaitForIdleAsync("the outbox to drain");
        var call = Assert.Single(setup.DataWorks.Answers);
        Assert.True(call.SignatureValid, call.SignatureError);
        Assert.Equal(("UpdateIDEEventResult", "FAIL", "HMAC-SHA1"), (call.Action, call.Parameters["CheckResult"], call.Parameters["SignatureMethod"]));
    }

    [Fact]
    public async Task WrongSecret_AnswerIsDeadLetteredWithTheApiError()
    {
        await using var dataWorks = await DataWorksStandIn.StartAsync(AccessKeyId, AccessKeySecret);
        await using var host = await ActionHarness.StartAsync(Policies("http://127.0.0.1:9/hook", "http://127.0.0.1:9/audit", "unused.jsonl"),
            DataWorksSettings(dataWorks, AccessKeyId, "not-the-secret"));
        var id = NewId("badsig");

        (await host.PostAsync("/events", HostEndpointTests.DeployEvent(id, "ods_ok"))).EnsureSuccessStatusCode();

        await WaitUntilAsync(() => host.Outbox().Counts().Dead == 1, "the answer to be dead-lettered");
        var dead = Assert.Single(host.Outbox().List(OutboxStore.Dead, 10));
        Assert.Equal($"{id}/dataworks-callback", dead.Key);
        Assert.Equal(1, dead.Attempts);
        Assert.Equal("HTTP 400 SignatureDoesNotMatch: signature mismatch", dead.LastError);
    }

    [Fact]
    public async Task DataWorksDown_AnswerRetriedUntilTheDeadlineWhateverMaxAttempts()
    {
        await using var setup = await Setup.StartAsync("--OpenEventRules:DataWorks:Deadline", "00:00:01", "--OpenEventRules:Outbox:MaxAttempts", "1");
        setup.DataWorks.Mode = ReceiverMode.AlwaysFail;
        var id = NewId("deadline");

        (await setup.Host.PostAsync("/events", HostEndpointTests.DeployEvent(id, "ods_late"))).EnsureSuccessStatusCode();

        await WaitUntilAsync(() => setup.Host.Outbox().Counts().Dead == 1, "the answer to be dead-lettered");
        var dead = Assert.Single(setup.Host.Outbox().List(OutboxStore.Dead, 10));
        Assert.Equal($"{id}/dataworks-callback", dead.Key);
        Assert.True(dead.Attempts > 1, $"{dead.Attempts} attempts");
        Assert.StartsWith("HTTP 500", dead.LastError);
    }

    /// <summary>
    /// A receiver that answers 500 and then streams its body forever: the host reads the start of it (64 KiB), takes the
    /// status, and goes on; it neither holds the whole body in memory nor waits for the timeout to end the read.
    /// </summary>
    [Fact]
    public async Task EndlessErrorBody_OnlyItsStartIsRead_TheStatusDecides()
    {
        await using var setup = await Setup.StartAsync("--OpenEventRules:DataWorks:Deadline", "00:00:01", "--OpenEventRules:Outbox:MaxAttempts", "1",
            "--OpenEventRules:Actions:Timeout", "00:00:30", "--OpenEventRules:Outbox:LeaseDuration", "00:01:00");
        setup.DataWorks.Respond = async context =>
        {
            context.Response.StatusCode = 500;
            var chunk = new byte[16 * 1024];
            Array.Fill(chunk, (byte)'x');
            while (!context.RequestAborted.IsCancellationRequested)
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
            }
        };

        (await setup.Host.PostAsync("/events", HostEndpointTests.DeployEvent(NewId("endless"), "ods_endless"))).EnsureSuccessStatusCode();

        await WaitUntilAsync(() => setup.Host.Outbox().Counts().Dead == 1, "the answer to be dead-lettered on its status, not after a 30 s read");
        var dead = Assert.Single(setup.Host.Outbox().List(OutboxStore.Dead, 10));
        Assert.StartsWith("HTTP 500: xxxx", dead.LastError);
        Assert.True(dead.LastError!.Length < 400, dead.LastError.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// A receiver controls where its error text is cut: a secret it echoes just before the cut must be masked whole, not
    /// cut first and then no longer recognized (285 characters of padding left the first 15 of the secret).
    /// </summary>
    [Fact]
    public async Task SecretEchoedAtTheCut_MaskedWhole()
    {
        await using var setup = await Setup.StartAsync("--OpenEventRules:DataWorks:Deadline", "00:00:01", "--OpenEventRules:Outbox:MaxAttempts", "1");
        setup.DataWorks.Respond = async context =>
        {
            context.Response.StatusCode = 500;
            await Microsoft.AspNetCore.Http.HttpResponseWritingExtensions.WriteAsync(context.Response, new string('p', 285) + AccessKeySecret + " " + AccessKeyId);
        };

        (await setup.Host.PostAsync("/events", HostEndpointTests.DeployEvent(NewId("straddle"), "ods_straddle"))).EnsureSuccessStatusCode();

        await WaitUntilAsync(() => setup.Host.Outbox().Counts().Dead == 1, "the answer to be dead-lettered");
        var dead = Assert.Single(setup.Host.Outbox().List(OutboxStore.Dead, 10));
        Assert.DoesNotContain(AccessKeySecret[..6], dead.LastError, StringComparison.Ordinal);
        Assert.Contains("***", dead.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoExtensionCode_ExtensionEventsAreNotAnswered()
    {
        await using var host = await ActionHarness.StartAsync(Policies("http://127.0.0.1:9/hook", "http://127.0.0.1:9/audit", "unused.jsonl"));

        (await host.PostAsync("/events", HostEndpointTests.DeployEvent(NewId("noext"), "ods_ok"))).EnsureSuccessStatusCode();

        Assert.Equal((0L, 0L, 0L), host.Outbox().Counts());
    }
}
