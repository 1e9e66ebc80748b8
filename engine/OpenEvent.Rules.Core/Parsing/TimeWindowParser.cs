using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Registry;

namespace OpenEvent.Rules.Parsing;

/// <summary>
/// Reads a time window (schema-valid: <c>timeZone</c> and at most the keys of a window) written in the registry's
/// <c>spec.windows</c> or inline in a scope's <c>windows</c>: absolute (<c>from</c>, <c>to</c>), weekly
/// (<c>{ from: "Fri 18:00", to: "Mon 08:00" }</c>) or daily (<c>{ from: "22:00", to: "06:00", days: [...] }</c>).
/// Unreadable dates, times and days are OER1020, unknown zones OER1021, empty windows OER3057; each at the value.
/// </summary>
internal static partial class TimeWindowParser
{
    private static readonly string[] s_dateFormats = ["yyyy-MM-dd"];
    private static readonly string[] s_minuteFormats = ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm"];
    private static readonly string[] s_secondFormats = ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm:ss"];

    private static readonly string[] s_dayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

    public const string ZoneHint = "use an IANA time-zone id, e.g. Asia/Shanghai (China) or UTC";

    /// <summary>Parses the window at <paramref name="pointer"/>; null (with diagnostics) when it cannot be used.</summary>
    public static TimeWindowDefinition? Parse(JsonObject node, string pointer, string? name, ISourceMap map, DiagnosticBag diagnostics)
    {
        var location = name is null ? map.Locate(pointer) : map.LocateKey(pointer);
        var what = name is null ? "the window" : $"window '{name}'";
        var zoneId = Text(node["timeZone"]) ?? "";
        TimeZoneInfo? zone = null;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            diagnostics.Error(DiagnosticIds.UnknownTimeZone, map.Locate(pointer + "/timeZone"), $"{what} names the time zone '{zoneId}', which is not known", ZoneHint);
        }

        var forms = new[] { node.ContainsKey("from") || node.ContainsKey("to") ? "from/to" : null, node.ContainsKey("weekly") ? "weekly" : null, node.ContainsKey("daily") ? "daily" : null }
            .OfType<string>().ToList();
        if (forms.Count != 1)
        {
            diagnostics.Error(forms.Count == 0 ? DiagnosticIds.MissingKey : DiagnosticIds.InvalidValue, location,
                forms.Count == 0 ? $"{what} says neither when it starts nor when it ends" : $"{what} is written in {forms.Count} ways at once ({string.Join(", ", forms)})",
                "write one of: from and to (dates, e.g. from: 2024-12-20, to: 2025-01-03), weekly: { from: \"Fri 18:00\", to: \"Mon 08:00\" }, or daily: { from: \"22:00\", to: \"06:00\" }");
            return null;
        }

        if (zone is null)
        {
            return null;
        }

