using System.Text;
using System.Text.Json;
using OpenEvent.Rules.Cli.Commands;
using OpenEvent.Rules.Tests.Shared;

namespace OpenEvent.Rules.Cli.Tests.Commands;

/// <summary>
/// <c>oer waivers</c> and the waivers in <c>oer validate</c> and <c>oer dry-run</c>, on a fixed day (2026-06-01): the
/// state and days left of each waiver, applications counted from a decision log (bad lines skipped and counted), an
/// expired waiver failing <c>--strict</c>, and the exit codes of command-line mistakes.
/// </summary>
public sealed class WaiversCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static readonly FixedClock s_june1 = new(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero));

    public WaiversCommandTests()
    {
        _folder.Write("policies/freeze.yaml", """
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: deploy-freeze }
            spec:
              match:
                type: ["dataworks:FileChange:DeployFile"]
              actions:
                - block: { reason: "deploys are frozen" }
            """);
        _folder.Write("policies/waivers.yaml", Waiver("long-one", "2026-12-31") + "\n---\n" + Waiver("soon-one", "2026-06-10") + "\n---\n" + Waiver("old-one", "2026-05-15"));
    }

    public void Dispose() => _folder.Dispose();

    private static string Waiver(string name, string expires) => $$"""
        apiVersion: openevent.rules/v1
        kind: Waiver
        metadata: { name: {{name}} }
        spec:
          policies: [deploy-freeze]
          match: { data: { fileName: [{ prefix: "{{name}}" }] } }
          owner: data-eng
          ticket: GOV-{{name.Length}}
          reason: tested
          expires: {{expires}}
        """;

    private static (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        var exitCode = Program.Run(args, stdout, stderr, new MemoryStream(), s_june1);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Waivers_Text_EachStateDaysLeftAndApplicationsFromTheLog()
    {
        var log = _folder.Write("logs/decisions.jsonl", string.Join("\n",
            """{"time":"2026-05-30T10:00:00+00:00","eventId":"a","verdict":"OK","matched":["deploy-freeze"],"waived":[{"policy":"deploy-freeze","waiver":"long-one","owner":"data-eng","ticket":"GOV-8","expires":"2026-12-31"}]}""",
            """{"time":"2026-05-31T10:00:00+00:00","eventId":"b","verdict":"OK","matched":["deploy-freeze"],"waived":[{"policy":"deploy-freeze","waiver":"long-one","owner":"data-eng","ticket":"GOV-8","expires":"2026-12-31"}]}""",
            """{"time":"2026-05-31T11:00:00+00:00","eventId":"c","verdict":"FAIL","matched":["deploy-freeze"]}""",
            """{"time":"2026-05-31T12:00:00+00:00","eventId":"d","verdi""") + "\n");

        var (exitCode, stdout, stderr) = Run("waivers", "--policies", _folder.Path("policies"), "--decisions", log);

        Assert.True(exitCode == 0, stderr);
        Assert.Equal(
            """
            WAIVER    STATE     DAYS LEFT  EXPIRES     OWNER     TICKET  APPLIED  POLICIES
            long-one  active    214        2026-12-31  data-eng  GOV-8   2        deploy-freeze
            soon-one  expiring  10         2026-06-10  data-eng  GOV-8   0        deploy-freeze
            old-one   expired   -16        2026-05-15  data-eng  GOV-7   0        deploy-freeze

            """ + "3 waivers: 1 active, 1 expiring within 14 days, 1 expired; applications counted from 3 decisions in " + log + " (1 unreadable line skipped)\n",
            stdout);
    }

    [Fact]
    public async Task Waivers_HostileLog_FifoSkippedOverLongLineAndForeignNamesNotCounted()
    {
        // A FIFO beside the log would hold the command forever if it were opened; a line past the bound is skipped
        // without being kept; names of waivers the set does not have are not tallied (a log cannot grow the report).
        var logs = _folder.Path("hostile-logs");
        Directory.CreateDirectory(logs);
        FolderHazards.MakeFifo(Path.Combine(logs, "decisions.1.jsonl"));
        var applied = """{"time":"2026-05-30T10:00:00+00:00","eventId":"a","verdict":"OK","waived":[{"policy":"deploy-freeze","waiver":"long-one"}]}""";
        var foreign = """{"time":"2026-05-30T11:00:00+00:00","eventId":"b","verdict":"OK","waived":[{"policy":"deploy-freeze","waiver":"not-in-the-set"}]}""";
        using (var writer = new StreamWriter(Path.Combine(logs, "decisions.jsonl")))
        {
            writer.Write(applied + "\n" + foreign + "\n{\"time\":\"");
            writer.Write(new string('x', DecisionLogFiles.MaxLineBytes));
            writer.Write("\"}\n");
        }

        var (exitCode, stdout, stderr) = await Task.Run(() => Run("waivers", "--policies", _folder.Path("policies"), "--decisions", logs, "--format", "json"))
            .WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(exitCode == 0, stderr);
        using var report = JsonDocument.Parse(stdout);
        var decisions = report.RootElement.GetProperty("decisions");
        Assert.Equal((2, 1), (decisions.GetProperty("lines").GetInt32(), decisions.GetProperty("unreadable").GetInt32()));
        Assert.Equal([Path.Combine(logs, "decisions.jsonl")], decisions.GetProperty("files").EnumerateArray().Select(f => f.GetString()));
        var byName = report.RootElement.GetProperty("waivers").EnumerateArray().ToDictionary(w => w.GetProperty("name").GetString()!, w => w.GetProperty("applied").GetInt32());
        Assert.Equal(1, byName["long-one"]);
        Assert.DoesNotContain("not-in-the-set", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Waivers_Text_ControlCharactersInAWaiverAreEscaped()
    {
        // An escape sequence in a policy file must not reach the reviewer's terminal raw (it could hide or recolour rows).
        var policies = _folder.Path("escaped");
        Directory.CreateDirectory(policies);
        File.WriteAllText(Path.Combine(policies, "p.yaml"), """
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: freeze }
            spec:
              match: { type: ["dataworks:FileChange:DeployFile"] }
              actions: [ { block: { reason: frozen } } ]
            ---
            apiVersion: openevent.rules/v1
            kind: Waiver
            metadata: { name: odd }
            spec:
              policies: [freeze]
              owner: "data\u001b[2Keng"
              ticket: "GOV-1\r"
              reason: r
              expires: 2026-12-31

            """);

        var (exitCode, stdout, stderr) = Run("waivers", "--policies", policies);

        Assert.True(exitCode == 0, stderr);
        Assert.DoesNotContain('\u001b', stdout);
        Assert.DoesNotContain('\r', stdout);
        Assert.Contains(@"data\u001b[2Keng", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Waivers_Json_WithoutDecisions_AppliedIsNull()
    {
        var (exitCode, stdout, _) = Run("waivers", "--policies", _folder.Path("policies"), "--format", "json");

        Assert.Equal(0, exitCode);
        using var report = JsonDocument.Parse(stdout);
        Assert.Equal("2026-06-01T00:00:00Z", report.RootElement.GetProperty("now").GetString());
        Assert.Equal(JsonValueKind.Null, report.RootElement.GetProperty("decisions").ValueKind);
        var soon = report.RootElement.GetProperty("waivers")[1];
        Assert.Equal(("soon-one", "expiring", 10, "2026-06-11T00:00:00Z"), (soon.GetProperty("name").GetString(), soon.GetProperty("state").GetString(),
            soon.GetProperty("daysLeft").GetInt32(), soon.GetProperty("endsAt").GetString()));
        Assert.Equal(JsonValueKind.Null, soon.GetProperty("applied").ValueKind);
    }

    [Fact]
    public void Waivers_StrictWithAnExpiredWaiver_Exit1()
    {
        Assert.Equal(1, Run("waivers", "--policies", _folder.Path("policies"), "--strict").ExitCode);
    }

    [Theory]
    [InlineData("--decisions", "no-such-log.jsonl", "oer: decision log not found: no-such-log.jsonl")]
    [InlineData("--expiring-within", "400", "oer: --expiring-within 400 is out of range: give 0 to 366 days")]
    public void Waivers_CommandLineMistake_Exit2(string option, string value, string message)
    {
        var (exitCode, _, stderr) = Run("waivers", "--policies", _folder.Path("policies"), option, value);

        Assert.Equal(2, exitCode);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ExpiringAndExpiredWaivers_WarningsThenAnErrorWithStrict()
    {
        var normal = Run("validate", _folder.Path("policies"), "--format", "json");
        var strict = Run("validate", _folder.Path("policies"), "--format", "json", "--strict");

        Assert.Equal(0, normal.ExitCode);
        Assert.Equal(1, strict.ExitCode);
        using var json = JsonDocument.Parse(normal.Stdout);
        Assert.Equal([("OER3101", "warning", 21), ("OER3102", "warning", 32)],
            json.RootElement.EnumerateArray().Select(d => (d.GetProperty("id").GetString(), d.GetProperty("severity").GetString(), d.GetProperty("line").GetInt32())));
        using var strictJson = JsonDocument.Parse(strict.Stdout);
        Assert.Equal(["warning", "error"], strictJson.RootElement.EnumerateArray().Select(d => d.GetProperty("severity").GetString()));
    }

    [Fact]
    public void DryRun_WaivedEvent_TextAndJsonNameTheWaiver()
    {
        var e = _folder.Write("deploy.json", """{"specversion":"1.0","id":"d-1","source":"acs.dataworks","type":"dataworks:FileChange:DeployFile","data":{"projectId":1,"fileName":"soon-one_orders"}}""");

        var text = Run("dry-run", "--policies", _folder.Path("policies"), e);
        var json = Run("dry-run", "--policies", _folder.Path("policies"), "--format", "json", e);

        Assert.Contains("OK       deploy-freeze\n", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("    waived by soon-one (owner data-eng, ticket GOV-8, expires 2026-06-10): deploy-freeze's block and warn do not count\n", text.Stdout, StringComparison.Ordinal);
        using var decision = JsonDocument.Parse(json.Stdout);
        Assert.Equal("soon-one", decision.RootElement.GetProperty("matched")[0].GetProperty("waiver").GetProperty("name").GetString());
    }
}
