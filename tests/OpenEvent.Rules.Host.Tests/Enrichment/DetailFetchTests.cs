using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using OpenEvent.Rules.Host.Tests.Actions;
using static OpenEvent.Rules.Host.Tests.Actions.ActionHarness;

namespace OpenEvent.Rules.Host.Tests.Enrichment;

/// <summary>
/// The host fetching events' details from a DataWorks stand-in on a loopback port that verifies the V3 signature of
/// every call: one GetIDEEventDetail per event at most, none for events no detail-reading policy reaches; every failure
/// (an error, 403 without Enterprise Edition, no answer, another shape, too large) applies the policy's detailErrors with
/// a reason that says what failed, and the answer to DataWorks still goes out by its deadline.
/// </summary>
public sealed class DetailFetchTests
{
    private const string AccessKeyId = "LTAIdetail";
    private const string AccessKeySecret = "detail-secret-for-the-stand-in";

    private const string Policies = """
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: no-drop-in-commits }
        spec:
          match:
            type: ["dataworks:FileChange:CommitFile"]
            data: { fileName: [{ prefix: "dws_" }] }
            detail: { CommittedFile: { Content: [{ contains: "DROP TABLE" }] } }
          detailErrors: fail-mode
          actions:
            - block: { reason: "{{ detail.CommittedFile.FileName }} drops a table" }
        ---
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: no-frequent-schedules }
        spec:
          match:
            type: ["dataworks:FileChange:DeployFile"]
          condition: e.Detail.CommittedFile.Node.MinutesBetweenRuns is >= 0 and < 60
          actions:
            - warn: { reason: "runs every {{ detail.CommittedFile.NodeConfiguration.CronExpress }}" }
        """;

    private static string[] Settings(DetailStandIn dataWorks, params string[] more) =>
    [
        "--OpenEventRules:DataWorks:ExtensionCode", ExtensionCode,
        "--OpenEventRules:DataWorks:Endpoint", dataWorks.BaseAddress.ToString(),
        "--OpenEventRules:DataWorks:FailMode", "FAIL",
        "--OpenEventRules:DataWorks:AccessKeyIdVariable", Env("AKID", AccessKeyId),
        "--OpenEventRules:DataWorks:AccessKeySecretVariable", Env("AKSECRET", AccessKeySecret),
        .. more,
    ];

    private static string Commit(string id, string fileName = "dws_orders") =>
        Sample("FileChange-CommitFile.json", id).Replace("\"fileName\": \"dws_orders\"", $"\"fileName\": \"{fileName}\"", StringComparison.Ordinal);

