using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Observability;
using OpenEvent.Rules.Host.WebConsole;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Host.Tests.WebConsole;

/// <summary>What the console keeps in memory is bounded in count and in event bytes; counts and masks are exact.</summary>
public sealed class DecisionFeedTests
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 6, 10, 30, 0, TimeSpan.Zero);

    private static DecisionFeed Feed(int recent, long maxEventBytes) =>
        new(Options.Create(new RulesHostOptions { Console = new ConsoleOptions { RecentDecisions = recent, MaxRecentEventBytes = maxEventBytes } }));

    private static Decision Decision(string id, Verdict? verdict, params string[] matched) =>
        new(new EventDescriptor(id, "dataworks:FileChange:DeployFile", "request", 0), verdict,
            [.. matched.Select(p => new PolicyMatch(p, PolicyMode.Enforce, 0, new SourceLocation("p.yaml", 1, 1), []))], [], [], null);

    private static DataWorksEvent Event(string id, int padding)
    {
        var json = "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"acs.dataworks\",\"type\":\"dataworks:FileChange:DeployFile\",\"data\":{\"pad\":\"" + new string('x', padding) + "\"}}";
        using var set = Compilation.PolicySetCompiler.Compile(new PolicySetDefinition([], [], []));
        return set.TryRead(EventInputReader.Single(System.Text.Encoding.UTF8.GetBytes(json), "request").First(), out _)!;
    }

    [Fact]
    public void Observe_KeepsTheLastRecentDecisions_AndDropsTheOldestEventsBeyondTheByteBound()
    {
        var feed = Feed(recent: 3, maxEventBytes: 500);
        for (var i = 1; i <= 5; i++)
        {
            using var e = Event($"e{i}", 100);
            feed.Observe(s_now, Decision($"e{i}", Verdict.Ok), e, "r1", 0.001, default);
        }

        var recent = feed.Recent(0, 100);
        Assert.Equal([3, 4, 5], recent.Select(r => r.Sequence));
        Assert.Equal(5, feed.Total);
        // Each event is ~210 bytes: two fit in 500, the oldest kept decision lost its event but not its row.
        Assert.Equal([false, true, true], recent.Select(r => r.HasEvent));
        Assert.Equal([false, true, true], recent.Select(r => feed.EventOf(r) is not null));
        Assert.Contains("\"id\":\"e5\"", System.Text.Encoding.UTF8.GetString(feed.EventOf(recent[2])!), StringComparison.Ordinal);
        Assert.Null(feed.Find(2));
    }

    // The buffers are reused from decision to decision: events growing, shrinking (a big one, then small ones: its
    // buffer is not kept for them) and of the same size, each read back exactly, never another decision's bytes.
    [Fact]
    public void Observe_ReusedBuffers_GiveBackEachDecisionsOwnEvent()
    {
        var feed = Feed(recent: 3, maxEventBytes: 1 << 20);
        var sizes = new[] { 100, 300, 50, 5000, 10, 10, 10, 2000, 2000, 2000, 1, 700 };
        var sent = new Dictionary<long, byte[]>();
        for (var i = 0; i < sizes.Length; i++)
        {
            using var e = Event($"e{i}", sizes[i]);
            feed.Observe(s_now, Decision($"e{i}", Verdict.Ok), e, "r1", 0.001, default);
            sent[feed.Total] = e.Utf8.ToArray();
            var recent = feed.Recent(0, 100);
            Assert.All(recent, r => Assert.Equal(sent[r.Sequence], feed.EventOf(r)));
        }
    }

    // RecentDecisions 0 keeps no decision and no event (there is no place in the ring to put one), and still counts.
    [Fact]
    public void Observe_NoRecentDecisions_KeepsNothingAndCounts()
    {
        var feed = Feed(recent: 0, maxEventBytes: 1 << 20);
        using var e = Event("e1", 10);

        feed.Observe(s_now, Decision("e1", Verdict.Ok, "freeze"), e, "r1", 0.001, default);

        Assert.Empty(feed.Recent(0, 100));
        Assert.Equal(1, feed.Total);
        Assert.Equal(new Dictionary<string, (long, long)> { ["freeze"] = (1, 0) }, feed.Hits());
    }

    // The point of the buffers: observing an event copies it into one kept from the decision before, so a busy host
    // does not allocate (and promote) an array per event for the console (before: the event's size and more each time).
    [Fact]
    public void Observe_SameSizedEvents_AllocatesLessThanTheEvent()
    {
        var feed = Feed(recent: 50, maxEventBytes: 1 << 20);
        var events = Enumerable.Range(0, 200).Select(i => Event($"e{i:D3}", 4000)).ToList();
        var decisions = events.Select(e => Decision(e.Id, Verdict.Ok)).ToList();
        for (var i = 0; i < 100; i++)
        {
            feed.Observe(s_now, decisions[i], events[i], "r1", 0.001, default);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 100; i < 200; i++)
        {
            feed.Observe(s_now, decisions[i], events[i], "r1", 0.001, default);
        }

        var perEvent = (GC.GetAllocatedBytesForCurrentThread() - before) / 100;
        events.ForEach(e => e.Dispose());
        Assert.True(perEvent < 1000, $"{perEvent} bytes allocated per observed 4 KB event");
    }

    [Fact]
    public void Observe_CountsVerdictsPerMinuteAndHitsPerPolicy()
    {
        var feed = Feed(recent: 10, maxEventBytes: 0);
        feed.Observe(s_now.AddMinutes(-2), Decision("a", Verdict.Fail, "freeze"), null, "r1", 0, default);
        feed.Observe(s_now, Decision("b", Verdict.Ok), null, "r1", 0, default);
        feed.Observe(s_now, Decision("c", null, "freeze", "audit-trail"), null, "r1", 0, default);
        feed.Observe(s_now.AddHours(-2), Decision("d", Verdict.Warn, "old"), null, "r1", 0, default);

        var hour = feed.Verdicts(s_now, 60, 1);
        Assert.Equal(new VerdictCounts(1, 0, 0, 1), hour[59]);
        Assert.Equal(new VerdictCounts(0, 0, 1, 0), hour[57]);
        Assert.Equal(3, hour.Sum(b => b.Ok + b.Warn + b.Fail + b.None));
        var day = feed.Verdicts(s_now, 24, 60);
        Assert.Equal(new VerdictCounts(0, 1, 0, 0), day[21]);
        Assert.Equal(new Dictionary<string, (long, long)> { ["freeze"] = (2, 0), ["audit-trail"] = (1, 0), ["old"] = (1, 0) }, feed.Hits());
    }

    [Fact]
    public void Subscribe_BeyondMaxStreams_IsRefused_UntilOneCloses()
    {
        var feed = new DecisionFeed(Options.Create(new RulesHostOptions { Console = new ConsoleOptions { MaxStreams = 1 } }));
        var first = feed.Subscribe();
        Assert.NotNull(first);
        Assert.Null(feed.Subscribe());

        first!.Dispose();
        using var again = feed.Subscribe();
        Assert.NotNull(again);
    }

    [Theory]
    [InlineData("data.sqlText", true)]
    [InlineData("data.sqlText.inner", true)]
    [InlineData("data", true)]
    [InlineData("data.sqlTextual", false)]
    [InlineData("data.items[0].secret", true)]
    [InlineData("data.items[1].secret", false)]
    [InlineData("type", false)]
    public void IsMasked_MatchesThePointerItsParentsAndItsChildren(string path, bool masked)
    {
        Assert.Equal(masked, ConsoleExplainer.IsMasked(path, ["/data/sqlText", "/data/items/0/secret"]));
    }

    [Theory]
    [InlineData("RecentDecisions", "100001", "OpenEventRules:Console:RecentDecisions is 100001: it must be between 0 and 100000.")]
    [InlineData("MaxRecentEventBytes", "-1", "OpenEventRules:Console:MaxRecentEventBytes is -1: it must be between 0 and 1073741824.")]
    [InlineData("MaxStreams", "0", "OpenEventRules:Console:MaxStreams is 0: it must be between 1 and 1000.")]
    [InlineData("SessionLifetime", "00:00:30", "OpenEventRules:Console:SessionLifetime (00:00:30) must be between 00:01:00 and 7.00:00:00.")]
    public void Start_ConsoleSettingOutOfRange_IsRefusedNamingIt(string key, string value, string message)
    {
        var error = Assert.Throws<OptionsValidationException>(() =>
        {
            var app = RulesHost.Build(["--urls", "http://127.0.0.1:0", "--OpenEventRules:PoliciesPath", RunningHost.FixturePolicies, $"--OpenEventRules:Console:{key}", value]);
            _ = app.Services.GetRequiredService<IOptions<RulesHostOptions>>().Value;
        });

        Assert.Equal([message], error.Failures);
    }
}
