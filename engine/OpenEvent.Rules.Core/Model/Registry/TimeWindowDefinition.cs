using System.Collections.Immutable;
using System.Globalization;

namespace OpenEvent.Rules.Model.Registry;

// Time windows without C#: a freeze from one date to another, or every weekend. A window is evaluated on the event's
// own `time` (its offset honoured), converted to the window's time zone; never on the engine's clock, so dry-runs,
// tests and replays decide as the live host did. An event without a time never falls inside a window.

/// <summary>A time window: named in the registry (<c>spec.windows</c>) or written inline in a scope's <c>windows</c>.</summary>
internal abstract record TimeWindowDefinition(string? Name, string TimeZoneId, TimeZoneInfo TimeZone, SourceLocation Location)
{
    /// <summary>Whether <paramref name="instant"/> falls inside the window.</summary>
    public abstract bool Contains(DateTimeOffset instant);

    /// <summary>What the window is, for explain and messages: "2024-12-20 to 2025-01-03 (Asia/Shanghai)".</summary>
    public abstract string Describe();

    /// <summary>The name and what it is: "year-end-freeze (2024-12-20 to 2025-01-03, Asia/Shanghai)".</summary>
    public sealed override string ToString() => Name is null ? Describe() : $"{Name} ({Describe()})";

    /// <summary><paramref name="instant"/> as wall-clock time in the window's zone, for explain ("Fri 19:30").</summary>
    public string LocalText(DateTimeOffset instant)
    {
        var local = TimeZoneInfo.ConvertTime(instant, TimeZone);
        return local.ToString("ddd yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " " + TimeZoneId;
    }
}

/// <summary>
/// From one local date (or date and time) to another in a time zone, both ends inclusive at the precision written:
/// <c>to: 2025-01-03</c> includes the whole of Jan 3, <c>to: 2025-01-03T18:00</c> the whole minute 18:00.
/// <see cref="Start"/> is the first instant inside, <see cref="End"/> the first instant after the window.
/// </summary>
internal sealed record AbsoluteWindow(
    string? Name, string TimeZoneId, TimeZoneInfo TimeZone, DateTimeOffset Start, DateTimeOffset End, string From, string To, SourceLocation Location)
    : TimeWindowDefinition(Name, TimeZoneId, TimeZone, Location)
{
    public override bool Contains(DateTimeOffset instant) => instant >= Start && instant < End;

    public override string Describe() => $"{From} to {To}, {TimeZoneId}";
}

/// <summary>
/// A weekly recurring window: one or more spans of the week in a time zone, each from its start (inclusive) to its end
/// (exclusive), e.g. Friday 18:00 to Monday 08:00. A span may wrap around the end of the week.
/// </summary>
internal sealed record RecurringWindow(string? Name, string TimeZoneId, TimeZoneInfo TimeZone, ImmutableArray<WeeklySpan> Spans, string Text, SourceLocation Location)
    : TimeWindowDefinition(Name, TimeZoneId, TimeZone, Location)
{
    public override bool Contains(DateTimeOffset instant)
    {
        var offset = WeeklySpan.OffsetInWeek(TimeZoneInfo.ConvertTime(instant, TimeZone));
        foreach (var span in Spans)
        {
            if (span.Contains(offset))
            {
                return true;
            }
        }

        return false;
    }

    public override string Describe() => $"{Text}, {TimeZoneId}";
}

/// <summary>
/// A span of the week, as offsets from Monday 00:00 local time: from <see cref="Start"/> (inclusive) to
/// <see cref="End"/> (exclusive). When <see cref="End"/> is not after <see cref="Start"/>, the span wraps over
/// Sunday midnight (Friday 18:00 to Monday 08:00).
/// </summary>
internal readonly record struct WeeklySpan(TimeSpan Start, TimeSpan End)
{
    public static readonly TimeSpan Week = TimeSpan.FromDays(7);

    public bool Contains(TimeSpan offset) => Start < End ? offset >= Start && offset < End : offset >= Start || offset < End;

    /// <summary>How long the span lasts.</summary>
    public TimeSpan Length => Start < End ? End - Start : Week - Start + End;

    /// <summary>The time since Monday 00:00 of <paramref name="local"/>'s week (Monday is the first day).</summary>
    public static TimeSpan OffsetInWeek(DateTimeOffset local) =>
        TimeSpan.FromDays(((int)local.DayOfWeek + 6) % 7) + local.TimeOfDay;
}
