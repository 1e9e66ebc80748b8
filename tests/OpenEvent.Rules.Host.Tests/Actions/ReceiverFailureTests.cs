using System.Globalization;
using System.Text.Json;
using OpenEvent.Rules.Host.Actions;
using static OpenEvent.Rules.Host.Tests.Actions.ActionHarness;

namespace OpenEvent.Rules.Host.Tests.Actions;

/// <summary>Webhook receivers that fail the first calls, hang past the timeout, or keep answering 500; the dead-letter path and its retry.</summary>
public sealed class ReceiverFailureTests
{
    private static string Policy(string channelSpec) => $$$"""
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: failed-instances }
        spec:
          match:
            type: ["dataworks:InstanceStatusChanges:InstanceStatusChanges"]
          actions:
            - notify: { channel: oncall, message: "instance {{ data.taskId }} failed ({{ id }})" }
        ---
        apiVersion: openevent.rules/v1
        kind: Channel
        metadata: { name: oncall }
        spec: {{{channelSpec}}}
        """;

    private static string InstanceEvent(string id) => Sample("InstanceStatusChanges-InstanceStatusChanges.json", id);

    [Fact]
    public async Task ReceiverFailsFirstCalls_DeliveredOnceAfterRetries()
    {
        await using var receiver = await StandInServer.StartAsync();
        receiver.Mode = ReceiverMode.FailFirst;
        receiver.FailCount = 2;
        await using var host = await ActionHarness.StartAsync(Policy($"{{ type: webhook, url: \"{receiver.Url("/hook")}\" }}"));
        var id = NewId("flaky");

        (await host.PostAsync("/events", InstanceEvent(id))).EnsureSuccessStatusCode();

        await WaitUntilAsync(() => receiver.Delivered.Any(), "the delivery");
        await host.WaitForIdleAsync("the outbox to drain");
        Assert.Equal(3, receiver.Calls);
        var delivered = Assert.Single(receiver.Delivered);
        Assert.Equal($"{id}/failed-instances/0/notify:oncall", delivered.Header("Idempotency-Key"));
        Assert.All(receiver.Requests, r => Assert.Equal(delivered.Header("Idempotency-Key"), r.Header("Idempotency-Key")));
        var row = Assert.Single(host.Outbox().List(OutboxStore.Delivered, 10));
        Assert.Equal(3, row.Attempts);
    }

    [Fact]
    public async Task ReceiverHangs_TimesOutAndIsRetried()
    {
        await using var receiver = await StandInServer.StartAsync();
        receiver.Mode = ReceiverMode.Hang;
        await using var host = await ActionHarness.StartAsync(Policy($"{{ type: webhook, url: \"{receiver.Url("/hook")}\" }}"),
            "--OpenEventRules:Actions:Timeout", "00:00:00.300", "--OpenEventRules:Outbox:MaxAttempts", "50");
        var id = NewId("hang");

        (await host.PostAsync("/events", InstanceEvent(id))).EnsureSuccessStatusCode();

        await WaitUntilAsync(() => host.Outbox().List(OutboxStore.Pending, 10).Any(i => i.Attempts >= 1), "a timed-out attempt");
        var pending = Assert.Single(host.Outbox().List(OutboxStore.Pending, 10));
        Assert.StartsWith("timed out after 0.3 s", pending.LastError);
        receiver.Mode = ReceiverMode.Succeed;
        await WaitUntilAsync(() => receiver.Delivered.Any(), "the delivery");
        await host.WaitForIdleAsync("the outbox to drain");
        Assert.Single(receiver.Delivered);
    }

    [Fact]
    public async Task ReceiverKeepsFailing_DeadLetteredWithLastError_ThenRetried()
    {
        await using var receiver = await StandInServer.StartAsync();
        receiver.Mode = ReceiverMode.AlwaysFail;
        await using var host = await ActionHarness.StartAsync(Policy($"{{ type: webhook, url: \"{receiver.Url("/hook")}\" }}"));
        var id = NewId("dead");

        (await host.PostAsync("/events", InstanceEvent(id))).EnsureSuccessStatusCode();

        await WaitUntilAsync(() => host.Outbox().Counts().Dead == 1, "the dead letter");
        var dead = Assert.Single(host.Outbox().List(OutboxStore.Dead, 10));
        Assert.Equal(4, dead.Attempts);
        Assert.Equal("HTTP 500 InternalServerError: {\"error\":\"down\"}", dead.LastError);
        Assert.Equal(4, receiver.Calls);

        // The event again: the dead letter's key is known, nothing new is stored.
        (await host.PostAsync("/events", InstanceEvent(id))).EnsureSuccessStatusCode();
        Assert.Equal((0L, 0L, 1L), host.Outbox().Counts());

        receiver.Mode = ReceiverMode.Succeed;
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(0, OpenEvent.Rules.Cli.Program.Run(["outbox", "retry", "--db", host.OutboxPath, "--all"], stdout, stderr));
        Assert.Equal("1 action queued for delivery", stdout.ToString().Trim());
        await WaitUntilAsync(() => receiver.Delivered.Any(), "the retried delivery");
        await host.WaitForIdleAsync("the outbox to drain");
        Assert.Single(receiver.Delivered);
        Assert.Equal((0L, 1L, 0L), host.Outbox().Counts());
    }

