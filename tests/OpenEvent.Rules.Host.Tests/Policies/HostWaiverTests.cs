using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenEvent.Rules.Host.Tests.Endpoints;

namespace OpenEvent.Rules.Host.Tests.Policies;

/// <summary>
/// A waiver in the real host, on a clock the test moves: the host lets the waived deploy through (OK) while its
/// notification still goes out, the decision log names the waiver, the waiver ends by the host's clock without a reload
/// (the same deploy is blocked again), the load logs a waiver that ends soon, and <c>oer waivers</c> counts the
/// application from that decision log; <c>/metrics</c> counts it as <c>oer_waivers_applied_total</c>.
/// </summary>
public sealed class HostWaiverTests
{
    private const string Waiver = """
        apiVersion: openevent.rules/v1
        kind: Waiver
        metadata: { name: orders-backfill }
        spec:
          policies: [deploy-freeze]
          scope: { workspaces: [10001234] }
          match: { data: { fileName: [{ prefix: "dws_orders" }] } }
          owner: data-eng
          ticket: GOV-12
          reason: the orders backfill deploys during the freeze
          expires: 2026-06-10
        """;

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task PostEvents_WaivedDeploy_AnsweredOkUntilTheWaiverEndsAndCountedByOerWaivers()
    {
        using var policies = new TempFolder();
        File.Copy(Path.Combine(RunningHost.FixturePolicies, "deploy-freeze.yaml"), policies.Path("deploy-freeze.yaml"));
        policies.Write("waivers.yaml", Waiver);
        var clock = new ManualClock(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero));
        var log = new CapturedLog();
        await using var host = await RunningHost.StartConfiguredAsync(builder =>
        {
            builder.Services.AddSingleton<TimeProvider>(clock);
            builder.Logging.AddProvider(log);
        }, policies.Root);

        // Waived: OK, and the decision names the waiver; a file the waiver does not cover is still blocked.
        Assert.Equal("OK", await VerdictAsync(host, "waived-1", "dws_orders"));
        Assert.Equal("FAIL", await VerdictAsync(host, "not-waived-1", "dws_users"));

        // Its end passes on the host's clock: the same deploy is blocked, without a reload.
        clock.Now = new DateTimeOffset(2026, 6, 11, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal("FAIL", await VerdictAsync(host, "ended-1", "dws_orders"));

        await RunningHost.WaitUntilAsync(() => Task.FromResult(File.Exists(host.DecisionLogPath) && File.ReadAllText(host.DecisionLogPath).Contains("ended-1")), "the decision lines");
        var lines = File.ReadLines(host.DecisionLogPath).Select(l => JsonDocument.Parse(l).RootElement).ToDictionary(l => l.GetProperty("eventId").GetString()!);
        var waived = lines["waived-1"].GetProperty("waived").EnumerateArray().Single();
        Assert.Equal(("deploy-freeze", "orders-backfill", "data-eng", "GOV-12", "2026-06-10"),
            (waived.GetProperty("policy").GetString(), waived.GetProperty("waiver").GetString(), waived.GetProperty("owner").GetString(),
             waived.GetProperty("ticket").GetString(), waived.GetProperty("expires").GetString()));
        Assert.Equal("OK", lines["waived-1"].GetProperty("verdict").GetString());
        Assert.Equal(["block", "notify"], lines["waived-1"].GetProperty("actions").EnumerateArray().Select(a => a.GetString()));
        Assert.False(lines["not-waived-1"].TryGetProperty("waived", out _));
        Assert.False(lines["ended-1"].TryGetProperty("waived", out _));

        // The metric counts the one application, by waiver and policy.
        var metrics = "";
        await RunningHost.WaitUntilAsync(async () => (metrics = await host.Client.GetStringAsync("/metrics")).Contains("oer_waivers_applied_total", StringComparison.Ordinal), "the waiver metric");
        Assert.Matches(@"(?m)^oer_waivers_applied_total\{[^}]*policy=""deploy-freeze"",waiver=""orders-backfill""\} 1( \d+)?$", metrics);

        // The load said the waiver ends within 14 days.
        Assert.Contains(log.Lines, l => l.Contains("OER3101", StringComparison.Ordinal) && l.Contains("orders-backfill", StringComparison.Ordinal));

        // oer waivers reads the host's decision log (its folder, rolled files included).
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = Cli.Program.Run(["waivers", "--policies", policies.Root, "--decisions", Path.GetDirectoryName(host.DecisionLogPath)!, "--format", "json"],
            stdout, stderr, Stream.Null, new ManualClock(new DateTimeOffset(2026, 6, 5, 12, 0, 0, TimeSpan.Zero)));

        Assert.True(exit == 0, stderr.ToString());
        using var report = JsonDocument.Parse(stdout.ToString());
        var entry = report.RootElement.GetProperty("waivers").EnumerateArray().Single();
        Assert.Equal(("orders-backfill", "expiring", 5, 1), (entry.GetProperty("name").GetString(), entry.GetProperty("state").GetString(),
            entry.GetProperty("daysLeft").GetInt32(), entry.GetProperty("applied").GetInt32()));
        Assert.Equal(3, report.RootElement.GetProperty("decisions").GetProperty("lines").GetInt32());
    }

    private static async Task<string> VerdictAsync(RunningHost host, string id, string fileName)
    {
        using var response = await host.PostAsync("/events", HostEndpointTests.DeployEvent(id, fileName));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("results")[0].GetProperty("verdict").GetString()!;
    }
}
