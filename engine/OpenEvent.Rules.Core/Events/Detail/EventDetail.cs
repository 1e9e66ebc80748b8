using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;

namespace OpenEvent.Rules.Events.Detail;

// The event's detail: what DataWorks' GetIDEEventDetail returns for a file or table extension point (the committed
// code, the node configuration, the table model). It is never part of the event itself: the host fetches it, the CLI
// reads it from files, tests give it inline. A policy sees it as the top-level member `detail` of the event, so it is
// stored wrapped, as the bytes of {"detail": <EventDetail>}: the same pattern code (compiled or reference) matches it.

/// <summary>
/// A checked detail document, immutable and shareable between evaluations (the host caches it by event id). Holds the
/// UTF-8 bytes of <c>{"detail": EventDetail}</c>; <see cref="Parse"/> gives a document when a condition, a template
/// or explain needs one.
/// </summary>
public sealed class EventDetail
{
    /// <summary>The largest detail read by default: DataWorks files hold code, seldom more than a few MB.</summary>
    public const int DefaultMaxBytes = 16 * 1024 * 1024;

    private static readonly JsonDocumentOptions s_options = new() { MaxDepth = InvalidEventException.MaxDepth - 1, AllowDuplicateProperties = false };

    private static readonly byte[] s_prefix = "{\"detail\":"u8.ToArray();

    private EventDetail(byte[] wrapped, string member)
    {
        Utf8 = wrapped;
        Member = member;
    }

    /// <summary>The bytes of <c>{"detail": EventDetail}</c>: what the compiled detail patterns read.</summary>
    public ReadOnlyMemory<byte> Utf8 { get; }

    /// <summary>The member of EventDetail this detail holds: CommittedFile, DeletedFile, FileExecutionCommand or TableModel.</summary>
    public string Member { get; }

    public int Length => Utf8.Length;

    /// <summary>The wrapped document; its root has the one property <c>detail</c>. Dispose it after the evaluation.</summary>
    public JsonDocument Parse() => StrictJson.Parse(Utf8, s_options);

    /// <summary>
    /// Reads a detail: a GetIDEEventDetail answer (<c>{"RequestId": ..., "EventDetail": {...}}</c>), an EventDetail
    /// (<c>{"CommittedFile": {...}}</c>) or a detail as a policy sees it (<c>{"detail": {...}}</c>). It must be at most
    /// <paramref name="maxBytes"/> bytes of UTF-8 JSON (a byte order mark is skipped), nested at most 63 levels, with no
    /// duplicate keys, and hold <paramref name="expectedMember"/> as an object when one is given (the member the event's
    /// type has: a detail of another shape is refused, never matched as if it were empty).
    /// </summary>
    /// <returns>False with a one-line <paramref name="error"/> saying what is wrong.</returns>
    public static bool TryRead(ReadOnlySpan<byte> utf8, string? expectedMember, int maxBytes, out EventDetail? detail, out string? error)
    {
        detail = null;
        if (!TryParseDocument(utf8, maxBytes, out var document, out error))
        {
            return false;
        }

        using (document)
        {
            if (!TryFindEventDetail(document.RootElement, out var eventDetail, out error)
                || !TryFindMember(eventDetail, expectedMember, out var member, out error))
            {
                return false;
            }

            detail = new EventDetail(Wrap(eventDetail), member);
            return true;
        }
    }

    /// <summary>The bounds before anything is built: size, UTF-8, JSON (depth and duplicate keys through the options).</summary>
    private static bool TryParseDocument(ReadOnlySpan<byte> utf8, int maxBytes, [NotNullWhen(true)] out JsonDocument? document, out string? error)
    {
        document = null;
        if (utf8.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            utf8 = utf8[3..];
        }

        if (utf8.Length > maxBytes)
        {
            error = $"the detail is {utf8.Length:N0} bytes, more than the {maxBytes:N0} allowed";
            return false;
        }

        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            error = "the detail is not valid UTF-8";
            return false;
        }

        try
        {
            document = StrictJson.Parse(utf8.ToArray(), s_options);
            error = null;
            return true;
        }
        catch (JsonException ex)
        {
            error = "the detail is not valid JSON: " + ex.Message;
            return false;
        }
    }

    /// <summary>The EventDetail object inside a GetIDEEventDetail answer, a policy's <c>{"detail": ...}</c>, or the root itself.</summary>
    private static bool TryFindEventDetail(JsonElement root, out JsonElement eventDetail, out string? error)
    {
        eventDetail = root;
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = $"the detail is not a JSON object but {Describe(root)}";
            return false;
        }

        eventDetail = root.TryGetProperty("EventDetail", out var inner) ? inner
            : root.TryGetProperty("detail", out var wrapped) ? wrapped
            : root;
        if (eventDetail.ValueKind != JsonValueKind.Object)
        {
            error = $"EventDetail is not a JSON object but {Describe(eventDetail)}";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>The member the detail holds: the expected one (refused when absent), else its first object member.</summary>
    private static bool TryFindMember(JsonElement eventDetail, string? expectedMember, out string member, out string? error)
    {
        var members = eventDetail.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Object).Select(p => p.Name).ToList();
        error = null;
        if (expectedMember is null)
        {
            member = members.FirstOrDefault() ?? "";
            return true;
        }

        member = expectedMember;
        if (!eventDetail.TryGetProperty(expectedMember, out var value) || value.ValueKind != JsonValueKind.Object)
        {
            error = $"a detail of another shape: expected EventDetail.{expectedMember} (an object), found "
                + (members.Count == 0 ? "no member" : string.Join(", ", members.Take(4)));
            return false;
        }

        return true;
    }

    /// <summary>Reads a detail written as text (a test case, a file); see <see cref="TryRead(ReadOnlySpan{byte}, string?, int, out EventDetail?, out string?)"/>.</summary>
    public static bool TryRead(string json, string? expectedMember, out EventDetail? detail, out string? error) =>
        TryRead(Encoding.UTF8.GetBytes(json), expectedMember, DefaultMaxBytes, out detail, out error);

    private static byte[] Wrap(JsonElement eventDetail)
    {
        // Re-written rather than sliced: the stored bytes are compact and hold the EventDetail alone, whatever the input wrapped it in.
        var body = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(body))
        {
            eventDetail.WriteTo(writer);
        }

        var wrapped = new byte[s_prefix.Length + body.WrittenCount + 1];
        s_prefix.CopyTo(wrapped, 0);
        body.WrittenSpan.CopyTo(wrapped.AsSpan(s_prefix.Length));
        wrapped[^1] = (byte)'}';
        return wrapped;
    }

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => element.ValueKind.ToString(),
    };
}

/// <summary>
/// What asking for an event's detail gave: the detail, or why there is none (<see cref="Error"/>: the call failed,
/// timed out, was refused, answered another shape; no detail was supplied). <see cref="Source"/> says where it came
/// from or was asked (dataworks, file, test, inline).
/// </summary>
public sealed record EventDetailResult(EventDetail? Detail, string? Error, string Source)
{
    /// <summary>Offline evaluation without a detail for the event.</summary>
    public static EventDetailResult NotSupplied { get; } = new(null, "no detail was supplied for the event", "none");

    public bool Succeeded => Detail is not null;

    /// <summary>True when the host answered from its cache (no call to DataWorks).</summary>
    public bool FromCache { get; init; }

    public static EventDetailResult Found(EventDetail detail, string source) => new(detail, null, source);

    public static EventDetailResult Failed(string error, string source) => new(null, error, source);
}
