using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using OpenEvent.Rules.Host.Actions;
using OpenEvent.Rules.Host.Tests.Actions;
using OpenEvent.Rules.Host.Tests.Endpoints;
using static OpenEvent.Rules.Host.Tests.Actions.ActionHarness;

namespace OpenEvent.Rules.Host.Tests.Ingestion;

/// <summary>
/// The answer to DataWorks arrives by its deadline whatever is slow: a condition that outlasts
/// DataWorks:AnswerWithin, an outbox locked by another writer, an outbox that refuses the actions. A real DataWorks
/// stand-in verifies the signed answers; bounds are generous (the machine is shared), never speed assertions.
/// </summary>
[Collection(AnswerDeadlineCollection.Name)]
public sealed class AnswerDeadlineTests
{
    private const string AccessKeyId = "LTAIdeadline";
    private const string AccessKeySecret = "deadline-secret-for-the-stand-in";

    // 31^5 (about 29 million) steps over the event type: a real condition that takes far longer than 100 ms.
    private const string SlowCondition = "e.Type.SelectMany(a => e.Type).SelectMany(a => e.Type).SelectMany(a => e.Type).SelectMany(a => e.Type).Count() > 0";

    private static string Policies(string? condition, string hookUrl) => $$$"""
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: deploy-freeze }
        spec:
          match:
            type: ["dataworks:FileChange:DeployFile"]
            data: { fileName: [{ prefix: "dws_" }] }
        {{{(condition is null ? "" : "  condition: " + condition)}}}
          actions:
            - block: { reason: "Deploying {{ data.fileName }} is frozen" }
            - notify: { channel: hook, message: "blocked deploy of {{ data.fileName }}" }
        ---
        apiVersion: openevent.rules/v1
        kind: Channel
        metadata: { name: hook }
        spec: { type: webhook, url: "{{{hookUrl}}}" }
        """;

    private sealed class Setup : IAsyncDisposable
    {
        public required DataWorksStandIn DataWorks { get; init; }

        public required StandInServer Hook { get; init; }

        public required RunningHost Host { get; init; }

        public static async Task<Setup> StartAsync(string? condition, params string[] settings)
        {
            var dataWorks = await DataWorksStandIn.StartAsync(AccessKeyId, AccessKeySecret);
            var hook = await StandInServer.StartAsync();
            var host = await ActionHarness.StartAsync(Policies(condition, hook.Url("/hook")), [.. DataWorksSettings(dataWorks, AccessKeyId, AccessKeySecret), .. settings]);
            return new Setup { DataWorks = dataWorks, Hook = hook, Host = host };
        }

        public async ValueTask DisposeAsync()
        {
            await Host.DisposeAsync();
            await DataWorks.DisposeAsync();
            await Hook.DisposeAsync();
        }
    }

    private static JsonElement DecisionLine(RunningHost host, string id, Func<JsonElement, bool> which) =>
        File.ReadLines(host.DecisionLogPath).Select(l => JsonDocument.Parse(l).RootElement)
            .Single(l => l.GetProperty("eventId").GetString() == id && which(l));

    private static bool HasLine(RunningHost host, string id, Func<JsonElement, bool> which) =>
        File.Exists(host.DecisionLogPath) && File.ReadLines(host.DecisionLogPath)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Any(l => l.GetProperty("eventId").GetString() == id && which(l));

    private static bool IsFallback(JsonElement line) => line.TryGetProperty("fallback", out _);

