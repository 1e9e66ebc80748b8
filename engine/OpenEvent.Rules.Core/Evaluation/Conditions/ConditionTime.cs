using System.Collections.Concurrent;
using System.Globalization;

namespace OpenEvent.Rules.Evaluation.Conditions;

/// <summary>Time parsing and time-zone conversion shared by the condition view.</summary>
internal static class ConditionTime
{
    private static readonly ConcurrentDictionary<string, TimeZoneInfo> Zones = new(StringComparer.Ordinal);

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

        var trimmed = text.Trim();
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

    /// <summary>The time zone for an IANA (or Windows) id, cached; throws TimeZoneNotFoundException when unknown.</summary>
    public static TimeZoneInfo FindZone(string timeZoneId)
    {
        ArgumentNullException.ThrowIfNull(timeZoneId);
        return Zones.GetOrAdd(timeZoneId, TimeZoneInfo.FindSystemTimeZoneById);
    }

    /// <summary><paramref name="instant"/> as local time in <paramref name="timeZoneId"/>.</summary>
    public static DateTimeOffset InZone(DateTimeOffset instant, string timeZoneId) =>
        TimeZoneInfo.ConvertTime(instant, FindZone(timeZoneId));
}
