using System.Text.Json;
using OpenEvent.Rules.Cli;
using OpenEvent.Rules.Host.Actions;

namespace OpenEvent.Rules.Cli.Tests.Commands;

/// <summary>oer outbox list|retry|purge over a real outbox file.</summary>
public sealed class OutboxCommandTests : IDisposable
{
    private static readonly DateTimeOffset Created = new(2024, 7, 12, 3, 8, 51, TimeSpan.Zero);

    private readonly TempFolder _temp = new();
    private readonly string _db;
    private readonly OutboxStore _store;

    public OutboxCommandTests()
    {
        _db = _temp.Path("data", "outbox.db");
        _store = new OutboxStore(_db);
        _store.Initialize();
        _store.Enqueue(
        [
            new NewAction("e1/p/0/notify:hook", "e1", "dataworks:FileChange:DeployFile", "p", "notify", "hook", new NotifyPayload("webhook", "hook", null, null, null, "m")),
            new NewAction("e1/dataworks-callback", "e1", "dataworks:FileChange:DeployFile", null, "answer", "UpdateIDEEventResult", new AnswerPayload("dataworks", "UpdateIDEEventResult", "e1", "OK", "", null)),
            new NewAction("e2/p/1/forward:audit", "e2", "dataworks:FileChange:DeployFile", "p", "forward", "audit", new ForwardPayload("http", "audit", null, null, null), "{}"u8.ToArray()),
        ], Created);
        var items = _store.List(OutboxStore.Pending, 10).ToDictionary(i => i.Key);
        _store.MarkDelivered(items["e1/dataworks-callback"].Id, 1, Created.AddSeconds(1));
        _store.DeadLetter(items["e2/p/1/forward:audit"].Id, 12, "HTTP 500 InternalServerError: down", Created.AddHours(1));
    }

    public void Dispose() => _temp.Dispose();

    private static (int ExitCode, string Stdout, string Stderr) Run(params string[] args) => RunAt(null, args);

