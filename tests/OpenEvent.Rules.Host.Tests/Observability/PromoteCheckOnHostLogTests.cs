using System.Net;
using System.Text.Json;

namespace OpenEvent.Rules.Host.Tests.Observability;

/// <summary>
/// Staged enforcement end to end: the real host enforces a staged policy in its pilot workspace and audits it elsewhere,
/// writes each stage (and the would-be reason, masked as the event is) to its decision log, and the real
/// <c>oer promote-check</c> reads that log: not ready with its defaults, ready with a threshold that tolerates what the log
/// shows, and without evidence once --since leaves every decision out (a fixed clock, a week later).
/// </summary>
public sealed class PromoteCheckOnHostLogTests
{
    private const string StagedPolicy = """
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: dws-deploy-review }
        spec:
          match:
            type: ["dataworks:FileChange:DeployFile"]
            data: { fileName: [{ prefix: "dws_" }] }
          scope: { workspaces: [10001234, 10005678] }
          enforceIn: { workspaces: [10001234] }
          actions:
            - block: { reason: "Deploying {{ data.fileName }} ({{ data.extensionBizId }}) needs a review" }
        """;

    private sealed class StoppedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static string Deploy(string id, long workspace, string fileName = "dws_orders", string op = "200012345678901") => $$$"""
        {"specversion":"1.0","id":"{{{id}}}","source":"acs.dataworks","type":"dataworks:FileChange:DeployFile",
         "aliyunregionid":"cn-hangzhou","data":{"eventCode":"deploy-file","tenantId":283780000010656,"projectId":{{{workspace}}},
         "operator":"{{{op}}}","fileName":"{{{fileName}}}","extensionBizId":"ext-12345"}}
        """;

    private static (int ExitCode, string Stdout, string Stderr) PromoteCheck(DateTimeOffset now, params string[] args)
    {
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        var exitCode = OpenEvent.Rules.Cli.Program.Run(["promote-check", "dws-deploy-review", .. args], stdout, stderr, new MemoryStream(), new StoppedClock(now));
        return (exitCode, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task PromoteCheck_OnTheHostsOwnDecisionLog_AnswersFromTheStagesItLogged()
    {
        using var policies = new TempFolder();
        policies.Write("dws-deploy-review.yaml", StagedPolicy);
        await using var host = await RunningHost.StartAsync(policies.Root, "--OpenEventRules:DecisionLog:Mask:0", "/data/extensionBizId");

        string[] verdicts =
        [
            await VerdictAsync(host, Deploy("pilot-1", 10001234)),
            await VerdictAsync(host, Deploy("outside-1", 10005678)),
            await VerdictAsync(host, Deploy("outside-2", 10005678, op: "200099999999999")),
            await VerdictAsync(host, Deploy("unmatched-1", 10005678, fileName: "ods_orders")),
        ];

        Assert.Equal(["FAIL", "OK", "OK", "OK"], verdicts);
        await RunningHost.WaitUntilAsync(() => Task.FromResult(File.Exists(host.DecisionLogPath) && File.ReadAllText(host.DecisionLogPath).Contains("unmatched-1")), "the four decision lines");
        var lines = File.ReadLines(host.DecisionLogPath).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var outside = lines.Single(l => l.GetProperty("eventId").GetString() == "outside-1");
        Assert.Equal("10005678", outside.GetProperty("scope").GetProperty("workspace").GetString());
        Assert.Equal("200012345678901", outside.GetProperty("scope").GetProperty("operator").GetString());
        var outcome = Assert.Single(outside.GetProperty("outcomes").EnumerateArray().ToList());
        Assert.Equal("audit", outcome.GetProperty("mode").GetString());
        Assert.Equal("FAIL", outcome.GetProperty("effect").GetString());
        Assert.Equal("Deploying dws_orders (***) needs a review", outcome.GetProperty("reason").GetString());
        Assert.False(outcome.GetProperty("stage").GetProperty("enforced").GetBoolean());
        Assert.Equal("not in enforceIn: workspace 10005678", outcome.GetProperty("stage").GetProperty("reason").GetString());
        var pilot = Assert.Single(lines.Single(l => l.GetProperty("eventId").GetString() == "pilot-1").GetProperty("outcomes").EnumerateArray().ToList());
        Assert.Equal("in enforceIn: workspace 10001234", pilot.GetProperty("stage").GetProperty("reason").GetString());
        Assert.DoesNotContain("ext-12345", File.ReadAllText(host.DecisionLogPath), StringComparison.Ordinal);

        var logged = DateTimeOffset.Parse(lines[0].GetProperty("time").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var logs = Path.GetDirectoryName(host.DecisionLogPath)!;

        var notReady = PromoteCheck(logged.AddHours(1), "--decisions", logs, "--since", "7d");
        Assert.Equal(3, notReady.ExitCode);
        Assert.Empty(notReady.Stderr);
        Assert.Contains("dws-deploy-review: NOT READY to enforce more widely\n", notReady.Stdout, StringComparison.Ordinal);
        Assert.Contains("  decisions: 4 in 1 file,", notReady.Stdout, StringComparison.Ordinal);
        Assert.Contains("  enforced: 1 FAIL, 0 WARN\n  would have: 2 FAIL, 0 WARN (audited; 2 outside enforceIn)\n", notReady.Stdout, StringComparison.Ordinal);
        Assert.Contains("  where (workspaces):\n    2 FAIL  0 WARN  10005678\n", notReady.Stdout, StringComparison.Ordinal);
        Assert.Contains("  by whom (operators):\n    1 FAIL  0 WARN  200012345678901\n    1 FAIL  0 WARN  200099999999999\n", notReady.Stdout, StringComparison.Ordinal);
        Assert.Contains("  top reasons:\n    2 FAIL  0 WARN  Deploying dws_orders (***) needs a review\n", notReady.Stdout, StringComparison.Ordinal);

        var ready = PromoteCheck(logged.AddHours(1), "--decisions", host.DecisionLogPath, "--max-would-block", "2", "--max-per-workspace", "2");
        Assert.Equal(0, ready.ExitCode);
        Assert.StartsWith("dws-deploy-review: READY to enforce more widely\n", ready.Stdout, StringComparison.Ordinal);

        var aWeekLater = PromoteCheck(logged.AddDays(8), "--decisions", logs, "--since", "7d", "--max-would-block", "2");
        Assert.Equal(3, aWeekLater.ExitCode);
        Assert.Contains("  not ready: 0 decisions in the period, fewer than --min-decisions 1: no evidence yet\n", aWeekLater.Stdout, StringComparison.Ordinal);
    }

    private static async Task<string> VerdictAsync(RunningHost host, string body)
    {
        using var response = await host.PostAsync("/events", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("results")[0].GetProperty("verdict").GetString()!;
    }
}
