using System.Text;
using System.Text.Json;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Sources;

namespace OpenEvent.Rules.Core.Tests.Evaluation;

/// <summary>
/// Waivers at evaluation, on a clock the test moves: a waiver relaxes the block or warn of the policies it names for the
/// events of its scope and match, until its end (a date lasts to the end of that day, UTC), by the evaluator's clock on
/// the same compiled set (no reload); notifications and forwards of a waived match still go out, and the decision names
/// the waiver. Events outside its scope or match are still blocked. The compiled and the reference matcher agree.
/// </summary>
public sealed class WaiverEvaluationTests
{
    private const string Set = """
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: deploy-freeze }
        spec:
          match:
            type: ["dataworks:FileChange:DeployFile"]
          actions:
            - block: { reason: "deploys are frozen" }
            - notify: { channel: log, message: "frozen deploy of {{ data.fileName }}" }
        ---
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: review-dws }
        spec:
          match:
            type: ["dataworks:FileChange:DeployFile"]
            data: { fileName: [{ prefix: "dws_" }] }
          actions:
            - warn: { reason: "dws tables are reviewed" }
        ---
        apiVersion: openevent.rules/v1
        kind: Waiver
        metadata: { name: orders-backfill }
        spec:
          policies: [deploy-freeze]
          scope: { workspaces: [10001234] }
          match: { data: { fileName: [{ prefix: "dws_orders" }] } }
          owner: data-eng
          ticket: GOV-12
          reason: the orders backfill must deploy during the freeze
          expires: 2026-06-30
        """;

    /// <summary>A clock that stands still where the test puts it.</summary>
    internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static async Task<PolicySetDefinition> LoadAsync(string yaml)
    {
        using var folder = new TempFolder();
        folder.Write("policies.yaml", yaml);
        var load = await PolicyFolderLoader.LoadAsync([folder.Root]);
        Assert.False(load.HasErrors, string.Join("\n", load.Diagnostics));
        return load.Set;
    }

    private static Decision Evaluate(CompiledPolicySet set, string fileName, long workspace = 10001234) =>
        set.EvaluateInput(Encoding.UTF8.GetBytes(
            $$$"""{"specversion":"1.0","id":"e-1","source":"acs.dataworks","type":"dataworks:FileChange:DeployFile","data":{"projectId":{{{workspace}}},"operator":"200012345678901","fileName":"{{{fileName}}}"}}"""), "test").Single();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Evaluate_ActiveWaiver_LetsTheEventThroughAndNamesIt(bool reference)
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-06-01T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        using var set = PolicySetCompiler.Compile(await LoadAsync(Set), new() { Time = clock, UseReferenceMatcher = reference });

        var decision = Evaluate(set, "dws_orders_daily");

        // The freeze is waived; the review's warn is not (the waiver names deploy-freeze only).
        Assert.Equal(Verdict.Warn, decision.Verdict);
        var freeze = decision.Matched.Single(m => m.Policy == "deploy-freeze");
        Assert.Equal("orders-backfill", freeze.Waiver?.Name);
        Assert.Null(decision.Matched.Single(m => m.Policy == "review-dws").Waiver);

        // Its notification still goes out: a waiver relaxes the verdict, never the audit trail.
        Assert.Contains(freeze.Actions, a => a is NotifyOutcome { Message: "frozen deploy of dws_orders_daily" });

