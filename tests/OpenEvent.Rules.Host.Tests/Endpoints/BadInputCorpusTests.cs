using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace OpenEvent.Rules.Host.Tests.Endpoints;

/// <summary>
/// The bad-input corpus: every case is posted to POST /events and to POST /evaluate of the real host, and must get
/// the same status and errorId from both (400/413/415 with a problem body, never a 500), after which the host still
/// serves. A few inputs that look hostile but are valid (huge numbers, an empty batch) are in it too, answered 200.
/// </summary>
public sealed class BadInputCorpusTests(SharedHost shared) : IClassFixture<SharedHost>
{
    private readonly RunningHost _host = shared.Host;

    /// <summary>One input: its body, content type and extra headers, and the answer both endpoints must give.</summary>
    public sealed record Case(string Name, byte[] Body, string? ContentType, int Status, string? ErrorId, (string Name, string Value)[] Headers);

    private const string Structured = "application/cloudevents+json";
    private const string Batch = "application/cloudevents-batch+json";
    private const string Json = "application/json";

    private static readonly byte[] s_bom = [0xEF, 0xBB, 0xBF];

    /// <summary>A valid regular event (no answer is involved) with one part replaced.</summary>
    private static string Event(string id = "\"c-1\"", string source = "\"source\":\"acs.dataworks\",", string region = "\"aliyunregionid\":\"cn-hangzhou\",",
        string data = """{"eventCode":"node-change-created","projectId":10001234,"nodeName":"n"}""") =>
        $$"""{"specversion":"1.0","id":{{id}},{{source}}{{region}}"type":"dataworks:NodeChange:NodeChangeCreated","data":{{data}}}""";

    private static string Deep(int levels) => new string('[', levels) + new string(']', levels);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>The event with <paramref name="marker"/> (a placeholder in its text) replaced by raw bytes.</summary>
    private static byte[] WithBytes(string text, string marker, params byte[] bytes)
    {
        var at = text.IndexOf(marker, StringComparison.Ordinal);
        return [.. Utf8(text[..at]), .. bytes, .. Utf8(text[(at + marker.Length)..])];
    }

