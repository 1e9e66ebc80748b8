using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.Net.Http.Headers;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Host.Ingestion;

/// <summary>What a body holds, from its content type (parameters such as charset are ignored).</summary>
internal enum BodyKind
{
    /// <summary>application/json or application/cloudevents+json: one event (an array is taken as a batch).</summary>
    Structured,

    /// <summary>application/cloudevents-batch+json: a JSON array of events.</summary>
    Batch,

    /// <summary>CloudEvents binary mode: ce-* headers carry the attributes, the body is the data.</summary>
    Binary,
}

/// <summary>An input refused before evaluation, with the HTTP status that says so and a stable id (the errorId).</summary>
internal sealed class RequestRejectedException(int status, string id, string message) : Exception(message)
{
    public int Status { get; } = status;

    public string Id { get; } = id;
}

/// <summary>
/// How the bytes of one input (a request body, a queue message) are to be read, whatever carried them: the content
/// type, and the transport's headers, of which only the CloudEvents binary-mode attributes (<c>ce-*</c>) are read.
/// A header that came more than once is listed once per value. <paramref name="ReceivedAt"/> is when the transport
/// received the input (a <see cref="TimeProvider"/> timestamp), the start of DataWorks:AnswerWithin; null: when
/// ingestion starts.
/// </summary>
internal sealed record EventContent(string? ContentType, IReadOnlyList<KeyValuePair<string, string>> Headers, long? ReceivedAt = null)
{
    private static readonly byte[] s_whitespace = " \t\r\n"u8.ToArray();

    /// <summary>The input's Content-Encoding as its carrier gave it (null: none); anything but identity is refused at <see cref="Decode"/>.</summary>
    public string? ContentEncoding { get; init; }

    /// <summary>
    /// The last content type accepted, and what it said (null: plain JSON, structured or binary by the headers). A
    /// sender repeats its content type on every request, and each request classifies it twice (the read limit, then the
    /// decoding): parsing it into a header value every time was ~2 % of what the host allocated per event.
    /// </summary>
    private static AcceptedType? s_lastAccepted;

    /// <summary>
    /// A body without a content type, or sent as <c>text/plain</c>, is JSON to be read by its shape (one event, or an array
    /// as a batch); otherwise such a body is refused (415). Set where the sender is authenticated.
    /// </summary>
    public bool UntypedIsJson { get; init; }

    public BodyKind Classify()
    {
        var kind = UntypedIsJson && IsUntyped(ContentType) ? null
            : s_lastAccepted is { } last && string.Equals(last.ContentType, ContentType, StringComparison.Ordinal) ? last.Kind
            : ClassifyContentType();
        return kind ?? (Headers.Any(h => h.Key.Equals("ce-specversion", StringComparison.OrdinalIgnoreCase)) ? BodyKind.Binary : BodyKind.Structured);
    }

    // Parsed only when it starts like text/plain: every request asks, and almost all say application/cloudevents+json.
    private static bool IsUntyped(string? contentType) =>
        string.IsNullOrWhiteSpace(contentType)
        || (contentType.TrimStart().StartsWith("text/plain", StringComparison.OrdinalIgnoreCase) && MediaTypeHeaderValue.TryParse(contentType, out var parsed) && parsed.MediaType.Equals("text/plain", StringComparison.OrdinalIgnoreCase)
            && (parsed.Charset.Value is null || parsed.Charset.Value.Trim('"').Equals("utf-8", StringComparison.OrdinalIgnoreCase)));

    /// <summary>A content type and what it says; one object, so that threads never see one's type with another's kind.</summary>
    private sealed record AcceptedType(string ContentType, BodyKind? Kind);

