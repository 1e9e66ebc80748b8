using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using OpenEvent.Rules.Host.Actions.DataWorks;

namespace OpenEvent.Rules.Cli.Tests.Commands;

/// <summary>
/// Events' details offline: a folder of &lt;event-id&gt;.detail.json for dry-run, explain and impact, a case's
/// detail: in oer test, and dry-run --fetch-detail asking a DataWorks stand-in with the environment's AccessKey.
/// </summary>
public sealed class DetailInputsTests : IDisposable
{
    private const string Id = "4cb74115-96c7-5663-8f3f-29ba250416d3";

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private const string Policy = """
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: no-select-star }
        spec:
          match:
            type: ["dataworks:FileChange:CommitFile"]
            detail: { CommittedFile: { FileType: [10] } }
          condition: e.Detail.CommittedFile.Sql.SelectStar
          actions:
            - warn: { reason: "{{ detail.CommittedFile.FileName }} uses SELECT *" }
        """;

    private static string Commit => File.ReadAllText(RepositoryPaths.Combine("samples", "events", "FileChange-CommitFile.json"));

    private static string Detail(string content, string member = "CommittedFile") =>
        JsonSerializer.Serialize(new Dictionary<string, object> { ["RequestId"] = "r", ["EventDetail"] = new Dictionary<string, object> { [member] = new { FileName = "dws_orders.sql", FileType = 10, Content = content } } });

    private string Setup(string? detail)
    {
        _temp.Write("policies/p.yaml", Policy);
        _temp.Write("events/commit.json", Commit);
        if (detail is not null)
        {
            _temp.Write($"events/{Id}.detail.json", detail);
        }

        return _temp.Path("events");
    }