        using var json = JsonDocument.Parse(DecisionJson.Serialize(decision));
        var waiver = json.RootElement.GetProperty("matched").EnumerateArray().Single(m => m.GetProperty("policy").GetString() == "deploy-freeze").GetProperty("waiver");
        Assert.Equal("orders-backfill", waiver.GetProperty("name").GetString());
        Assert.Equal("data-eng", waiver.GetProperty("owner").GetString());
        Assert.Equal("GOV-12", waiver.GetProperty("ticket").GetString());
        Assert.Equal("2026-06-30", waiver.GetProperty("expires").GetString());
        Assert.Equal("2026-07-01T00:00:00Z", waiver.GetProperty("endsAt").GetString());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("matched").EnumerateArray().Single(m => m.GetProperty("policy").GetString() == "review-dws").GetProperty("waiver").ValueKind);
    }

    [Theory]
    [InlineData("2026-06-20T12:00:00Z", "WARN", true)]   // expiring (within 14 days): still applies
    [InlineData("2026-06-30T23:59:59Z", "WARN", true)]   // the last second of its day, UTC
    [InlineData("2026-07-01T00:00:00Z", "FAIL", false)]  // ended: the freeze blocks again
    [InlineData("2026-06-30T20:00:00-05:00", "FAIL", false)] // 01:00 UTC on July 1st: a date ends at midnight UTC, wherever the reader is
    public async Task Evaluate_WaiverAtItsEnd_StopsApplyingByTheClockWithoutAReload(string now, string verdict, bool waived)
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-06-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        using var set = PolicySetCompiler.Compile(await LoadAsync(Set), new() { Time = clock });
        Assert.Equal(Verdict.Warn, Evaluate(set, "dws_orders").Verdict);

        clock.Now = DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture);
        var decision = Evaluate(set, "dws_orders");

        Assert.Equal(verdict, DecisionJson.VerdictText(decision.Verdict!.Value));
        Assert.Equal(waived, decision.Matched.Single(m => m.Policy == "deploy-freeze").Waiver is not null);
    }

    [Theory]
    [InlineData("dws_orders", 10001235)]   // another workspace: outside the waiver's scope
    [InlineData("dws_users", 10001234)]    // its workspace, but not its files
    public async Task Evaluate_EventOutsideTheWaiver_IsStillBlocked(string fileName, long workspace)
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-06-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        using var set = PolicySetCompiler.Compile(await LoadAsync(Set), new() { Time = clock });

        var decision = Evaluate(set, fileName, workspace);

        Assert.Equal(Verdict.Fail, decision.Verdict);
        Assert.All(decision.Matched, m => Assert.Null(m.Waiver));
    }

    [Fact]
    public async Task Evaluate_ExpiryWithAnOffset_EndsAtThatInstant()
    {
        var yaml = Set.Replace("expires: 2026-06-30", "expires: 2026-06-30T18:00:00+08:00", StringComparison.Ordinal);
        var clock = new ManualClock(DateTimeOffset.Parse("2026-06-30T09:59:59Z", System.Globalization.CultureInfo.InvariantCulture));
        using var set = PolicySetCompiler.Compile(await LoadAsync(yaml), new() { Time = clock });
        Assert.Equal(Verdict.Warn, Evaluate(set, "dws_orders").Verdict);

        clock.Now = DateTimeOffset.Parse("2026-06-30T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(Verdict.Fail, Evaluate(set, "dws_orders").Verdict);
    }

    [Theory]
    [InlineData("2026-06-02T09:00:00Z", Verdict.Warn)]   // inside the waiver's maintenance hour
    [InlineData("2026-06-02T11:00:00Z", Verdict.Fail)]   // outside it
    public async Task Evaluate_WaiverWithAWindow_ReadsTheEventsTimeEvenWhenNoPolicyHasOne(string time, Verdict verdict)
    {
        var yaml = Set.Replace("scope: { workspaces: [10001234] }", """scope: { workspaces: [10001234], windows: [{ timeZone: UTC, daily: { from: "08:00", to: "10:00" } }] }""", StringComparison.Ordinal);
        var clock = new ManualClock(DateTimeOffset.Parse("2026-06-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        using var set = PolicySetCompiler.Compile(await LoadAsync(yaml), new() { Time = clock });

        var decision = set.EvaluateInput(Encoding.UTF8.GetBytes(
            $$$"""{"specversion":"1.0","id":"e-1","source":"acs.dataworks","type":"dataworks:FileChange:DeployFile","time":"{{{time}}}","data":{"projectId":10001234,"fileName":"dws_orders"}}"""), "test").Single();

        Assert.Equal(verdict, decision.Verdict);
    }

    [Fact]
    public async Task Explain_WaivedPolicy_NamesTheWaiver()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-06-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        using var set = PolicySetCompiler.Compile(await LoadAsync(Set), new() { Time = clock });
        var bytes = Encoding.UTF8.GetBytes("""{"specversion":"1.0","id":"e-1","source":"acs.dataworks","type":"dataworks:FileChange:DeployFile","data":{"projectId":10001234,"fileName":"dws_orders"}}""");
        using var e = set.TryRead(new EventSlice(new EventOrigin("test", 0), bytes, null), out _)!;
        var decision = set.Evaluator.Evaluate(e);

        var explanations = set.Definition.Policies.Select(p => PolicyExplainer.Explain(p, e, decision)).ToList();

        Assert.Equal("orders-backfill", explanations.Single(x => x.Policy.Name == "deploy-freeze").Waiver?.Name);
        Assert.Null(explanations.Single(x => x.Policy.Name == "review-dws").Waiver);
        using var json = JsonDocument.Parse(ExplanationJson.Serialize(e, explanations, null));
        Assert.Equal("GOV-12", json.RootElement.GetProperty("policies")[0].GetProperty("waiver").GetProperty("ticket").GetString());
    }
}
