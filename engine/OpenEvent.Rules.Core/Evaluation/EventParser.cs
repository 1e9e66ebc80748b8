using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using OpenEvent.Rules.Catalog;

namespace OpenEvent.Rules.Evaluation;

/// <summary>
/// Turns the bytes of one event into a <see cref="DataWorksEvent"/>: checks the bytes (UTF-8, JSON, depth,
/// duplicate keys, size), recognises the shape (CloudEvents structured; the older Function Compute envelope
/// with messageId / messageBody / eventType), normalizes it to a CloudEvent, and resolves its catalog entry,
/// extension-point kind and scope values. Every failure is an <see cref="InvalidEventException"/> with a stable id.
/// </summary>
public sealed class EventParser(EventCatalog catalog, int maxEventBytes = EventParser.DefaultMaxEventBytes)
{
    public const int DefaultMaxEventBytes = 1024 * 1024;

    private static readonly JsonDocumentOptions s_options = new()
    {
        MaxDepth = EventInputReader.MaxDepth,
        AllowDuplicateProperties = false,
    };

    public EventCatalog Catalog => catalog;

    /// <summary>Parses a slice, or returns its error. Never throws for bad input.</summary>
    public DataWorksEvent? TryParse(EventSlice slice, out EventError? error)
    {
        error = slice.Error;
        if (error is not null)
        {
            return null;
        }

        try
        {
            return Parse(slice.Utf8, slice.Origin);
        }
        catch (InvalidEventException ex)
        {
            error = ex.ToError();
            return null;
        }
    }

    public DataWorksEvent Parse(ReadOnlyMemory<byte> utf8, EventOrigin origin)
    {
        if (utf8.Length > maxEventBytes)
        {
            throw new InvalidEventException("too-large",
                $"the event is {utf8.Length:N0} bytes; the limit is {maxEventBytes:N0} bytes per event");
        }

        if (!Utf8.IsValid(utf8.Span))
        {
            throw new InvalidEventException("invalid-utf8", $"the event is not valid UTF-8 (first bad byte at offset {FirstInvalidByte(utf8.Span)})");
        }

        var document = ParseDocument(utf8);
        try
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidEventException("not-an-object", $"an event must be a JSON object, not {Describe(root.ValueKind)}");
            }

            if (!root.TryGetProperty("specversion", out _) && root.TryGetProperty("messageId", out _))
            {
                // The Function Compute envelope is rewritten as the CloudEvent EventBridge would have sent.
                var normalized = NormalizeFunctionComputeEnvelope(root);
                document.Dispose();
                document = ParseDocument(normalized);
                utf8 = normalized;
                root = document.RootElement;
            }

