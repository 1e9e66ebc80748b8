using System.Text.Json;
using OpenEvent.Rules.Cli.Commands;

namespace OpenEvent.Rules.Cli.Tests.Commands;

/// <summary>
/// <c>oer promote-check</c> over decision logs in the host's line format (the host's own log is read in
/// Host.Tests/Observability/PromoteCheckOnHostLogTests): ready and not ready against each threshold, malformed lines
/// counted, --since as an age and as a date against a fixed clock, a folder with rolled files, and input mistakes.
/// </summary>
public sealed class PromoteCheckCommandTests : IDisposable
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 6, 8, 0, 0, TimeSpan.Zero);
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private sealed class StoppedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        var exitCode = Program.Run(args, stdout, stderr, new MemoryStream(), new StoppedClock(s_now));
        return (exitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A line as the host writes it (Host/Observability/DecisionLog and DecisionLogOutcomes), with one outcome of the policy.</summary>
    private static string Line(TimeSpan ago, string workspace, string mode, string? effect, bool staged = true, string op = "200012345678901",
        string reason = "Deploying dws_orders needs a review", string policy = "dws-deploy-review")
    {
        var audited = mode == "audit";
        var stage = staged ? $$"""{"enforced":{{(audited ? "false" : "true")}},"reason":"{{(audited ? "not " : "")}}in enforceIn: workspace {{workspace}}"}""" : "null";
        var outcome = effect is null
            ? $$"""{"policy":"{{policy}}","mode":"{{mode}}","effect":null,"stage":{{stage}}}"""
            : $$"""{"policy":"{{policy}}","mode":"{{mode}}","effect":"{{effect}}","reason":"{{reason}}","stage":{{stage}}}""";
        var verdict = audited || effect is null ? "OK" : effect;
        return $$"""{"time":"{{(s_now - ago).ToString("O")}}","eventId":"e-{{Guid.NewGuid():N}}","type":"dataworks:FileChange:DeployFile","verdict":"{{verdict}}","matched":[{{(audited ? "" : $"\"{policy}\"")}}],"audit":[{{(audited ? $"\"{policy}\"" : "")}}],"actions":[],"scope":{"workspace":"{{workspace}}","operator":"{{op}}"},"outcomes":[{{outcome}}],"conditionErrors":0,"revision":"sha256:1","latencyMs":0.2}""";
    }

    private string Log(params string[] lines) => _temp.Write($"logs-{Guid.NewGuid():N}/decisions.jsonl", string.Join("\n", lines) + "\n");

    private static readonly TimeSpan s_hour = TimeSpan.FromHours(1);

    [Fact]
    public void Lines_OverTheBound_IsNullNotABlankLine()
    {
        // An over-long line must count as malformed: read as empty, it would pass for a blank line and vanish.
        var bytes = System.Text.Encoding.UTF8.GetBytes("{\"a\":1}\n\"" + new string('x', DecisionLogFiles.MaxLineBytes) + "\"\n\n{\"b\":2}");

        var lines = DecisionLogFiles.Lines(new MemoryStream(bytes)).ToList();

        Assert.Equal([7, null, 0, 7], lines.Select(l => l?.Length));
    }

    [Fact]
    public void PromoteCheck_WouldBlockOutsideThePilot_NotReadyWithWhereWhoAndWhy()
    {
        var log = Log(
            Line(s_hour, "10001234", "enforce", "FAIL"),
            Line(s_hour, "10005678", "audit", "FAIL"),
            Line(s_hour, "10005678", "audit", "FAIL", op: "200099999999999"),
            Line(s_hour, "10007777", "audit", "FAIL", reason: "Deploying dws_users needs a review"),
            Line(s_hour, "10007777", "audit", "WARN", reason: "dws_users: check the schedule"),
            Line(s_hour, "10005678", "audit", "FAIL", policy: "another-policy"));

        var (exitCode, stdout, stderr) = Run("promote-check", "dws-deploy-review", "--decisions", log, "--max-would-warn", "1");

        Assert.Equal(3, exitCode);
        Assert.Empty(stderr);
        Assert.Equal(
            $"""
            dws-deploy-review: NOT READY to enforce more widely
              decisions: 6 in 1 file, 2026-12-06T07:00:00Z to 2026-12-06T07:00:00Z
              enforced: 1 FAIL, 0 WARN
              would have: 3 FAIL, 1 WARN (audited; 4 outside enforceIn)
              where (workspaces):
                2 FAIL  0 WARN  10005678
                1 FAIL  1 WARN  10007777
              by whom (operators):
                2 FAIL  1 WARN  200012345678901
                1 FAIL  0 WARN  200099999999999
              top reasons:
                2 FAIL  0 WARN  Deploying dws_orders needs a review
                1 FAIL  0 WARN  Deploying dws_users needs a review
                0 FAIL  1 WARN  dws_users: check the schedule
              FAIL would-block (FAIL): 3, limit --max-would-block 0
              ok   would-warn (WARN): 1, limit --max-would-warn 1
              not ready: would-block (FAIL) 3 is over --max-would-block 0

            """, stdout);
    }

    [Fact]
    public void PromoteCheck_MisspeltPolicyName_RefusedWithTheClosestNameTheLogHolds()
    {
        // A name no decision holds reads as "would have stopped nothing": a typo must not give CI a green light.
        var log = Log(Line(s_hour, "10005678", "audit", "FAIL"), Line(s_hour, "10001234", "enforce", "FAIL"));

        var (exitCode, stdout, stderr) = Run("promote-check", "dws-deploy-reveiw", "--decisions", log);

        Assert.Equal(2, exitCode);
        Assert.Empty(stdout);
        Assert.Equal("oer: no decision in the period names policy 'dws-deploy-reveiw': did you mean 'dws-deploy-review'?\n", stderr);
    }

    [Fact]
    public void PromoteCheck_PolicyNoDecisionNames_ReadyWithANote()
    {
        var log = Log(Line(s_hour, "10005678", "audit", "FAIL"));

        var (exitCode, stdout, stderr) = Run("promote-check", "quiet-guard", "--decisions", log);

        Assert.Equal(0, exitCode);
        Assert.StartsWith("quiet-guard: READY to enforce more widely\n", stdout, StringComparison.Ordinal);
        Assert.Contains("no decision in the period names policy 'quiet-guard'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void PromoteCheck_OnlyEnforcedInThePilot_Ready()
    {
        var log = Log(Line(s_hour, "10001234", "enforce", "FAIL"), Line(s_hour, "10005678", "audit", null));

        var (exitCode, stdout, _) = Run("promote-check", "dws-deploy-review", "--decisions", log);

        Assert.Equal(0, exitCode);
        Assert.StartsWith("dws-deploy-review: READY to enforce more widely\n", stdout, StringComparison.Ordinal);
        Assert.Contains("  would have: 0 FAIL, 0 WARN (audited)\n", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--max-would-block", "3" }, 0, null)]
    [InlineData(new[] { "--threshold", "3" }, 0, null)]
    [InlineData(new[] { "--max-would-block", "3", "--max-per-workspace", "1" }, 3, "would-block in one workspace 2 (workspace 10005678) is over --max-per-workspace 1")]
    [InlineData(new[] { "--max-would-block", "3", "--max-per-operator", "2" }, 3, "would-block for one operator 3 (operator 200012345678901) is over --max-per-operator 2")]
    [InlineData(new[] { "--max-would-block", "3", "--min-decisions", "5" }, 3, "4 decisions in the period, fewer than --min-decisions 5: no evidence yet")]
    public void PromoteCheck_Thresholds_DecideTheAnswer(string[] options, int expected, string? problem)
    {
        var log = Log(Line(s_hour, "10005678", "audit", "FAIL"), Line(s_hour, "10005678", "audit", "FAIL"), Line(s_hour, "10007777", "audit", "FAIL"),
            Line(s_hour, "10001234", "enforce", "FAIL"));

        var (exitCode, stdout, _) = Run(["promote-check", "dws-deploy-review", "--decisions", log, .. options]);

        Assert.Equal(expected, exitCode);
        if (problem is not null)
        {
            Assert.Contains($"  not ready: {problem}\n", stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void PromoteCheck_MalformedLines_CountedAndSkipped()
    {
        var log = Log(
            Line(s_hour, "10005678", "audit", "FAIL"),
            """{"time":"2026-12-06T07:00:00Z","eventId":"torn","outco""",
            "not json at all",
            "",
            """["an","array"]""",
            """{"eventId":"no-time","outcomes":[]}""");

        var (exitCode, stdout, _) = Run("promote-check", "dws-deploy-review", "--decisions", log, "--max-would-block", "1");

        Assert.Equal(0, exitCode);
        Assert.Contains("  decisions: 1 in 1 file, 2026-12-06T07:00:00Z to 2026-12-06T07:00:00Z; 4 malformed lines skipped\n", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("7d", 0, "(since 2026-11-29T08:00:00Z; 1 earlier left out)")]
    [InlineData("240h", 3, "(since 2026-11-26T08:00:00Z; 0 earlier left out)")]
    [InlineData("2026-11-28", 0, "(since 2026-11-28T00:00:00Z; 1 earlier left out)")]
    [InlineData("2026-11-26T07:00:00Z", 3, "(since 2026-11-26T07:00:00Z; 0 earlier left out)")]
    public void PromoteCheck_Since_LeavesOutOlderDecisionsByTheClock(string since, int expected, string period)
    {
        // Nine days ago the policy would have blocked; since then it only enforced in its pilot.
        var log = Log(Line(TimeSpan.FromDays(9), "10005678", "audit", "FAIL"), Line(TimeSpan.FromDays(1), "10001234", "enforce", "FAIL"));

        var (exitCode, stdout, stderr) = Run("promote-check", "dws-deploy-review", "--decisions", log, "--since", since);

        Assert.Equal(expected, exitCode);
        Assert.Empty(stderr);
        Assert.Contains(period, stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void PromoteCheck_SinceAfterEveryDecision_NotReadyForLackOfEvidence()
    {
        var log = Log(Line(TimeSpan.FromDays(9), "10001234", "enforce", "FAIL"));

        var (exitCode, stdout, _) = Run("promote-check", "dws-deploy-review", "--decisions", log, "--since", "7d");

        Assert.Equal(3, exitCode);
        Assert.Contains("  not ready: 0 decisions in the period, fewer than --min-decisions 1: no evidence yet\n", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void PromoteCheck_FolderWithRolledFiles_ReadsEveryLogFileAndNothingElse()
    {
        var folder = _temp.Path("rolled");
        _temp.Write("rolled/decisions.jsonl", Line(s_hour, "10005678", "audit", "FAIL") + "\n");
        _temp.Write("rolled/decisions.1.jsonl", Line(TimeSpan.FromHours(2), "10005678", "audit", "FAIL") + "\n");
        _temp.Write("rolled/decisions.2.jsonl", Line(TimeSpan.FromHours(3), "10005678", "audit", "WARN") + "\n");
        _temp.Write("rolled/notes.txt", "not a log\n");

        var (exitCode, stdout, _) = Run("promote-check", "dws-deploy-review", "--decisions", folder, "--format", "json");

        Assert.Equal(3, exitCode);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.False(root.GetProperty("ready").GetBoolean());
        Assert.Equal(3, root.GetProperty("files").GetArrayLength());
        Assert.Equal(3, root.GetProperty("decisions").GetInt32());
        Assert.Equal(0, root.GetProperty("malformed").GetInt32());
        Assert.Equal(2, root.GetProperty("would").GetProperty("fail").GetInt32());
        Assert.Equal(1, root.GetProperty("would").GetProperty("warn").GetInt32());
        var workspace = Assert.Single(root.GetProperty("workspaces").EnumerateArray().ToList());
        Assert.Equal("10005678", workspace.GetProperty("workspace").GetString());
        Assert.Equal(2, workspace.GetProperty("fail").GetInt32());
        Assert.Equal(
            ["would-block (FAIL) 2 is over --max-would-block 0", "would-warn (WARN) 1 is over --max-would-warn 0"],
            root.GetProperty("problems").EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public void PromoteCheck_LinesWithoutOutcomesNameThePolicy_NotReady()
    {
        // A host from before the log had outcomes: the policy audited, but what it would have done cannot be told.
        var log = Log("""{"time":"2026-12-06T07:00:00Z","eventId":"old","type":"dataworks:FileChange:DeployFile","verdict":"OK","matched":[],"audit":["dws-deploy-review"],"actions":[]}""");

        var (exitCode, stdout, _) = Run("promote-check", "dws-deploy-review", "--decisions", log);

        Assert.Equal(3, exitCode);
        Assert.Contains("1 decision names the policy without its outcome", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void PromoteCheck_InputMistakes_Exit2WithTheReason()
    {
        var empty = _temp.Path("empty");
        Directory.CreateDirectory(empty);
        var garbage = _temp.Write("garbage.jsonl", "nothing\nhere\n");

        Assert.Equal((2, "oer: name the host's decision log with --decisions PATH (a file, or the folder that holds it)\n"),
            Pick(Run("promote-check", "dws-deploy-review")));
        Assert.Equal((2, $"oer: decision log not found: {_temp.Path("none.jsonl")} (pass the host's OpenEventRules:DecisionLog:Path, or the folder that holds it)\n"),
            Pick(Run("promote-check", "dws-deploy-review", "--decisions", _temp.Path("none.jsonl"))));
        Assert.Equal((2, $"oer: no decision log files (*.jsonl, *.ndjson, *.json, *.log) in {empty}\n"),
            Pick(Run("promote-check", "dws-deploy-review", "--decisions", empty)));
        Assert.Equal((2, $"oer: {garbage} holds no decision log line (2 malformed): is it the host's OpenEventRules:DecisionLog:Path?\n"),
            Pick(Run("promote-check", "dws-deploy-review", "--decisions", garbage)));
        Assert.Equal((2, "oer: --since 'last week' is not an age or a date: write it like 7d, 24h, 30m, 2026-12-01 or 2026-12-01T08:00:00Z\n"),
            Pick(Run("promote-check", "dws-deploy-review", "--decisions", garbage, "--since", "last week")));
        Assert.Equal(2, Run("promote-check", "dws-deploy-review", "--decisions", garbage, "--max-would-block", "-1").ExitCode);
        Assert.Equal(2, Run("promote-check", "--decisions", garbage).ExitCode);

        static (int, string) Pick((int ExitCode, string Stdout, string Stderr) result) => (result.ExitCode, result.Stderr);
    }

    [Fact]
    public void ParseSince_AgesAndDates_RelativeToTheClock()
    {
        Assert.Equal(s_now - TimeSpan.FromDays(7), PromoteCheckCommand.ParseSince("7d", s_now));
        Assert.Equal(s_now - TimeSpan.FromMinutes(30), PromoteCheckCommand.ParseSince("30m", s_now));
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), PromoteCheckCommand.ParseSince("2026-12-01", s_now));
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.FromHours(8)), PromoteCheckCommand.ParseSince("2026-12-01T08:00:00+08:00", s_now));
        Assert.Null(PromoteCheckCommand.ParseSince("soon", s_now));
    }

    [Theory]
    [InlineData("99999999999d")] // TimeSpan.FromDays threw OverflowException: the command died with a stack trace
    [InlineData("Infinityh")]
    [InlineData("NaNm")]
    [InlineData("1e308s")]
    [InlineData("36526d")] // past the 100 years an age may be
    [InlineData("10675199.02:48:05")] // TimeSpan.MaxValue: now minus it is before year 1
    [InlineData("-1d")]
    public void PromoteCheck_AbsurdSince_Exit2NotACrash(string since)
    {
        var log = _temp.Write("one.jsonl", "{\"time\":\"2026-11-30T08:00:00Z\"}\n");

        var (exitCode, _, stderr) = Run("promote-check", "dws-deploy-review", "--decisions", log, "--since", since);

        Assert.Equal((2, $"oer: --since '{since}' is not an age or a date: write it like 7d, 24h, 30m, 2026-12-01 or 2026-12-01T08:00:00Z\n"), (exitCode, stderr));
    }
}