    private static (int ExitCode, string Stdout, string Stderr) RunAt(TimeProvider? time, params string[] args)
    {
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        var exitCode = Program.Run(args, stdout, stderr, time: time);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A clock stopped at one instant: the outbox commands must age items by the clock they are given.</summary>
    private sealed class StoppedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public void List_Text_ShowsEveryActionWithItsLastErrorAndCounts()
    {
        var (exitCode, stdout, stderr) = Run("outbox", "list", "--db", _db);

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Empty(stderr);
        Assert.Equal(
            """
            3  dead  attempts=12  2024-07-12 03:08:51Z  forward  audit  e2/p/1/forward:audit
                last error: HTTP 500 InternalServerError: down
            2  delivered  attempts=1  2024-07-12 03:08:51Z  answer  UpdateIDEEventResult  e1/dataworks-callback
            1  pending  attempts=0  2024-07-12 03:08:51Z  notify  hook  e1/p/0/notify:hook
            1 pending, 1 delivered, 1 dead

            """, stdout);
    }

    [Fact]
    public void List_JsonDead_OneObjectPerLine()
    {
        var (exitCode, stdout, _) = Run("outbox", "list", "--db", _db, "--status", "dead", "--format", "json");

        Assert.Equal(ExitCodes.Success, exitCode);
        var item = JsonDocument.Parse(stdout.Trim()).RootElement;
        Assert.Equal("dead", item.GetProperty("status").GetString());
        Assert.Equal("e2/p/1/forward:audit", item.GetProperty("key").GetString());
        Assert.Equal("HTTP 500 InternalServerError: down", item.GetProperty("lastError").GetString());
        Assert.Equal(12, item.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public void Retry_All_MovesDeadLettersBackToPending()
    {
        var (exitCode, stdout, _) = Run("outbox", "retry", "--db", _db, "--all");

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Equal("1 action queued for delivery\n", stdout);
        Assert.Equal((2L, 1L, 0L), _store.Counts());
        var retried = _store.List(OutboxStore.Pending, 10).Single(i => i.Key == "e2/p/1/forward:audit");
        Assert.Equal(0, retried.Attempts);
        Assert.Equal("HTTP 500 InternalServerError: down", retried.LastError);
    }

    /// <summary>A mistyped key or id retries nothing: the command says so and fails, so that a script notices.</summary>
    [Fact]
    public void Retry_UnknownKeyOrId_ExitsWithFailure()
    {
        var (byKey, keyOut, keyErr) = Run("outbox", "retry", "--db", _db, "--key", "nonexistent/key");
        var (byId, _, _) = Run("outbox", "retry", "--db", _db, "--id", "987654");

        Assert.Equal(ExitCodes.Failure, byKey);
        Assert.Equal(ExitCodes.Failure, byId);
        Assert.Equal("0 actions queued for delivery\n", keyOut);
        Assert.Equal("oer: no stored action has the id or key given; 'oer outbox list' shows them\n", keyErr);
        Assert.Equal((1L, 1L, 1L), _store.Counts());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    public void List_LimitBelowOne_UsageError(string limit)
    {
        var (exitCode, stdout, stderr) = Run("outbox", "list", "--db", _db, "--limit", limit);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Empty(stdout);
        Assert.Contains("--limit must be 1 or more", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Retry_ByIdOfADeadLetter_CountsItOnce()
    {
        var dead = _store.List(OutboxStore.Dead, 10).Single();

        var (exitCode, stdout, _) = Run("outbox", "retry", "--db", _db, "--id", dead.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

        // Moved back to pending, it is not also counted as a pending action made due now.
        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Equal("1 action queued for delivery\n", stdout);
        Assert.Equal((2L, 1L, 0L), _store.Counts());
    }

    [Fact]
    public void Retry_ByKey_MakesAPendingActionDueNow()
    {
        var (exitCode, stdout, _) = Run("outbox", "retry", "--db", _db, "--key", "e1/p/0/notify:hook");

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Equal("1 action queued for delivery\n", stdout);
        Assert.Equal((1L, 1L, 1L), _store.Counts());
    }

    [Fact]
    public void Retry_NothingNamed_IsAUsageError()
    {
        var (exitCode, _, stderr) = Run("outbox", "retry", "--db", _db);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Equal("oer: name the actions to retry with --id or --key, or use --all for every dead letter\n", stderr);
    }

    [Fact]
    public void Purge_DeliveredAndDead_DeletesThem()
    {
        var (exitCode, stdout, _) = Run("outbox", "purge", "--db", _db, "--delivered", "--dead");

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Equal("purged 1 delivered, 1 dead\n", stdout);
        Assert.Equal((1L, 0L, 0L), _store.Counts());
    }

    [Theory]
    [InlineData(30, 0)] // delivered 30 minutes before the clock: younger than an hour, kept
    [InlineData(120, 1)] // two hours before the clock: older than an hour, purged
    public void Purge_DeliveredOlderThan_AgesByTheInjectedClock(int minutesLater, int purged)
    {
        var (exitCode, stdout, _) = RunAt(new StoppedClock(Created.AddMinutes(minutesLater)), "outbox", "purge", "--db", _db, "--delivered", "--older-than", "1h");

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Equal($"purged {purged} delivered, 0 dead\n", stdout);
        Assert.Equal((1L, 1L - purged, 1L), _store.Counts());
    }

    [Fact]
    public void Purge_DeliveredOlderThan_KeepsRecentOnes()
    {
        var (exitCode, stdout, _) = Run("outbox", "purge", "--db", _db, "--delivered", "--older-than", "36500d");

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Equal("purged 0 delivered, 0 dead\n", stdout);
    }

    [Fact]
    public void MissingDatabase_IsAUsageErrorNamingThePath()
    {
        var missing = _temp.Path("nope.db");

        var (exitCode, _, stderr) = Run("outbox", "list", "--db", missing);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Equal($"oer: outbox not found: {missing} (pass --db with the host's OpenEventRules:Outbox:Path, or --broker with the broker the hosts share)\n", stderr);
        Assert.False(File.Exists(missing));
    }

    public static TheoryData<string[], string> BrokerMistakes => new()
    {
        { ["outbox", "list", "--broker", "http://rabbit:5672"], "oer: --broker 'http://rabbit:5672' is not an AMQP URI without credentials: write it like amqp://rabbit.internal:5672 (credentials from OpenEventRules__Broker__UserName and __Password)\n" },
        { ["outbox", "list", "--broker", "amqp://oer:secret@rabbit:5672"], "oer: --broker 'amqp://oer:secret@rabbit:5672' is not an AMQP URI without credentials: write it like amqp://rabbit.internal:5672 (credentials from OpenEventRules__Broker__UserName and __Password)\n" },
        { ["outbox", "retry", "--all", "--db", "x.db", "--broker", "amqp://rabbit:5672"], "oer: --db names the SQLite outbox and --broker (or OpenEventRules__Broker__Uri) the broker's: name one\n" },
        { ["outbox", "purge", "--dead", "--broker", "amqp://rabbit:5672", "--settings", "no-such-settings.json"], "oer: settings file not found: no-such-settings.json\n" },
    };

    [Theory]
    [MemberData(nameof(BrokerMistakes))]
    public void Broker_Mistakes_AreUsageErrorsSayingTheFix(string[] args, string expected)
    {
        var (exitCode, stdout, stderr) = Run(args);

        Assert.Equal((ExitCodes.Usage, "", expected), (exitCode, stdout, stderr));
    }

    [Fact]
    public void Broker_Unreachable_IsOneLineNamingTheSetting()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var (exitCode, stdout, stderr) = Run("outbox", "list", "--broker", $"amqp://127.0.0.1:{port}");

        Assert.Equal((ExitCodes.Usage, ""), (exitCode, stdout));
        Assert.StartsWith($"oer: the broker at amqp://127.0.0.1:{port} (virtual host /) is unreachable (OpenEventRules:Broker:Uri): ", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