    private static async Task<JsonElement> EvaluateAsync(RunningHost host, string body)
    {
        using var response = await host.PostAsync("/evaluate", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [Fact]
    public async Task Commit_DetailDropsATable_OneSignedCallThenFail()
    {
        await using var dataWorks = await DetailStandIn.StartAsync(AccessKeyId, AccessKeySecret);
        await using var host = await ActionHarness.StartAsync(Policies, Settings(dataWorks));
        var id = NewId("commit");
        dataWorks.Serve(id, DetailAnswer.Committed("dws_orders.sql", "-- rebuild\nDROP TABLE IF EXISTS dws_orders_tmp;\nSELECT 1;"));

        using var response = await host.PostAsync("/events", Commit(id));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("FAIL", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("results")[0].GetProperty("verdict").GetString());
        var call = Assert.Single(dataWorks.DetailCalls);
        Assert.True(call.SignatureValid, call.SignatureError);
        Assert.Equal(("2020-05-18", id, "10001234"), (call.Version, call.Parameters["MessageId"], call.Parameters["ProjectId"]));
        await WaitUntilAsync(() => dataWorks.Answers.Any(), "the answer");
        var answer = Assert.Single(dataWorks.Answers);
        Assert.True(answer.SignatureValid, answer.SignatureError);
        Assert.Equal(("FAIL", "[no-drop-in-commits] dws_orders.sql drops a table"), (answer.Parameters["CheckResult"], answer.Parameters["CheckResultTip"]));
    }

    [Fact]
    public async Task Events_NoDetailPolicyReaches_NoCall()
    {
        await using var dataWorks = await DetailStandIn.StartAsync(AccessKeyId, AccessKeySecret);
        await using var host = await ActionHarness.StartAsync(Policies, Settings(dataWorks));

        // The data clause fails; no detail-reading policy matches the types.
        var decisions = new[]
        {
            await EvaluateAsync(host, Commit(NewId("ods"), "ods_orders")),
            await EvaluateAsync(host, Sample("FileChange-RunFile.json", NewId("run"))),
            await EvaluateAsync(host, Sample("NodeChange-NodeChangeCreated.json", NewId("node"))),
        };

        Assert.Empty(dataWorks.DetailCalls);
        Assert.All(decisions, d => Assert.Equal(JsonValueKind.Null, d.GetProperty("detail").ValueKind));
    }

    [Fact]
    public async Task SameEvent_EvaluatedAgain_OneCall()
    {
        await using var dataWorks = await DetailStandIn.StartAsync(AccessKeyId, AccessKeySecret);
        await using var host = await ActionHarness.StartAsync(Policies, Settings(dataWorks));
        var id = NewId("again");
        dataWorks.Serve(id, DetailAnswer.Committed("dws_orders.sql", "INSERT INTO t SELECT a FROM s"));

        var first = await EvaluateAsync(host, Commit(id));
        var second = await EvaluateAsync(host, Commit(id));
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => EvaluateAsync(host, Commit(id))));

        Assert.Single(dataWorks.DetailCalls);
        Assert.False(first.GetProperty("detail").GetProperty("fromCache").GetBoolean());
        Assert.True(second.GetProperty("detail").GetProperty("fromCache").GetBoolean());
        Assert.All(concurrent.Append(second), d => Assert.Equal("OK", d.GetProperty("verdict").GetString()));
    }

    public static TheoryData<string, string> Failures() => new()
    {
        { "error", "DataWorks refused GetIDEEventDetail: HTTP 500 InternalError.System: boom" },
        { "forbidden", "DataWorks refused GetIDEEventDetail: HTTP 403 Forbidden.Access: This feature requires DataWorks Enterprise Edition. (GetIDEEventDetail needs DataWorks Enterprise Edition and an AccessKey allowed dataworks:*)" },
        { "hang", "GetIDEEventDetail did not answer within 2 s (OpenEventRules:Detail:Timeout)" },
        { "shape", "DataWorks answered a detail of another shape: expected EventDetail.CommittedFile (an object), found TableModel" },
        { "not-json", "DataWorks answered the detail is not valid JSON: '<' is an invalid start of a value. LineNumber: 0 | BytePositionInLine: 0." },
        { "too-large", "DataWorks answered more than 4,096 bytes (OpenEventRules:Detail:MaxBytes)" },
        { "unknown", "DataWorks refused GetIDEEventDetail: HTTP 400 Invalid.MessageId: The message does not exist." },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task Commit_DetailCannotBeHad_FailModeWithTheReason(string failure, string message)
    {
        await using var dataWorks = await DetailStandIn.StartAsync(AccessKeyId, AccessKeySecret);
        await using var host = await ActionHarness.StartAsync(Policies, Settings(dataWorks,
            // The timeout leaves a cold host's first call (JIT, signing) room on a slow machine; only "hang" waits for it.
            "--OpenEventRules:Detail:Timeout", "00:00:02", "--OpenEventRules:Detail:MaxBytes", "4096"));
        var id = NewId(failure);
        if (failure != "unknown")
        {
            dataWorks.Serve(id, failure switch
            {
                "error" => DetailAnswer.Json(500, """{"Code":"InternalError.System","Message":"boom","RequestId":"r"}"""),
                "forbidden" => DetailAnswer.Json(403, """{"Code":"Forbidden.Access","Message":"This feature requires DataWorks Enterprise Edition.","RequestId":"r"}"""),
                "hang" => new DetailAnswer(200, [], Hang: true),
                "shape" => DetailAnswer.Json(200, """{"RequestId":"r","EventDetail":{"TableModel":{"TableName":"t"}}}"""),
                "not-json" => new DetailAnswer(200, "<html>gateway</html>"u8.ToArray(), "text/html"),
                _ => DetailAnswer.Committed("dws_orders.sql", new string('x', 5000)),
            });
        }

        var started = Stopwatch.GetTimestamp();
        var decision = await EvaluateAsync(host, Commit(id));

        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(5), "the decision waits for the detail's timeout at most");
        Assert.Equal("FAIL", decision.GetProperty("verdict").GetString());
        Assert.Empty(decision.GetProperty("matched").EnumerateArray());
        var error = Assert.Single(decision.GetProperty("detailErrors").EnumerateArray());
        Assert.Equal(("no-drop-in-commits", message, "fail-mode"),
            (error.GetProperty("policy").GetString(), error.GetProperty("message").GetString(), error.GetProperty("outcome").GetString()));
        Assert.Equal(message, decision.GetProperty("detail").GetProperty("error").GetString());
        Assert.Single(dataWorks.DetailCalls);
    }

