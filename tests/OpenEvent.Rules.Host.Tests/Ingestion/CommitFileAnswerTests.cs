using System.Net;
using System.Text.Json;
using OpenEvent.Rules.Host.Tests.Actions;
using static OpenEvent.Rules.Host.Tests.Actions.ActionHarness;

namespace OpenEvent.Rules.Host.Tests.Ingestion;

/// <summary>
/// CommitFile is sent before the commit (an extension point) and after it (a regular event), and the pre-event may
/// carry blockBusiness false like its twin: every CommitFile is answered, so a matched block is never lost.
/// </summary>
public sealed class CommitFileAnswerTests
{
    private const string AccessKeyId = "LTAIcommit";
    private const string AccessKeySecret = "commit-secret-for-the-stand-in";

    private const string Policies = """
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: commit-freeze }
        spec:
          match:
            type: ["dataworks:FileChange:CommitFile"]
            data: { fileName: [{ prefix: "dws_" }] }
          actions:
            - block: { reason: "Committing {{ data.fileName }} is frozen" }
        """;

    [Theory]
    [InlineData("\"blockBusiness\": false,")]
    [InlineData("\"blockBusiness\": true,")]
    [InlineData("")]
    public async Task CommitFile_WhateverBlockBusiness_TheBlockIsAnsweredFail(string blockBusiness)
    {
        await using var dataWorks = await DataWorksStandIn.StartAsync(AccessKeyId, AccessKeySecret);
        await using var host = await ActionHarness.StartAsync(Policies, DataWorksSettings(dataWorks, AccessKeyId, AccessKeySecret));
        var id = NewId("commit");
        var commit = Sample("FileChange-CommitFile.json", id).Replace("\"extensionBizId\"", blockBusiness + "\"extensionBizId\"");

        using var response = await host.PostAsync("/events", commit);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("results")[0];
        Assert.Equal("FAIL", result.GetProperty("verdict").GetString());
        await WaitUntilAsync(() => !dataWorks.Answers.IsEmpty, "the answer");
        await host.WaitForIdleAsync("the outbox to drain");
        var call = Assert.Single(dataWorks.Answers);
        Assert.Equal("UpdateIDEEventResult", call.Action);
        Assert.Equal(id, call.Parameters["MessageId"]);
        Assert.Equal("FAIL", call.Parameters["CheckResult"]);
        Assert.Equal("[commit-freeze] Committing dws_orders is frozen", call.Parameters["CheckResultTip"]);
    }
}