    private static byte[] Gzip(string text)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest))
        {
            gzip.Write(Utf8(text));
        }

        return compressed.ToArray();
    }

    private static Case Bad(string name, byte[] body, string? contentType, int status, string errorId, params (string, string)[] headers) =>
        new(name, body, contentType, status, errorId, headers);

    private static Case Bad(string name, string body, string? contentType, int status, string errorId, params (string, string)[] headers) =>
        Bad(name, Utf8(body), contentType, status, errorId, headers);

    private static Case Good(string name, string body, string? contentType, params (string, string)[] headers) =>
        new(name, Utf8(body), contentType, 200, null, headers);

    private static readonly (string, string)[] s_binary =
    [
        ("ce-specversion", "1.0"), ("ce-id", "bin-1"), ("ce-source", "acs.dataworks"), ("ce-type", "dataworks:NodeChange:NodeChangeCreated"),
    ];

    private static (string, string)[] Binary(string name, string? value) =>
        [.. s_binary.Where(h => h.Item1 != name), .. value is null ? Array.Empty<(string, string)>() : [(name, value)]];

    private static readonly string s_fcEnvelope = """{"messageId":"fc-1","eventType":"download-resources","blockBusiness":true,"messageBody":{"queryDwProjectId":"1","fileName":"MARK"}}""";

    public static readonly IReadOnlyList<Case> Cases =
    [
        // Structured mode: bytes and text.
        Bad("structured: escaped lone high surrogate", Event(data: """{"nodeName":"\ud800"}"""), Structured, 400, "invalid-utf8"),
        Bad("structured: escaped lone low surrogate in an unread field", Event(data: """{"x":{"y":"a\udc00b"}}"""), Structured, 400, "invalid-utf8"),
        Bad("structured: high surrogate followed by a non-surrogate escape", Event(data: """{"nodeName":"\ud800\u0041"}"""), Structured, 400, "invalid-utf8"),
        // In a property name the duplicate-key check decodes the name: a lone surrogate there failed the request with a 500.
        Bad("structured: escaped lone low surrogate in a data property name", Event(data: """{"\udc00x":1,"projectId":10001234}"""), Structured, 400, "invalid-utf8"),
        Bad("structured: escaped lone high surrogate ending an envelope property name", Event(region: "\"aliyunregionid\":\"cn-hangzhou\",\"x\\ud800\":1,"), Structured, 400, "invalid-utf8"),
        Bad("structured: escaped surrogate pair reversed in a property name", Event(data: """{"\udc00\ud800":1}"""), Structured, 400, "invalid-utf8"),
        Bad("structured: raw 0xFF byte", WithBytes(Event(data: """{"nodeName":"MARK"}"""), "MARK", 0xFF), Structured, 400, "invalid-utf8"),
        Bad("structured: overlong encoding of '/'", WithBytes(Event(data: """{"nodeName":"MARK"}"""), "MARK", 0xC0, 0xAF), Structured, 400, "invalid-utf8"),
        Bad("structured: UTF-8 encoded surrogate", WithBytes(Event(data: """{"nodeName":"MARK"}"""), "MARK", 0xED, 0xA0, 0x80), Structured, 400, "invalid-utf8"),
        Bad("structured: truncated multi-byte sequence at the end", [.. Utf8(Event()), 0xE2, 0x82], Structured, 400, "invalid-utf8"),
        Bad("structured: byte order mark", [.. s_bom, .. Utf8(Event())], Structured, 400, "invalid-json"),
        Bad("structured: byte order mark after whitespace", [.. " "u8.ToArray(), .. s_bom, .. Utf8(Event())], Structured, 400, "invalid-json"),
        Bad("structured: empty body", "", Structured, 400, "empty"),
        Bad("structured: whitespace only", " \r\n\t ", Structured, 400, "empty"),
        Bad("structured: truncated JSON", Event()[..40], Structured, 400, "invalid-json"),
        Bad("structured: two events (JSON Lines)", Event() + "\n" + Event(), Structured, 400, "invalid-json"),
        Bad("structured: trailing garbage", Event() + " x", Structured, 400, "invalid-json"),
        Bad("structured: NUL byte", Event() + "\0", Structured, 400, "invalid-json"),
        Bad("structured: nesting 100 deep", Event(data: "{\"a\":" + Deep(100) + "}"), Structured, 400, "too-deep"),
        Bad("structured: duplicate key", Event(data: """{"a":1,"a":2}"""), Structured, 400, "duplicate-key"),
        Bad("structured: duplicate key after unescaping", Event(data: """{"a":1,"\u0061":2}"""), Structured, 400, "duplicate-key"),
        Bad("structured: a string, not an object", "\"event\"", Structured, 400, "not-an-object"),
        Bad("structured: data is an array", Event(data: "[1]"), Structured, 400, "data-not-object"),
        Bad("structured: id is a huge number", Event(id: "1" + new string('0', 400)), Structured, 400, "missing-id"),
        Good("structured: huge numbers in data", Event(data: """{"n":1e999999,"m":-""" + new string('9', 400) + ",\"f\":0." + new string('1', 400) + "}"), Structured),
        Bad("structured: specversion 0.3", Event().Replace("\"1.0\"", "\"0.3\""), Structured, 400, "unsupported-specversion"),
        // The door: source, id, region.
        Bad("source: another service", Event(source: "\"source\":\"acs.ecs\","), Structured, 400, "invalid-source"),
        Bad("source: upper case", Event(source: "\"source\":\"ACS.DATAWORKS\","), Structured, 400, "invalid-source"),
        Bad("source: trailing space", Event(source: "\"source\":\"acs.dataworks \","), Structured, 400, "invalid-source"),
        Bad("source: missing", Event(source: ""), Structured, 400, "missing-source"),
        Bad("source: a number", Event(source: "\"source\":1,"), Structured, 400, "missing-source"),
        Bad("id: CR LF and a header", Event(id: "\"a\\r\\nAuthorization: Bearer x\""), Structured, 400, "invalid-id"),
        Bad("id: a lone LF", Event(id: "\"a\\nb\""), Structured, 400, "invalid-id"),
        Bad("id: a tab", Event(id: "\"a\\tb\""), Structured, 400, "invalid-id"),
        Bad("id: DEL", Event(id: "\"a\\u007Fb\""), Structured, 400, "invalid-id"),
        Bad("id: non-ASCII", Event(id: "\"事件-1\""), Structured, 400, "invalid-id"),
        Bad("id: a space", Event(id: "\"a b\""), Structured, 400, "invalid-id"),
        Bad("id: 129 characters", Event(id: "\"" + new string('a', 129) + "\""), Structured, 400, "invalid-id"),
        Good("id: 128 characters", Event(id: "\"" + new string('a', 128) + "\""), Structured),
        Bad("region: userinfo and a host", Event(region: "\"aliyunregionid\":\"x@127.0.0.1:9999/p#\","), Structured, 400, "invalid-region"),
        Bad("region: trailing newline", Event(region: "\"aliyunregionid\":\"cn-hangzhou\\n\","), Structured, 400, "invalid-region"),
        Bad("region: a dot", Event(region: "\"aliyunregionid\":\"cn-hangzhou.evil.com\","), Structured, 400, "invalid-region"),
        Bad("region: upper case", Event(region: "\"aliyunregionid\":\"CN-HANGZHOU\","), Structured, 400, "invalid-region"),
        Bad("region: a number", Event(region: "\"aliyunregionid\":42,"), Structured, 400, "invalid-region"),
        Good("region: ap-southeast-1", Event(region: "\"aliyunregionid\":\"ap-southeast-1\","), Structured),
        Good("region: absent", Event(region: ""), Structured),
        // Binary data in base64 was ignored: the event was decided as if it had no data, past every policy that reads data.
        Bad("structured: data_base64 instead of data", Event(region: "\"data_base64\":\"eyJmaWxlTmFtZSI6ImEifQ==\",", data: "null"), Structured, 400, "data-base64"),
        // Batches.
        Bad("batch: an object", Event(), Batch, 400, "not-a-batch"),
        Bad("batch: a string", "\"[]\"", Batch, 400, "not-a-batch"),
        Bad("batch: numbers", "[1,2]", Batch, 400, "not-an-object"),
        Bad("batch: nested arrays", "[[" + Event() + "]]", Batch, 400, "not-an-object"),
        Bad("batch: null element", "[" + Event() + ",null]", Batch, 400, "not-an-object"),
        Bad("batch: raw invalid UTF-8 in an element", WithBytes("[" + Event(data: """{"nodeName":"MARK"}""") + "]", "MARK", 0xFE), Batch, 400, "invalid-utf8"),
        Bad("batch: lone surrogate in an element", "[" + Event(data: """{"nodeName":"\udfff"}""") + "]", Batch, 400, "invalid-utf8"),
        Bad("batch: lone surrogate in a property name of an element beside a good one", "[" + Event() + "," + Event(data: """{"\udfff":1}""") + "]", Batch, 400, "invalid-utf8"),
        Bad("batch: truncated", "[" + Event() + ",", Batch, 400, "invalid-json"),
        Bad("batch: trailing garbage", "[] x", Batch, 400, "invalid-json"),
        Bad("batch: byte order mark", [.. s_bom, .. "[]"u8.ToArray()], Batch, 400, "invalid-json"),
        Bad("batch: whitespace only", "  \n", Batch, 400, "empty"),
        Bad("batch: nesting 100 deep", Deep(100), Batch, 400, "too-deep"),
        Bad("batch: an element with a bad id", "[" + Event() + "," + Event(id: "\"x\\r\\ny\"") + "]", Batch, 400, "invalid-id"),
        Good("batch: empty array", "[]", Batch),
        Good("batch: an array sent as application/json", "[" + Event() + "]", Json),
        // Binary mode: the body is data, the attributes are ce-* headers.
        Bad("binary: escaped lone surrogate in the body", """{"nodeName":"\ud800"}""", Json, 400, "invalid-utf8", s_binary),
        Bad("binary: escaped lone surrogate as a property name of the body", """{"\ud800":1}""", Json, 400, "invalid-utf8", s_binary),
        Bad("binary: raw invalid UTF-8 in the body", WithBytes("""{"nodeName":"MARK"}""", "MARK", 0xFF, 0xFE), Json, 400, "invalid-utf8", s_binary),
        Bad("binary: byte order mark", [.. s_bom, .. "{}"u8.ToArray()], Json, 400, "invalid-json", s_binary),
        Bad("binary: a second value smuggles an attribute", """{}, "aliyunregionid": "x@evil" """, Json, 400, "invalid-json", s_binary),
        Bad("binary: truncated body", """{"a":""", Json, 400, "invalid-json", s_binary),
        Bad("binary: duplicate key in the body", """{"a":1,"a":2}""", Json, 400, "duplicate-key", s_binary),
        Bad("binary: nesting 100 deep", "{\"a\":" + Deep(100) + "}", Json, 400, "too-deep", s_binary),
        Bad("binary: body is an array", "[1]", Json, 400, "data-not-object", s_binary),
        Bad("binary: no ce-id", "{}", Json, 400, "missing-id", Binary("ce-id", null)),
        Bad("binary: no ce-type", "{}", Json, 400, "missing-type", Binary("ce-type", null)),
        Bad("binary: ce-specversion 0.3", "{}", Json, 400, "unsupported-specversion", Binary("ce-specversion", "0.3")),
        Bad("binary: ce-source of another service", "{}", Json, 400, "invalid-source", Binary("ce-source", "acs.ecs")),
        Bad("binary: percent-encoded CR LF in ce-id", "{}", Json, 400, "invalid-id", Binary("ce-id", "a%0D%0AHost:%20evil")),
        Bad("binary: broken percent-encoding in ce-id", "{}", Json, 400, "invalid-header", Binary("ce-id", "a%zz")),
        Bad("binary: percent-encoded bytes that are not UTF-8", "{}", Json, 400, "invalid-header", Binary("ce-id", "a%FF")),
        Bad("binary: ce-aliyunregionid with a host", "{}", Json, 400, "invalid-region", [.. s_binary, ("ce-aliyunregionid", "x@127.0.0.1:9")]),
        Bad("binary: an attribute name with an underscore", "{}", Json, 400, "invalid-header", [.. s_binary, ("ce-foo_bar", "1")]),
        Good("binary: ce-aliyunoriginalaccountid (23 characters, EventBridge's own)", "{}", Json, [.. s_binary, ("ce-aliyunoriginalaccountid", "1234567890123456")]),
        Bad("binary: an attribute name of 65 characters", "{}", Json, 400, "invalid-header", [.. s_binary, ("ce-" + new string('a', 65), "1")]),
        Bad("binary: ce-data", "{}", Json, 400, "invalid-header", [.. s_binary, ("ce-data", "{}")]),
        Bad("binary: ce-datacontenttype", "{}", Json, 400, "invalid-header", [.. s_binary, ("ce-datacontenttype", "text/plain")]),
        Good("binary: whitespace body is no data", " \n", Json, s_binary),
        Good("binary: cloudevents+json is structured mode whatever the headers", Event(), Structured, Binary("ce-id", "ignored")),
        // The Function Compute envelope.
        Bad("fc envelope: raw invalid UTF-8 in messageBody", WithBytes(s_fcEnvelope, "MARK", 0xC3), Json, 400, "invalid-utf8"),
        Bad("fc envelope: escaped lone surrogate in messageBody", s_fcEnvelope.Replace("MARK", "\\ud800"), Json, 400, "invalid-utf8"),
        Bad("fc envelope: messageBody string with a lone surrogate", """{"messageId":"fc-2","eventType":"download-resources","messageBody":"{\"a\":\"\\udc00\"}"}""", Json, 400, "invalid-utf8"),
        // A code the catalog does not know is a type of its own (answered if it blocks); one that cannot name a type is refused.
        Good("fc envelope: eventType the catalog does not know", s_fcEnvelope.Replace("download-resources", "no-such-code"), Json),
        Bad("fc envelope: eventType that is not a code", s_fcEnvelope.Replace("download-resources", "no such/code"), Json, 400, "unknown-event-code"),
        Good("partial event: data alone, with its eventCode", "{\"eventCode\":\"deploy-file\",\"projectId\":1,\"operator\":\"2\"}", Json),
        Bad("partial event: an eventCode that is not a code", "{\"eventCode\":\"a\\u0000b\",\"projectId\":1}", Json, 400, "unknown-event-code"),
        Bad("fc envelope: CR LF in messageId", s_fcEnvelope.Replace("fc-1", "fc\\r\\nX: y"), Json, 400, "invalid-id"),
        Bad("fc envelope: byte order mark", [.. s_bom, .. Utf8(s_fcEnvelope)], Json, 400, "invalid-json"),
        Good("fc envelope: valid", s_fcEnvelope.Replace("MARK", "a.csv"), Json),
        // Content types and sizes.
        Bad("content type: text/plain", Event(), "text/plain", 415, "unsupported-media-type"),
        Bad("content type: none", Event(), null, 415, "unsupported-media-type"),
        Bad("content type: charset utf-16", Event(), "application/json; charset=utf-16", 415, "unsupported-media-type"),
        Bad("content type: charset utf-8 then latin1", Event(), "application/json; charset=utf-8; charset=latin1", 415, "unsupported-media-type"),
        Bad("content type: charset latin1 then utf-8", Event(), "application/json; charset=latin1; CHARSET=utf-8", 415, "unsupported-media-type"),
        Bad("content type: multipart", Event(), "multipart/form-data; boundary=x", 415, "unsupported-media-type"),
        Good("content type: charset UTF-8 in capitals", Event(), "application/cloudevents+json; charset=UTF-8"),
        // A content coding: the body was read as the JSON's bytes (a gzip body: 400 invalid-utf8 at offset 1).
        Bad("content encoding: gzip", Gzip(Event()), Structured, 415, "unsupported-content-encoding", ("Content-Encoding", "gzip")),
        Bad("content encoding: gzip batch", Gzip("[" + Event() + "]"), Batch, 415, "unsupported-content-encoding", ("Content-Encoding", "gzip")),
        Bad("content encoding: br on a JSON body", Event(), Json, 415, "unsupported-content-encoding", ("Content-Encoding", "br")),
        Bad("content encoding: identity then deflate", Event(), Structured, 415, "unsupported-content-encoding", ("Content-Encoding", "identity, deflate")),
        Bad("content encoding: binary mode", Gzip("{}"), Json, 415, "unsupported-content-encoding", [.. s_binary, ("Content-Encoding", "gzip")]),
        Good("content encoding: identity", Event(), Structured, ("Content-Encoding", "Identity")),
        Bad("size: over the event limit", Event(data: "{\"x\":\"" + new string('x', 1024 * 1024) + "\"}"), Structured, 413, "too-large"),
    ];

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var item in Cases)
        {
            data.Add(item.Name);
        }

        return data;
    }

    [Fact]
    public void Corpus_HasDistinctNamesAndEnoughCases()
    {
        Assert.Equal(Cases.Count, Cases.Select(c => c.Name).Distinct().Count());
        Assert.True(Cases.Count(c => c.Status != 200) >= 25);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task PostEventsAndEvaluate_CorpusCase_SameStatusAndErrorIdAndTheHostKeepsServing(string name)
    {
        var item = Cases.Single(c => c.Name == name);

        foreach (var path in new[] { "/events", "/evaluate" })
        {
            using var response = await SendAsync(path, item);
            var text = await response.Content.ReadAsStringAsync();

            Assert.True(item.Status == (int)response.StatusCode, $"{path}: expected {item.Status}, got {(int)response.StatusCode}: {text}");
            if (item.ErrorId is null)
            {
                continue;
            }

            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(text).RootElement;
            Assert.True(item.ErrorId == problem.GetProperty("errorId").GetString(), $"{path}: expected {item.ErrorId}: {text}");
            Assert.Equal(item.Status, problem.GetProperty("status").GetInt32());
            Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        }

        using var after = await _host.PostAsync("/evaluate", Event(id: "\"after\""));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task PostEvents_GzipBody_415NamingTheEncodingAndSayingUncompressedJson()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/events") { Content = new ByteArrayContent(Gzip(Event(id: "\"gz-1\""))) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(Structured);
        request.Content.Headers.ContentEncoding.Add("gzip");

        using var response = await _host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("identity", response.Headers.GetValues("Accept-Encoding").Single());
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("unsupported-content-encoding", problem.GetProperty("errorId").GetString());
        Assert.Equal("Content-Encoding 'gzip' is not accepted: the host takes uncompressed JSON; send the body without a Content-Encoding",
            problem.GetProperty("detail").GetString());
    }

    private Task<HttpResponseMessage> SendAsync(string path, Case item)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(item.Body) };
        if (item.ContentType is not null)
        {
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(item.ContentType);
        }

        foreach (var (header, value) in item.Headers)
        {
            Assert.True(request.Headers.TryAddWithoutValidation(header, value) || request.Content.Headers.TryAddWithoutValidation(header, value), header);
        }

        return _host.Client.SendAsync(request);
    }
}