    [Fact]
    public void DryRun_DetailsFolder_ThePolicySeesTheCode()
    {
        var events = Setup(Detail("SELECT * FROM ods_orders"));

        var (exitCode, stdout, stderr) = CliRunner.Run("dry-run", "--policies", _temp.Path("policies"), "--details", events, "--strict", events);

        Assert.True(exitCode == ExitCodes.Success, stderr);
        Assert.DoesNotContain("warning", stderr, StringComparison.Ordinal);
        Assert.Contains("WARN     no-select-star\n    warn (no-select-star): dws_orders.sql uses SELECT *\n", stdout, StringComparison.Ordinal);
        Assert.EndsWith("1 event(s): 0 FAIL, 1 WARN, 0 OK, 0 regular, 0 invalid\n", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void DryRun_Json_SaysWhereTheDetailCameFrom()
    {
        var events = Setup(Detail("SELECT a FROM t"));

        var (_, stdout, _) = CliRunner.Run("dry-run", "--policies", _temp.Path("policies"), "--details", events, "--format", "json", events);

        var decision = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("""{"available":true,"source":"file","fromCache":false,"error":null}""", decision.GetProperty("detail").GetRawText());
        Assert.Empty(decision.GetProperty("detailErrors").EnumerateArray());
        Assert.Equal("OK", decision.GetProperty("verdict").GetString());
    }

    [Theory]
    [InlineData(null, "no detail file 4cb74115-96c7-5663-8f3f-29ba250416d3.detail.json in {0}")]
    [InlineData("""{"EventDetail":{"TableModel":{"TableName":"t"}}}""", "{0}/4cb74115-96c7-5663-8f3f-29ba250416d3.detail.json: a detail of another shape: expected EventDetail.CommittedFile (an object), found TableModel")]
    [InlineData("not json", "{0}/4cb74115-96c7-5663-8f3f-29ba250416d3.detail.json: the detail is not valid JSON: 'not json' is an invalid JSON literal. Expected the literal 'null'. LineNumber: 0 | BytePositionInLine: 1.")]
    public void DryRun_DetailMissingOrWrong_TheReasonAndNoMatch(string? detail, string reason)
    {
        var events = Setup(detail);

        var (exitCode, stdout, stderr) = CliRunner.Run("dry-run", "--policies", _temp.Path("policies"), "--details", events, events);

        Assert.True(exitCode == ExitCodes.Success, stderr);
        Assert.Contains($"    detail error (no-select-star): {string.Format(System.Globalization.CultureInfo.InvariantCulture, reason, events)}; treated as no match\n", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void DryRun_DetailsNotAFolder_UsageError()
    {
        var events = Setup(null);

        var (exitCode, _, stderr) = CliRunner.Run("dry-run", "--policies", _temp.Path("policies"), "--details", _temp.Path("nope"), events);

        Assert.Equal(ExitCodes.Usage, exitCode);
        Assert.Equal($"oer: --details {_temp.Path("nope")}: not a folder (give a folder of <event-id>.detail.json files)\n", stderr);
    }

    [Fact]
    public void Explain_WithDetails_TracesTheDetailClauses()
    {
        var events = Setup(Detail("SELECT * FROM ods_orders"));

        var (exitCode, stdout, stderr) = CliRunner.Run("explain", "--policies", _temp.Path("policies"), "--details", events, events);

        Assert.True(exitCode == ExitCodes.Success, stderr);
        Assert.Contains("  detail: from file\n", stdout, StringComparison.Ordinal);
        Assert.Contains("policy no-select-star (", stdout, StringComparison.Ordinal);
        Assert.Contains("): APPLIES\n", stdout, StringComparison.Ordinal);
        Assert.Contains("      pass detail.CommittedFile.FileType 10  saw 10  (", stdout, StringComparison.Ordinal);
        Assert.Contains("condition (", stdout, StringComparison.Ordinal);
        Assert.Contains("): true", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_WithoutDetails_SaysWhyTheDetailIsMissing()
    {
        var events = Setup(null);

        var (_, stdout, _) = CliRunner.Run("explain", "--policies", _temp.Path("policies"), events);

        Assert.Contains("  detail: unavailable (none): no detail was supplied for the event\n", stdout, StringComparison.Ordinal);
        Assert.Contains("  first failing clause: detail: no detail was supplied for the event (detailErrors: no-match)\n", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Test_CaseDetailMissingOrOfAnotherShape_LocatedErrors()
    {
        _temp.Write("policies/p.yaml", Policy);
        var tests = _temp.Write("policies/p.tests.yaml", """
            apiVersion: openevent.rules/v1
            kind: PolicyTest
            metadata: { name: t }
            spec:
              cases:
                - name: inline detail
                  event: ../samples-link/commit.json
                  detail: { CommittedFile: { FileType: 10, Content: "SELECT * FROM t" } }
                  expect: { verdict: WARN, matched: [no-select-star] }
                - name: missing detail file
                  event: ../samples-link/commit.json
                  detail: details/nope.json
                  expect: { verdict: OK }
                - name: detail of another shape
                  event: ../samples-link/commit.json
                  detail: { TableModel: { TableName: t } }
                  expect: { verdict: OK }
                - name: detail of a type that has none
                  event: { type: "dataworks:NodeChange:NodeChangeCreated", data: { projectId: 1, operator: "7" } }
                  detail: { CommittedFile: { Content: x } }
                  expect: { verdict: none }
            """);
        _temp.Write("samples-link/commit.json", Commit);

        var (exitCode, stdout, _) = CliRunner.Run("test", "--policies", _temp.Path("policies"), tests);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Contains("PASS  t › inline detail\n", stdout, StringComparison.Ordinal);
        Assert.Contains($"{tests}:12:15: error OER4002: the detail file 'details/nope.json' of case 'missing detail file' does not exist (looked for {_temp.Path("policies", "details", "nope.json")})\n", stdout, StringComparison.Ordinal);
        Assert.Contains($"{tests}:16:15: error OER4003: the detail of case 'detail of another shape' is not a detail of dataworks:FileChange:CommitFile: a detail of another shape: expected EventDetail.CommittedFile (an object), found TableModel\n", stdout, StringComparison.Ordinal);
        // It passed: a detail given to a type without one was taken as read.
        Assert.Contains($"{tests}:20:15: error OER4003: the detail of case 'detail of a type that has none' is not a detail of dataworks:NodeChange:NodeChangeCreated: dataworks:NodeChange:NodeChangeCreated has no detail", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Impact_WithDetails_ReportsWhatTheCodeChanges()
    {
        var events = Setup(Detail("SELECT * FROM ods_orders"));
        _temp.Write("base/p.yaml", """
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: log-commits }
            spec:
              match: { type: ["dataworks:FileChange:CommitFile"] }
              actions: [ { notify: { channel: log, message: "x" } } ]
            """);

        var (exitCode, stdout, stderr) = CliRunner.Run("impact", "--base", _temp.Path("base"), "--head", _temp.Path("policies"), "--details", events, events);

        Assert.True(exitCode == ExitCodes.Success, stderr);
        Assert.Contains("WARN", stdout, StringComparison.Ordinal);
        Assert.Contains("no-select-star", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DryRun_FetchDetail_AsksDataWorksSignedWithTheEnvironmentsKey()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var endpoint = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/";
        var events = Setup(null);
        string[] variables = ["OpenEventRules__DataWorks__Endpoint", "OpenEventRules__DataWorks__AccessKeyIdVariable", "OpenEventRules__DataWorks__AccessKeySecretVariable", "OER_CLI_FETCH_AKID", "OER_CLI_FETCH_AKSECRET"];
        string[] values = [endpoint, "OER_CLI_FETCH_AKID", "OER_CLI_FETCH_AKSECRET", "LTAIcli", "cli-secret"];
        for (var i = 0; i < variables.Length; i++)
        {
            Environment.SetEnvironmentVariable(variables[i], values[i]);
        }

        try
        {
            var served = ServeOnceAsync(listener, Detail("SELECT * FROM ods_orders"));

            var (exitCode, stdout, stderr) = await Task.Run(() => CliRunner.Run("dry-run", "--policies", _temp.Path("policies"), "--fetch-detail", "--format", "json", events));

            var (headers, body) = await served;
            Assert.True(exitCode == ExitCodes.Success, stderr);
            var decision = JsonDocument.Parse(stdout).RootElement;
            Assert.Equal("WARN", decision.GetProperty("verdict").GetString());
            Assert.Equal("dataworks", decision.GetProperty("detail").GetProperty("source").GetString());
            Assert.Equal("GetIDEEventDetail", headers["x-acs-action"]);
            Assert.Equal($"MessageId={Id}&ProjectId=10001234", body);
            var authorization = headers["authorization"];
            Assert.StartsWith("ACS3-HMAC-SHA256 Credential=LTAIcli,SignedHeaders=", authorization, StringComparison.Ordinal);
            var signedHeaders = authorization.Split(',')[1]["SignedHeaders=".Length..].Split(';');
            var canonical = AcsSigner.CanonicalRequestV3("POST", "", signedHeaders.Select(n => new KeyValuePair<string, string>(n, headers[n])), AcsSigner.HexSha256(Encoding.UTF8.GetBytes(body)), out _);
            Assert.EndsWith(",Signature=" + AcsSigner.SignatureV3(canonical, "cli-secret"), authorization, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var variable in variables)
            {
                Environment.SetEnvironmentVariable(variable, null);
            }
        }
    }

    // One HTTP/1.1 exchange on a real socket: the request's headers (lower-case names) and body, answered with the detail.
    private static async Task<(Dictionary<string, string> Headers, string Body)> ServeOnceAsync(TcpListener listener, string answer)
    {
        using var client = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await using var stream = client.GetStream();
        var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        var requestLine = await reader.ReadLineAsync();
        Assert.StartsWith("POST / HTTP/1.1", requestLine, StringComparison.Ordinal);
        for (var line = await reader.ReadLineAsync(); !string.IsNullOrEmpty(line); line = await reader.ReadLineAsync())
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
        }

        var buffer = new char[int.Parse(headers["content-length"], System.Globalization.CultureInfo.InvariantCulture)];
        var read = 0;
        while (read < buffer.Length)
        {
            read += await reader.ReadAsync(buffer.AsMemory(read));
        }

        var bytes = Encoding.UTF8.GetBytes(answer);
        var response = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(response);
        await stream.WriteAsync(bytes);
        return (headers, new string(buffer));
    }
}
