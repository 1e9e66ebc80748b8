using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Net.Http.Headers;
using OpenEvent.Rules.Host.Configuration;

namespace OpenEvent.Rules.Host.Endpoints;

/// <summary>What a request body holds, from its Content-Type (parameters such as charset are ignored).</summary>
public enum BodyKind
{
    /// <summary>application/json or application/cloudevents+json: one event (an array is taken as a batch).</summary>
    Structured,

    /// <summary>application/cloudevents-batch+json: a JSON array of events.</summary>
    Batch,

    /// <summary>CloudEvents binary mode: ce-* headers carry the attributes, the body is the data.</summary>
    Binary,
}

/// <summary>A request refused before evaluation, with its HTTP status and stable id.</summary>
public sealed class RequestRejectedException(int status, string id, string message) : Exception(message)
{
    public int Status { get; } = status;

    public string Id { get; } = id;
}

/// <summary>Reads event bodies within the configured size limits and normalizes binary-mode CloudEvents.</summary>
public static class RequestBody
{
    public static BodyKind Classify(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType) || contentType.MediaType.Value is null)
        {
            throw new RequestRejectedException(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type",
                "send the event as application/cloudevents+json, application/json or application/cloudevents-batch+json");
        }

        var mediaType = contentType.MediaType.Value.ToLowerInvariant();
        if (mediaType == "application/cloudevents-batch+json")
        {
            return BodyKind.Batch;
        }

        if (mediaType is "application/json" or "application/cloudevents+json" or "text/json")
        {
            return request.Headers.ContainsKey("ce-specversion") ? BodyKind.Binary : BodyKind.Structured;
        }

        throw new RequestRejectedException(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type",
            $"content type '{mediaType}' is not accepted; send application/cloudevents+json, application/json or application/cloudevents-batch+json");
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

        return kind == BodyKind.Binary ? FromBinaryMode(request, bytes) : bytes;
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

    private static RequestRejectedException TooLarge(BodyKind kind, long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, "too-large",
            kind == BodyKind.Batch
                ? $"the batch is larger than {limit:N0} bytes (OpenEventRules:Limits:MaxBatchBytes)"
                : $"the event is larger than {limit:N0} bytes (OpenEventRules:Limits:MaxEventBytes)");

    /// <summary>Builds the structured form of a binary-mode CloudEvent (attributes from ce-* headers, body as data).</summary>
    private static ReadOnlyMemory<byte> FromBinaryMode(HttpRequest request, ReadOnlyMemory<byte> body)
    {
        var cloudEvent = new JsonObject();
        foreach (var header in request.Headers)
        {
            if (header.Key.StartsWith("ce-", StringComparison.OrdinalIgnoreCase) && header.Key.Length > 3)
            {
                cloudEvent[header.Key[3..].ToLowerInvariant()] = header.Value.ToString();
            }
        }

        cloudEvent["datacontenttype"] = request.ContentType;
        try
        {
            cloudEvent["data"] = body.IsEmpty ? null : JsonNode.Parse(body.Span);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new RequestRejectedException(StatusCodes.Status400BadRequest, "invalid-json", $"the binary-mode body is not valid JSON: {ex.Message}");
        }

        return Encoding.UTF8.GetBytes(cloudEvent.ToJsonString());
    }
}
