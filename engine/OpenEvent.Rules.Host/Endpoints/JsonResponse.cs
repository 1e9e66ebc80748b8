using System.Buffers;
using System.Text.Json;

namespace OpenEvent.Rules.Host.Endpoints;

/// <summary>
/// Writes a small JSON response in one piece with its Content-Length: written straight to the body stream it would go
/// out chunked (a chunk header and trailer, and a flush at the writer's end), which costs more than the body itself.
/// </summary>
internal static class JsonResponse
{
    public static Task WriteAsync(HttpContext context, int status, string contentType, Action<Utf8JsonWriter> write, JsonWriterOptions options = default)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, options))
        {
            write(json);
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = buffer.WrittenCount;
        return context.Response.Body.WriteAsync(buffer.WrittenMemory).AsTask();
    }
}