    /// <summary>What the content type says (null: plain JSON), remembered for the next request; refused with a 415.</summary>
    private BodyKind? ClassifyContentType()
    {
        if (!MediaTypeHeaderValue.TryParse(ContentType, out var contentType) || contentType.MediaType.Value is null)
        {
            throw new RequestRejectedException(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type",
                "send the event as application/cloudevents+json, application/json or application/cloudevents-batch+json");
        }

        // A parameter named twice (charset=utf-8; charset=latin1) means whatever a reader picks: the first here, maybe the
        // last elsewhere. Refused rather than guessed.
        if (contentType.Parameters.GroupBy(p => p.Name.Value, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } repeated)
        {
            throw new RequestRejectedException(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type",
                $"the content type names the parameter '{repeated.Key}' more than once");
        }

        // JSON is UTF-8 (RFC 8259); a body announced in another charset would be read as something it is not.
        if (contentType.Charset.Value is { } charset && !charset.Trim('"').Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            && !charset.Trim('"').Equals("utf8", StringComparison.OrdinalIgnoreCase))
        {
            throw new RequestRejectedException(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type",
                $"charset '{charset}' is not accepted: events are UTF-8 JSON");
        }

        var mediaType = contentType.MediaType.Value.ToLowerInvariant();
        BodyKind? kind = mediaType switch
        {
            "application/cloudevents-batch+json" => BodyKind.Batch,
            // application/cloudevents+json is structured mode whatever headers come with it (CloudEvents HTTP binding 3.1.1).
            "application/cloudevents+json" => BodyKind.Structured,
            "application/json" or "text/json" => null,
            _ => throw new RequestRejectedException(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type",
                $"content type '{mediaType}' is not accepted; send application/cloudevents+json, application/json or application/cloudevents-batch+json"),
        };
        s_lastAccepted = new AcceptedType(ContentType!, kind);
        return kind;
    }

    /// <summary>The most bytes a body of <paramref name="kind"/> may have (a structured body may turn out to be a batch).</summary>
    public static long ReadLimit(BodyKind kind, LimitOptions limits) => kind switch
    {
        BodyKind.Batch => limits.MaxBatchBytes,
        BodyKind.Binary => limits.MaxEventBytes,
        _ => Math.Max(limits.MaxBatchBytes, limits.MaxEventBytes),
    };

    /// <summary>
    /// The events of a body of <paramref name="kind"/> in their structured form, and whether they are a batch. Refuses what
    /// no event reader should see: a body over the limit for its kind (413), a byte order mark (RFC 8259 forbids sending
    /// one), a body of only whitespace, a batch content type without an array. Binary mode is turned into the structured
    /// form here; a structured body is passed on as it is (no copy).
    /// </summary>
    /// <exception cref="RequestRejectedException">The body is refused as a whole.</exception>
    public (ReadOnlyMemory<byte> Bytes, bool IsBatch) Decode(ReadOnlyMemory<byte> body, BodyKind kind, LimitOptions limits)
    {
        if (ContentEncoding is { } contentEncoding)
        {
            RefuseContentEncoding(contentEncoding);
        }

        RefuseTooLarge(body.Span, kind, limits);
        if (kind == BodyKind.Binary)
        {
            return (FromBinaryMode(body.Span), false);
        }

        RefuseBom(body.Span);
        var first = body.Span.IndexOfAnyExcept(s_whitespace);
        if (first < 0)
        {
            throw new RequestRejectedException(StatusCodes.Status400BadRequest, "empty", "the request body is empty");
        }

        var isArray = body.Span[first] == (byte)'[';
        if (kind == BodyKind.Batch && !isArray)
        {
            throw new RequestRejectedException(StatusCodes.Status400BadRequest, "not-a-batch",
                "application/cloudevents-batch+json requires a JSON array of events");
        }

        if (isArray)
        {
            RefuseTooManyEvents(body.Span[first..], limits.MaxBatchEvents);
        }

        return (body, isArray);
    }

    /// <summary>
    /// A batch of more than Limits:MaxBatchEvents elements is refused whole (413) before any is read: each refused or
    /// decided element has a cost, and a batch of tiny elements fits millions in the byte limit. Malformed JSON is left to
    /// the batch reader, which says where it is.
    /// </summary>
    private static void RefuseTooManyEvents(ReadOnlySpan<byte> batch, int maxEvents)
    {
        var reader = new Utf8JsonReader(batch, new JsonReaderOptions { MaxDepth = EventInputReader.MaxDepth + 1 });
        var count = 0;
        try
        {
            reader.Read();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (++count > maxEvents)
                {
                    throw new RequestRejectedException(StatusCodes.Status413PayloadTooLarge, "too-many-events",
                        $"the batch holds more than {maxEvents:N0} events (OpenEventRules:Limits:MaxBatchEvents): send it in smaller batches");
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // The batch reader reports it, element by element.
        }
    }

    /// <summary>The errorId of a body sent with a content coding (gzip, br, ...): the host reads only the bytes of the JSON.</summary>
    public const string UnsupportedContentEncoding = "unsupported-content-encoding";

    /// <summary>
    /// Refuses (415) a body whose Content-Encoding (each coding of a list) is other than identity. It was read as the
    /// JSON's own bytes: a gzip body was answered 400 invalid-utf8 at offset 1, which sent its sender looking for bad
    /// characters rather than at its compression.
    /// </summary>
    /// <exception cref="RequestRejectedException">A content coding other than identity.</exception>
    public static void RefuseContentEncoding(string contentEncoding)
    {
        foreach (var coding in contentEncoding.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!coding.Equals("identity", StringComparison.OrdinalIgnoreCase))
            {
                throw new RequestRejectedException(StatusCodes.Status415UnsupportedMediaType, UnsupportedContentEncoding,
                    $"Content-Encoding '{TextExcerpt.Of(coding)}' is not accepted: the host takes uncompressed JSON; send the body without a Content-Encoding");
            }
        }
    }

