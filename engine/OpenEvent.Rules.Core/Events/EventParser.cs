using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Evaluation.Conditions;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Model.Registry;

namespace OpenEvent.Rules.Events;

/// <summary>
/// Turns the bytes of one event into a <see cref="DataWorksEvent"/>: checks the bytes (UTF-8, JSON, depth,
/// duplicate keys, size), recognises the shape (CloudEvents structured; the older Function Compute envelope
/// with messageId / messageBody / eventType; EventBridge's Partial Event, the data alone with its eventCode), normalizes it to a CloudEvent, and resolves its catalog entry,
/// extension-point kind and scope values. Every failure is an <see cref="InvalidEventException"/> with a stable id.
/// </summary>
public sealed class EventParser
{
    private readonly EventCatalog _catalog;
    private readonly int _maxEventBytes;
    private readonly RegistryDefinition _registry;
    private readonly bool _readsTime;

    public EventParser(EventCatalog catalog, int maxEventBytes = DefaultMaxEventBytes)
        : this(catalog, maxEventBytes, null, readsTime: false)
    {
    }

    /// <param name="registry">Completes each event's scope (tenant, region, environment, names, labels, owners).</param>
    /// <param name="readsTime">Reads each event's time into its scope: the policy set has time windows.</param>
    internal EventParser(EventCatalog catalog, int maxEventBytes, RegistryDefinition? registry, bool readsTime)
    {
        _catalog = catalog;
        _maxEventBytes = maxEventBytes;
        _registry = registry ?? RegistryDefinition.Empty;
        _readsTime = readsTime;
    }

    public const int DefaultMaxEventBytes = 1024 * 1024;

    private static readonly JsonDocumentOptions s_options = new()
    {
        MaxDepth = EventInputReader.MaxDepth,
        AllowDuplicateProperties = false,
    };

    public EventCatalog Catalog => _catalog;

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
        CheckSize(utf8.Length, _maxEventBytes);

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

            var partial = false;
            var functionCompute = root.TryGetProperty("messageId", out _);
            if (!root.TryGetProperty("specversion", out _) && (functionCompute || IsPartialEvent(root)))
            {
                // The Function Compute envelope and the Partial Event are rewritten as the CloudEvent EventBridge would have sent.
                partial = !functionCompute;
                var normalized = partial ? NormalizePartialEvent(root, utf8.Span) : NormalizeFunctionComputeEnvelope(root);
                document.Dispose();
                document = ParseDocument(normalized);
                utf8 = normalized;
                root = document.RootElement;
            }