            CheckCloudEvent(root);
            var type = root.GetProperty("type").GetString()!;
            var entry = catalog.FindByType(type);
            return new DataWorksEvent(document, utf8, origin, entry, IsExtensionPoint(entry, root), ResolveScope(entry, root));
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }

    /// <summary>Maps a System.Text.Json failure to a stable id and a readable message.</summary>
    public static EventError Classify(JsonException ex)
    {
        var message = ex.Message;
        var where = ex.LineNumber is { } line ? $" (line {line + 1}, byte {ex.BytePositionInLine + 1})" : "";
        if (message.Contains("maximum configured depth", StringComparison.OrdinalIgnoreCase))
        {
            return new EventError("too-deep", $"the event nests deeper than {EventInputReader.MaxDepth} levels{where}");
        }

        if (message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase))
        {
            return new EventError("duplicate-key", $"the event has a duplicate property: {FirstSentence(message)}");
        }

        if (message.Contains("UTF-8", StringComparison.OrdinalIgnoreCase))
        {
            return new EventError("invalid-utf8", $"the event is not valid UTF-8{where}");
        }

        return new EventError("invalid-json", $"the event is not valid JSON: {FirstSentence(message)}");
    }

    private static JsonDocument ParseDocument(ReadOnlyMemory<byte> utf8)
    {
        try
        {
            return JsonDocument.Parse(utf8, s_options);
        }
        catch (JsonException ex)
        {
            var error = Classify(ex);
            throw new InvalidEventException(error.Id, error.Message);
        }
    }

    private static void CheckCloudEvent(JsonElement root)
    {
        if (!root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString()!.Length == 0)
        {
            var hint = root.TryGetProperty("eventCode", out _)
                ? "; this looks like a bare 'data' payload (EventBridge 'Partial Event'): configure the target to send the Complete Event"
                : "";
            throw new InvalidEventException("missing-type", "the event has no 'type' string attribute" + hint);
        }

        if (!root.TryGetProperty("specversion", out var specversion))
        {
            throw new InvalidEventException("missing-specversion", "the event has no 'specversion'; CloudEvents 1.0 structured JSON is expected");
        }

        if (specversion.ValueKind != JsonValueKind.String || specversion.GetString() != "1.0")
        {
            throw new InvalidEventException("unsupported-specversion", $"specversion {specversion.GetRawText()} is not supported; only \"1.0\" is");
        }

        if (!root.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String || id.GetString()!.Length == 0)
        {
            throw new InvalidEventException("missing-id", "the event has no 'id' string attribute (needed to answer DataWorks and to de-duplicate)");
        }

        if (root.TryGetProperty("data", out var data) && data.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
        {
            throw new InvalidEventException("data-not-object", $"'data' must be a JSON object, not {Describe(data.ValueKind)}");
        }
    }

    private byte[] NormalizeFunctionComputeEnvelope(JsonElement root)
    {
        var messageId = root.GetProperty("messageId");
        if (messageId.ValueKind is not (JsonValueKind.String or JsonValueKind.Number))
        {
            throw new InvalidEventException("missing-id", "the Function Compute envelope's 'messageId' must be a string");
        }

        if (!root.TryGetProperty("eventType", out var eventType) || eventType.ValueKind != JsonValueKind.String)
        {
            throw new InvalidEventException("missing-type", "the Function Compute envelope has no 'eventType' (the event code, e.g. download-resources)");
        }

        var code = eventType.GetString()!;
        var entry = catalog.FindByEventCode(code)
            ?? throw new InvalidEventException("unknown-event-code",
                $"the Function Compute envelope's eventType '{code}' is not an event code of the catalog");

        JsonObject data;
        if (!root.TryGetProperty("messageBody", out var body) || body.ValueKind == JsonValueKind.Null)
        {
            data = [];
        }
        else if (body.ValueKind == JsonValueKind.Object)
        {
            data = (JsonObject)JsonNode.Parse(body.GetRawText())!;
        }
        else if (body.ValueKind == JsonValueKind.String)
        {
            // Some senders put the body as a JSON string.
            try
            {
                data = JsonNode.Parse(body.GetString()!, documentOptions: s_options) as JsonObject
                    ?? throw new InvalidEventException("data-not-object", "the Function Compute 'messageBody' string does not hold a JSON object");
            }
            catch (JsonException ex)
            {
                throw new InvalidEventException("data-not-object", $"the Function Compute 'messageBody' string is not JSON: {FirstSentence(ex.Message)}");
            }
        }
        else
        {
            throw new InvalidEventException("data-not-object", $"'messageBody' must be a JSON object, not {Describe(body.ValueKind)}");
        }

        data.TryAdd("eventCode", code);
        foreach (var name in (ReadOnlySpan<string>)["blockBusiness", "extensionBizId"])
        {
            if (root.TryGetProperty(name, out var value) && !data.ContainsKey(name))
            {
                data[name] = JsonNode.Parse(value.GetRawText());
            }
        }

        var cloudEvent = new JsonObject
        {
            ["specversion"] = "1.0",
            ["id"] = messageId.ValueKind == JsonValueKind.String ? messageId.GetString() : messageId.GetRawText(),
            ["source"] = "acs.dataworks",
            ["type"] = entry.Type,
            ["datacontenttype"] = "application/json;charset=utf-8",
        };
        if (root.TryGetProperty("eventCategoryType", out var category) && category.ValueKind == JsonValueKind.String)
        {
            // Kept as a CloudEvents extension attribute (lowercase alphanumerics only) so patterns can still see it.
            cloudEvent["eventcategorytype"] = category.GetString();
        }

        cloudEvent["data"] = data;
        return Encoding.UTF8.GetBytes(cloudEvent.ToJsonString());
    }

    /// <summary>
    /// Extension point or regular: the catalog knows (CommitFile is both: its regular twin says
    /// blockBusiness false); for types the catalog does not know, data.blockBusiness decides.
    /// </summary>
    private static bool IsExtensionPoint(EventTypeInfo? entry, JsonElement root)
    {
        bool? blockBusiness = null;
        if (root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
            && data.TryGetProperty("blockBusiness", out var flag) && flag.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            blockBusiness = flag.GetBoolean();
        }

        if (entry is null)
        {
            return blockBusiness == true;
        }

        if (entry.Kind == EventKind.ExtensionPoint)
        {
            return !(entry.AlsoRegular && blockBusiness == false);
        }

        return false;
    }

    private static EventScope ResolveScope(EventTypeInfo? entry, JsonElement root)
    {
        if (entry is null)
        {
            // Unknown types: the common field names of the reference (section 1.4).
            return new EventScope(
                Tenant: FirstValue(root, ["data.tenantId"]),
                Workspace: FirstValue(root, ["data.projectId", "data.appId", "data.queryDwProjectId"]),
                Region: FirstValue(root, ["aliyunregionid"]),
                Environment: null,
                Operator: FirstValue(root, ["data.operator", "data.operatorUid"]));
        }

        string? Resolve(ScopeDimension dimension) =>
            entry.Scope.TryGetValue(dimension, out var source) ? FirstValue(root, source.Paths) ?? source.Constant : null;

        return new EventScope(
            Tenant: Resolve(ScopeDimension.Tenant),
            Workspace: Resolve(ScopeDimension.Workspace),
            Region: Resolve(ScopeDimension.Region),
            Environment: EventCatalog.NormalizeEnvironment(Resolve(ScopeDimension.Environment)),
            Operator: Resolve(ScopeDimension.Operator));
    }

    private static string? FirstValue(JsonElement root, IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            if (JsonPaths.TryGet(root, path, out var value) && ScalarText(value) is { Length: > 0 } text)
            {
                return text;
            }
        }

        return null;
    }

    private static string? ScalarText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => null,
    };

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(". ", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message.TrimEnd('.');
    }

    private static int FirstInvalidByte(ReadOnlySpan<byte> bytes)
    {
        var offset = 0;
        while (offset < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[offset..], out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return offset;
            }

            offset += consumed;
        }

        return offset;
    }
}