    public static RequestRejectedException TooLarge(BodyKind kind, long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, "too-large",
            kind == BodyKind.Batch
                ? $"the batch is larger than {limit:N0} bytes (OpenEventRules:Limits:MaxBatchBytes)"
                : $"the event is larger than {limit:N0} bytes (OpenEventRules:Limits:MaxEventBytes)");

    private static void RefuseTooLarge(ReadOnlySpan<byte> body, BodyKind kind, LimitOptions limits)
    {
        var limit = kind == BodyKind.Batch ? limits.MaxBatchBytes : limits.MaxEventBytes;
        if (body.Length > ReadLimit(kind, limits) || (kind == BodyKind.Structured && body.Length > limits.MaxEventBytes && !StartsWithArray(body)))
        {
            throw TooLarge(kind, limit);
        }
    }

    private static bool StartsWithArray(ReadOnlySpan<byte> body)
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

    /// <summary>
    /// Builds the structured form of a binary-mode CloudEvent: attributes from the ce-* headers (percent-decoded, as
    /// the HTTP binding says), the content type as datacontenttype, the body as data, copied as it is. The body must be
    /// exactly one JSON value (or nothing), so that it cannot add attributes next to data; everything else about it
    /// (UTF-8, escapes, depth, duplicate keys, data being an object) is judged by the event reader, as in structured mode.
    /// </summary>
    private ReadOnlyMemory<byte> FromBinaryMode(ReadOnlySpan<byte> body)
    {
        RefuseBom(body);
        if (!Utf8.IsValid(body))
        {
            throw new RequestRejectedException(StatusCodes.Status400BadRequest, "invalid-utf8", "the binary-mode body is not valid UTF-8");
        }

        var data = body.Trim(s_whitespace);
        RefuseSecondValue(data);
        var output = new ArrayBufferWriter<byte>(data.Length + 512);
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            WriteAttributes(json);
            json.WriteString("datacontenttype", ContentType);
            if (!data.IsEmpty)
            {
                json.WritePropertyName("data");
                json.WriteRawValue(data, skipInputValidation: true);
            }

            json.WriteEndObject();
        }

        return output.WrittenMemory;
    }

    private static void RefuseSecondValue(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

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

    private const int MaxAttributeNameLength = 64;

    /// <summary>The ce-* headers as the event's attributes (data and datacontenttype come from the body and content type only).</summary>
    private void WriteAttributes(Utf8JsonWriter json)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (header, value) in Headers)
        {
            if (!header.StartsWith("ce-", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var name = header[3..].ToLowerInvariant();
            // CloudEvents says names SHOULD NOT exceed 20 characters, and EventBridge's own aliyunoriginalaccountid has 23.
            if (name.Length is 0 or > MaxAttributeNameLength || !name.All(char.IsAsciiLetterOrDigit) || name is "data" or "datacontenttype")
            {
                throw InvalidHeader(header, name is "data" or "datacontenttype"
                    ? $"'{name}' cannot be sent as a header in binary mode (the body is data, the Content-Type its datacontenttype)"
                    : $"it does not name a CloudEvents attribute (1 to {MaxAttributeNameLength} lowercase letters or digits)");
            }

            if (!seen.Add(header) || Headers.Count(h => h.Key.Equals(header, StringComparison.OrdinalIgnoreCase)) > 1)
            {
                throw InvalidHeader(header, "it is repeated");
            }

            json.WriteString(name, PercentDecode(header, value));
        }
    }

    private static RequestRejectedException InvalidHeader(string name, string why) =>
        new(StatusCodes.Status400BadRequest, "invalid-header", $"the header {name} is refused: {why}");

    /// <summary>Header values carry non-ASCII text percent-encoded as UTF-8 (CloudEvents HTTP binding 3.1.3.2).</summary>
    private static string PercentDecode(string header, string value)
    {
        if (!value.Contains('%', StringComparison.Ordinal))
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
