using static OpenEvent.Rules.Host.Tests.Actions.ActionHarness;

namespace OpenEvent.Rules.Host.Tests.Actions;

/// <summary>
/// An answer to DataWorks does not wait behind other deliveries: with every Outbox:Concurrency slot held by
/// notifications to a receiver that hangs, the extension point's answer still goes out (answers are claimed first, and
/// have slots of their own beyond Concurrency). A review saw 40 forwards to a hanging target hold an answer 40 s.
/// </summary>
public sealed class AnswerPriorityTests
{
    private const string AccessKeyId = "LTAIpriority";
    private const string AccessKeySecret = "priority-secret-for-the-stand-in";

    private static string Policies(string hookUrl) => $$$"""
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: deploy-freeze }
        spec:
          match:
            type: ["dataworks:FileChange:DeployFile"]
          actions:
            - block: { reason: "deploys are frozen" }
        ---
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: instance-watch }
        spec:
          match:
            type: ["dataworks:InstanceStatusChanges:InstanceStatusChanges"]
          actions:
            - notify: { channel: hook, message: "instance {{ id }} changed" }
        ---
        apiVersion: openevent.rules/v1
        kind: Channel
        metadata: { name: hook }
        spec: { type: webhook, url: "{{{hookUrl}}}" }
        """;

    [Fact]
    public async Task EveryDeliverySlotHeldByAHangingReceiver_TheAnswerStillGoesOut()
    {
        await using var dataWorks = await DataWorksStandIn.StartAsync(AccessKeyId, AccessKeySecret);
        var hook = await StandInServer.StartAsync();
        hook.Mode = ReceiverMode.Hang;
        var host = await ActionHarness.StartAsync(Policies(hook.Url("/hook")),
        [
            .. DataWorksSettings(dataWorks, AccessKeyId, AccessKeySecret),
            "--OpenEventRules:Outbox:Concurrency", "2", "--OpenEventRules:Actions:Timeout", "00:02:00", "--OpenEventRules:Outbox:LeaseDuration", "00:05:00",
        ]);
        try
        {
            await PostWhileTheHookHangsAsync(host, hook, dataWorks);
        }
        finally
        {
            // The held requests end first, so that neither stop waits for them.
            hook.ReleaseHung();
            await host.DisposeAsync();
            await hook.DisposeAsync();
        }
    }

    private static async Task PostWhileTheHookHangsAsync(RunningHost host, StandInServer hook, DataWorksStandIn dataWorks)
    {

        for (var i = 0; i < 4; i++)
        {
            using var notified = await host.PostAsync("/events", Sample("InstanceStatusChanges-InstanceStatusChanges.json", NewId("held")));
            Assert.True(notified.IsSuccessStatusCode);
        }

        // Both slots now hang on the hook for two minutes, and two more notifications wait for them.
        await WaitUntilAsync(() => hook.Calls >= 2, "the hook holds both delivery slots");
        var id = NewId("answer-first");
        using var response = await host.PostAsync("/events", Sample("FileChange-DeployFile.json", id));
        Assert.True(response.IsSuccessStatusCode);

        await WaitUntilAsync(() => dataWorks.Answers.Any(a => a.Parameters.GetValueOrDefault("MessageId") == id), "DataWorks is answered while the hook still hangs");
        Assert.Equal(2, hook.Calls);
        Assert.Empty(hook.Requests);
        var answer = dataWorks.Answers.Single(a => a.Parameters.GetValueOrDefault("MessageId") == id);
        Assert.True(answer.SignatureValid, answer.SignatureError);
        Assert.Equal("FAIL", answer.Parameters["CheckResult"]);
    }
}
