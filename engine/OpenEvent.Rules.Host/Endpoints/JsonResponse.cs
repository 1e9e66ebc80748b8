using System.Buffers;
using System.Text.Json;

namespace OpenEvent.Rules.Host.Endpoints;

/// <summary>
/// Writes a small JSON response in one piece with its Content-Length: written straight to the body stream it would go
/// out chunked (a chunk header and trailer, and a flush at the writer's end), which costs more than the body itself.
/// The JSON is rendered into a buffer and writer kept per thread, then copied into the response's pipe before the
/// flush awaits, so a response allocates neither (every event's answer passes here).
/// </summary>
internal static class JsonResponse
{
    /// <summary>A buffer that grew past this (a large dry-run answer) is not kept for the thread's next response.</summary>
    private const int KeptBufferBytes = 64 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <param name="options">Null: the defaults, with the thread's kept writer.</param>
    public static Task WriteAsync(HttpContext context, int status, string contentType, Action<Utf8JsonWriter> write, JsonWriterOptions? options = null) =>
        WriteAsync(context, status, contentType, write, static (json, write) => write(json), options);

    /// <summary>As above, with the state the writing needs passed along (a static lambda allocates nothing per call).</summary>
    public static Task WriteAsync<TState>(HttpContext context, int status, string contentType, TState state, Action<Utf8JsonWriter, TState> write,
        JsonWriterOptions? options = null)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        var shared = options is null;
        var json = shared && t_writer is { } kept ? kept : new Utf8JsonWriter(buffer, options ?? default);
        if (shared)
        {
            json.Reset(buffer);
            t_writer = json;
        }

        try
        {
            write(json, state);
            json.Flush();
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            context.Response.ContentLength = buffer.WrittenCount;
            // Copied into the pipe here, on this thread: the buffer is free again before the flush awaits.
            context.Response.BodyWriter.Write(buffer.WrittenSpan);
        }
        finally
        {
            if (!shared)
            {
                json.Dispose();
            }

            if (buffer.Capacity > KeptBufferBytes)
            {
                t_buffer = null;
                t_writer = null;
            }
        }

        var flush = context.Response.BodyWriter.FlushAsync();
        return flush.IsCompletedSuccessfully ? Task.CompletedTask : flush.AsTask();
    }
}