        return forms[0] switch
        {
            "weekly" => Weekly((JsonObject)node["weekly"]!, pointer + "/weekly", name, zoneId, zone, location, map, diagnostics),
            "daily" => Daily((JsonObject)node["daily"]!, pointer + "/daily", name, zoneId, zone, location, map, diagnostics),
            _ => Absolute(node, pointer, name, zoneId, zone, location, what, map, diagnostics),
        };
    }

    private static AbsoluteWindow? Absolute(JsonObject node, string pointer, string? name, string zoneId, TimeZoneInfo zone, SourceLocation location,
        string what, ISourceMap map, DiagnosticBag diagnostics)
    {
        foreach (var key in new[] { "from", "to" })
        {
            if (!node.ContainsKey(key))
            {
                diagnostics.Error(DiagnosticIds.MissingKey, location, $"{what} has '{(key == "from" ? "to" : "from")}' but no '{key}'",
                    $"add {key}: a local date (2024-12-20) or date and time (2024-12-20T18:00) in {zoneId}");
                return null;
            }
        }

        var fromText = Text(node["from"])!;
        var toText = Text(node["to"])!;
        var start = LocalInstant(fromText, pointer + "/from", zone, zoneId, end: false, map, diagnostics);
        var end = LocalInstant(toText, pointer + "/to", zone, zoneId, end: true, map, diagnostics);
        if (start is null || end is null)
        {
            return null;
        }

        if (end <= start)
        {
            diagnostics.Error(DiagnosticIds.EmptyWindow, map.Locate(pointer + "/to"), $"{what} ends ({toText}) before it starts ({fromText})",
                "swap from and to, or correct the dates");
            return null;
        }

        return new AbsoluteWindow(name, zoneId, zone, start.Value, end.Value, fromText, toText, location);
    }

    /// <summary>
    /// The first instant of <paramref name="text"/> (a local date or date and time in <paramref name="zone"/>), or with
    /// <paramref name="end"/> the first instant after it: the end is inclusive at the precision written.
    /// </summary>
    private static DateTimeOffset? LocalInstant(string text, string pointer, TimeZoneInfo zone, string zoneId, bool end, ISourceMap map, DiagnosticBag diagnostics)
    {
        const DateTimeStyles Styles = DateTimeStyles.AllowLeadingWhite | DateTimeStyles.AllowTrailingWhite;
        TimeSpan unit;
        if (DateTime.TryParseExact(text, s_dateFormats, CultureInfo.InvariantCulture, Styles, out var local))
        {
            unit = TimeSpan.FromDays(1);
        }
        else if (DateTime.TryParseExact(text, s_minuteFormats, CultureInfo.InvariantCulture, Styles, out local))
        {
            unit = TimeSpan.FromMinutes(1);
        }
        else if (DateTime.TryParseExact(text, s_secondFormats, CultureInfo.InvariantCulture, Styles, out local))
        {
            unit = TimeSpan.FromSeconds(1);
        }
        else
        {
            diagnostics.Error(DiagnosticIds.WindowTimeSyntax, map.Locate(pointer), $"'{text}' is not a local date or date and time",
                "write a date as yyyy-MM-dd (2024-12-20) or a date and time as yyyy-MM-ddTHH:mm (2024-12-20T18:00), without an offset: the window's timeZone says where");
            return null;
        }

        var bound = end ? local + unit : local;
        if (zone.IsInvalidTime(DateTime.SpecifyKind(bound, DateTimeKind.Unspecified)))
        {
            diagnostics.Error(DiagnosticIds.WindowTimeSyntax, map.Locate(pointer), $"{text} does not exist in {zoneId}: the clocks skip it",
                "choose a time outside the clock change");
            return null;
        }

        // A time the clocks pass twice (01:30 when they fall back): a start is its first pass, an end its second, so the
        // window holds both (the runtime's default, the second, let a freeze ending at 01:30 miss the first 01:45).
        var unspecified = DateTime.SpecifyKind(bound, DateTimeKind.Unspecified);
        var offset = zone.IsAmbiguousTime(unspecified)
            ? end ? zone.GetAmbiguousTimeOffsets(unspecified).Min() : zone.GetAmbiguousTimeOffsets(unspecified).Max()
            : zone.GetUtcOffset(unspecified);
        return new DateTimeOffset(unspecified, offset);
    }

    private static RecurringWindow? Weekly(JsonObject node, string pointer, string? name, string zoneId, TimeZoneInfo zone, SourceLocation location,
        ISourceMap map, DiagnosticBag diagnostics)
    {
        var fromText = Text(node["from"])!;
        var toText = Text(node["to"])!;
        var from = DayAndTime(fromText, pointer + "/from", map, diagnostics);
        var to = DayAndTime(toText, pointer + "/to", map, diagnostics);
        if (from is null || to is null)
        {
            return null;
        }

        var start = Modulo(from.Value);
        var finish = Modulo(to.Value);
        if (start == finish)
        {
            diagnostics.Error(DiagnosticIds.EmptyWindow, map.Locate(pointer + "/to"), $"the weekly window opens and closes at the same moment ({fromText})",
                "give it an end other than its start; a window that never closes is no window: remove it from the scope instead");
            return null;
        }

        return new RecurringWindow(name, zoneId, zone, [new WeeklySpan(start, finish)], $"every week {fromText} to {toText}", location);
    }

    private static RecurringWindow? Daily(JsonObject node, string pointer, string? name, string zoneId, TimeZoneInfo zone, SourceLocation location,
        ISourceMap map, DiagnosticBag diagnostics)
    {
        var fromText = Text(node["from"])!;
        var toText = Text(node["to"])!;
        var from = TimeOfDay(fromText, pointer + "/from", map, diagnostics);
        var to = TimeOfDay(toText, pointer + "/to", map, diagnostics);
        var days = new List<int>();
        var daysOk = true;
        if (node["days"] is JsonArray list)
        {
            for (var i = 0; i < list.Count; i++)
            {
                var dayPointer = YamlSourceMap.Append(pointer + "/days", i);
                if (Day(Text(list[i]) ?? list[i]?.ToJsonString() ?? "", dayPointer, map, diagnostics) is { } day)
                {
                    days.Add(day);
                }
                else
                {
                    daysOk = false;
                }
            }
        }
        else
        {
            days.AddRange(Enumerable.Range(0, 7));
        }

        if (from is null || to is null || !daysOk)
        {
            return null;
        }

        if (from == to)
        {
            diagnostics.Error(DiagnosticIds.EmptyWindow, map.Locate(pointer + "/to"), $"the daily window opens and closes at the same time ({fromText})",
                "give it an end other than its start, e.g. from: \"22:00\", to: \"06:00\" (an end before the start is on the next day)");
            return null;
        }

        var length = to > from ? to.Value - from.Value : TimeSpan.FromDays(1) - from.Value + to.Value;
        var spans = days.Distinct().Order()
            .Select(day => TimeSpan.FromDays(day) + from.Value)
            .Select(start => new WeeklySpan(start, Modulo(start + length)))
            .ToImmutableArray();
        var on = node.ContainsKey("days") ? " on " + string.Join(", ", days.Distinct().Order().Select(d => s_dayNames[d])) : "";
        return new RecurringWindow(name, zoneId, zone, spans, $"every day{on} {fromText} to {toText}", location);
    }

    private static TimeSpan Modulo(TimeSpan offset) => TimeSpan.FromTicks(((offset.Ticks % WeeklySpan.Week.Ticks) + WeeklySpan.Week.Ticks) % WeeklySpan.Week.Ticks);

    private static TimeSpan? DayAndTime(string text, string pointer, ISourceMap map, DiagnosticBag diagnostics)
    {
        var match = DayAndTimeText().Match(text);
        if (!match.Success)
        {
            diagnostics.Error(DiagnosticIds.WindowTimeSyntax, map.Locate(pointer), $"'{text}' is not a day and a time",
                "write a day and a 24-hour time, e.g. \"Fri 18:00\" (days: Mon, Tue, Wed, Thu, Fri, Sat, Sun)");
            return null;
        }

        var day = Day(match.Groups["day"].Value, pointer, map, diagnostics);
        var time = TimeOfDay(match.Groups["time"].Value, pointer, map, diagnostics);
        return day is null || time is null ? null : TimeSpan.FromDays(day.Value) + time.Value;
    }

    /// <summary>0 for Monday to 6 for Sunday; three-letter or full English names, any case.</summary>
    private static int? Day(string text, string pointer, ISourceMap map, DiagnosticBag diagnostics)
    {
        var trimmed = text.Trim();
        for (var i = 0; i < 7; i++)
        {
            var full = ((DayOfWeek)((i + 1) % 7)).ToString();
            if (string.Equals(trimmed, s_dayNames[i], StringComparison.OrdinalIgnoreCase) || string.Equals(trimmed, full, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        var suggestion = Suggestions.Closest(trimmed, [.. s_dayNames, .. Enum.GetNames<DayOfWeek>()]);
        diagnostics.Error(DiagnosticIds.WindowTimeSyntax, map.Locate(pointer), $"'{trimmed}' is not a day of the week",
            (suggestion is null ? "" : $"did you mean '{suggestion}'? ") + "days: Mon, Tue, Wed, Thu, Fri, Sat, Sun (or the full English names)");
        return null;
    }

    /// <summary>A 24-hour time HH:mm, 00:00 to 24:00.</summary>
    private static TimeSpan? TimeOfDay(string text, string pointer, ISourceMap map, DiagnosticBag diagnostics)
    {
        var match = TimeText().Match(text);
        if (match.Success)
        {
            var hours = int.Parse(match.Groups["h"].Value, CultureInfo.InvariantCulture);
            var minutes = int.Parse(match.Groups["m"].Value, CultureInfo.InvariantCulture);
            if ((hours < 24 && minutes < 60) || (hours == 24 && minutes == 0))
            {
                return new TimeSpan(hours, minutes, 0);
            }
        }

        diagnostics.Error(DiagnosticIds.WindowTimeSyntax, map.Locate(pointer), $"'{text.Trim()}' is not a time of day",
            "write a 24-hour time as HH:mm, from 00:00 to 24:00, e.g. \"18:00\"");
        return null;
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    [GeneratedRegex(@"^\s*(?<day>[A-Za-z]+)\s+(?<time>\S+)\s*$")]
    private static partial Regex DayAndTimeText();

    [GeneratedRegex(@"^\s*(?<h>[0-9]{1,2}):(?<m>[0-9]{2})\s*$")]
    private static partial Regex TimeText();
}
