using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Host;
using OpenEvent.Rules.Host.Actions;
using OpenEvent.Rules.Host.Actions.DataWorks;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Tests.Endpoints;
using OpenEvent.Rules.Model;
using static OpenEvent.Rules.Host.Tests.Actions.ActionHarness;

namespace OpenEvent.Rules.Host.Tests.Actions.DataWorks;

/// <summary>
/// The DataWorks endpoint is named by the event's region when none is configured. A region such as
/// <c>x@127.0.0.1:PORT/p#</c> would turn https://dataworks.{region}.aliyuncs.com into a request to 127.0.0.1:PORT carrying
/// the signed answer, the AccessKeyId and the STS token: a raw listener on that port must see no connection at all.
/// </summary>
public sealed class DataWorksRegionTests
{
    private const string AccessKeyId = "LTAIregion";
    private const string AccessKeySecret = "region-secret";

    private const string Policies = """
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: p }
        spec:
          match: { type: ["dataworks:FileChange:DeployFile"] }
          actions:
            - warn: { reason: "w" }
        """;

    private static void StoreAnswer(RunningHost host, string id, string region)
    {
        var answer = new AnswerPayload("dataworks", "UpdateIDEEventResult", id, "WARN", "m", region);
        host.Outbox().Enqueue([new NewAction($"{id}/dataworks-callback", id, "dataworks:FileChange:DeployFile", null, OutboxDispatcher.AnswerKind, "UpdateIDEEventResult", answer)],
            DateTimeOffset.UtcNow);
        host.Services.GetRequiredService<OutboxSignal>().Notify();
    }

    [Fact]
    public async Task HostileRegion_NoEndpointConfigured_AnswerIsDeadLetteredAtOnceAndNothingConnects()
    {
        await using var attacker = new RawReceiver();
        await using var host = await ActionHarness.StartAsync(Policies,
            "--OpenEventRules:DataWorks:ExtensionCode", ExtensionCode,
            "--OpenEventRules:DataWorks:AccessKeyIdVariable", Env("AKID", AccessKeyId),
            "--OpenEventRules:DataWorks:AccessKeySecretVariable", Env("AKSECRET", AccessKeySecret),
            "--OpenEventRules:DataWorks:SecurityTokenVariable", Env("STS", "sts-token-value"));
        var id = NewId("region");
        var region = $"x@127.0.0.1:{attacker.Port}/p#";

        StoreAnswer(host, id, region);
        await WaitUntilAsync(() => host.Outbox().Counts().Dead == 1, "the answer to be dead-lettered");

        var dead = Assert.Single(host.Outbox().List(OutboxStore.Dead, 10));
        Assert.Equal(1, dead.Attempts);
        Assert.Equal($"the event's region (aliyunregionid) \"{region}\" is not a region id like cn-hangzhou, so it does not name an endpoint: set OpenEventRules:DataWorks:Endpoint to answer such events",
            dead.LastError);
        Assert.Equal(0, attacker.Connections);
    }

    [Fact]
    public async Task HostileRegion_EndpointConfigured_AnswerGoesToTheConfiguredEndpointOnly()
    {
        await using var attacker = new RawReceiver();
        await using var dataWorks = await DataWorksStandIn.StartAsync(AccessKeyId, AccessKeySecret);
        await using var host = await ActionHarness.StartAsync(Policies, DataWorksSettings(dataWorks, AccessKeyId, AccessKeySecret));
        var id = NewId("region");

        // Through the whole path: the event itself names the attacker's port as its region.
        var deploy = HostEndpointTests.DeployEvent(id, "ods_x");
        var withRegion = JsonNode.Parse(deploy)!.AsObject();
        withRegion["aliyunregionid"] = $"x@127.0.0.1:{attacker.Port}/p#";
        using var response = await host.PostAsync("/events", withRegion.ToJsonString());
        if (response.IsSuccessStatusCode)
        {
            await WaitUntilAsync(() => !dataWorks.Answers.IsEmpty, "the answer");
        }

        // And straight from the outbox, whatever ingest decides about such a region.
        StoreAnswer(host, id + "-stored", $"x@127.0.0.1:{attacker.Port}/p#");
        await WaitUntilAsync(() => dataWorks.Answers.Any(a => a.Parameters["MessageId"] == id + "-stored"), "the stored answer");
        await host.WaitForIdleAsync("the outbox to drain");

        Assert.All(dataWorks.Answers, a => Assert.True(a.SignatureValid, a.SignatureError));
        Assert.Equal(0, attacker.Connections);
        Assert.Equal(0L, host.Outbox().Counts().Dead);
    }

    [Theory]
    [InlineData("cn-hangzhou")]
    [InlineData("cn-shanghai-finance-1")]
    [InlineData("ap-southeast-1")]
    [InlineData("cn-hongkong")]
    [InlineData("us-west-1")]
    public void IsRegionId_RealRegions_Accepted(string region)
    {
        Assert.True(RegionId.IsValid(region));
    }

    [Theory]
    [InlineData("x@127.0.0.1:9999/p#")]
    [InlineData("cn-hangzhou.evil.example")]
    [InlineData("cn-hangzhou/")]
    [InlineData("cn-hangzhou\n")]
    [InlineData("CN-HANGZHOU")]
    [InlineData("cn")]
    [InlineData("c-hangzhou")]
    [InlineData("cn-")]
    [InlineData("cn--x")]
    [InlineData("")]
    [InlineData("cn-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void IsRegionId_AnythingElse_Refused(string region)
    {
        Assert.False(RegionId.IsValid(region));
    }

    [Fact]
    public async Task Start_ConfiguredRegionNotARegionId_IsRefused()
    {
        var app = RulesHost.Build(["--urls", "http://127.0.0.1:0", "--OpenEventRules:PoliciesPath", RunningHost.FixturePolicies,
            "--OpenEventRules:DataWorks:Region", "evil.example/x"]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("OpenEventRules:DataWorks:Region 'evil.example/x' is not a region id: write it like cn-hangzhou.", error.Failures);
        await app.DisposeAsync();
    }
}