    [Fact]
    public async Task SlowCondition_AnsweredWithTheFailModeByTheDeadline_TheLateDecisionIsNotSentAgain()
    {
        await using var setup = await Setup.StartAsync(SlowCondition, "--OpenEventRules:DataWorks:AnswerWithin", "00:00:00.200",
            // Budgets raised so that the condition runs (31^5 steps) instead of stopping at the default step budget.
            "--OpenEventRules:Conditions:MaxSteps", "1000000000", "--OpenEventRules:Conditions:MaxBytes", "4294967296",
            "--OpenEventRules:Conditions:Timeout", "00:01:00");
        var (dataWorks, host) = (setup.DataWorks, setup.Host);
        var id = NewId("slow");
        var clock = Stopwatch.StartNew();

        using var response = await host.PostAsync("/events", HostEndpointTests.DeployEvent(id, "dws_orders"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("results")[0];
        Assert.Equal("WARN", result.GetProperty("verdict").GetString());
        Assert.Equal("deadline", result.GetProperty("fallback").GetString());
        await WaitUntilAsync(() => !dataWorks.Answers.IsEmpty, "the fallback answer");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"answered after {clock.Elapsed}");

        // The condition finishes later: its decision is logged as late and its forward is stored, its FAIL is not sent.
        await WaitUntilAsync(() => HasLine(host, id, l => l.TryGetProperty("late", out _)) && setup.Hook.Delivered.Any(), "the late decision and its notification");
        await host.WaitForIdleAsync("the outbox to drain");
        var call = Assert.Single(dataWorks.Answers);
        Assert.True(call.SignatureValid, call.SignatureError);
        Assert.Equal(id, call.Parameters["MessageId"]);
        Assert.Equal("WARN", call.Parameters["CheckResult"]);
        Assert.Contains("AnswerWithin", call.Parameters["CheckResultTip"]);
        var fallback = DecisionLine(host, id, IsFallback);
        Assert.Equal("deadline", fallback.GetProperty("fallback").GetString());
        Assert.Equal("WARN", fallback.GetProperty("verdict").GetString());
        var late = DecisionLine(host, id, l => l.TryGetProperty("late", out _));
        Assert.Equal("FAIL", late.GetProperty("verdict").GetString());
        Assert.Equal("deploy-freeze", late.GetProperty("matched")[0].GetString());
        Assert.Equal("blocked deploy of dws_orders", JsonDocument.Parse(Assert.Single(setup.Hook.Delivered).Body).RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public async Task SlowCondition_TheFallbacksStoreOutlastsItsGraceAndLandsLater_DataWorksIsAnsweredOnce()
    {
        // The deadline passes during the condition; the fallback's store then waits on a lock held by another writer past
        // its grace (a quarter of AnswerWithin), so the answer is sent directly. The store cannot be withdrawn: it lands
        // once the lock goes, and the worker must not send that stored answer a second time.
        await using var setup = await Setup.StartAsync(SlowCondition, "--OpenEventRules:DataWorks:AnswerWithin", "00:00:00.200",
            "--OpenEventRules:Conditions:MaxSteps", "1000000000", "--OpenEventRules:Conditions:MaxBytes", "4294967296",
            "--OpenEventRules:Conditions:Timeout", "00:01:00", "--OpenEventRules:Outbox:BusyTimeout", "00:00:30");
        var (dataWorks, host) = (setup.DataWorks, setup.Host);
        var id = NewId("landslater");

        using (var locked = OutboxLock.Take(host.OutboxPath))
        {

            using var response = await host.PostAsync("/events", HostEndpointTests.DeployEvent(id, "dws_orders"));
            await WaitUntilAsync(() => !dataWorks.Answers.IsEmpty, "the direct answer");
            Assert.Equal("WARN", Assert.Single(dataWorks.Answers).Parameters["CheckResult"]);

            locked.Release();
        }

        // The fallback's stored answer and the late decision's notification are stored now; only the notification goes.
        await WaitUntilAsync(() => HasLine(host, id, l => l.TryGetProperty("late", out _)) && setup.Hook.Delivered.Any(), "the late decision and its notification");
        await host.WaitForIdleAsync("the outbox to drain");
        var call = Assert.Single(dataWorks.Answers);
        Assert.True(call.SignatureValid, call.SignatureError);
        Assert.Equal(id, call.Parameters["MessageId"]);
        using var stored = new SqliteConnection($"Data Source={host.OutboxPath};Pooling=False");
        stored.Open();
        using var count = stored.CreateCommand();
        count.CommandText = $"SELECT COUNT(*) FROM outbox WHERE event_id = '{id}' AND kind = 'answer' AND status = 'delivered';";
        Assert.Equal(1L, (long)count.ExecuteScalar()!);
    }

    [Fact]
    public async Task OutboxLockedPastTheDeadline_TheAnswerIsSentDirectlyAndTheRetryDoesNotSendASecondOne()
    {
        // The deadline must outlast the first evaluation in a cold host (JIT), or the fallback answers the fail mode (WARN)
        // before the verdict (FAIL) is known: 0.3 s was too short on a slow CI machine. The lock outlasts it either way.
        await using var setup = await Setup.StartAsync(null,
            "--OpenEventRules:DataWorks:AnswerWithin", "00:00:03", "--OpenEventRules:Outbox:BusyTimeout", "00:00:30");
        var (dataWorks, host) = (setup.DataWorks, setup.Host);
        var id = NewId("locked");
        var deploy = HostEndpointTests.DeployEvent(id, "dws_orders");

        using (var locked = OutboxLock.Take(host.OutboxPath))
        {

            var clock = Stopwatch.StartNew();
            using var refused = await host.PostAsync("/events", deploy);

            // Not acknowledged (the forward is not stored yet), but DataWorks has its answer, signed, while the lock holds.
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("outbox-unavailable", problem.GetProperty("errorId").GetString());
            Assert.Contains("answered FAIL by the fallback", problem.GetProperty("detail").GetString());
            await WaitUntilAsync(() => !dataWorks.Answers.IsEmpty, "the direct answer");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"answered after {clock.Elapsed}");
            var call = Assert.Single(dataWorks.Answers);
            Assert.True(call.SignatureValid, call.SignatureError);
            Assert.Equal(id, call.Parameters["MessageId"]);
            // The verdict was known (FAIL): the fallback never softens a block to the fail mode (WARN), and says the
            // policy's reason, not only that the host answered early.
            Assert.Equal("FAIL", call.Parameters["CheckResult"]);
            Assert.Contains("[deploy-freeze] Deploying dws_orders is frozen", call.Parameters["CheckResultTip"], StringComparison.Ordinal);

            locked.Release();
        }

        // EventBridge's retry stores the forward; the answer already went out and is not sent again.
        using (var retried = await host.PostAsync("/events", deploy))
        {
            Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        }

        await host.WaitForIdleAsync("the outbox to drain");
        Assert.Single(dataWorks.Answers);
        Assert.Single(setup.Hook.Delivered);
        var fallback = DecisionLine(host, id, IsFallback);
        Assert.Equal("deadline", fallback.GetProperty("fallback").GetString());
        Assert.Equal("FAIL", fallback.GetProperty("verdict").GetString());
    }

    [Fact]
    public async Task OutboxLockedPastTheDeadline_TheDirectAnswerIsRecorded_ARestartedHostDoesNotAnswerTheRetryAgain()
    {
        // The memory of direct answers is the process's: a host restarted before EventBridge's retry arrived stored the
        // event's own answer and sent DataWorks a second one. The direct answer is now recorded in the outbox once the
        // lock is gone, and its key keeps the retry's answer out.
        using var folder = new TempFolder();
        var outbox = folder.Path("outbox.db");
        await using var dataWorks = await DataWorksStandIn.StartAsync(AccessKeyId, AccessKeySecret);
        await using var hook = await StandInServer.StartAsync();
        string[] settings = [.. DataWorksSettings(dataWorks, AccessKeyId, AccessKeySecret), "--OpenEventRules:Outbox:Path", outbox,
            "--OpenEventRules:DataWorks:AnswerWithin", "00:00:03", "--OpenEventRules:Outbox:BusyTimeout", "00:00:30"];
        var id = NewId("restarted");
        var deploy = HostEndpointTests.DeployEvent(id, "dws_orders");

        await using (var first = await ActionHarness.StartAsync(Policies(null, hook.Url("/hook")), settings))
        {
            using (var locked = OutboxLock.Take(outbox))
            {
                using var refused = await first.PostAsync("/events", deploy);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
                await WaitUntilAsync(() => !dataWorks.Answers.IsEmpty, "the direct answer");
                locked.Release();
            }

            await WaitUntilAsync(() => DeliveredAnswers(outbox) == 1, "the direct answer recorded as delivered");
        }

        await using var second = await ActionHarness.StartAsync(Policies(null, hook.Url("/hook")), settings);
        using (var retried = await second.PostAsync("/events", deploy))
        {
            Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        }

        await second.WaitForIdleAsync("the outbox to drain");
        var call = Assert.Single(dataWorks.Answers);
        Assert.Equal(("FAIL", id), (call.Parameters["CheckResult"], call.Parameters["MessageId"]));
        Assert.Single(hook.Delivered);
    }

    [Fact]
    public async Task BatchWhileTheOutboxIsLockedPastTheDeadline_EveryBlockedEventIsAnsweredFail()
    {
        // Nothing can be stored before the deadline, so the fallback answers every event of the batch. Each was decided
        // before any was stored, so each keeps its FAIL: decided one after the other, only the first was, and the
        // others were answered with the fail mode (WARN), their blocks let through.
        await using var setup = await Setup.StartAsync(null,
            "--OpenEventRules:DataWorks:AnswerWithin", "00:00:03", "--OpenEventRules:Outbox:BusyTimeout", "00:00:30");
        var (dataWorks, host) = (setup.DataWorks, setup.Host);
        var ids = Enumerable.Range(0, 20).Select(i => NewId("batch" + i)).ToList();
        var batch = "[" + string.Join(",", ids.Select(id => HostEndpointTests.DeployEvent(id, "dws_orders"))) + "]";

        using (var locked = OutboxLock.Take(host.OutboxPath))
        {

            using var refused = await host.PostAsync("/events", batch, "application/cloudevents-batch+json");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            await WaitUntilAsync(() => dataWorks.Answers.Count >= ids.Count, "an answer for every event");

            locked.Release();
        }

        await host.WaitForIdleAsync("the outbox to drain");
        Assert.Equal(ids.Order(StringComparer.Ordinal), dataWorks.Answers.Select(a => a.Parameters["MessageId"]).Order(StringComparer.Ordinal));
        Assert.All(dataWorks.Answers, call => Assert.Equal("FAIL", call.Parameters["CheckResult"]));
    }

    [Fact]
    public async Task OutboxLockedThroughEventBridgesRetry_TheAnswerIsSentDirectlyOnce()
    {
        // The retry arrives while the outbox is still locked: its fallback found the answer already sent directly and
        // sent the same signed answer again (a queue event held by the broker came back the same way every turn).
        await using var setup = await Setup.StartAsync(null,
            "--OpenEventRules:DataWorks:AnswerWithin", "00:00:02", "--OpenEventRules:Outbox:BusyTimeout", "00:00:30");
        var (dataWorks, host) = (setup.DataWorks, setup.Host);
        var id = NewId("relocked");
        var deploy = HostEndpointTests.DeployEvent(id, "dws_orders");

        using (var locked = OutboxLock.Take(host.OutboxPath))
        {

            using (var first = await host.PostAsync("/events", deploy))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
            }

            await WaitUntilAsync(() => !dataWorks.Answers.IsEmpty, "the direct answer");
            using (var retried = await host.PostAsync("/events", deploy))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, retried.StatusCode);
            }

            locked.Release();
        }

