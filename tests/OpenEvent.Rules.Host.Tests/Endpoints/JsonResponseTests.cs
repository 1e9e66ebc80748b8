using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OpenEvent.Rules.Host.Endpoints;

namespace OpenEvent.Rules.Host.Tests.Endpoints;

/// <summary>
/// Responses are rendered into a buffer and writer kept per thread: each response must carry exactly its own JSON and
/// length, whatever the thread wrote before (a large answer, one with other writer options, one that failed midway).
/// </summary>
public sealed class JsonResponseTests
{
    [Fact]
    public async Task WriteAsync_ResponsesInTurnOnOneThread_EachCarriesItsOwnJsonAndLength()
    {
        var large = new string('x', 100_000);
        var written = new List<(string Body, long? Length, string? Type)>();
        async Task Write(Action<Utf8JsonWriter> write, JsonWriterOptions? options = null)
        {
            var context = new DefaultHttpContext();
            var body = new MemoryStream();
            context.Response.Body = body;
            await JsonResponse.WriteAsync(context, 200, "application/json", write, options);
            written.Add((Encoding.UTF8.GetString(body.ToArray()), context.Response.ContentLength, context.Response.ContentType));
        }

        await Write(json => json.WriteStringValue("small"));
        await Write(json => { json.WriteStartObject(); json.WriteString("big", large); json.WriteEndObject(); });
        await Write(json => json.WriteStringValue("<after>"));
        await Write(json => json.WriteStringValue("<relaxed>"), new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        // Thrown by the writing itself, before anything is sent.
        var failed = Record.Exception(() =>
        {
            _ = JsonResponse.WriteAsync(new DefaultHttpContext(), 200, "application/json", json =>
            {
                json.WriteStartObject();
                throw new InvalidOperationException("failed midway");
            });
        });
        Assert.IsType<InvalidOperationException>(failed);
        await Write(json => { json.WriteStartArray(); json.WriteNumberValue(1); json.WriteEndArray(); });

        Assert.Equal(["\"small\"", $"{{\"big\":\"{large}\"}}", "\"\\u003Cafter\\u003E\"", "\"<relaxed>\"", "[1]"], written.Select(w => w.Body));
        Assert.All(written, w => Assert.Equal(Encoding.UTF8.GetByteCount(w.Body), w.Length));
        Assert.All(written, w => Assert.Equal("application/json", w.Type));
    }
}
