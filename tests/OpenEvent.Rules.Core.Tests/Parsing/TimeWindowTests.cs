using System.Globalization;
using OpenEvent.Rules.Core.Tests.Sources;
using OpenEvent.Rules.Model.Registry;

namespace OpenEvent.Rules.Core.Tests.Parsing;

/// <summary>What a window contains: on the event's instant (its offset honoured), in the window's zone.</summary>
public sealed class TimeWindowTests
{
    private static async Task<TimeWindowDefinition> WindowAsync(string window)
    {
        using var temp = new TempFolder();
        var result = await RegistryYaml.LoadValidAsync(temp, $"apiVersion: openevent.rules/v1\nkind: Registry\nmetadata: {{ name: calendar }}\nspec:\n  windows:\n    w: {window}");
        return result.Set.Registry.FindWindow("w")!;
    }

    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);

    public static TheoryData<string, string, bool> Cases => new()
    {
        // Absolute, dates: both ends inclusive, the whole of the last day.
        { "{ timeZone: Asia/Shanghai, from: 2024-12-20, to: 2025-01-03 }", "2024-12-20T00:00:00+08:00", true },
        { "{ timeZone: Asia/Shanghai, from: 2024-12-20, to: 2025-01-03 }", "2024-12-19T23:59:59+08:00", false },
        { "{ timeZone: Asia/Shanghai, from: 2024-12-20, to: 2025-01-03 }", "2025-01-03T23:59:59.999+08:00", true },
        { "{ timeZone: Asia/Shanghai, from: 2024-12-20, to: 2025-01-03 }", "2025-01-04T00:00:00+08:00", false },
        // The event's offset counts: 16:30 UTC on Jan 3 is 00:30 on Jan 4 in Shanghai.
        { "{ timeZone: Asia/Shanghai, from: 2024-12-20, to: 2025-01-03 }", "2025-01-03T16:30:00Z", false },
        { "{ timeZone: Asia/Shanghai, from: 2024-12-20, to: 2025-01-03 }", "2024-12-19T16:30:00Z", true },
        // Minute precision: the whole minute written last is inside.
        { "{ timeZone: UTC, from: \"2024-12-20T18:00\", to: \"2024-12-20T18:30\" }", "2024-12-20T18:30:59Z", true },
        { "{ timeZone: UTC, from: \"2024-12-20T18:00\", to: \"2024-12-20T18:30\" }", "2024-12-20T18:31:00Z", false },
        // Weekly, over the end of the week: Friday 18:00 (in) to Monday 08:00 (out).
        { "{ timeZone: Asia/Shanghai, weekly: { from: \"Fri 18:00\", to: \"Mon 08:00\" } }", "2024-07-12T18:00:00+08:00", true },
        { "{ timeZone: Asia/Shanghai, weekly: { from: \"Fri 18:00\", to: \"Mon 08:00\" } }", "2024-07-12T17:59:59+08:00", false },
        { "{ timeZone: Asia/Shanghai, weekly: { from: \"Fri 18:00\", to: \"Mon 08:00\" } }", "2024-07-14T12:00:00+08:00", true },
        { "{ timeZone: Asia/Shanghai, weekly: { from: \"Fri 18:00\", to: \"Mon 08:00\" } }", "2024-07-15T07:59:00+08:00", true },
        { "{ timeZone: Asia/Shanghai, weekly: { from: \"Fri 18:00\", to: \"Mon 08:00\" } }", "2024-07-15T08:00:00+08:00", false },
        { "{ timeZone: Asia/Shanghai, weekly: { from: \"Fri 18:00\", to: \"Mon 08:00\" } }", "2024-07-12T10:30:00Z", true },
        // Daily, over midnight, only from the days listed (the window that opens on Friday runs into Saturday).
        { "{ timeZone: UTC, daily: { from: \"22:00\", to: \"06:00\", days: [Fri] } }", "2024-07-13T05:00:00Z", true },
        { "{ timeZone: UTC, daily: { from: \"22:00\", to: \"06:00\", days: [Fri] } }", "2024-07-12T05:00:00Z", false },
        { "{ timeZone: UTC, daily: { from: \"09:00\", to: \"24:00\" } }", "2024-07-10T23:59:00Z", true },
        // Wall-clock time across a clock change: 09:00 on the Monday after Berlin moves to summer time.
        { "{ timeZone: Europe/Berlin, weekly: { from: \"Mon 09:00\", to: \"Mon 10:00\" } }", "2024-04-01T07:30:00Z", true },
        { "{ timeZone: Europe/Berlin, weekly: { from: \"Mon 09:00\", to: \"Mon 10:00\" } }", "2024-03-25T07:30:00Z", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Contains_EventInstant_InsideOrNot(string window, string instant, bool inside) =>
        Assert.Equal(inside, (await WindowAsync(window)).Contains(At(instant)));
}