        await host.WaitForIdleAsync("the outbox to drain");
        var call = Assert.Single(dataWorks.Answers);
        Assert.Equal(("FAIL", id), (call.Parameters["CheckResult"], call.Parameters["MessageId"]));
    }

    [Fact]
    public async Task OutboxRefusesTheActions_TheAnswerStillGoesOutAtOnce()
    {
        // The lock outlasts the outbox's busy timeout (1 s) but not AnswerWithin (10 s): the store fails first.
        await using var setup = await Setup.StartAsync(null,
            "--OpenEventRules:DataWorks:AnswerWithin", "00:00:10", "--OpenEventRules:Outbox:BusyTimeout", "00:00:01");
        var (dataWorks, host) = (setup.DataWorks, setup.Host);
        var id = NewId("refused");

        using (var locked = OutboxLock.Take(host.OutboxPath))
        {

            using var refused = await host.PostAsync("/events", HostEndpointTests.DeployEvent(id, "ods_orders"));

            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("outbox-unavailable", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("errorId").GetString());
            // Answered before the response: the stand-in has it while the lock still holds.
            var call = Assert.Single(dataWorks.Answers);
            Assert.Equal(id, call.Parameters["MessageId"]);
            Assert.Equal("WARN", call.Parameters["CheckResult"]);

            locked.Release();
        }

        await WaitUntilAsync(() => HasLine(host, id, IsFallback), "the fallback line");
        Assert.Equal("outbox-unavailable", DecisionLine(host, id, IsFallback).GetProperty("fallback").GetString());
    }

    [Fact]
    public async Task FastEvaluation_AnsweredByItsOwnVerdictWithoutFallback()
    {
        await using var setup = await Setup.StartAsync(null, "--OpenEventRules:DataWorks:AnswerWithin", "00:00:05");
        var (dataWorks, host) = (setup.DataWorks, setup.Host);
        var id = NewId("fast");

        using var response = await host.PostAsync("/events", HostEndpointTests.DeployEvent(id, "dws_orders"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("results")[0];
        Assert.Equal("FAIL", result.GetProperty("verdict").GetString());
        Assert.False(result.TryGetProperty("fallback", out _));
        await host.WaitForIdleAsync("the outbox to drain");
        Assert.Equal("FAIL", Assert.Single(dataWorks.Answers).Parameters["CheckResult"]);
        await WaitUntilAsync(() => HasLine(host, id, _ => true), "the decision line");
        Assert.False(HasLine(host, id, IsFallback));
    }

    [Theory]
    [InlineData("00:00:00.050")]
    [InlineData("00:06:00")]
    public async Task AnswerWithinOutOfRange_TheHostRefusesToStart(string value)
    {
        var errors = new StringWriter();
        var run = await Task.Run(() => Host.RulesHost.RunAsync(["--urls", "http://127.0.0.1:0", "--OpenEventRules:PoliciesPath", RunningHost.FixturePolicies,
            "--OpenEventRules:DataWorks:AnswerWithin", value], errors));

        Assert.Equal(2, run);
        Assert.Contains("AnswerWithin", errors.ToString(), StringComparison.Ordinal);
    }

    private static long DeliveredAnswers(string outbox)
    {
        using var connection = new SqliteConnection($"Data Source={outbox};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM outbox WHERE kind = $kind AND status = 'delivered';";
        command.Parameters.AddWithValue("$kind", OutboxDispatcher.AnswerKind);
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>Another writer holding the outbox's write lock (BEGIN EXCLUSIVE) until <see cref="Release"/> rolls it back.</summary>
    private sealed class OutboxLock : IDisposable
    {
        private readonly SqliteConnection _writer;

        private OutboxLock(SqliteConnection writer) => _writer = writer;

        public static OutboxLock Take(string outboxPath)
        {
            var writer = new SqliteConnection($"Data Source={outboxPath};Pooling=False");
            writer.Open();
            Execute(writer, "BEGIN EXCLUSIVE;");
            return new OutboxLock(writer);
        }

        public void Release() => Execute(_writer, "ROLLBACK;");

        public void Dispose() => _writer.Dispose();

        private static void Execute(SqliteConnection connection, string sql)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }
    }
}