            var fields = new DocumentFields(root);
            CheckCloudEvent(fields);
            var type = root.GetProperty("type").GetString()!;
            var entry = _catalog.FindByType(type);
            // A Partial Event has no id DataWorks knows, so nothing can answer it: it is decided as a regular event.
            return new DataWorksEvent(document, utf8, origin, entry, !partial && IsExtensionPoint(entry, fields), Resolve(entry, fields), BlockBusiness(fields))
            {
                IsPartial = partial,
            };
        }
        catch (InvalidOperationException ex)
        {
            // System.Text.Json decodes strings lazily and refuses an escaped lone surrogate only then (here: the envelope's
            // values, or the Function Compute body being rewritten); the bytes were valid UTF-8, the text is not Unicode.
            document.Dispose();
            throw new InvalidEventException("invalid-utf8", $"the event holds text that is not valid Unicode: {FirstSentence(ex.Message)}", ex);
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }

    internal static void CheckSize(int length, int maxEventBytes)
    {
        if (length > maxEventBytes)
        {
            throw new InvalidEventException("too-large", $"the event is {length:N0} bytes; the limit is {maxEventBytes:N0} bytes per event");
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

        return new EventError("invalid-json", $"the event is not valid JSON{where}: {FirstSentence(message)}");
    }

    private static JsonDocument ParseDocument(ReadOnlyMemory<byte> utf8)
    {
        try
        {
            return StrictJson.Parse(utf8, s_options);
        }
        catch (JsonException ex)
        {
            var error = Classify(ex);
            throw new InvalidEventException(error.Id, error.Message);
        }
    }

    /// <summary>The CloudEvents attributes the engine relies on: type, specversion 1.0, id, and data as an object.</summary>
    internal static void CheckCloudEvent(IEventFields fields)
    {
        if (fields.At("type") is not { IsString: true, Text.Length: > 0 })
        {
            var hint = fields.At("eventCode") is not null
                ? "; this looks like a bare 'data' payload (EventBridge 'Partial Event'): configure the target to send the Complete Event"
                : "";
            throw new InvalidEventException("missing-type", "the event has no 'type' string attribute" + hint);
        }

        if (fields.At("specversion") is not { } specversion)
        {
            throw new InvalidEventException("missing-specversion", "the event has no 'specversion'; CloudEvents 1.0 structured JSON is expected");
        }

        if (!specversion.IsString || specversion.Text != "1.0")
        {
            throw new InvalidEventException("unsupported-specversion", specversion.IsString
                ? $"specversion {specversion} is not supported; only \"1.0\" is"
                : $"specversion is {specversion} (not a string); CloudEvents 1.0 writes it as the string \"1.0\"");
        }

        if (fields.At("id") is not { IsString: true, Text.Length: > 0 })
        {
            throw new InvalidEventException("missing-id", "the event has no 'id' string attribute (needed to answer DataWorks and to de-duplicate)");
        }

        if (fields.DataKindIfNotObject() is { } kind)
        {
            throw new InvalidEventException("data-not-object", $"'data' must be a JSON object, not {kind}");
        }

        if (fields.At("data_base64") is not null)
        {
            // Decided as if it had no data, such an event would pass every policy that reads data: refused instead.
            throw new InvalidEventException("data-base64", "'data_base64' is not accepted: DataWorks events carry 'data' as a JSON object, which policies read");
        }
    }

    /// <summary>
    /// A Function Compute envelope rewritten as the CloudEvent EventBridge would have delivered: its event code
    /// resolved to a type, its body (with the envelope's own fields merged in) as data.
    /// </summary>
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
        var category = root.TryGetProperty("eventCategoryType", out var categoryType) && categoryType.ValueKind == JsonValueKind.String
            ? categoryType.GetString()
            : null;
        var data = MessageBody(root);
        MergeEnvelopeFields(root, code, data);
        var cloudEvent = new JsonObject
        {
            ["specversion"] = "1.0",
            ["id"] = messageId.ValueKind == JsonValueKind.String ? messageId.GetString() : messageId.GetRawText(),
            ["source"] = "acs.dataworks",
            ["type"] = TypeOfCode(code, category, "the Function Compute envelope's eventType"),
            ["datacontenttype"] = "application/json;charset=utf-8",
        };
        if (category is not null)
        {
            // Kept as a CloudEvents extension attribute (lowercase alphanumerics only) so patterns can still see it.
            cloudEvent["eventcategorytype"] = category;
        }

        cloudEvent["data"] = data;
        return Encoding.UTF8.GetBytes(cloudEvent.ToJsonString());
    }

    /// <summary>
    /// An EventBridge "Partial Event" (the target's body set to <c>$.data</c>): the payload alone, no specversion and no
    /// type, but its eventCode (reference section 1.3).
    /// </summary>
    private static bool IsPartialEvent(JsonElement root) =>
        root.TryGetProperty("eventCode", out var code) && code.ValueKind == JsonValueKind.String && !root.TryGetProperty("type", out _);

    /// <summary>
    /// A Partial Event rewritten as a CloudEvent: its eventCode resolved to a type, the body as data. It has no id, so
    /// it gets one from its bytes (<see cref="PartialEventIdPrefix"/> and a SHA-256 of them): EventBridge's retries of the
    /// same body are the same event to the outbox's de-duplication. No MessageId DataWorks knows can come of it.
    /// </summary>
    private byte[] NormalizePartialEvent(JsonElement root, ReadOnlySpan<byte> utf8)
    {
        var code = root.GetProperty("eventCode").GetString()!;
        var cloudEvent = new JsonObject
        {
            ["specversion"] = "1.0",
            ["id"] = PartialEventIdPrefix + Convert.ToHexStringLower(SHA256.HashData(utf8))[..32],
            ["source"] = "acs.dataworks",
            ["type"] = TypeOfCode(code, category: null, "the Partial Event's eventCode"),
            ["datacontenttype"] = "application/json;charset=utf-8",
            ["data"] = JsonNode.Parse(root.GetRawText()),
        };
        return Encoding.UTF8.GetBytes(cloudEvent.ToJsonString());
    }

    /// <summary>How the id given to a Partial Event begins.</summary>
    internal const string PartialEventIdPrefix = "partial-";

    /// <summary>
    /// The type of an event code: the catalog's, or for a code it does not know (a newer event, an eventCategoryType
    /// seen only in the Function Compute envelope) one built as DataWorks spells types, <c>dataworks:{Category}:{Action}</c>
    /// from the kebab-case codes (<c>review-file</c> becomes <c>ReviewFile</c>; without a category, <c>Unknown</c>), so
    /// that the event is evaluated as an unknown type (an extension point when data.blockBusiness is true) instead of
    /// being refused while DataWorks waits. A code that is not such a word is refused.
    /// </summary>
    private string TypeOfCode(string code, string? category, string what)
    {
        if (_catalog.FindByEventCode(code) is { } entry)
        {
            return entry.Type;
        }

        if (!IsCodeWord(code))
        {
            throw new InvalidEventException("unknown-event-code",
                $"{what} {Quote(code)} is not an event code of the catalog, nor one that could name a type (1 to {MaxCodeLength} letters, digits, '-' and '_')");
        }

        return $"dataworks:{(category is not null && IsCodeWord(category) ? PascalCase(category) : "Unknown")}:{PascalCase(code)}";
    }

    private const int MaxCodeLength = 100;

    /// <summary>A refused code as a JSON string, cut to 80 characters (it is echoed in problem bodies and logs).</summary>
    private static string Quote(string code)
    {
        var cut = code.Length <= 80 ? code : code[..(char.IsHighSurrogate(code[79]) ? 79 : 80)];
        return JsonSerializer.Serialize(cut);
    }

    private static bool IsCodeWord(string code) =>
        code.Length is > 0 and <= MaxCodeLength && char.IsAsciiLetterOrDigit(code[0]) && code.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary><c>download-resources</c> as <c>DownloadResources</c>, <c>start-diJob</c> as <c>StartDiJob</c>.</summary>
    private static string PascalCase(string code) =>
        string.Concat(code.Split('-', StringSplitOptions.RemoveEmptyEntries).Select(part => char.ToUpperInvariant(part[0]) + part[1..]));

    private static JsonObject MessageBody(JsonElement root)
    {
        if (!root.TryGetProperty("messageBody", out var body) || body.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        return body.ValueKind switch
        {
            JsonValueKind.Object => (JsonObject)JsonNode.Parse(body.GetRawText())!,
            // Some senders put the body as a JSON string: it gets the checks the event's own bytes got.
            JsonValueKind.String => ParseBodyString(body.GetString()!),
            _ => throw new InvalidEventException("data-not-object", $"'messageBody' must be a JSON object, not {Describe(body.ValueKind)}"),
        };
    }

    /// <summary>The envelope's event code, extension id and blocking flag, as the body's fields.</summary>
    private static void MergeEnvelopeFields(JsonElement root, string code, JsonObject data)
    {
        data.TryAdd("eventCode", code);
        if (root.TryGetProperty("extensionBizId", out var bizId) && !data.ContainsKey("extensionBizId"))
        {
            data["extensionBizId"] = JsonNode.Parse(bizId.GetRawText());
        }

        // Either blockBusiness true makes the event a blocking one (fail safe): the envelope's own flag is not
        // hidden by a body that says false, nor the body's by an envelope that says false.
        if (root.TryGetProperty("blockBusiness", out var block) && (block.ValueKind == JsonValueKind.True || !data.ContainsKey("blockBusiness")))
        {
            data["blockBusiness"] = JsonNode.Parse(block.GetRawText());
        }
    }

    /// <summary>
    /// A messageBody sent as a JSON string: parsed with the event rules (depth, duplicate keys), and every string in it
    /// decoded once, so that an escaped lone surrogate is refused here rather than failing whoever reads it later.
    /// </summary>
    private static JsonObject ParseBodyString(string text)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        JsonDocument inner;
        try
        {
            inner = JsonDocument.Parse(utf8, s_options);
        }
        catch (JsonException ex)
        {
            var error = Classify(ex);
            throw error.Id == "invalid-json"
                ? new InvalidEventException("data-not-object", $"the Function Compute 'messageBody' string is not JSON: {FirstSentence(ex.Message)}")
                : new InvalidEventException(error.Id, "the Function Compute 'messageBody' string: " + error.Message);
        }

        using (inner)
        {
            if (inner.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidEventException("data-not-object", "the Function Compute 'messageBody' string does not hold a JSON object");
            }

            try
            {
                DecodeStrings(inner.RootElement);
            }
            catch (InvalidOperationException ex)
            {
                throw new InvalidEventException("invalid-utf8", $"the Function Compute 'messageBody' string holds text that is not valid Unicode: {FirstSentence(ex.Message)}");
            }

            return JsonObject.Create(inner.RootElement.Clone())!;
        }
    }

    private static void DecodeStrings(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                _ = element.GetString();
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    _ = property.Name;
                    DecodeStrings(property.Value);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    DecodeStrings(item);
                }

                break;
        }
    }

    /// <summary>
    /// Extension point or regular: the catalog knows; for types the catalog does not know, and those it models as regular
    /// on a guess (kind inferred: ReviewFile, NodeChangeUpdated, approvals...), data.blockBusiness: true makes an extension
    /// point: DataWorks says it holds the operation, and an operation held and never answered is the worse mistake.
    /// A type the catalog marks as an extension point is always one, whatever blockBusiness says: CommitFile is also
    /// sent as a regular event after the commit, but its pre-event may carry blockBusiness false as well (the official
    /// sample does), so the two cannot be told apart. Answering the regular twin is harmless (DataWorks holds nothing
    /// for it); not answering a pre-event would lose a block while DataWorks waits.
    /// </summary>
    internal static bool IsExtensionPoint(EventTypeInfo? entry, IEventFields fields) =>
        entry is null || (entry.KindInferred && entry.Kind == EventKind.Regular)
            ? BlockBusiness(fields) == true
            : entry.Kind == EventKind.ExtensionPoint;

    /// <summary>data.blockBusiness when it is a boolean (the Function Compute envelope's top-level one is merged into it).</summary>
    internal static bool? BlockBusiness(IEventFields fields) => fields.At("data.blockBusiness") switch
    {
        { Kind: ScalarKind.True } => true,
        { Kind: ScalarKind.False } => false,
        _ => null,
    };

    /// <summary>Where scope values live for types the catalog does not know: the common fields of the reference (section 1.4).</summary>
    internal static readonly ImmutableArray<string> UnknownTenantPaths = ["data.tenantId"];
    internal static readonly ImmutableArray<string> UnknownWorkspacePaths = ["data.projectId", "data.appId", "data.queryDwProjectId"];
    internal static readonly ImmutableArray<string> UnknownOperatorPaths = ["data.operator", "data.operatorUid"];
    private static readonly ImmutableArray<string> s_regionPaths = ["aliyunregionid"];

    internal static EventScope ResolveScope(EventTypeInfo? entry, IEventFields fields)
    {
        if (entry is null)
        {
            return new EventScope(
                Tenant: FirstValue(fields, UnknownTenantPaths.AsSpan()),
                Workspace: FirstValue(fields, UnknownWorkspacePaths.AsSpan()),
                Region: FirstValue(fields, s_regionPaths.AsSpan()),
                Environment: null,
                Operator: FirstValue(fields, UnknownOperatorPaths.AsSpan()));
        }

        string? Resolve(ScopeDimension dimension) =>
            entry.Scope.TryGetValue(dimension, out var source) ? FirstValue(fields, source.Paths.AsSpan()) ?? source.Constant : null;

        return new EventScope(
            Tenant: Resolve(ScopeDimension.Tenant),
            Workspace: Resolve(ScopeDimension.Workspace),
            Region: Resolve(ScopeDimension.Region),
            Environment: EventCatalog.NormalizeEnvironment(Resolve(ScopeDimension.Environment)),
            Operator: Resolve(ScopeDimension.Operator));
    }

    /// <summary>
    /// The event's scope: its own values (<see cref="ResolveScope"/>), its time when the set has windows, and what the
    /// registry adds: a tenant from the workspace or the account (downloads and uploads carry none), a region and an
    /// environment from the workspace when the event has none, the names, labels and owners. The event's own values win.
    /// </summary>
    internal EventScope Resolve(EventTypeInfo? entry, IEventFields fields)
    {
        var scope = ResolveScope(entry, fields);
        if (_readsTime)
        {
            // Without its own time, an event is placed by when EventBridge received it: a freeze window must not let
            // through an operation only because its event left the optional time out.
            scope = scope with
            {
                Time = ConditionTime.ParseLenient(fields.At("time") is { IsString: true } time ? time.Text : null)
                    ?? ConditionTime.ParseLenient(fields.At("aliyunpublishtime") is { IsString: true } published ? published.Text : null),
            };
        }

        return _registry.DescribesEstate ? Complete(scope, fields) : scope;
    }

    private EventScope Complete(EventScope scope, IEventFields fields)
    {
        var workspace = scope.Workspace is { } id ? _registry.FindWorkspace(id) : null;
        var tenantId = scope.Tenant;
        var tenantOrigin = FactOrigin.Event;
        if (tenantId is null && workspace?.Tenant is { } named)
        {
            tenantId = _registry.TenantOf(workspace)?.Id ?? named;
            tenantOrigin = FactOrigin.Workspace;
        }

        if (tenantId is null && fields.At("aliyunaccountid") is { } account && _registry.FindTenantByAccount(account.IsString ? account.Text! : account.ToString()) is { } owner)
        {
            tenantId = owner.Id;
            tenantOrigin = FactOrigin.Account;
        }

        return scope with
        {
            Tenant = tenantId,
            TenantOrigin = tenantOrigin,
            TenantName = tenantId is null ? null : _registry.FindTenant(tenantId)?.Name,
            Region = scope.Region ?? workspace?.Region,
            RegionOrigin = scope.Region is null && workspace?.Region is not null ? FactOrigin.Workspace : FactOrigin.Event,
            Environment = scope.Environment ?? workspace?.Environment,
            EnvironmentOrigin = scope.Environment is null && workspace?.Environment is not null ? FactOrigin.Workspace : FactOrigin.Event,
            WorkspaceName = workspace?.Name,
            Labels = workspace?.Labels ?? [],
            Owners = workspace?.Owners ?? [],
        };
    }

    // A span, not IEnumerable: the ImmutableArray was boxed, and an enumerator allocated, for every dimension of every event.
    private static string? FirstValue(IEventFields fields, ReadOnlySpan<string> paths)
    {
        foreach (var path in paths)
        {
            var text = fields.At(path) switch
            {
                { Kind: ScalarKind.String } value => value.Text,
                { Kind: ScalarKind.Number } value => IntegerDigits(value),
                { Kind: ScalarKind.True or ScalarKind.False } value => value.ToString(),
                _ => null,
            };
            if (text is { Length: > 0 })
            {
                return text;
            }
        }

        return null;
    }

    /// <summary>
    /// A number as scope text: 10001234.0 and 1.0001234e7 are the workspace 10001234, and scopes compare text, so an
    /// integer written with a fraction or an exponent is given as its digits (others keep their text, with no copy).
    /// </summary>
    private static string IntegerDigits(Scalar number)
    {
        var text = number.ToString();
        return text.AsSpan().IndexOfAny('.', 'e', 'E') >= 0 && number.Number.TryGetInt64(out var integer)
            ? integer.ToString(CultureInfo.InvariantCulture)
            : text;
    }

    internal static string Describe(JsonValueKind kind) => kind switch
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
