using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Host.Actions;
using OpenEvent.Rules.Host.Actions.Targets;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Tests.Endpoints;
using OpenEvent.Rules.Tests.Shared;

namespace OpenEvent.Rules.Host.Tests.Actions;

/// <summary>
/// File forwards delivered in batches: a worker claims a file forward with the other due forwards of its target in one
/// transaction, and the file target appends the lines of each file with one write and one flush, each action keeping
/// its own result (a row an older host stored with a path outside the folder is dead-lettered, its batch delivered).
/// </summary>
public sealed class OutboxBatchDeliveryTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ClaimBatches_AFileForwardTakesTheDueForwardsOfItsTargetAlong_OthersWaitForTheirOwnClaim()
    {
        using var folder = new TempFolder();
        var store = new OutboxStore(folder.Path("outbox.db"));
        store.Initialize();
        store.Enqueue([Forward("a1", "archive"), Notify("n1"), Forward("o1", "other"), Forward("a2", "archive"), Forward("a3", "archive"), Forward("a4", "archive")], Now);
        var ids = store.List(OutboxStore.Pending, 10).ToDictionary(i => i.EventId, i => i.Id);
        store.ScheduleRetry(ids["a3"], 1, Now.AddMinutes(1), "HTTP 503"); // not due yet

        var batches = store.ClaimBatches(2, Now, Now.AddSeconds(30), "w", [], item => item.Kind == "forward", 64);

        Assert.Equal([["a1", "a2", "a4"], ["n1"]], batches.Select(b => b.Select(i => i.EventId).ToArray()));
        // Claimed rows are leased: the next claim finds the other target's forward alone; a batch stops at its bound.
        Assert.Equal([["o1"]], store.ClaimBatches(5, Now, Now.AddSeconds(30), "w", [], item => item.Kind == "forward", 64).Select(b => b.Select(i => i.EventId).ToArray()));
        store.Enqueue([Forward("b1", "archive"), Forward("b2", "archive"), Forward("b3", "archive")], Now);
        Assert.Equal([["b1", "b2"]], store.ClaimBatches(1, Now, Now.AddSeconds(30), "w", [], item => item.Kind == "forward", 2).Select(b => b.Select(i => i.EventId).ToArray()));
        Assert.Equal([["b3"]], store.ClaimBatches(1, Now, Now.AddSeconds(30), "w", [], _ => false, 64).Select(b => b.Select(i => i.EventId).ToArray()));
    }

    [Fact]
    public void ClaimBatches_EverySlotFree_TheDueForwardsOfOneFileGoInOneBatch()
    {
        // Heads are chosen one at a time, each taking its companions first: eight free slots do not split ten forwards of
        // one file into eight batches of one or two.
        using var folder = new TempFolder();
        var store = new OutboxStore(folder.Path("outbox.db"));
        store.Initialize();
        store.Enqueue([.. Enumerable.Range(1, 10).Select(i => Forward($"a{i:D2}", "archive")), Notify("n1"), Forward("o1", "other")], Now);

        var batches = store.ClaimBatches(8, Now, Now.AddSeconds(30), "w", [], item => item.Kind == "forward", 64);

        Assert.Equal([[.. Enumerable.Range(1, 10).Select(i => $"a{i:D2}")], ["n1"], ["o1"]], batches.Select(b => b.Select(i => i.EventId).ToArray()));
        Assert.Empty(store.ClaimBatches(8, Now, Now.AddSeconds(30), "w", [], item => item.Kind == "forward", 64));
    }

    [Fact]
    public void Signal_HoldsBatchableForwardsUntilTheDelayOrAFullBatch_NeverWhatCannotWait()
    {
        var signal = new OutboxSignal();
        var delay = TimeSpan.FromMinutes(1);
        Assert.Equal(TimeSpan.Zero, signal.HoldBeforeClaim(delay, 64)); // nothing new: a claim finds retries and the rest

        signal.Stored(batchable: 3, urgent: false);
        var hold = signal.HoldBeforeClaim(delay, 64);
        Assert.InRange(hold, TimeSpan.FromSeconds(50), delay);
        Assert.Equal(TimeSpan.Zero, signal.HoldBeforeClaim(TimeSpan.Zero, 64)); // BatchDelay 0: at once

        signal.Stored(batchable: 61, urgent: false); // a full batch is waiting
        Assert.Equal(TimeSpan.Zero, signal.HoldBeforeClaim(delay, 64));

        signal.Claiming();
        signal.Stored(batchable: 1, urgent: false);
        Assert.NotEqual(TimeSpan.Zero, signal.HoldBeforeClaim(delay, 64));
        signal.Stored(batchable: 0, urgent: true); // a notification or a DataWorks answer came with it
        Assert.Equal(TimeSpan.Zero, signal.HoldBeforeClaim(delay, 64));

        signal.Claiming();
        Assert.Equal(TimeSpan.Zero, signal.HoldBeforeClaim(delay, 64));
    }

    [Fact]
    public async Task Host_FileForwardsGatherForTheBatchDelay_ThenGoTogether()
    {
        using var folder = new TempFolder();
        // No idle polls during the test: a poll's claim that runs just as the first forward commits takes it at once
        // (harmless, it is then delivered a little early), which would race the assertions below.
        await using var host = await ActionHarness.StartAsync(OutboxUnavailableTests.ForwardPolicy,
            "--OpenEventRules:Actions:File:Directory", folder.Path("targets"), "--OpenEventRules:Outbox:BatchDelay", "00:00:04",
            "--OpenEventRules:Outbox:PollInterval", "00:00:30");
        var ids = Enumerable.Range(1, 3).Select(i => ActionHarness.NewId($"gather{i}")).ToList();
        foreach (var id in ids)
        {
            using var response = await host.PostAsync("/events", HostEndpointTests.DeployEvent(id, "dws_orders"));
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        }

        // Each was stored by its own request; within the delay (4 s from the first) none has been claimed.
        Assert.Equal(3L, host.Outbox().Counts().Pending);
        Assert.Equal([null, null, null], Leases(host.Outbox()));
        await host.WaitForIdleAsync("the gathered forwards to be delivered");

        // Unclaimed together at one instant, they were claimed together (one claim takes every due forward of a file).
        Assert.Equal(ids, Ids(folder.Path("targets", "sink", "events.jsonl")));
        Assert.Equal([null, null, null], Leases(host.Outbox()));
    }

    [Fact]
    public async Task Host_ACommitWithANotification_IsClaimedAtOnce_ItsFileForwardToo()
    {
        // BatchDelay at its bound (10 s): what a commit stored besides file forwards must not wait for it.
        await using var hook = await StandInServer.StartAsync();
        using var folder = new TempFolder();
        var policies = OutboxUnavailableTests.ForwardPolicy + $$"""

            ---
            apiVersion: openevent.rules/v1
            kind: Channel
            metadata: { name: hook }
            spec: { type: webhook, url: "{{hook.Url("/hook")}}" }
            ---
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: notify-deploys }
            spec:
              match: { type: ["dataworks:FileChange:DeployFile"] }
              actions: [ { notify: { channel: hook, message: "deployed" } } ]
            """;
        await using var host = await ActionHarness.StartAsync(policies,
            "--OpenEventRules:Actions:File:Directory", folder.Path("targets"), "--OpenEventRules:Outbox:BatchDelay", "00:00:10");
        var id = ActionHarness.NewId("urgent");
        var posted = System.Diagnostics.Stopwatch.StartNew();

        using (var response = await host.PostAsync("/events", HostEndpointTests.DeployEvent(id, "dws_orders")))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        }

        await host.WaitForIdleAsync("the notification and the forward");
        Assert.True(posted.Elapsed < TimeSpan.FromSeconds(8), $"delivered after {posted.Elapsed}: held for the batch delay");
        Assert.Single(hook.Delivered);
        Assert.Equal([id], Ids(folder.Path("targets", "sink", "events.jsonl")));
    }

    [Fact]
    public async Task FileTarget_Batch_AppendsInOrderRollsOverBySizeAndFailsOnlyTheForwardOutsideItsFolder()
    {
        using var folder = new TempFolder();
        var sender = new FileTargetSender(Options.Create(new RulesHostOptions { Actions = { File = { Directory = folder.Root, MaxFileBytes = 1024, RetainedFiles = 2 } } }));
        var batch = Enumerable.Range(1, 7).Select(i => Line($"e{i}", "out/events.jsonl")).ToList();
        batch.Insert(3, Line("escape", "../escape.jsonl"));

        var results = await sender.SendBatchAsync(batch, CancellationToken.None);

        Assert.Equal([true, true, true, false, true, true, true, true], results.Select(r => r.Success));
        Assert.Equal((false, $"the file target 'sink' points outside {folder.Root}: ../escape.jsonl"), (results[3].Retryable, results[3].Error));
        // ~430 bytes per line, 1024 per file: as seven single appends would leave it, current (1) + .1 (2) + .2 (2).
        Assert.Equal(["e7"], Ids(folder.Path("out", "events.jsonl")));
        Assert.Equal(["e5", "e6"], Ids(folder.Path("out", "events.1.jsonl")));
        Assert.Equal(["e3", "e4"], Ids(folder.Path("out", "events.2.jsonl")));
        Assert.False(File.Exists(folder.Path("out", "events.3.jsonl")) || File.Exists(folder.Path("escape.jsonl")));
    }

    [Fact]
    public void FileTarget_LineOfACompactAsciiEvent_IsItsOwnBytesAndEqualsTheRewrite()
    {
        // Every printable ASCII character in a name and in a value, numbers as written, and every sample event compacted
        // by the default writer (which escapes non-ASCII and HTML-sensitive characters: those take the rewrite).
        var printable = Enumerable.Range(0x20, 0x5F).Select(c => (char)c).Where(c => c is not '"' and not '\\').ToArray();
        List<string> events =
        [
            .. printable.Select(c => $"{{\"k{c}\":\"a{c}b\",\"n\":[1,2.50e3,-0,1E-7,true,false,null],\"o\":{{}},\"s\":\" x \"}}"),
            .. Directory.GetFiles(RepositoryPaths.Combine("samples", "events"), "*.json").Select(f => JsonSerializer.Serialize(JsonDocument.Parse(File.ReadAllText(f)).RootElement)),
        ];

        foreach (var json in events)
        {
            var utf8 = Encoding.UTF8.GetBytes(json);
            Assert.Equal(Encoding.UTF8.GetString(FileTargetSender.ReformattedLine(utf8)), Encoding.UTF8.GetString(FileTargetSender.Line(utf8)));
        }

        Assert.Equal("{\"a\":1}\n", Encoding.UTF8.GetString(FileTargetSender.Line("{\"a\":1}"u8.ToArray())));
        Assert.Equal("{\"a\":\"é\",\"b\":[1,2]}\n", Encoding.UTF8.GetString(FileTargetSender.Line("{ \"a\" : \"\\u00e9\", \"b\": [1, 2] }"u8.ToArray())));
        Assert.ThrowsAny<JsonException>(() => FileTargetSender.Line("{\"a\":1}{\"b\":2}"u8.ToArray()));
        Assert.ThrowsAny<JsonException>(() => FileTargetSender.Line("{\"a\":tru}"u8.ToArray()));
    }

    [Fact]
    public async Task Host_ForwardsStoredBeforeItStarts_AreDeliveredInOrderAndTheOneOutsideItsFolderIsDeadLettered()
    {
        using var folder = new TempFolder();
        var outbox = folder.Path("data", "outbox.db");
        var store = new OutboxStore(outbox);
        store.Initialize();
        var ids = Enumerable.Range(1, 40).Select(i => $"stored-{i:D2}").ToList();
        store.Enqueue([.. ids.Take(20).Select(id => Forward(id, "sink")), Forward("escape", "sink", "../escape.jsonl"), .. ids.Skip(20).Select(id => Forward(id, "sink"))], Now);

        await using var host = await ActionHarness.StartAsync(OutboxUnavailableTests.ForwardPolicy,
            "--OpenEventRules:Outbox:Path", outbox, "--OpenEventRules:Actions:File:Directory", folder.Path("targets"), "--OpenEventRules:Outbox:Concurrency", "1");
        await host.WaitForIdleAsync("the stored forwards to be delivered");

        Assert.Equal(ids, Ids(folder.Path("targets", "sink", "events.jsonl")));
        Assert.Equal((0L, 40L, 1L), host.Outbox().Counts());
        var dead = Assert.Single(host.Outbox().List(OutboxStore.Dead, 10));
        Assert.Equal(("escape", 1), (dead.EventId, dead.Attempts));
        Assert.StartsWith("the file target 'sink' points outside ", dead.LastError, StringComparison.Ordinal);
    }

    private static BatchedAction Line(string id, string path)
    {
        var payload = new ForwardPayload("file", "sink", null, path, null);
        var eventJson = "{\n  \"id\": \"" + id + "\",\n  \"data\": { \"text\": \"" + new string('x', 400) + "\" }\n}";
        return new BatchedAction(new OutboxItem(1, id, id, "t", "p", "forward", "sink", ActionPayloads.Write(payload), "pending", 0, default, default, null, null) { Event = Encoding.UTF8.GetBytes(eventJson) }, payload);
    }

    /// <summary>The lease of every row (null: not under a claim).</summary>
    private static List<long?> Leases(OutboxStore store)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={store.Path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT lease_until FROM outbox ORDER BY id";
        using var reader = command.ExecuteReader();
        var leases = new List<long?>();
        while (reader.Read())
        {
            leases.Add(reader.IsDBNull(0) ? null : reader.GetInt64(0));
        }

        return leases;
    }

    private static string[] Ids(string path) =>
        [.. File.ReadAllLines(path).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("id").GetString()!)];

    private static NewAction Forward(string eventId, string target, string path = "sink/events.jsonl") =>
        new($"{eventId}/p/0/forward:{target}", eventId, "dataworks:FileChange:DeployFile", "p", "forward", target,
            new ForwardPayload("file", target, null, path, null), Encoding.UTF8.GetBytes($"{{\"id\":\"{eventId}\"}}"));

    private static NewAction Notify(string eventId) =>
        new($"{eventId}/p/0/notify:hook", eventId, "dataworks:FileChange:DeployFile", "p", "notify", "hook",
            new NotifyPayload("webhook", "hook", new PayloadValue("http://127.0.0.1:9/hook", null), null, null, "m"));
}
