using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Observability;
using OpenEvent.Rules.Host.Tests.Endpoints;

namespace OpenEvent.Rules.Host.Tests.Observability;

/// <summary>The decision log: the documented IncludeEvent switch, and a bounded queue that never blocks a request.</summary>
public sealed class DecisionLogTests : IDisposable
{
    private readonly MeterListener _listener = new();

    public void Dispose() => _listener.Dispose();

    // A disk that fills up: the file opens, its writes fail. The decisions go to the host log as the error says, the
    // error is logged once, and the host stops cleanly (the file's buffered bytes made its Dispose throw, which ended the
    // writer and stopped the host).
    [Fact]
    public async Task PostEvents_DecisionLogOnAFullDisk_OneErrorThenDecisionsInTheHostLog_AndTheHostStopsCleanly()
    {
        var log = new CapturedLog();
        var host = await RunningHost.StartConfiguredAsync(builder => builder.Logging.AddProvider(log), null, "--OpenEventRules:DecisionLog:Path", "/dev/full");
        try
        {
            foreach (var id in (string[])["full-1", "full-2", "full-3"])
            {
                using var response = await host.PostAsync("/events", HostEndpointTests.DeployEvent(id, "dws_orders"));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            await RunningHost.WaitUntilAsync(
                () => Task.FromResult(log.Lines.Count(l => l.Contains("decision {", StringComparison.Ordinal) && l.Contains("\"eventId\":\"full-", StringComparison.Ordinal)) == 3),
                "the three decisions in the host log");
        }
        finally
        {
            await host.DisposeAsync();
        }

        Assert.Single(log.Lines, l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains("The decision log '/dev/full' cannot be written", StringComparison.Ordinal));
        Assert.DoesNotContain(log.Lines, l => l.StartsWith("Critical", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PostEvents_MaskedNameSpelledWithAnEscapeInAPrettyPrintedEvent_IsMaskedOnOneLine()
    {
        // The log copies the event's bytes: a sender that escapes the masked name (sql\u0054ext is sqlText) or breaks
        // the event over lines must get neither the secret into the log nor a line that is not one JSON value.
        await using var host = await RunningHost.StartAsync(null);
        var cloudEvent = HostEndpointTests.DeployEvent("escaped-mask-1", "dws_orders")
            .Replace("\"extensionBizId\":\"ext-1\"", "\"extensionBizId\":\"ext-1\",\r\n  \"sql\\u0054ext\": \"select secret_column from t\"", StringComparison.Ordinal);

        using var response = await host.PostAsync("/events", cloudEvent);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await RunningHost.WaitUntilAsync(() => Task.FromResult(File.Exists(host.DecisionLogPath) && File.ReadAllText(host.DecisionLogPath).Contains("escaped-mask-1")), "the decision line");
        var text = File.ReadAllText(host.DecisionLogPath);
        Assert.DoesNotContain("secret_column", text, StringComparison.Ordinal);
        var line = Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("escaped-mask-1", StringComparison.Ordinal));
        var data = JsonDocument.Parse(line).RootElement.GetProperty("event").GetProperty("data");
        Assert.Equal("***", data.GetProperty("sqlText").GetString());
        Assert.Equal("dws_orders", data.GetProperty("fileName").GetString());
    }

    [Fact]
    public async Task PostEvents_IncludeEventFalse_TheHostKeepsServingAndLogsDecisionsWithoutEvents()
    {
        await using var host = await RunningHost.StartAsync(null, "--OpenEventRules:DecisionLog:IncludeEvent", "false");

        foreach (var id in new[] { "no-event-1", "no-event-2" })
        {
            using var response = await host.PostAsync("/events", HostEndpointTests.DeployEvent(id, "dws_orders"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await RunningHost.WaitUntilAsync(() => Task.FromResult(File.Exists(host.DecisionLogPath) && File.ReadAllText(host.DecisionLogPath).Contains("no-event-2")), "both decision lines");
        var lines = File.ReadLines(host.DecisionLogPath).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["no-event-1", "no-event-2"], lines.Select(l => l.GetProperty("eventId").GetString()));
        Assert.All(lines, l => Assert.False(l.TryGetProperty("event", out _)));
        Assert.All(lines, l => Assert.Equal("FAIL", l.GetProperty("verdict").GetString()));
        using var health = await host.Client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task GetMetrics_ExposesTheDecisionLogQueueDepth()
    {
        await using var host = await RunningHost.StartAsync();

        var text = await host.Client.GetStringAsync("/metrics");

        Assert.Contains("oer_decision_log_queue_depth", text);
    }

    [Fact]
    public async Task Append_QueueFull_DropsAndCountsWithoutBlockingThenWritesWhatWasQueued()
    {
        using var folder = new TempFolder();
        await using var services = Services();
        var (log, dropped) = Create(services, folder, capacity: 3, maxQueueBytes: 1024 * 1024);
        using var e = Read("drop-1");

        // The writer is not started: nothing drains the queue, and Append must still return at once.
        for (var i = 0; i < 5; i++)
        {
            log.Append(Decision(e), e, "rev", 0.001);
        }

        Assert.Equal(3, log.Queued);
        Assert.Equal(2, log.Dropped);
        Assert.Equal(2, dropped("line"));
        Assert.Equal(0, dropped("event"));

        await log.StartAsync(CancellationToken.None);
        await RunningHost.WaitUntilAsync(() => Task.FromResult(log.Written == 3), "the queued lines");
        await log.StopAsync(CancellationToken.None);
        var lines = File.ReadAllLines(Path.Combine(folder.Root, "decisions.jsonl"));
        Assert.Equal(3, lines.Length);
        Assert.All(lines, l => Assert.Equal("drop-1", JsonDocument.Parse(l).RootElement.GetProperty("event").GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Append_EventBytesOverTheQueueBudget_LogsTheDecisionWithoutItsEvent()
    {
        using var folder = new TempFolder();
        await using var services = Services();
        using var e = Read("budget-1");
        var (log, dropped) = Create(services, folder, capacity: 100, maxQueueBytes: e.Utf8.Length + 10);

        log.Append(Decision(e), e, "rev", 0.001);
        log.Append(Decision(e), e, "rev", 0.001);

        Assert.Equal(1, dropped("event"));
        Assert.Equal(0, log.Dropped);
        await log.StartAsync(CancellationToken.None);
        await RunningHost.WaitUntilAsync(() => Task.FromResult(log.Written == 2), "both lines");
        await log.StopAsync(CancellationToken.None);
        var lines = File.ReadAllLines(Path.Combine(folder.Root, "decisions.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.True(lines[0].TryGetProperty("event", out _));
        Assert.False(lines[1].TryGetProperty("event", out _));
        Assert.True(lines[1].GetProperty("eventDropped").GetBoolean());
        Assert.Equal("budget-1", lines[1].GetProperty("eventId").GetString());
    }

    // A file that cannot be opened (a file where its folder should be) does not stop the decisions; and its path, which
    // holds a line break (a setting is hostile until checked), is named in the error on one line of the log.
    [Fact]
    public async Task PostEvents_DecisionLogCannotBeWritten_StillEvaluatesEveryDecision_AndTheErrorNamesThePathOnOneLine()
    {
        var notAFolder = Path.GetTempFileName();
        var log = new CapturedLog();
        try
        {
            await using (var host = await RunningHost.StartConfiguredAsync(builder => builder.Logging.AddProvider(log), null,
                "--OpenEventRules:DecisionLog:Path", Path.Combine(notAFolder, "line\nforged: decisions.jsonl")))
            {
                using var response = await host.PostAsync("/events", HostEndpointTests.DeployEvent("unlogged-1", "dws_orders"));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                await RunningHost.WaitUntilAsync(() => Task.FromResult(host.DecisionLog.Written >= 1), "the decision to be handled");
            }
        }
        finally
        {
            File.Delete(notAFolder);
        }

        // The entry's first line is the message itself (the exception follows it on lines of its own).
        var error = Assert.Single(log.Lines, l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains("cannot be written", StringComparison.Ordinal));
        Assert.Contains("line\\nforged: decisions.jsonl' cannot be written; decisions go to the host log instead", error.Split('\n')[0], StringComparison.Ordinal);
    }

    // A folder where the file should be (as a full disk would, it makes the file fail): the decisions go to the host log,
    // and once the folder is gone and the reopen interval has passed, the file is written again without a restart.
    [Fact]
    public async Task Writer_FileFailsThenCanBeWrittenAgain_IsReopenedAfterTheIntervalWithoutARestart()
    {
        using var folder = new TempFolder();
        await using var services = Services();
        var clock = new ManualClock();
        var captured = new CapturedLog();
        var (log, _) = Create(services, folder, capacity: 100, maxQueueBytes: 1024 * 1024, time: clock, logs: captured);
        var path = Path.Combine(folder.Root, "decisions.jsonl");
        Directory.CreateDirectory(path);
        await log.StartAsync(CancellationToken.None);
        try
        {
            await AppendAndWaitAsync(log, "before-1");
            Directory.Delete(path);
            await AppendAndWaitAsync(log, "before-2");
            Assert.False(File.Exists(path), "the file was opened again before the interval passed");
            Directory.CreateDirectory(path);
            clock.Advance(DecisionLog.ReopenInterval);
            await AppendAndWaitAsync(log, "before-3");
            Directory.Delete(path);

            clock.Advance(DecisionLog.ReopenInterval);
            await AppendAndWaitAsync(log, "after-1");
            await AppendAndWaitAsync(log, "after-2");
        }
        finally
        {
            await log.StopAsync(CancellationToken.None);
        }

        var logged = File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("eventId").GetString()).ToList();
        Assert.Equal(["after-1", "after-2"], logged);
        // One error for the whole failure (the reopen that failed again says nothing), and one line when it is written again.
        Assert.Single(captured.Lines, l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains("cannot be written", StringComparison.Ordinal));
        Assert.Single(captured.Lines, l => l.Contains("is written again", StringComparison.Ordinal));
    }

    // A FIFO as the decision log (a log shipper reading it): it cannot be read back for its last line, so it is written
    // as it is; a check that asked its length would have failed the file and sent the decisions to the host log.
    [Fact]
    public async Task Writer_FileIsAFifo_TheDecisionsReachItsReader()
    {
        using var folder = new TempFolder();
        await using var services = Services();
        var path = Path.Combine(folder.Root, "decisions.jsonl");
        FolderHazards.MakeFifo(path);
        var reader = Task.Run(async () =>
        {
            using var lines = new StreamReader(path);
            return await lines.ReadLineAsync();
        });
        var (log, _) = Create(services, folder, capacity: 100, maxQueueBytes: 1024 * 1024);
        await log.StartAsync(CancellationToken.None);
        try
        {
            await AppendAndWaitAsync(log, "piped-1");
            var line = await reader.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal("piped-1", JsonDocument.Parse(line!).RootElement.GetProperty("eventId").GetString());
        }
        finally
        {
            await log.StopAsync(CancellationToken.None);
        }
    }

    // A previous run cut short in the middle of a line (a crash, a full disk): the next decision starts a line of its own.
    [Fact]
    public async Task Writer_FileEndsInTheMiddleOfALine_TheNextDecisionStartsANewLine()
    {
        using var folder = new TempFolder();
        await using var services = Services();
        var path = Path.Combine(folder.Root, "decisions.jsonl");
        await File.WriteAllTextAsync(path, "{\"time\":\"2026-12-07T00:00:00Z\",\"eventId\":\"cut-");
        var (log, _) = Create(services, folder, capacity: 100, maxQueueBytes: 1024 * 1024);
        await log.StartAsync(CancellationToken.None);
        await AppendAndWaitAsync(log, "whole-1");
        await log.StopAsync(CancellationToken.None);

        var lines = File.ReadAllLines(path);
        Assert.Equal(2, lines.Length);
        Assert.Equal("{\"time\":\"2026-12-07T00:00:00Z\",\"eventId\":\"cut-", lines[0]);
        Assert.Equal("whole-1", JsonDocument.Parse(lines[1]).RootElement.GetProperty("eventId").GetString());
    }

    [Fact]
    public async Task Writer_ManyQueuedLines_WritesThemTogetherAndStillRollsBetweenLines()
    {
        using var folder = new TempFolder();
        await using var services = Services();
        var (log, _) = Create(services, folder, capacity: 100, maxQueueBytes: 1024 * 1024, maxFileBytes: 4096);
        var ids = Enumerable.Range(0, 40).Select(i => $"roll-{i:D2}").ToList();
        foreach (var id in ids)
        {
            using var e = Read(id);
            log.Append(Decision(e), e, "rev", 0.001);
        }

        // All queued before the writer starts: it takes them in one batch (one write when they fit in the file).
        await log.StartAsync(CancellationToken.None);
        await RunningHost.WaitUntilAsync(() => Task.FromResult(log.Written == ids.Count), "the queued lines");
        await log.StopAsync(CancellationToken.None);

        var files = Directory.GetFiles(folder.Root, "decisions*.jsonl");
        Assert.True(files.Length > 5, $"{files.Length} files: the 40 lines of about 1 KB should have rolled a 4 KB file several times");
        Assert.All(files, f => Assert.InRange(new FileInfo(f).Length, 1, 4096));
        // Rolled between lines: every line of every file is a whole decision, and none is lost or repeated.
        var logged = files.SelectMany(File.ReadAllLines).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("eventId").GetString()!).Order().ToList();
        Assert.Equal(ids, logged);
    }

    /// <summary>Appends a decision for a new event and waits until the writer has handled it (written to the file, or to the host log).</summary>
    private static async Task AppendAndWaitAsync(DecisionLog log, string id)
    {
        var before = log.Written;
        using var e = Read(id);
        log.Append(Decision(e), e, "rev", 0.001);
        await RunningHost.WaitUntilAsync(() => Task.FromResult(log.Written == before + 1), $"the decision of {id}");
    }

    private static ServiceProvider Services() => new ServiceCollection().AddMetrics().BuildServiceProvider();

    /// <summary>A decision log over a file in <paramref name="folder"/>, and a reader of its drop counter (by part).</summary>
    private (DecisionLog Log, Func<string, long> Dropped) Create(ServiceProvider services, TempFolder folder, int capacity, long maxQueueBytes, long maxFileBytes = 64L * 1024 * 1024,
        TimeProvider? time = null, ILoggerProvider? logs = null)
    {
        var factory = services.GetRequiredService<IMeterFactory>();
        var counts = new Dictionary<string, long>();
        var listener = _listener;
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "oer.decision_log.dropped" && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var part = (string)tags[0].Value!;
            lock (counts)
            {
                counts[part] = counts.GetValueOrDefault(part) + value;
            }
        });
        listener.Start();
        var options = Options.Create(new RulesHostOptions
        {
            DecisionLog = new DecisionLogOptions
            {
                Path = Path.Combine(folder.Root, "decisions.jsonl"), QueueCapacity = capacity, MaxQueueBytes = maxQueueBytes, MaxFileBytes = maxFileBytes, RetainedFiles = 100,
            },
        });
        var log = new DecisionLog(options, time ?? TimeProvider.System, new RulesMetrics(factory), logs is null ? NullLogger<DecisionLog>.Instance : LoggerFactory.Create(b => b.AddProvider(logs)).CreateLogger<DecisionLog>());
        return (log, part =>
        {
            lock (counts)
            {
                return counts.GetValueOrDefault(part);
            }
        });
    }

    private static DataWorksEvent Read(string id)
    {
        var parser = new EventParser(Catalog.EventCatalog.Default);
        return parser.Parse(Encoding.UTF8.GetBytes(HostEndpointTests.DeployEvent(id, "dws_orders")), new EventOrigin("test", 0));
    }

    private static Decision Decision(DataWorksEvent e) =>
        new(new EventDescriptor(e.Id, e.Type, "test", 0), Verdict.Ok, [], [], [], null);

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);

        public void Advance(TimeSpan by) => _now += by;

        public override DateTimeOffset GetUtcNow() => _now;
    }
}
