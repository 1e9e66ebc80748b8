using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Host.Endpoints;
using OpenEvent.Rules.Host.Ingestion;

namespace OpenEvent.Rules.Host.Tests.Endpoints;

/// <summary>The real host on a loopback port: every event family, batches, the FC envelope and every refusal status.</summary>
/// <remarks>In <see cref="HostMetricsCollection"/>: GetMetrics_ExposesPrometheusCounters reads /metrics, whose series a host stopped by a
/// parallel test ends (its meter has the same name; open-telemetry/opentelemetry-dotnet#6412).</remarks>
[Collection(HostMetricsCollection.Name)]
public sealed class HostEndpointTests(SharedHost shared) : IClassFixture<SharedHost>
{
    private readonly RunningHost _host = shared.Host;

    private static string Sample(string name) => File.ReadAllText(RepositoryPaths.Combine("samples", "events", name));

    public static TheoryData<string> CatalogSamples()
    {
        var data = new TheoryData<string>();
        foreach (var entry in EventCatalog.Default.EventTypes)
        {
            data.Add(entry.Type["dataworks:".Length..].Replace(':', '-') + ".json");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CatalogSamples))]
    public async Task PostEvents_EveryCatalogFamily_IsEvaluatedWithItsVerdict(string sample)
    {
        var text = Sample(sample);
        var type = JsonDocument.Parse(text).RootElement.GetProperty("type").GetString()!;

        using var response = await _host.PostAsync("/events", text);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(1, body.RootElement.GetProperty("accepted").GetInt32());
        var result = body.RootElement.GetProperty("results")[0];
        Assert.Equal(type, result.GetProperty("type").GetString());
        var entry = EventCatalog.Default.FindByType(type)!;
        var isExtension = entry.Kind == EventKind.ExtensionPoint;
        Assert.Equal(isExtension, result.GetProperty("verdict").ValueKind == JsonValueKind.String);
    }

    [Fact]
    public async Task PostEvents_BlockedDeploy_AnswersFailAndLogsTheDecision()
    {
        using var response = await _host.PostAsync("/events", DeployEvent("e-block", "dws_orders"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("results")[0];
        Assert.Equal("FAIL", result.GetProperty("verdict").GetString());
        Assert.Equal("deploy-freeze", result.GetProperty("matched")[0].GetString());

        await RunningHost.WaitUntilAsync(() => Task.FromResult(File.Exists(_host.DecisionLogPath) && File.ReadAllText(_host.DecisionLogPath).Contains("e-block")), "the decision line");
        var line = JsonDocument.Parse(File.ReadLines(_host.DecisionLogPath).Single(l => l.Contains("e-block"))).RootElement;
        Assert.Equal("FAIL", line.GetProperty("verdict").GetString());
        Assert.Equal("deploy-freeze", line.GetProperty("matched")[0].GetString());
        Assert.StartsWith("sha256:", line.GetProperty("revision").GetString());
        Assert.True(line.GetProperty("latencyMs").GetDouble() >= 0);
    }

    [Fact]
    public async Task PostEvents_HostileUnknownTypes_ReportedEscapedAndAtMostAHundredTypes()
    {
        // The type is the sender's text: a line break must not forge a log line, and a flood of invented types must not
        // grow the host's memory or its log without bound.
        var log = new CapturedLog();
        await using var host = await RunningHost.StartConfiguredAsync(builder => builder.Logging.AddProvider(log));
        var forged = DeployEvent("hostile-type-0", "dws_orders").Replace("dataworks:FileChange:DeployFile", "dataworks:Forged:Type\\ninfo: forged line", StringComparison.Ordinal);
        var flood = Enumerable.Range(1, UnknownTypeNotice.MaxTypes + 20).Select(i =>
            DeployEvent($"hostile-type-{i}", "dws_orders").Replace("dataworks:FileChange:DeployFile", $"dataworks:Invented:Type{i}", StringComparison.Ordinal));

        using (var response = await host.PostAsync("/events", "[" + string.Join(",", [forged, .. flood]) + "]", "application/cloudevents-batch+json"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var notices = log.Lines.Where(l => l.Contains("not in the DataWorks event catalog", StringComparison.Ordinal)).ToList();
        Assert.Equal(UnknownTypeNotice.MaxTypes, notices.Count);
        Assert.Contains(notices, l => l.Contains("'dataworks:Forged:Type\\ninfo: forged line'", StringComparison.Ordinal));
        Assert.DoesNotContain(notices, l => l.Contains('\n', StringComparison.Ordinal));
    }

    [Fact]
    public async Task PostEvents_TypeNotInTheCatalog_DecidedAsRegularAndReportedOncePerTypeWithTheClosestType()
    {
        // A misspelt type (or an extension point newer than the catalog) is decided as a regular event: nothing is
        // answered, so the log says so, once per type.
        var log = new CapturedLog();
        await using var host = await RunningHost.StartConfiguredAsync(builder => builder.Logging.AddProvider(log));
        var misspelt = DeployEvent("unknown-type-1", "dws_orders").Replace("dataworks:FileChange:DeployFile", "dataworks:FileChange:DeployFil", StringComparison.Ordinal);

        using (var first = await host.PostAsync("/events", misspelt))
        using (var second = await host.PostAsync("/events", misspelt.Replace("unknown-type-1", "unknown-type-2", StringComparison.Ordinal)))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        }

        var notice = Assert.Single(log.Lines, l => l.Contains("not in the DataWorks event catalog", StringComparison.Ordinal));
        Assert.Contains("events of type 'dataworks:FileChange:DeployFil' (first: unknown-type-1)", notice, StringComparison.Ordinal);
        Assert.Contains("Did you mean 'dataworks:FileChange:DeployFile'?", notice, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostEvents_DecisionLog_MasksConfiguredPointers()
    {
        var original = Sample("ResourcesDownload-DownloadResourcesExecute.json");
        var id = "mask-" + Guid.NewGuid().ToString("N");
        var download = original.Replace(JsonDocument.Parse(original).RootElement.GetProperty("id").GetString()!, id);

        using var response = await _host.PostAsync("/events", download);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await RunningHost.WaitUntilAsync(() => Task.FromResult(File.Exists(_host.DecisionLogPath) && File.ReadAllText(_host.DecisionLogPath).Contains(id)), "the decision line");
        var line = JsonDocument.Parse(File.ReadLines(_host.DecisionLogPath).Single(l => l.Contains(id))).RootElement;
        Assert.Equal("***", line.GetProperty("event").GetProperty("data").GetProperty("sqlText").GetString());
    }

    [Fact]
    public async Task PostEvents_Batch_EvaluatesEveryEvent()
    {
        using var response = await _host.PostAsync("/events", Sample("batch.json"), "application/cloudevents-batch+json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(3, body.GetProperty("accepted").GetInt32());
    }

    [Fact]
    public async Task PostEvents_BatchOfBlockedAndPassingDeploys_EachGetsItsOwnVerdict()
    {
        var batch = $"[{DeployEvent("own-1", "dws_a")},{DeployEvent("own-2", "ods_b")},{DeployEvent("own-3", "dws_c")}]";

        using var response = await _host.PostAsync("/events", batch, "application/cloudevents-batch+json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("results");
        Assert.Equal(["FAIL", "OK", "FAIL"], results.EnumerateArray().Select(r => r.GetProperty("verdict").GetString()));
    }

    [Fact]
    public async Task PostEvents_EmptyBatch_IsAccepted()
    {
        using var response = await _host.PostAsync("/events", "[]", "application/cloudevents-batch+json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("accepted").GetInt32());
    }

    [Fact]
    public async Task PostEvents_FunctionComputeEnvelope_IsNormalizedAndEvaluated()
    {
        using var response = await _host.PostAsync("/events", Sample("fc-envelope-download.json"), "application/json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("results")[0];
        Assert.Equal("dataworks:ResourcesDownload:DownloadResources", result.GetProperty("type").GetString());
        Assert.Equal("OK", result.GetProperty("verdict").GetString());
    }

    [Fact]
    public async Task PostEvents_BinaryModeCloudEvent_IsAccepted()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/events")
        {
            Content = new StringContent("""{"projectId":10001234,"fileName":"dws_x","operator":"1"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("ce-specversion", "1.0");
        request.Headers.Add("ce-id", "bin-1");
        request.Headers.Add("ce-source", "acs.dataworks");
        request.Headers.Add("ce-type", "dataworks:FileChange:DeployFile");

        using var response = await _host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("results")[0];
        Assert.Equal("FAIL", result.GetProperty("verdict").GetString());
    }

    [Theory]
    [InlineData("{\"specversion\":\"1.0\",", "invalid-json")]
    [InlineData("{\"specversion\":\"1.0\",\"id\":\"x\",\"source\":\"acs.dataworks\"}", "missing-type")]
    [InlineData("{\"specversion\":\"1.0\",\"id\":\"x\",\"type\":\"t\",\"data\":[1]}", "data-not-object")]
    [InlineData("{\"specversion\":\"1.0\",\"id\":\"x\",\"type\":\"a\",\"type\":\"b\"}", "duplicate-key")]
    [InlineData("", "empty")]
    public async Task PostEvents_BadEvent_Returns400WithProblemNamingTheError(string body, string errorId)
    {
        using var response = await _host.PostAsync("/events", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Equal(errorId, problem.GetProperty("errorId").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task PostEvents_BatchWithOneBadEvent_Returns400ListingItAndEvaluatesTheRest()
    {
        var batch = $"[{DeployEvent("ok-1", "ods_x")}, {{\"specversion\":\"1.0\",\"id\":\"bad\"}}]";

        using var response = await _host.PostAsync("/events", batch, "application/cloudevents-batch+json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(1, problem.GetProperty("accepted").GetInt32());
        Assert.Equal(1, problem.GetProperty("errors")[0].GetProperty("index").GetInt32());
        Assert.Equal("missing-type", problem.GetProperty("errors")[0].GetProperty("id").GetString());
        await RunningHost.WaitUntilAsync(() => Task.FromResult(File.Exists(_host.DecisionLogPath) && File.ReadAllText(_host.DecisionLogPath).Contains("ok-1")), "the valid event's decision");
    }

    [Fact]
    public async Task PostEvents_BatchOfManyBadElements_ListsTheFirst100AndCountsTheRest()
    {
        // Every refusal was listed: a batch of tiny bad elements got an answer ~50 times its size.
        var batch = $"[{DeployEvent("many-ok", "ods_x")}," + string.Join(",", Enumerable.Repeat("0", 250)) + "]";

        using var response = await _host.PostAsync("/events", batch, "application/cloudevents-batch+json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("250 of 251 events are invalid", problem.GetProperty("detail").GetString());
        Assert.Equal(1, problem.GetProperty("accepted").GetInt32());
        Assert.Equal(EventEndpoints.MaxListedErrors, problem.GetProperty("errors").GetArrayLength());
        Assert.Equal(1, problem.GetProperty("errors")[0].GetProperty("index").GetInt32());
        Assert.Equal(100, problem.GetProperty("errors")[99].GetProperty("index").GetInt32());
        Assert.Equal(150, problem.GetProperty("errorsOmitted").GetInt32());
    }

    [Fact]
    public async Task PostEvents_BatchOverTheEventCount_Returns413BeforeReadingAny()
    {
        var batch = "[" + string.Join(",", Enumerable.Repeat(DeployEvent("count", "ods_x"), 10_001)) + "]";

        using var response = await _host.PostAsync("/events", batch, "application/cloudevents-batch+json");
        using var atTheLimit = await _host.PostAsync("/evaluate", "[" + string.Join(",", Enumerable.Repeat("0", 10_000)) + "]", "application/cloudevents-batch+json");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("too-many-events", problem.GetProperty("errorId").GetString());
        Assert.Contains("more than 10,000 events (OpenEventRules:Limits:MaxBatchEvents)", problem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, atTheLimit.StatusCode);
        Assert.Equal(9_900, JsonDocument.Parse(await atTheLimit.Content.ReadAsStringAsync()).RootElement.GetProperty("errorsOmitted").GetInt32());
    }

    [Fact]
    public async Task PostEvents_OverEventLimit_Returns413()
    {
        var huge = DeployEvent("big", new string('x', 1024 * 1024 + 10));

        using var response = await _host.PostAsync("/events", huge);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("too-large", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errorId").GetString());
    }

    [Fact]
    public async Task PostEvents_SizedAndChunkedBodies_GetTheSameAnswer_SentWithItsContentLength()
    {
        // EventBridge declares the length (the body is read into an array of that size); a chunked body is read as it comes.
        var sized = Encoding.UTF8.GetBytes(DeployEvent("sized-1", "dws_orders"));
        using var sizedResponse = await _host.PostAsync("/events", sized);
        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/events")
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(DeployEvent("sized-1", "dws_orders")))),
        };
        chunked.Content.Headers.ContentType = new("application/cloudevents+json");
        chunked.Headers.TransferEncodingChunked = true;
        using var chunkedResponse = await _host.Client.SendAsync(chunked);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (sizedResponse.StatusCode, chunkedResponse.StatusCode));
        var body = await sizedResponse.Content.ReadAsStringAsync();
        Assert.Equal(body, await chunkedResponse.Content.ReadAsStringAsync());
        Assert.Equal("FAIL", JsonDocument.Parse(body).RootElement.GetProperty("results")[0].GetProperty("verdict").GetString());
        // Answers go out whole, with their length, not chunked (a refusal too).
        Assert.Equal(Encoding.UTF8.GetByteCount(body), sizedResponse.Content.Headers.ContentLength);
        Assert.NotEqual(true, sizedResponse.Headers.TransferEncodingChunked);
        // Past RequestBody.ExactUpTo a declared length is not trusted with an array of its size: read as it arrives, same answer.
        using var large = await _host.PostAsync("/events", DeployEvent("sized-1", "dws_orders" + new string('x', 200 * 1024)));
        Assert.Equal(HttpStatusCode.OK, large.StatusCode);
        Assert.Equal("FAIL", JsonDocument.Parse(await large.Content.ReadAsStringAsync()).RootElement.GetProperty("results")[0].GetProperty("verdict").GetString());
        using var refused = await _host.PostAsync("/events", "{}");
        var problem = await refused.Content.ReadAsStringAsync();
        Assert.Equal((HttpStatusCode.BadRequest, (long?)Encoding.UTF8.GetByteCount(problem)), (refused.StatusCode, refused.Content.Headers.ContentLength));
    }

    [Fact]
    public async Task PostEvents_ChunkedBodyOverEventLimit_Returns413()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/events")
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(DeployEvent("big", new string('x', 1024 * 1024 + 10))))),
        };
        request.Content.Headers.ContentType = new("application/cloudevents+json");
        request.Headers.TransferEncodingChunked = true;
        request.Headers.ExpectContinue = true;

        using var response = await _host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task PostEvents_OverBatchLimit_Returns413()
    {
        var one = DeployEvent("b", new string('x', 512 * 1024));
        var batch = "[" + string.Join(",", Enumerable.Repeat(one, 21)) + "]";

        // With Expect: 100-continue the server can refuse from the Content-Length before the client sends 10 MB
        // (without it the refusal races the upload and the client sees a broken pipe).
        using var request = new HttpRequestMessage(HttpMethod.Post, "/events") { Content = new StringContent(batch, Encoding.UTF8, "application/cloudevents-batch+json") };
        request.Headers.ExpectContinue = true;
        using var response = await _host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    [InlineData(null)]
    public async Task PostEvents_WrongContentType_Returns415(string? contentType)
    {
        using var response = await _host.PostAsync("/events", Encoding.UTF8.GetBytes(DeployEvent("x", "a")), contentType);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("unsupported-media-type", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errorId").GetString());
    }

    [Fact]
    public async Task PostEvents_ContentTypeWithCharset_IsAccepted()
    {
        using var response = await _host.PostAsync("/events", DeployEvent("cs", "a"), "application/json; charset=utf-8");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task PostEvaluate_ReturnsTheDryRunShapeAndLogsNothing()
    {
        using var response = await _host.PostAsync("/evaluate", DeployEvent("eval-1", "dws_orders"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var decision = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("eval-1", decision.GetProperty("event").GetProperty("id").GetString());
        Assert.Equal("request", decision.GetProperty("event").GetProperty("file").GetString());
        Assert.Equal(0, decision.GetProperty("event").GetProperty("index").GetInt32());
        Assert.Equal("FAIL", decision.GetProperty("verdict").GetString());
        var matched = decision.GetProperty("matched")[0];
        Assert.Equal("deploy-freeze", matched.GetProperty("policy").GetString());
        Assert.Equal("enforce", matched.GetProperty("mode").GetString());
        Assert.EndsWith("deploy-freeze.yaml:4:9", matched.GetProperty("location").GetString());
        Assert.Equal("block", matched.GetProperty("actions")[0].GetProperty("kind").GetString());
        Assert.Equal("Deploying dws_orders is frozen", matched.GetProperty("actions")[0].GetProperty("reason").GetString());
        Assert.Equal("notify", matched.GetProperty("actions")[1].GetProperty("kind").GetString());
        Assert.Equal("log", matched.GetProperty("actions")[1].GetProperty("channel").GetString());
        Assert.Equal(JsonValueKind.Array, decision.GetProperty("audit").ValueKind);
        Assert.Equal(JsonValueKind.Null, decision.GetProperty("error").ValueKind);

        // One writer logs the decisions in the order they were appended, and a request appends before it answers: once
        // the line of an event posted to /events after this answer is in the file, a line for eval-1 would be above it.
        var after = "after-eval-" + Guid.NewGuid().ToString("N");
        using (var logged = await _host.PostAsync("/events", DeployEvent(after, "ods_x")))
        {
            Assert.Equal(HttpStatusCode.OK, logged.StatusCode);
        }

        await RunningHost.WaitUntilAsync(() => Task.FromResult(LoggedEventIds().Contains(after)), "the decision line of the event posted after it");
        Assert.DoesNotContain("eval-1", LoggedEventIds());
    }

    /// <summary>The event ids of the complete lines of the decision log (the writer may be in the middle of the last one).</summary>
    private List<string?> LoggedEventIds()
    {
        if (!File.Exists(_host.DecisionLogPath))
        {
            return [];
        }

        var lines = File.ReadAllText(_host.DecisionLogPath).Split('\n');
        return lines[..^1].Select(l => JsonDocument.Parse(l).RootElement.GetProperty("eventId").GetString()).ToList();
    }

    [Fact]
    public async Task PostEvaluate_InvalidEvent_Returns400()
    {
        using var response = await _host.PostAsync("/evaluate", "{\"specversion\":\"1.0\",\"id\":\"x\"}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("missing-type", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errorId").GetString());
    }

    [Fact]
    public async Task GetPolicies_ListsTheSetWithRevisionAndLocations()
    {
        var body = JsonDocument.Parse(await _host.Client.GetStringAsync("/policies")).RootElement;

        Assert.StartsWith("sha256:", body.GetProperty("revision").GetString());
        Assert.True(body.GetProperty("loadedAt").GetDateTimeOffset() <= DateTimeOffset.UtcNow);
        var names = body.GetProperty("policies").EnumerateArray().Select(p => p.GetProperty("name").GetString()!).Order().ToArray();
        Assert.Equal(["deploy-freeze", "failed-instances"], names);
        var freeze = body.GetProperty("policies").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "deploy-freeze");
        Assert.Equal(4, freeze.GetProperty("line").GetInt32());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("lastReloadError").ValueKind);
    }

    [Fact]
    public async Task HealthAndReadiness_AreUpOnceLoaded()
    {
        using var health = await _host.Client.GetAsync("/healthz");
        using var ready = await _host.Client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task GetMetrics_ExposesPrometheusCounters()
    {
        using (await _host.PostAsync("/events", DeployEvent("m-1", "dws_orders")))
        {
        }

        using (await _host.PostAsync("/events", "{"))
        {
        }

        string text = "";
        await RunningHost.WaitUntilAsync(async () =>
        {
            text = await _host.Client.GetStringAsync("/metrics");
            return text.Contains("oer_events_evaluated_total") && text.Contains("oer_events_rejected_total");
        }, "metrics to be exported");

        Assert.Contains("verdict=\"FAIL\"", text);
        Assert.Contains("policy=\"deploy-freeze\"", text);
        Assert.Contains("reason=\"invalid-json\"", text);
        Assert.Contains("oer_evaluation_duration_seconds_bucket", text);
        Assert.Contains("oer_policy_reloads_total{", text);
    }

    [Fact]
    public async Task Metrics_ReceivedAndEvaluated_CountEachEventOnceByTypeAndVerdict()
    {
        const string DeployFile = "dataworks:FileChange:DeployFile";
        var before = (Received: Totals("oer.events.received").GetValueOrDefault(DeployFile), Evaluated: Totals("oer.events.evaluated").GetValueOrDefault(DeployFile + ",FAIL"));
        for (var i = 0; i < 3; i++)
        {
            using var response = await _host.PostAsync("/events", DeployEvent($"mc-{i}", "dws_orders"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal((before.Received + 3, before.Evaluated + 3),
            (Totals("oer.events.received").GetValueOrDefault(DeployFile), Totals("oer.events.evaluated").GetValueOrDefault(DeployFile + ",FAIL")));
    }

    [Fact]
    public async Task Metrics_EventTypesOutsideTheCatalog_CountUnderOneLabel()
    {
        // A sender choosing the type must not choose the exporter's series: each new label value is a series kept for
        // the life of the host (the counts are tallied in a dictionary keyed by the label).
        var before = Totals("oer.events.received").GetValueOrDefault("unknown");
        for (var i = 0; i < 20; i++)
        {
            var cloudEvent = DeployEvent($"odd-type-{i}", "dws_orders").Replace("dataworks:FileChange:DeployFile", $"dataworks:Odd\\n{i}:{new string('x', 200)}", StringComparison.Ordinal);
            using var response = await _host.PostAsync("/events", cloudEvent);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var received = Totals("oer.events.received");
        Assert.Equal(before + 20, received.GetValueOrDefault("unknown"));
        Assert.DoesNotContain(received.Keys, label => label.Contains("Odd", StringComparison.Ordinal));
    }

    /// <summary>
    /// The totals of one of this host's observable counters, by label values joined with commas, read from its own meter:
    /// every host of the test process has a meter of the same name, which its Prometheus exporter cannot tell apart.
    /// Both counts are taken before the request is answered.
    /// </summary>
    private Dictionary<string, long> Totals(string instrumentName)
    {
        var factory = _host.Services.GetRequiredService<IMeterFactory>();
        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == instrumentName && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) => totals[string.Join(',', tags.ToArray().Select(t => t.Value))] = value);
        listener.Start();
        listener.RecordObservableInstruments();
        return totals;
    }

    internal static string DeployEvent(string id, string fileName) => $$$"""
        {"specversion":"1.0","id":"{{{id}}}","source":"acs.dataworks","type":"dataworks:FileChange:DeployFile",
         "aliyunregionid":"cn-hangzhou","data":{"eventCode":"deploy-file","tenantId":283780000010656,"projectId":10001234,
         "operator":"200012345678901","fileName":"{{{fileName}}}","extensionBizId":"ext-1"}}
        """;
}
