using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Host.Ingestion;
using OpenEvent.Rules.Host.Tests.Endpoints;

namespace OpenEvent.Rules.Host.Tests.Ingestion;

/// <summary>
/// The ingestion entry point without HTTP, as a queue consumer calls it: bytes, a content type and headers in, an
/// <see cref="IngestionResult"/> out. It judges every input of the bad-input corpus as POST /events and /evaluate do.
/// </summary>
public sealed class EventIngestionTests(SharedHost shared) : IClassFixture<SharedHost>
{
    private readonly EventIngestion _ingestion = shared.Host.Services.GetRequiredService<EventIngestion>();

    private static (int Status, string? ErrorId) Answer(IngestionResult result) =>
        result.Problem is { } problem ? (problem.Status, problem.Id)
        : result.Refused.Count > 0 ? (400, result.Refused[0].ErrorId)
        : (200, null);

    private static EventContent Content(BadInputCorpusTests.Case item) =>
        new(item.ContentType, [.. item.Headers.Where(h => h.Name.StartsWith("ce-", StringComparison.OrdinalIgnoreCase)).Select(h => new KeyValuePair<string, string>(h.Name, h.Value))])
        {
            ContentEncoding = item.Headers.Where(h => h.Name == "Content-Encoding").Select(h => h.Value).FirstOrDefault(),
        };

    [Theory]
    [MemberData(nameof(BadInputCorpusTests.CaseNames), MemberType = typeof(BadInputCorpusTests))]
    public async Task IngestAndEvaluate_CorpusCase_TheSameAnswerAsOverHttp(string name)
    {
        var item = BadInputCorpusTests.Cases.Single(c => c.Name == name);

        var ingested = await _ingestion.IngestAsync(item.Body, Content(item), CancellationToken.None);
        var evaluated = await _ingestion.EvaluateAsync(item.Body, Content(item), CancellationToken.None);

        Assert.Equal((item.Status, item.ErrorId), Answer(ingested));
        Assert.Equal((item.Status, item.ErrorId), Answer(evaluated));
        Assert.Equal(item.Status >= 500, ingested.Problem?.Retryable ?? false);
    }

    [Fact]
    public async Task IngestAsync_BatchWithARefusedEvent_DecidesTheOthersAndNamesTheRefusedOneByIndex()
    {
        var batch = $"[{HostEndpointTests.DeployEvent("in-1", "dws_orders")},{{\"specversion\":\"1.0\",\"id\":\"in-bad\"}},{HostEndpointTests.DeployEvent("in-3", "ods_x")}]";

        var result = await _ingestion.IngestAsync(Encoding.UTF8.GetBytes(batch), new EventContent("application/cloudevents-batch+json", []), CancellationToken.None);

        Assert.Null(result.Problem);
        Assert.True(result.IsBatch);
        Assert.Equal(3, result.Total);
        Assert.Equal(
            [("in-1", Verdict.Fail, "deploy-freeze"), ("in-3", Verdict.Ok, "")],
            result.Events.Select(e => (e.Id, e.Verdict!.Value, string.Join(",", e.Matched))));
        var refused = Assert.Single(result.Refused);
        Assert.Equal((1, "missing-type"), (refused.Index, refused.ErrorId));
    }

    [Fact]
    public async Task IngestAsync_BinaryModeFromMessageHeaders_TheAttributesComeFromTheHeaders()
    {
        var headers = new KeyValuePair<string, string>[]
        {
            new("ce-specversion", "1.0"), new("ce-id", "in-binary"), new("ce-source", "acs.dataworks"),
            new("ce-type", "dataworks:FileChange:DeployFile"), new("ce-aliyunregionid", "cn-hangzhou"), new("x-other", "ignored"),
        };
        var data = """{"eventCode":"deploy-file","projectId":10001234,"operator":"1","fileName":"dws_binary","extensionBizId":"ext-1"}""";

        var result = await _ingestion.IngestAsync(Encoding.UTF8.GetBytes(data), new EventContent("application/json", headers), CancellationToken.None);

        Assert.Null(result.Problem);
        var decided = Assert.Single(result.Events);
        Assert.Equal(("in-binary", "dataworks:FileChange:DeployFile", Verdict.Fail), (decided.Id, decided.Type, decided.Verdict!.Value));
        Assert.Equal(["deploy-freeze"], decided.Matched);
    }

    [Fact]
    public async Task IngestAsync_ARepeatedAttributeHeader_IsRefusedAsAWholeAndNotRetryable()
    {
        var headers = new KeyValuePair<string, string>[]
        {
            new("ce-specversion", "1.0"), new("ce-id", "a"), new("ce-id", "b"), new("ce-source", "acs.dataworks"), new("ce-type", "dataworks:FileChange:DeployFile"),
        };

        var result = await _ingestion.IngestAsync("{}"u8.ToArray(), new EventContent("application/json", headers), CancellationToken.None);

        Assert.Equal(new IngestionProblem(400, "invalid-header", "the header ce-id is refused: it is repeated"), result.Problem);
        Assert.False(result.Problem!.Retryable);
        Assert.Empty(result.Events);
    }
}