    [Fact]
    public async Task MissingEnvironmentVariable_DeadLetteredNamingTheVariable()
    {
        var variable = "OER_TEST_UNSET_" + Guid.NewGuid().ToString("N").ToUpperInvariant();
        await using var host = await ActionHarness.StartAsync(Policy($"{{ type: slack, urlFrom: {{ env: {variable} }} }}"));

        (await host.PostAsync("/events", InstanceEvent(NewId("noenv")))).EnsureSuccessStatusCode();

        await WaitUntilAsync(() => host.Outbox().Counts().Dead == 1, "the dead letter");
        var dead = Assert.Single(host.Outbox().List(OutboxStore.Dead, 10));
        Assert.Equal($"the environment variable {variable} (url of channel 'oncall') is not set: set it in the host's environment, then run 'oer outbox retry'", dead.LastError);
        Assert.Equal(1, dead.Attempts);
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("gopher://127.0.0.1:6379/_INFO")]
    [InlineData("https://hooks.example.com/x\r\nX-Evil: 1")]
    public async Task UrlFromTheEnvironmentNotHttp_DeadLetteredWithoutEchoingIt(string url)
    {
        // A URL written in the policy is checked at load (OER1014); one read from the environment only at delivery.
        var variable = Env("NOT_HTTP", url);
        await using var host = await ActionHarness.StartAsync(Policy($"{{ type: webhook, urlFrom: {{ env: {variable} }} }}"));

        (await host.PostAsync("/events", InstanceEvent(NewId("nothttp")))).EnsureSuccessStatusCode();

        await WaitUntilAsync(() => host.Outbox().Counts().Dead == 1, "the dead letter");
        var dead = Assert.Single(host.Outbox().List(OutboxStore.Dead, 10));
        Assert.Equal($"the environment variable {variable} of channel 'oncall' is not an absolute http:// or https:// URL without control characters: fix it, then run 'oer outbox retry'", dead.LastError);
        Assert.Equal(1, dead.Attempts);
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/", "169.254.169.254")]
    [InlineData("http://100.100.100.200/latest/meta-data/", "100.100.100.200")]
    [InlineData("http://[fe80::1]:8080/x", "fe80::1")]
    [InlineData("http://[::ffff:169.254.169.254]/x", "::ffff:169.254.169.254")]
    public async Task MetadataOrLinkLocalUrl_DeadLetteredAtOnceWithoutConnecting(string url, string address)
    {
        // A policy's channel could make the host post to its cloud's metadata service, and the answer's text would show
        // in the outbox; the address is refused at connect, once resolved.
        await using var host = await ActionHarness.StartAsync(Policy($"{{ type: webhook, url: \"{url}\" }}"));

        (await host.PostAsync("/events", InstanceEvent(NewId("metadata")))).EnsureSuccessStatusCode();

        await WaitUntilAsync(() => host.Outbox().Counts().Dead == 1, "the dead letter");
        var dead = Assert.Single(host.Outbox().List(OutboxStore.Dead, 10));
        Assert.Equal($"{address} is {address}: actions are never sent to link-local or cloud metadata addresses", dead.LastError);
        Assert.Equal(1, dead.Attempts);
    }

    [Fact]
    public async Task ChatChannels_SignAndShapeTheirMessages()
    {
        await using var receiver = await StandInServer.StartAsync();
        var dingTalkUrl = Env("DT_URL", receiver.Url("/dingtalk?access_token=abc"));
        var dingTalkSecret = Env("DT_SECRET", "SECdingtalk");
        var larkUrl = Env("LARK_URL", receiver.Url("/lark"));
        var larkSecret = Env("LARK_SECRET", "lark-secret");
        var slackUrl = Env("SLACK_URL", receiver.Url("/slack"));
        var policies = $$$"""
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: chat }
            spec:
              match:
                type: ["dataworks:InstanceStatusChanges:InstanceStatusChanges"]
              actions:
                - notify: { channel: dt, message: "to dingtalk" }
                - notify: { channel: lark, message: "to lark" }
                - notify: { channel: slack, message: "to slack" }
            ---
            apiVersion: openevent.rules/v1
            kind: Channel
            metadata: { name: dt }
            spec: { type: dingtalk, urlFrom: { env: {{{dingTalkUrl}}} }, secretFrom: { env: {{{dingTalkSecret}}} } }
            ---
            apiVersion: openevent.rules/v1
            kind: Channel
            metadata: { name: lark }
            spec: { type: lark, urlFrom: { env: {{{larkUrl}}} }, secretFrom: { env: {{{larkSecret}}} } }
            ---
            apiVersion: openevent.rules/v1
            kind: Channel
            metadata: { name: slack }
            spec: { type: slack, urlFrom: { env: {{{slackUrl}}} } }
            """;
        await using var host = await ActionHarness.StartAsync(policies);

        (await host.PostAsync("/events", InstanceEvent(NewId("chat")))).EnsureSuccessStatusCode();

        await WaitUntilAsync(() => receiver.Delivered.Count() == 3, "three messages");
        var byPath = receiver.Delivered.ToDictionary(r => r.Path);

        var dingTalk = byPath["/dingtalk"];
        var query = System.Web.HttpUtility.ParseQueryString(dingTalk.Query);
        Assert.Equal("abc", query["access_token"]);
        Assert.Equal(OpenEvent.Rules.Host.Actions.Channels.DingTalkChannel.Sign(query["timestamp"]!, "SECdingtalk"), query["sign"]);
        Assert.InRange(long.Parse(query["timestamp"]!, CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Assert.Equal("""{"msgtype":"text","text":{"content":"to dingtalk"}}""", dingTalk.Body);

        var lark = JsonDocument.Parse(byPath["/lark"].Body).RootElement;
        Assert.Equal(OpenEvent.Rules.Host.Actions.Channels.LarkChannel.Sign(lark.GetProperty("timestamp").GetString()!, "lark-secret"), lark.GetProperty("sign").GetString());
        Assert.Equal("text", lark.GetProperty("msg_type").GetString());
        Assert.Equal("to lark", lark.GetProperty("content").GetProperty("text").GetString());

        Assert.Equal("""{"text":"to slack"}""", byPath["/slack"].Body);
    }

    [Fact]
    public async Task EventStorm_RateLimitAndDeduplicationSuppressNotifications()
    {
        await using var receiver = await StandInServer.StartAsync();
        await using var host = await ActionHarness.StartAsync(Policy($"{{ type: webhook, url: \"{receiver.Url("/hook")}\" }}").Replace("({{ id }})", ""),
            "--OpenEventRules:Actions:Channels:oncall:RateLimitPerMinute", "2",
            // One delivery at a time, in the order the events came: which message is suppressed, and what the second
            // message reports, must not depend on how parallel deliveries interleave.
            "--OpenEventRules:Outbox:Concurrency", "1");

        // Five events of one failed instance: one message, the others are duplicates.
        var sample = InstanceEvent("storm");
        for (var i = 0; i < 5; i++)
        {
            (await host.PostAsync("/events", sample.Replace("\"storm\"", $"\"storm-{i}\""))).EnsureSuccessStatusCode();
        }

        // Then distinct messages: one more passes the rate limit (2 per minute), the rest are suppressed.
        for (var i = 0; i < 3; i++)
        {
            var text = JsonDocument.Parse(sample).RootElement.GetProperty("data").GetProperty("taskId").GetRawText();
            (await host.PostAsync("/events", sample.Replace("\"storm\"", $"\"other-{i}\"").Replace(text, (900000 + i).ToString(CultureInfo.InvariantCulture)))).EnsureSuccessStatusCode();
        }

        await host.WaitForIdleAsync("the outbox to drain");
        await WaitUntilAsync(() => receiver.Delivered.Count() == 2, "two messages");
        Assert.Equal(2, receiver.Calls);
        var second = JsonDocument.Parse(receiver.Delivered.Last().Body).RootElement;
        Assert.Equal(4, second.GetProperty("suppressed").GetInt64());
        Assert.Contains("4 more notifications on this channel were suppressed", second.GetProperty("message").GetString());
        var metrics = await host.Client.GetStringAsync("/metrics");
        Assert.Contains("channel=\"oncall\",reason=\"duplicate\"} 4", metrics);
        Assert.Contains("channel=\"oncall\",reason=\"rate-limit\"} 2", metrics);
    }
}
