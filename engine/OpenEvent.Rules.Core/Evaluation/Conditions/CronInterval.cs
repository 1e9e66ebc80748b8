using System.Globalization;

namespace OpenEvent.Rules.Evaluation.Conditions;

/// <summary>
/// How often a DataWorks schedule runs within a day. DataWorks cron expressions have six fields, seconds first
/// (<c>00 00/5 00-23 * * ?</c>: every five minutes); the day, month and weekday fields only thin the days out, so the
/// shortest gap between two runs is decided by the minute and hour fields. At most 24 x 60 times are enumerated.
/// </summary>
internal static class CronInterval
{
    private const int MinutesPerDay = 24 * 60;

    /// <summary>The shortest gap in minutes between two runs (1440 for once a day, the gap to the next day counted); -1 when unreadable.</summary>
    public static int MinutesBetweenRuns(string? cron)
    {
        var fields = (cron ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length is < 5 or > 7 || cron!.Length > 256)
        {
            return -1;
        }

        // Six or seven fields: seconds first (Quartz, DataWorks); five: minute first (Unix).
        var offset = fields.Length >= 6 ? 1 : 0;
        var minutes = Values(fields[offset], 0, 59);
        var hours = Values(fields[offset + 1], 0, 23);
        if (minutes is null || hours is null || minutes.Count == 0 || hours.Count == 0)
        {
            return -1;
        }

        var times = new List<int>(minutes.Count * hours.Count);
        foreach (var hour in hours)
        {
            foreach (var minute in minutes)
            {
                times.Add(hour * 60 + minute);
            }
        }

        times.Sort();
        var shortest = times[0] + MinutesPerDay - times[^1];
        for (var i = 1; i < times.Count; i++)
        {
            shortest = Math.Min(shortest, times[i] - times[i - 1]);
        }

        return shortest;
    }

    // One field: a comma list of *, ?, n, a-b, with an optional /step. Null when a part is unreadable.
    private static SortedSet<int>? Values(string field, int min, int max)
    {
        var values = new SortedSet<int>();
        foreach (var part in field.Split(','))
        {
            var slash = part.IndexOf('/', StringComparison.Ordinal);
            var range = slash < 0 ? part : part[..slash];
            var step = 1;
            if (slash >= 0 && (!int.TryParse(part[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out step) || step <= 0))
            {
                return null;
            }

            int from;
            int to;
            if (range is "*" or "?")
            {
                (from, to) = (min, max);
            }
            else if (range.IndexOf('-', StringComparison.Ordinal) is var dash and > 0)
            {
                if (!TryValue(range[..dash], min, max, out from) || !TryValue(range[(dash + 1)..], min, max, out to) || to < from)
                {
                    return null;
                }
            }
            else if (TryValue(range, min, max, out from))
            {
                // n/step runs from n to the end of the range (Quartz); a bare n is n alone.
                to = slash >= 0 ? max : from;
            }
            else
            {
                return null;
            }

            for (var v = from; v <= to; v += step)
            {
                values.Add(v);
            }
        }

        return values;
    }

    private static bool TryValue(string text, int min, int max, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
}
