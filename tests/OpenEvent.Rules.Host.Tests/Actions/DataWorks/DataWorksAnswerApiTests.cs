using System.Net;
using static OpenEvent.Rules.Host.Tests.Actions.ActionHarness;

namespace OpenEvent.Rules.Host.Tests.Actions.DataWorks;

/// <summary>
/// Which DataWorks API answers an event, and at which version: an extension point of a type the catalog does not know
/// (data.blockBusiness: true) was decided and never answered, and with DataWorks:Version 2024-05-18 the APIs that exist
/// only in 2020-05-18 (UpdateWorkbenchEventResult, CallbackExtension; reference 4.2) were called at 2024-05-18.
/// </summary>
public sealed class DataWorksAnswerApiTests
{
    private const string AccessKeyId = "LTAIapis";
    private const string AccessKeySecret = "apis-secret-for-the-stand-in";

    private const string Policies = """
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: log-deploys }
        spec:
          match:
            type: ["dataworks:FileChange:DeployFile"]
          actions:
            - notify: { channel: log, message: "deploy {{ id }}" }
        """;

    private static string UnknownType(string id, bool blockBusiness) => $$$"""
        {"specversion":"1.0","id":"{{{id}}}","source":"acs.dataworks","type":"dataworks:FutureChange:FutureCheckBefore",
         "aliyunregionid":"cn-shanghai","data":{"eventCode":"future-check-before","tenantId":283780000010656,
         "projectId":10001234,"operator":"200012345678901","blockBusiness":{{{(blockBusiness ? "true" : "false")}}},"extensionBizId":"b-1"}}
        """;

    [Fact]
    public async Task ExtensionPointOfATypeTheCatalogDoesNotKnow_AnsweredWithCallbackExtension_ARegularOneIsNot()
    {
        await using var dataWorks = await DataWorksStandIn.StartAsync(AccessKeyId, AccessKeySecret);
        await using var host = await ActionHarness.StartAsync(Policies, DataWorksSettings(dataWorks, AccessKeyId, AccessKeySecret));
        var (held, regular) = (NewId("future-held"), NewId("future-regular"));

        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync("/events", UnknownType(held, blockBusiness: true))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync("/events", UnknownType(regular, blockBusiness: false))).StatusCode);

        await WaitUntilAsync(() => !dataWorks.Answers.IsEmpty, "the answer");
        await host.WaitForIdleAsync("the outbox to drain");
        var call = Assert.Single(dataWorks.Answers);
        Assert.True(call.SignatureValid, call.SignatureError);
        Assert.Equal(("CallbackExtension", "2020-05-18", held, "OK"), (call.Action, call.Version, call.Parameters["MessageId"], call.Parameters["CheckResult"]));
    }

    [Fact]
    public async Task Version20240518_OnlyTheApiThatHasItIsCalledAtIt()
    {
        await using var dataWorks = await DataWorksStandIn.StartAsync(AccessKeyId, AccessKeySecret);
        await using var host = await ActionHarness.StartAsync(Policies,
            [.. DataWorksSettings(dataWorks, AccessKeyId, AccessKeySecret), "--OpenEventRules:DataWorks:Version", "2024-05-18"]);

        foreach (var (sample, prefix) in new[] { ("FileChange-DeployFile.json", "v-ide"), ("NodeChange-UndeployNode.json", "v-workbench"), ("NodeChange-StartDiJob.json", "v-generic") })
        {
            Assert.Equal(HttpStatusCode.OK, (await host.PostAsync("/events", Sample(sample, NewId(prefix)))).StatusCode);
        }

        await WaitUntilAsync(() => dataWorks.Answers.Count >= 3, "three answers");
        await host.WaitForIdleAsync("the outbox to drain");
        Assert.All(dataWorks.Answers, call => Assert.True(call.SignatureValid, call.SignatureError));
        Assert.Equal(
            [("CallbackExtension", "2020-05-18"), ("UpdateIDEEventResult", "2024-05-18"), ("UpdateWorkbenchEventResult", "2020-05-18")],
            dataWorks.Answers.Select(c => (c.Action, c.Version)).Order());
    }
}
