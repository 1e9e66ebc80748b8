using System.Collections.Concurrent;
using System.Globalization;

namespace OpenEvent.Rules.Evaluation.Conditions;

/// <summary>Time parsing and time-zone conversion shared by the condition view.</summary>
internal static class ConditionTime
{
    // Case-insensitive, as the runtime's own lookup: "aSiA/sHaNgHaI" is Asia/Shanghai, not one more entry. Ids can come
    // from events (e.At(e.Data.Str("timeZone"))), so the cache is bounded and odd spellings never reach the runtime.
    private static readonly ConcurrentDictionary<string, TimeZoneInfo> Zones = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The most zones kept; past it a zone is looked up each time (there are ~600 real ones).</summary>
    internal const int MaxCachedZones = 1_024;

    private static readonly string[] Formats =
    [
        "yyyy-MM-dd",
        "yyyy-MM-dd HH:mm:ss",
        "yyyy-MM-dd HH:mm:ss.FFFFFFF",
        "yyyy-MM-ddTHH:mm:ss",
        "yyyy-MM-ddTHH:mm:ss.FFFFFFF",
        "yyyy-MM-ddTHH:mm:ssK",
        "yyyy-MM-ddTHH:mm:ss.FFFFFFFK",
    ];

    /// <summary>
    /// Reads the time shapes DataWorks and EventBridge send: RFC 3339 with or without fraction and offset,
    /// <c>yyyy-MM-dd HH:mm:ss</c>, <c>yyyy-MM-dd</c>, and the <c>...PRC</c> suffix seen in samples (+08:00).
    /// Text without an offset is UTC. Returns null when unreadable.
    /// </summary>
    public static DateTimeOffset? ParseLenient(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var trimmed = TruncateFraction(text.Trim());
        if (trimmed.EndsWith("PRC", StringComparison.Ordinal))
        {
            trimmed = trimmed[..^3] + "+08:00";
        }

        const DateTimeStyles styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces;
        if (DateTimeOffset.TryParseExact(trimmed, Formats, CultureInfo.InvariantCulture, styles, out var exact))
        {
            return exact;
        }

        return DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, styles, out var loose) ? loose : null;
    }

    /// <summary>
    /// Fractions of a second past the 7 digits a DateTimeOffset holds are cut, not rounded: the loose parser read
    /// 23:59:59.999999999 as the next day's 00:00, out of a window that covers the whole day.
    /// </summary>
    private static string TruncateFraction(string text)
    {
        var point = text.IndexOf('.', StringComparison.Ordinal);
        if (point < 0)
        {
            return text;
        }

        var end = point + 1;
        while (end < text.Length && char.IsAsciiDigit(text[end]))
        {
            end++;
        }

        return end - point - 1 > 7 ? string.Concat(text.AsSpan(0, point + 8), text.AsSpan(end)) : text;
    }

    /// <summary>The time zone for an IANA (or Windows) id, cached; throws TimeZoneNotFoundException when unknown.</summary>
    public static TimeZoneInfo FindZone(string timeZoneId)
    {
        ArgumentNullException.ThrowIfNull(timeZoneId);
        if (Zones.TryGetValue(timeZoneId, out var cached))
        {
            return cached;
        }

        // On Linux the runtime reads "Asia//Shanghai" (any number of slashes) as a file path and caches each spelling.
        if (!IsZoneIdShape(timeZoneId))
        {
            throw new TimeZoneNotFoundException($"'{timeZoneId}' is not a time-zone id (like Asia/Shanghai or UTC)");
        }

        var zone = TimeZoneInfo.FindSystemTimeZoneById(timeZoneId);
        return Zones.Count < MaxCachedZones ? Zones.GetOrAdd(timeZoneId, zone) : zone;
    }

    /// <summary>IANA and Windows ids: words of letters, digits, '_', '-', '+', '.' and spaces, joined by single slashes.</summary>
    private static bool IsZoneIdShape(string id)
    {
        if (id.Length is 0 or > 64 || id[0] == '/' || id[^1] == '/' || id.Contains("//", StringComparison.Ordinal) || id.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '/' or '_' or '-' or '+' or '.' or ' '))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary><paramref name="instant"/> as local time in <paramref name="timeZoneId"/>.</summary>
    public static DateTimeOffset InZone(DateTimeOffset instant, string timeZoneId) =>
        TimeZoneInfo.ConvertTime(instant, FindZone(timeZoneId));
}
