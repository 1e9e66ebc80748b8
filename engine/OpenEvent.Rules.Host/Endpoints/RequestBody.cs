using System.Buffers;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Ingestion;

namespace OpenEvent.Rules.Host.Endpoints;

/// <summary>
/// The HTTP side of reading events: the request's content type and headers as an <see cref="EventContent"/>, and its
/// body read within the limit for its kind without buffering more. What the bytes mean is <see cref="EventContent"/>'s.
/// </summary>
internal static class RequestBody
{
    /// <summary>
    /// The request's content type and its CloudEvents attribute headers (ce-*, the only ones <see cref="EventContent"/>
    /// reads; each value of a repeated header listed on its own), received at <paramref name="receivedAt"/>.
    /// </summary>
    /// <param name="untypedIsJson">A body without a content type, or sent as text/plain, is read as JSON (<see cref="EventContent.UntypedIsJson"/>).</param>
    public static EventContent Content(HttpRequest request, long receivedAt, bool untypedIsJson = false)
    {
        List<KeyValuePair<string, string>>? attributes = null;
        foreach (var (name, values) in request.Headers)
        {
            if (!name.StartsWith("ce-", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            attributes ??= [];
            foreach (var value in values)
            {
                attributes.Add(new(name, value ?? ""));
            }
        }

        return new EventContent(request.ContentType, attributes ?? (IReadOnlyList<KeyValuePair<string, string>>)[], receivedAt)
        {
            ContentEncoding = request.Headers.ContentEncoding is { Count: > 0 } encoding ? encoding.ToString() : null,
            UntypedIsJson = untypedIsJson,
        };
    }

    /// <summary>
    /// The largest declared body read into an array of its size at once; a larger one is buffered as it arrives, so that
    /// a declared length alone cannot make the host set memory aside.
    /// </summary>
    internal const int ExactUpTo = 64 * 1024;

    /// <summary>
    /// Reads the body, refusing (413) anything over the limit for its kind without buffering it all, and (415) a body sent
    /// with a content coding, before reading it.
    /// </summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<ReadOnlyMemory<byte>> ReadAsync(HttpRequest request, BodyKind kind, LimitOptions limits, CancellationToken cancellationToken)
    {
        if (request.Headers.ContentEncoding is { Count: > 0 } encoding)
        {
            EventContent.RefuseContentEncoding(encoding.ToString());
        }

        var limit = kind == BodyKind.Batch ? limits.MaxBatchBytes : limits.MaxEventBytes;
        // A structured body may still turn out to be an array (a batch): read up to the batch limit, decide after.
        var readLimit = EventContent.ReadLimit(kind, limits);
        if (request.ContentLength > readLimit || (request.ContentLength > limit && kind != BodyKind.Structured))
        {
            throw EventContent.TooLarge(kind, limit);
        }

        var body = request.Body;
        if (request.ContentLength is long declared && declared is > 0 and <= ExactUpTo)
        {
            // The usual case (EventBridge sends Content-Length): one array of that size, not zeroed first (every byte is
            // read into it), and no copy. Kestrel ends the body at the declared length, so no byte past it can arrive.
            var exact = GC.AllocateUninitializedArray<byte>((int)declared);
            var filled = await body.ReadAtLeastAsync(exact, exact.Length, throwOnEndOfStream: false, cancellationToken);
            return exact.AsMemory(0, filled);
        }

        // Chunked, or a large declared length: grown as the bytes arrive (a client that declares megabytes and sends
        // nothing holds no more than this), refused as soon as it passes the limit.
        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            var memory = buffer.GetMemory(4096);
            var read = await body.ReadAsync(memory, cancellationToken);
            if (read == 0)
            {
                break;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > readLimit)
            {
                throw EventContent.TooLarge(kind, limit);
            }
        }

        return buffer.WrittenMemory;
    }
}