    [Fact]
    public async Task Commit_DetailHangs_TheAnswerStillGoesOutByItsDeadline()
    {
        await using var dataWorks = await DetailStandIn.StartAsync(AccessKeyId, AccessKeySecret);
        await using var host = await ActionHarness.StartAsync(Policies, Settings(dataWorks,
            // Half of AnswerWithin (2 s) is the detail's bound; the other half leaves a cold host room to decide before the fallback.
            "--OpenEventRules:DataWorks:AnswerWithin", "00:00:04", "--OpenEventRules:Detail:Timeout", "00:00:05"));
        var id = NewId("late");
        dataWorks.Serve(id, new DetailAnswer(200, [], Hang: true));

        var started = Stopwatch.GetTimestamp();
        using var response = await host.PostAsync("/events", Commit(id));
        var elapsed = Stopwatch.GetElapsedTime(started);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(elapsed < TimeSpan.FromSeconds(4), $"answered after {elapsed}, past AnswerWithin");

        // The detail's 5 s timeout is held to half of AnswerWithin: the policy decided (fail-mode), not the fallback.
        var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("results")[0];
        Assert.False(result.TryGetProperty("fallback", out _));
        await RunningHost.WaitUntilAsync(() => Task.FromResult(File.Exists(host.DecisionLogPath) && File.ReadAllText(host.DecisionLogPath).Contains(id, StringComparison.Ordinal)), "the decision line");
        var line = JsonDocument.Parse(File.ReadLines(host.DecisionLogPath).Single(l => l.Contains(id, StringComparison.Ordinal))).RootElement;
        var logged = Assert.Single(line.GetProperty("detailErrors").EnumerateArray());
        Assert.Equal(("no-drop-in-commits", "GetIDEEventDetail did not answer within 2 s (half of OpenEventRules:DataWorks:AnswerWithin)", "fail-mode"),
            (logged.GetProperty("policy").GetString(), logged.GetProperty("message").GetString(), logged.GetProperty("outcome").GetString()));
        await WaitUntilAsync(() => dataWorks.Answers.Any(), "the answer");
        var answer = Assert.Single(dataWorks.Answers);
        Assert.Equal("FAIL", answer.Parameters["CheckResult"]);
    }

