using OpenEvent.Rules.Model.Registry;

namespace OpenEvent.Rules.Validation;

/// <summary>
/// Whether some windows cover another entirely, for OER3058 (exclusion windows that cancel the scope's windows out).
/// Absolute windows are compared on instants; recurring ones on the week, when they share a time zone (across zones
/// with clock changes the question has no simple answer, and no warning is given). The walks are bounded: a window
/// covered only by many small pieces is simply not reported.
/// </summary>
internal static class WindowCoverage
{
    private const int MaxSteps = 10_000;

    /// <summary>Whether every instant of <paramref name="target"/> is inside one of <paramref name="covers"/>.</summary>
    public static bool Covers(IReadOnlyList<TimeWindowDefinition> covers, TimeWindowDefinition target) => target switch
    {
        AbsoluteWindow absolute => CoversInterval(covers, absolute.Start, absolute.End),

        // A recurring window never ends: only recurring windows (of its zone) can cover it.
        RecurringWindow recurring => recurring.Spans.All(span => CoversSpan(WeeklyCovers(covers, recurring.TimeZoneId), span.Start, span.Length)),
        _ => false,
    };

    /// <summary>Whether recurring windows of one zone cover the whole week (every event would be inside).</summary>
    public static bool CoversWholeWeek(IReadOnlyList<TimeWindowDefinition> covers) =>
        covers.OfType<RecurringWindow>().Select(w => w.TimeZoneId).Distinct(StringComparer.Ordinal)
            .Any(zone => CoversSpan(WeeklyCovers(covers, zone), TimeSpan.Zero, WeeklySpan.Week));

    private static List<WeeklySpan> WeeklyCovers(IReadOnlyList<TimeWindowDefinition> covers, string zone) =>
        [.. covers.OfType<RecurringWindow>().Where(w => w.TimeZoneId == zone).SelectMany(w => w.Spans)];

    private static bool CoversInterval(IReadOnlyList<TimeWindowDefinition> covers, DateTimeOffset start, DateTimeOffset end)
    {
        var at = start;
        for (var step = 0; at < end; step++)
        {
            if (step == MaxSteps)
            {
                return false;
            }

            var reach = covers.Select(w => Reach(w, at)).Max();
            if (reach is null || reach <= at)
            {
                return false;
            }

            at = reach.Value;
        }

        return true;
    }

    /// <summary>How far the window extends without a gap from <paramref name="at"/>, which it must contain; else null.</summary>
    private static DateTimeOffset? Reach(TimeWindowDefinition window, DateTimeOffset at)
    {
        switch (window)
        {
            case AbsoluteWindow absolute when absolute.Contains(at):
                return absolute.End;
            case RecurringWindow recurring when recurring.Contains(at):
                var offset = WeeklySpan.OffsetInWeek(TimeZoneInfo.ConvertTime(at, recurring.TimeZone));
                return at + recurring.Spans.Where(s => s.Contains(offset)).Max(s => Modulo(s.End - offset));
            default:
                return null;
        }
    }

    private static bool CoversSpan(List<WeeklySpan> covers, TimeSpan start, TimeSpan length)
    {
        var covered = TimeSpan.Zero;
        var position = start;
        for (var step = 0; covered < length; step++)
        {
            if (step == MaxSteps)
            {
                return false;
            }

            var at = Modulo(position);
            var advance = covers.Where(s => s.Contains(at)).Select(s => Modulo(s.End - at)).DefaultIfEmpty(TimeSpan.Zero).Max();
            if (advance <= TimeSpan.Zero)
            {
                return false;
            }

            covered += advance;
            position += advance;
        }

        return true;
    }

    // A span's end minus a position inside it, over the week: 0 means a whole week ahead.
    private static TimeSpan Modulo(TimeSpan offset)
    {
        var ticks = ((offset.Ticks % WeeklySpan.Week.Ticks) + WeeklySpan.Week.Ticks) % WeeklySpan.Week.Ticks;
        return ticks == 0 ? WeeklySpan.Week : TimeSpan.FromTicks(ticks);
    }
}
