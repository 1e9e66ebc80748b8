using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.Net.Http.Headers;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Host.Configuration;

namespace OpenEvent.Rules.Host.Endpoints;

/// <summary>What a request body holds, from its Content-Type (parameters such as charset are ignored).</summary>
internal enum BodyKind
{
    /// <summary>application/json or application/cloudevents+json: one event (an array is taken as a batch).</summary>
    Structured,

    /// <summary>application/cloudevents-batch+json: a JSON array of events.</summary>
    Batch,

    /// <summary>CloudEvents binary mode: ce-* headers carry the attributes, the body is the data.</summary>
    Binary,
}

/// <summary>A request refused before evaluation, with its HTTP status and stable id.</summary>
internal sealed class RequestRejectedException(int status, string id, string message) : Exception(message)
{
    public int Status { get; } = status;

    public string Id { get; } = id;
}

/// <summary>Reads event bodies within the configured size limits and normalizes binary-mode CloudEvents.</summary>
internal static class RequestBody
{
    private static readonly byte[] s_whitespace = " \t\r\n"u8.ToArray();

    public static BodyKind Classify(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType) || contentType.MediaType.Value is null)
        {
            throw new RequestRejectedException(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type",
                "send the event as application/cloudevents+json, application/json or application/cloudevents-batch+json");
        }

        // JSON is UTF-8 (RFC 8259); a body announced in another charset would be read as something it is not.
        if (contentType.Charset.Value is { } charset && !charset.Trim('"').Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            && !charset.Trim('"').Equals("utf8", StringComparison.OrdinalIgnoreCase))
        {
            throw new RequestRejectedException(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type",
                $"charset '{charset}' is not accepted: events are UTF-8 JSON");
        }

        var mediaType = contentType.MediaType.Value.ToLowerInvariant();
        if (mediaType == "application/cloudevents-batch+json")
        {
            return BodyKind.Batch;
        }

        // application/cloudevents+json is structured mode whatever headers come with it (CloudEvents HTTP binding 3.1.1).
        if (mediaType == "application/cloudevents+json")
        {
            return BodyKind.Structured;
        }

        if (mediaType is "application/json" or "text/json")
        {
            return request.Headers.ContainsKey("ce-specversion") ? BodyKind.Binary : BodyKind.Structured;
        }

        throw new RequestRejectedException(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type",
            $"content type '{mediaType}' is not accepted; send application/cloudevents+json, application/json or application/cloudevents-batch+json");
    }

    /// <summary>
    /// Reads the body, refusing (413) anything over the limit for its kind without buffering it all, and the shapes no
    /// event reader should see: a byte order mark (RFC 8259 forbids sending one), a body of only whitespace, a batch
    /// content type without an array. Binary mode is turned into the structured form here.
    /// </summary>
    public static async Task<(ReadOnlyMemory<byte> Bytes, bool IsBatch)> ReadEventsAsync(HttpRequest request, LimitOptions limits, CancellationToken cancellationToken)
    {
        var kind = Classify(request);
        var bytes = await ReadAsync(request, kind, limits, cancellationToken);
        if (kind == BodyKind.Binary)
        {
            return (FromBinaryMode(request, bytes.Span), false);
        }

        RefuseBom(bytes.Span);
        var first = bytes.Span.IndexOfAnyExcept(s_whitespace);
        if (first < 0)
        {
            throw new RequestRejectedException(StatusCodes.Status400BadRequest, "empty", "the request body is empty");
        }

        var isArray = bytes.Span[first] == (byte)'[';
        if (kind == BodyKind.Batch && !isArray)
        {
            throw new RequestRejectedException(StatusCodes.Status400BadRequest, "not-a-batch",
                "application/cloudevents-batch+json requires a JSON array of events");
        }

        return (bytes, isArray);
    }

    /// <summary>Reads the body, refusing (413) anything over the limit for its kind without buffering it all.</summary>
    public static async Task<ReadOnlyMemory<byte>> ReadAsync(HttpRequest request, BodyKind kind, LimitOptions limits, CancellationToken cancellationToken)
    {
        var limit = kind == BodyKind.Batch ? limits.MaxBatchBytes : limits.MaxEventBytes;
        if (request.ContentLength > limit && kind != BodyKind.Structured)
        {
            throw TooLarge(kind, limit);
        }

        // A structured body may still turn out to be an array (a batch): read up to the batch limit, decide after.
        var readLimit = kind == BodyKind.Structured ? Math.Max(limits.MaxBatchBytes, limits.MaxEventBytes) : limit;
        if (request.ContentLength > readLimit)
        {
            throw TooLarge(kind, limit);
        }

        var buffer = new ArrayBufferWriter<byte>(request.ContentLength is > 0 and < int.MaxValue ? (int)request.ContentLength : 4096);
        var body = request.Body;
        while (true)
        {
            var memory = buffer.GetMemory(16 * 1024);
            var read = await body.ReadAsync(memory, cancellationToken);
            if (read == 0)
            {
                break;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > readLimit)
            {
                throw TooLarge(kind, limit);
            }
        }

        var bytes = buffer.WrittenMemory;
        if (kind == BodyKind.Structured && bytes.Length > limits.MaxEventBytes && !StartsWithArray(bytes.Span))
        {
            throw TooLarge(kind, limits.MaxEventBytes);
        }

        return bytes;
    }

    public static bool StartsWithArray(ReadOnlySpan<byte> body)
    {
        var trimmed = body.TrimStart(" \t\r\n"u8);
        if (trimmed.StartsWith(Encoding.UTF8.Preamble))
        {
            trimmed = trimmed[3..].TrimStart(" \t\r\n"u8);
        }

        return !trimmed.IsEmpty && trimmed[0] == (byte)'[';
    }

    private static void RefuseBom(ReadOnlySpan<byte> body)
    {
        if (body.StartsWith(Encoding.UTF8.Preamble))
        {
            throw new RequestRejectedException(StatusCodes.Status400BadRequest, "invalid-json",
                "the body starts with a UTF-8 byte order mark; send the JSON without it (RFC 8259 section 8.1)");
        }
    }

    private static RequestRejectedException TooLarge(BodyKind kind, long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, "too-large",
            kind == BodyKind.Batch
                ? $"the batch is larger than {limit:N0} bytes (OpenEventRules:Limits:MaxBatchBytes)"
                : $"the event is larger than {limit:N0} bytes (OpenEventRules:Limits:MaxEventBytes)");

    /// <summary>
    /// Builds the structured form of a binary-mode CloudEvent: attributes from the ce-* headers (percent-decoded, as
    /// the HTTP binding says), the Content-Type as datacontenttype, the body as data, copied as it is. The body must be
    /// exactly one JSON value (or nothing), so that it cannot add attributes next to data; everything else about it
    /// (UTF-8, escapes, depth, duplicate keys, data being an object) is judged by the event reader, as in structured mode.
    /// </summary>
    private static ReadOnlyMemory<byte> FromBinaryMode(HttpRequest request, ReadOnlySpan<byte> body)
    {
        RefuseBom(body);
        if (!Utf8.IsValid(body))
        {
            throw new RequestRejectedException(StatusCodes.Status400BadRequest, "invalid-utf8", "the binary-mode body is not valid UTF-8");
        }

        var data = body.Trim(s_whitespace);
        if (!data.IsEmpty)
        {
            var reader = new Utf8JsonReader(data, new JsonReaderOptions { MaxDepth = 1024 });
            try
            {
                reader.Read();
                reader.Skip();
                if (reader.BytesConsumed != data.Length)
                {
                    throw new RequestRejectedException(StatusCodes.Status400BadRequest, "invalid-json",
                        $"the binary-mode body holds more than one JSON value (unexpected content at byte {reader.BytesConsumed})");
                }
            }
            catch (JsonException ex)
            {
                var error = EventParser.Classify(ex);
                throw new RequestRejectedException(StatusCodes.Status400BadRequest, error.Id, "the binary-mode body: " + error.Message);
            }
        }

        var output = new ArrayBufferWriter<byte>(data.Length + 512);
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            foreach (var header in request.Headers)
            {
                if (!header.Key.StartsWith("ce-", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                var name = header.Key[3..].ToLowerInvariant();
                if (name.Length is 0 or > 20 || !name.All(char.IsAsciiLetterOrDigit) || name is "data" or "datacontenttype")
                {
                    throw InvalidHeader(header.Key, name is "data" or "datacontenttype"
                        ? $"'{name}' cannot be sent as a header in binary mode (the body is data, the Content-Type its datacontenttype)"
                        : "it does not name a CloudEvents attribute (1 to 20 lowercase letters or digits)");
                }

                if (header.Value.Count != 1)
                {
                    throw InvalidHeader(header.Key, "it is repeated");
                }

                json.WriteString(name, PercentDecode(header.Key, header.Value[0] ?? ""));
            }

            json.WriteString("datacontenttype", request.ContentType);
            if (!data.IsEmpty)
            {
                json.WritePropertyName("data");
                json.WriteRawValue(data, skipInputValidation: true);
            }

            json.WriteEndObject();
        }

        return output.WrittenMemory;
    }

    private static RequestRejectedException InvalidHeader(string name, string why) =>
        new(StatusCodes.Status400BadRequest, "invalid-header", $"the header {name} is refused: {why}");

    /// <summary>Header values carry non-ASCII text percent-encoded as UTF-8 (CloudEvents HTTP binding 3.1.3.2).</summary>
    private static string PercentDecode(string header, string value)
    {
        if (!value.Contains('%'))
        {
            return value;
        }

        var bytes = new List<byte>(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '%')
            {
                if (i + 2 >= value.Length || !byte.TryParse(value.AsSpan(i + 1, 2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out var b))
                {
                    throw InvalidHeader(header, $"'%' at {i} does not start a percent-encoded byte");
                }

                bytes.Add(b);
                i += 2;
            }
            else if (value[i] > 0x7F)
            {
                throw InvalidHeader(header, "it holds a character outside ASCII that is not percent-encoded");
            }
            else
            {
                bytes.Add((byte)value[i]);
            }
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes.ToArray());
        }
        catch (DecoderFallbackException)
        {
            throw InvalidHeader(header, "its percent-encoded bytes are not UTF-8");
        }
    }
}