    [Fact]
    public async Task Commit_DetailInGb18030_ReadAsText()
    {
        await using var dataWorks = await DetailStandIn.StartAsync(AccessKeyId, AccessKeySecret);
        await using var host = await ActionHarness.StartAsync(Policies, Settings(dataWorks));
        var id = NewId("gb");
        var json = DetailAnswer.Committed("订单_dws.sql", "-- 每日订单汇总\nDROP TABLE 订单临时表;").Body;
        var gb18030 = CodePagesEncoding("GB18030").GetBytes(Encoding.UTF8.GetString(json));
        dataWorks.Serve(id, new DetailAnswer(200, gb18030, "application/json; charset=GB18030"));

        var decision = await EvaluateAsync(host, Commit(id));

        var block = Assert.Single(Assert.Single(decision.GetProperty("matched").EnumerateArray()).GetProperty("actions").EnumerateArray());
        Assert.Equal("订单_dws.sql drops a table", block.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Deploy_SeveralMegabytesOfCode_Bounded()
    {
        await using var dataWorks = await DetailStandIn.StartAsync(AccessKeyId, AccessKeySecret);
        await using var host = await ActionHarness.StartAsync(Policies, Settings(dataWorks));
        var id = NewId("huge");
        var sql = new StringBuilder();
        while (sql.Length < 6 * 1024 * 1024)
        {
            sql.Append("INSERT INTO TABLE t PARTITION (ds='${bizdate}') SELECT a, 'x;y' FROM s; -- ; DROP TABLE\n");
        }

        sql.Append("\u0000\uFFFF binary tail");
        dataWorks.Serve(id, DetailAnswer.Committed("dws_big.sql", sql.ToString(), "00 00/5 * * * ?"));

        var decision = await EvaluateAsync(host, Sample("FileChange-DeployFile.json", id));

        Assert.Equal("WARN", decision.GetProperty("verdict").GetString());
        Assert.Empty(decision.GetProperty("conditionErrors").EnumerateArray());
    }

    private static Encoding CodePagesEncoding(string name)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(name);
    }
}

/// <summary>The detail metrics on /metrics (alone: every in-process host shares the meter name).</summary>
[Collection(HostMetricsCollection.Name)]
public sealed class DetailMetricsTests
{
    [Fact]
    public async Task Metrics_CallsCacheHitsAndErrors_AreCounted()
    {
        await using var dataWorks = await DetailStandIn.StartAsync("LTAImetrics", "metrics-secret");
        await using var host = await ActionHarness.StartAsync("""
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: reads-detail }
            spec:
              match:
                type: ["dataworks:FileChange:CommitFile"]
                detail: { CommittedFile: { Content: [{ exists: true }] } }
              actions: [ { notify: { channel: log, message: "x" } } ]
            """,
            "--OpenEventRules:DataWorks:Endpoint", dataWorks.BaseAddress.ToString(),
            "--OpenEventRules:DataWorks:AccessKeyIdVariable", Env("AKID", "LTAImetrics"),
            "--OpenEventRules:DataWorks:AccessKeySecretVariable", Env("AKSECRET", "metrics-secret"));
        var found = NewId("found");
        var refused = NewId("refused");
        dataWorks.Serve(found, DetailAnswer.Committed("a.sql", "SELECT 1"));
        dataWorks.Serve(refused, DetailAnswer.Json(403, """{"Code":"Forbidden.Access","Message":"no","RequestId":"r"}"""));

        foreach (var id in new[] { found, found, refused })
        {
            using var response = await host.PostAsync("/evaluate", Sample("FileChange-CommitFile.json", id));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var metrics = await host.Client.GetStringAsync("/metrics");
        Assert.Equal(1, Value(metrics, "oer_detail_calls_total", "outcome=\"ok\""));
        Assert.Equal(1, Value(metrics, "oer_detail_calls_total", "outcome=\"error\""));
        Assert.Equal(1, Value(metrics, "oer_detail_cache_hits_total"));
        Assert.Equal(1, Value(metrics, "oer_detail_errors_total", "reason=\"refused\""));
        Assert.Equal(2, Value(metrics, "oer_detail_call_duration_seconds_count"));
    }

    private static double Value(string metrics, string name, string label = "") =>
        metrics.Split('\n').Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) && l.Contains(label, StringComparison.Ordinal))
            .Select(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture))
            .Sum();
}
