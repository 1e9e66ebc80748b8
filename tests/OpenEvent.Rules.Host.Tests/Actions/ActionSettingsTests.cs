using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Host;
using OpenEvent.Rules.Host.Actions;
using OpenEvent.Rules.Host.Actions.Targets;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Tests.Endpoints;
using static OpenEvent.Rules.Host.Tests.Actions.ActionHarness;

namespace OpenEvent.Rules.Host.Tests.Actions;

/// <summary>Startup validation of the action settings, the fail mode, the file target, and the pure parts (backoff, reasons, throttle).</summary>
public sealed class ActionSettingsTests
{
    [Fact]
    public async Task Start_BadActionSettings_FailsNamingEachSetting()
    {
        var variable = "OER_TEST_NO_KEY_" + Guid.NewGuid().ToString("N").ToUpperInvariant();
        var app = RulesHost.Build(["--urls", "http://127.0.0.1:0", "--OpenEventRules:PoliciesPath", RunningHost.FixturePolicies,
            "--OpenEventRules:Outbox:MaxAttempts", "0",
            "--OpenEventRules:Outbox:Synchronous", "Off",
            "--OpenEventRules:Outbox:LeaseDuration", "00:00:05",
            "--OpenEventRules:Outbox:BatchDelay", "00:01:00",
            "--OpenEventRules:Outbox:CommitDelay", "00:00:01",
            "--OpenEventRules:Actions:Timeout", "00:00:10",
            "--OpenEventRules:Actions:Channels:oncall:RateLimitPerMinute", "-1",
            "--OpenEventRules:Actions:File:Directory", " ",
            "--OpenEventRules:DataWorks:FailMode", "MAYBE",
            "--OpenEventRules:DataWorks:Endpoint", "dataworks.cn-hangzhou.aliyuncs.com",
            "--OpenEventRules:DataWorks:SignatureVersion", "V1",
            "--OpenEventRules:DataWorks:ExtensionCode", "ext",
            "--OpenEventRules:DataWorks:AccessKeyIdVariable", variable,
            "--OpenEventRules:DataWorks:AccessKeySecretVariable", variable]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("OpenEventRules:Outbox:MaxAttempts is 0: it must be between 1 and 1000.", error.Failures);
        Assert.Contains("OpenEventRules:Outbox:Synchronous 'Off' is not Full or Normal.", error.Failures);
        Assert.Contains("OpenEventRules:Outbox:LeaseDuration (00:00:05) must be at least twice Actions:Timeout (00:00:10).", error.Failures);
        Assert.Contains("OpenEventRules:Outbox:BatchDelay (00:01:00) is longer than 00:00:10: file forwards would wait that long for companions.", error.Failures);
        Assert.Contains("OpenEventRules:Outbox:CommitDelay (00:00:01) is longer than 00:00:00.1000000: every event that stores an action would be answered that much later.", error.Failures);
        Assert.Contains("OpenEventRules:Actions:Channels:oncall:RateLimitPerMinute is -1: it must be between 0 and 1000000.", error.Failures);
        Assert.Contains("OpenEventRules:Actions:File:Directory is empty: name the folder file targets append below, e.g. targets (under DataDirectory).", error.Failures);
        Assert.Contains("OpenEventRules:DataWorks:FailMode 'MAYBE' is not OK, WARN or FAIL.", error.Failures);
        Assert.Contains("OpenEventRules:DataWorks:Endpoint 'dataworks.cn-hangzhou.aliyuncs.com' is not an absolute http(s) URL: write it like https://dataworks.cn-hangzhou.aliyuncs.com.", error.Failures);
        Assert.Contains("OpenEventRules:DataWorks:SignatureVersion 'V1' is not V3 or V2.", error.Failures);
        Assert.Contains($"OpenEventRules:DataWorks:ExtensionCode is set but the environment variable {variable} is not: set it to the AccessKey that answers DataWorks (or remove the extension code).", error.Failures);
        await app.DisposeAsync();
    }

    [Theory]
    [InlineData("BatchDelay")]
    [InlineData("CommitDelay")]
    public async Task Start_NegativeDelay_FailsNamingIt(string key)
    {
        // The bounds above them (10 s, 100 ms) are in Start_BadActionSettings_FailsNamingEachSetting.
        var app = RulesHost.Build(["--urls", "http://127.0.0.1:0", "--OpenEventRules:PoliciesPath", RunningHost.FixturePolicies,
            $"--OpenEventRules:Outbox:{key}", "-00:00:00.001"]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Equal([$"OpenEventRules:Outbox:{key} is -00:00:00.0010000: it must not be negative."], error.Failures);
        await app.DisposeAsync();
    }

    [Fact]
    public async Task EvaluationFailure_ExtensionEventIsAnsweredWithTheFailMode()
    {
        await using var dataWorks = await DataWorksStandIn.StartAsync("id", "secret");
        await using var host = await ActionHarness.StartAsync("apiVersion: openevent.rules/v1\nkind: Channel\nmetadata: { name: unused }\nspec: { type: webhook, url: \"http://127.0.0.1:9/\" }\n",
            [.. DataWorksSettings(dataWorks, "id", "secret"), "--OpenEventRules:DataWorks:FailMode", "FAIL"]);
        var id = NewId("failmode");
        var compiled = host.State.Current!.Compiled;
        var slice = EventInputReader.Split(Encoding.UTF8.GetBytes(HostEndpointTests.DeployEvent(id, "x")), "test").Single();
        using (var e = compiled.Parser.TryParse(slice, out _)!)
        {
            await host.Services.GetRequiredService<IActionDispatcher>().DispatchEvaluationFailureAsync(e, new InvalidOperationException("boom"), CancellationToken.None);
        }

        await WaitUntilAsync(() => !dataWorks.Answers.IsEmpty, "the fail-mode answer");
        var call = Assert.Single(dataWorks.Answers);
        Assert.True(call.SignatureValid, call.SignatureError);
        Assert.Equal("FAIL", call.Parameters["CheckResult"]);
        Assert.Equal("OpenEvent.Rules could not evaluate this event (InvalidOperationException); answered by its fail mode.", call.Parameters["CheckResultTip"]);
    }

    [Fact]
    public async Task FileTarget_AppendsLinesAndRollsOverBySize()
    {
        using var folder = new TempFolder();
        var path = folder.Path("out", "events.jsonl");
        var sender = new FileTargetSender(Options.Create(new RulesHostOptions { Actions = { File = { Directory = folder.Root, MaxFileBytes = 1024, RetainedFiles = 2 } } }));
        var eventJson = "{\n  \"id\": \"e\",\n  \"data\": { \"text\": \"" + new string('x', 400) + "\" }\n}";
        var payload = new ForwardPayload("file", "sink", null, "out/events.jsonl", null);
        var item = new OutboxItem(1, "k", "e", "t", "p", "forward", "sink", ActionPayloads.Write(payload), "pending", 0, default, default, null, null) { Event = Encoding.UTF8.GetBytes(eventJson) };

        for (var i = 0; i < 7; i++)
        {
            Assert.True((await sender.SendAsync(item, payload, CancellationToken.None)).Success);
        }

        // ~430 bytes per line, 1024 per file: 2 lines per file; 7 lines = current (1) + .1 (2) + .2 (2), the oldest 2 dropped.
        Assert.Single(File.ReadAllLines(path));
        Assert.Equal(2, File.ReadAllLines(folder.Path("out", "events.1.jsonl")).Length);
        Assert.Equal(2, File.ReadAllLines(folder.Path("out", "events.2.jsonl")).Length);
        Assert.False(File.Exists(folder.Path("out", "events.3.jsonl")));
        Assert.Equal("e", System.Text.Json.JsonDocument.Parse(File.ReadAllLines(path)[0]).RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public async Task FileTarget_OnTheHost_AppendsBelowTheTargetsFolderOfTheDataDirectory()
    {
        using var policies = new TempFolder();
        policies.Write("policy.yaml", OutboxUnavailableTests.ForwardPolicy);
        await using var host = await RunningHost.StartAsync(policies.Root);

        using (var response = await host.PostAsync("/events", HostEndpointTests.DeployEvent("file-1", "dws_orders")))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        }

        // The data directory is the folder holding the policy folder; the target's sink/events.jsonl is below its targets/.
        var file = Path.Combine(host.Root, "targets", "sink", "events.jsonl");
        await WaitUntilAsync(() => File.Exists(file) && File.ReadAllText(file).Contains("file-1", StringComparison.Ordinal), "the forwarded line");
    }

    [Theory]
    [InlineData("../escape.jsonl", "points outside")]
    [InlineData("/tmp/oer-absolute-escape.jsonl", "points outside")]
    [InlineData("inner/../../escape.jsonl", "points outside")]
    [InlineData("link/events.jsonl", "goes through the symbolic link")]
    [InlineData("link/made/on/the/far/side.jsonl", "goes through the symbolic link")]
    public async Task FileTarget_StoredPathOutsideItsFolder_FailsForGoodAndWritesNothing(string stored, string error)
    {
        // Rows an older host stored, or a folder changed under the host: the load's OER3062 cannot have seen them.
        using var folder = new TempFolder();
        using var outside = new TempFolder();
        Directory.CreateDirectory(folder.Path("targets"));
        Directory.CreateSymbolicLink(folder.Path("targets", "link"), outside.Root);
        var sender = new FileTargetSender(Options.Create(new RulesHostOptions { Actions = { File = { Directory = folder.Path("targets") } } }));
        var payload = new ForwardPayload("file", "sink", null, stored, null);
        var item = new OutboxItem(1, "k", "e", "t", "p", "forward", "sink", ActionPayloads.Write(payload), "pending", 0, default, default, null, null) { Event = "{\"id\":\"e\"}"u8.ToArray() };

        var result = await sender.SendAsync(item, payload, CancellationToken.None);

        Assert.Equal((false, false), (result.Success, result.Retryable));
        Assert.Contains(error, result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside.Root));
        Assert.False(File.Exists(folder.Path("escape.jsonl")) || File.Exists("/tmp/oer-absolute-escape.jsonl"));
    }

    [Theory]
    [InlineData(1, 0.0, 500)]
    [InlineData(1, 1.0, 1000)]
    [InlineData(3, 0.0, 2000)]
    [InlineData(20, 1.0, 60000)]
    public void Backoff_DoublesWithJitterUpToTheCap(int attempt, double random, double expectedMs) =>
        Assert.Equal(expectedMs, OutboxWorker.Backoff(attempt, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), random).TotalMilliseconds, 3);

    [Fact]
    public void CombinedReasons_PriorityOrderNamingPoliciesCutToTheLimit()
    {
        System.Collections.Immutable.ImmutableArray<PolicyMatch> matched =
        [
            new PolicyMatch("first", Model.PolicyMode.Enforce, 100, default!, [new BlockOutcome("frozen"), new NotifyOutcome("c", "m")]),
            new PolicyMatch("notes", Model.PolicyMode.Enforce, 50, default!, [new NotifyOutcome("c", "m")]),
            new PolicyMatch("second", Model.PolicyMode.Enforce, 10, default!, [new WarnOutcome("review it")]),
        ];

        Assert.Equal("[first] frozen; [second] warning: review it", OutboxDispatcher.CombinedReasons(Decided(matched), 1000));
        Assert.Equal("[first] frozen; [sec...", OutboxDispatcher.CombinedReasons(Decided(matched), 23));
        Assert.Equal("", OutboxDispatcher.CombinedReasons(Decided([matched[1]]), 1000));
        Assert.Equal("", OutboxDispatcher.CombinedReasons(Decided([]), 1000));
    }

    [Fact]
    public void CombinedReasons_DetailFailModeSaysWhyTheVerdictWasRaised()
    {
        // A policy that reads the detail and could not have it answers with the fail mode: the tip said nothing of it.
        var decision = Decided([]) with
        {
            DetailFailures = [new DetailFailure("no-drop", default!, "GetIDEEventDetail did not answer within 2 s", Model.DetailErrorMode.FailMode),
                new DetailFailure("quiet", default!, "ignored", Model.DetailErrorMode.NoMatch)],
        };

        Assert.Equal("[no-drop] the event's detail could not be checked: GetIDEEventDetail did not answer within 2 s", OutboxDispatcher.CombinedReasons(decision, 1000));
    }

    [Fact]
    public void Cut_NeverCutsASurrogatePairInHalf()
    {
        // The DataWorks tip (TextExcerpt.Cut) and a receiver's answer in an error (DeliveryResult.Shorten): "ab" + an
        // emoji (two UTF-16 units) + "cde" cut at 6 keeps "ab" and drops the emoji whole.
        Assert.Equal("ab...", Model.TextExcerpt.Cut("ab\U0001F600cde", 6));
        Assert.Equal("ab\U0001F600...", Model.TextExcerpt.Cut("ab\U0001F600cdef", 7));
        Assert.Equal("ab...", DeliveryResult.Shorten("ab\U0001F600cde", 3));
    }

    private static Decision Decided(System.Collections.Immutable.ImmutableArray<PolicyMatch> matched) =>
        new(new EventDescriptor("e", "t", "f", 0), Verdict.Fail, matched, [], [], null);

    [Fact]
    public void Throttle_RateLimitRefillsAndReportsSuppressedCount()
    {
        var clock = new ManualClock();
        var throttle = new NotificationThrottle(Options.Create(new RulesHostOptions { Actions = { RateLimitPerMinute = 2, DedupWindow = TimeSpan.FromMinutes(1) } }), clock);

        Assert.Equal(NotificationThrottle.Outcome.Allowed, throttle.Admit("c", "a", out _));
        Assert.Equal(NotificationThrottle.Outcome.Duplicate, throttle.Admit("c", "a", out _));
        Assert.Equal(NotificationThrottle.Outcome.Allowed, throttle.Admit("c", "b", out var suppressed));
        Assert.Equal(1, suppressed);
        Assert.Equal(NotificationThrottle.Outcome.RateLimited, throttle.Admit("c", "c", out _));
        Assert.Equal(NotificationThrottle.Outcome.Allowed, throttle.Admit("other", "c", out _));
        Assert.Equal(1, throttle.Pending()["c"]);

        // Half a minute refills one of the two tokens.
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(NotificationThrottle.Outcome.Allowed, throttle.Admit("c", "d", out suppressed));
        Assert.Equal(1, suppressed);
        Assert.Equal(NotificationThrottle.Outcome.RateLimited, throttle.Admit("c", "e", out _));
        // Past the window, "a" is no longer a duplicate.
        clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(NotificationThrottle.Outcome.Allowed, throttle.Admit("c", "a", out suppressed));
        Assert.Equal(1, suppressed);
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2024, 7, 12, 0, 0, 0, TimeSpan.Zero);

        public void Advance(TimeSpan by) => _now += by;

        public override DateTimeOffset GetUtcNow() => _now;
    }
}
