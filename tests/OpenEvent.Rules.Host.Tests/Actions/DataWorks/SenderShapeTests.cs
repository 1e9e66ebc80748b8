using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpenEvent.Rules.Host.Tests.Endpoints;
using static OpenEvent.Rules.Host.Tests.Actions.ActionHarness;

namespace OpenEvent.Rules.Host.Tests.Actions.DataWorks;

/// <summary>
/// Shapes of DataWorks events the reference lists beside the Complete Event (section 1.3), through the real host to a
/// DataWorks stand-in: the Partial Event (data alone, no id to answer with), a Function Compute envelope whose code the
/// catalog does not know, and a type whose kind the catalog only infers, sent as blocking.
/// </summary>
public sealed class SenderShapeTests
{
    private const string AccessKeyId = "LTAIshapes";
    private const string AccessKeySecret = "shapes-secret";

    private const string Policies = """
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: hold-everything }
        spec:
          match: { source: ["acs.dataworks"] }
          actions:
            - block: { reason: "held for review" }
            - notify: { channel: log, message: "seen {{ type }}" }
        """;

    private static async Task<(RunningHost Host, DataWorksStandIn DataWorks, CapturedLog Log)> StartAsync()
    {
        var dataWorks = await DataWorksStandIn.StartAsync(AccessKeyId, AccessKeySecret);
        var log = new CapturedLog();
        using var folder = new TempFolder();
        folder.Write("policies.yaml", Policies);
        var host = await RunningHost.StartConfiguredAsync(builder => builder.Logging.AddProvider(log), folder.Root,
            [.. FastOutbox, .. DataWorksSettings(dataWorks, AccessKeyId, AccessKeySecret)]);
        return (host, dataWorks, log);
    }

    private static async Task<JsonElement> PostAsync(RunningHost host, string body)
    {
        using var response = await host.PostAsync("/events", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return Assert.Single(JsonDocument.Parse(text).RootElement.GetProperty("results").EnumerateArray());
    }

    [Fact]
    public async Task PartialEvent_DecidedAsRegular_ItsActionsRun_DataWorksIsNotAnswered_AndTheHostWarnsOnce()
    {
        var (host, dataWorks, log) = await StartAsync();
        await using var _ = host;
        await using var __ = dataWorks;
        var bare = """{"eventCode":"deploy-file","tenantId":1,"projectId":10001234,"operator":"7","fileName":"dws_x","blockBusiness":true,"operationTime":N}"""
            .Replace("N", Environment.TickCount64.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

        var partial = await PostAsync(host, bare);
        var again = await PostAsync(host, bare.Replace("dws_x", "dws_y", StringComparison.Ordinal));
        // A complete event after them: once its answer arrived, any answer for the partial ones would have too.
        var id = NewId("complete");
        await PostAsync(host, Sample("FileChange-DeployFile.json", id));
        await WaitUntilAsync(() => dataWorks.Answers.Any(a => a.Parameters.GetValueOrDefault("MessageId") == id), "the complete event's answer");
        await host.WaitForIdleAsync("the outbox to drain");

        Assert.Equal("dataworks:FileChange:DeployFile", partial.GetProperty("type").GetString());
        Assert.StartsWith("partial-", partial.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, partial.GetProperty("verdict").ValueKind);
        Assert.Equal("hold-everything", Assert.Single(partial.GetProperty("matched").EnumerateArray()).GetString());
        Assert.NotEqual(partial.GetProperty("id").GetString(), again.GetProperty("id").GetString());
        Assert.Equal(id, Assert.Single(dataWorks.Answers).Parameters["MessageId"]);
        Assert.Single(log.Lines, line => line.Contains("Partial Event", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FunctionComputeEnvelope_CodeTheCatalogDoesNotKnow_Blocking_IsAnsweredWithCallbackExtension()
    {
        var (host, dataWorks, _) = await StartAsync();
        await using var _ = host;
        await using var __ = dataWorks;
        var id = NewId("fc");

        var result = await PostAsync(host, $$$"""{"messageId":"{{{id}}}","eventType":"download-resources-v2","eventCategoryType":"resources-download","blockBusiness":true,"messageBody":{"queryDwProjectId":"1","operatorUid":"2"}}""");
        await WaitUntilAsync(() => !dataWorks.Answers.IsEmpty, "the answer");

        Assert.Equal("dataworks:ResourcesDownload:DownloadResourcesV2", result.GetProperty("type").GetString());
        Assert.Equal("FAIL", result.GetProperty("verdict").GetString());
        var answer = Assert.Single(dataWorks.Answers);
        Assert.Equal("CallbackExtension", answer.Action);
        Assert.Equal(id, answer.Parameters["MessageId"]);
        Assert.Equal("FAIL", answer.Parameters["CheckResult"]);
    }

    [Fact]
    public async Task ReviewFile_KindOnlyInferred_SentBlocking_IsAnsweredAsTheOtherFileEvents()
    {
        var (host, dataWorks, _) = await StartAsync();
        await using var _ = host;
        await using var __ = dataWorks;
        var id = NewId("review");

        var result = await PostAsync(host, $$$"""{"specversion":"1.0","id":"{{{id}}}","source":"acs.dataworks","type":"dataworks:FileChange:ReviewFile","aliyunregionid":"cn-hangzhou","data":{"projectId":1,"operator":"2","blockBusiness":true}}""");
        await WaitUntilAsync(() => !dataWorks.Answers.IsEmpty, "the answer");

        Assert.Equal("FAIL", result.GetProperty("verdict").GetString());
        var answer = Assert.Single(dataWorks.Answers);
        Assert.Equal("UpdateIDEEventResult", answer.Action);
        Assert.Equal(id, answer.Parameters["MessageId"]);
    }

    [Fact]
    public async Task Start_ExtensionCodeWithoutRegionOrEndpoint_WarnsThatEventsWithoutARegionCannotBeAnswered()
    {
        var log = new CapturedLog();
        await using (await RunningHost.StartConfiguredAsync(builder => builder.Logging.AddProvider(log), null,
            "--OpenEventRules:DataWorks:ExtensionCode", ExtensionCode,
            "--OpenEventRules:DataWorks:AccessKeyIdVariable", Env("AKID", AccessKeyId),
            "--OpenEventRules:DataWorks:AccessKeySecretVariable", Env("AKSECRET", AccessKeySecret)))
        {
        }

        var withRegion = new CapturedLog();
        await using (await RunningHost.StartConfiguredAsync(builder => builder.Logging.AddProvider(withRegion), null,
            "--OpenEventRules:DataWorks:ExtensionCode", ExtensionCode, "--OpenEventRules:DataWorks:Region", "cn-hangzhou",
            "--OpenEventRules:DataWorks:AccessKeyIdVariable", Env("AKID", AccessKeyId),
            "--OpenEventRules:DataWorks:AccessKeySecretVariable", Env("AKSECRET", AccessKeySecret)))
        {
        }

        Assert.Contains("ExtensionCode is set but neither :Region nor :Endpoint", log.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("ExtensionCode is set but neither", withRegion.Text, StringComparison.Ordinal);
    }
}
