using System.Globalization;
using System.Text;
using System.Text.Json;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Validation;

namespace OpenEvent.Rules.Cli.Reporting;

/// <summary>How often each waiver let an event through, counted from decision logs; null when no log was read.</summary>
internal sealed record WaiverUsage(IReadOnlyDictionary<string, WaiverCount> ByWaiver, IReadOnlyList<string> Files, long Lines, long Unreadable);

/// <summary>One waiver's applications in the logs read, and the time of the last one (when the lines carry a time).</summary>
internal sealed record WaiverCount(long Applied, DateTimeOffset? Last);

/// <summary>
/// <c>oer waivers</c>' report: each waiver with its owner, ticket, policies, expiry, days left, state and how often it
/// applied. Text is a table and a summary line; JSON is one object (<c>{"now", "expiringWithinDays", "decisions",
/// "waivers": [...]}</c>) for scripts and dashboards.
/// </summary>
internal static class WaiverReport
{
    public static string Text(IReadOnlyList<WaiverDefinition> waivers, DateTimeOffset now, int expiringWithinDays, WaiverUsage? usage)
    {
        var rows = waivers.Select(w => new[]
        {
            w.Name,
            WaiverReview.StateText(WaiverReview.StateAt(w, now, expiringWithinDays)),
            w.Expires.DaysLeftAt(now).ToString(CultureInfo.InvariantCulture),
            w.Expires.Text,
            w.Owner,
            w.Ticket,
            usage is null ? "-" : usage.ByWaiver.GetValueOrDefault(w.Name)?.Applied.ToString(CultureInfo.InvariantCulture) ?? "0",
            string.Join(",", w.Policies),
        }.Select(TextExcerpt.Escape).ToArray()).ToList(); // a policy file's control characters never reach the terminal raw
        string[] header = ["WAIVER", "STATE", "DAYS LEFT", "EXPIRES", "OWNER", "TICKET", "APPLIED", "POLICIES"];
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows.Prepend(header))
        {
            text.AppendJoin("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).Append('\n');
        }

        var states = waivers.GroupBy(w => WaiverReview.StateAt(w, now, expiringWithinDays)).ToDictionary(g => g.Key, g => g.Count());
        text.Append(CultureInfo.InvariantCulture,
            $"{waivers.Count} waiver{(waivers.Count == 1 ? "" : "s")}: {states.GetValueOrDefault(WaiverState.Active)} active, {states.GetValueOrDefault(WaiverState.Expiring)} expiring within {expiringWithinDays} days, {states.GetValueOrDefault(WaiverState.Expired)} expired");
        text.Append(usage is null
            ? "; applications not counted (give --decisions with the host's decision log)\n"
            : string.Create(CultureInfo.InvariantCulture, $"; applications counted from {usage.Lines} decision{(usage.Lines == 1 ? "" : "s")} in {string.Join(", ", usage.Files)}{(usage.Unreadable > 0 ? $" ({usage.Unreadable} unreadable line{(usage.Unreadable == 1 ? "" : "s")} skipped)" : "")}\n"));
        return text.ToString();
    }

    public static string Json(IReadOnlyList<WaiverDefinition> waivers, DateTimeOffset now, int expiringWithinDays, WaiverUsage? usage)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("now", Instant(now));
            json.WriteNumber("expiringWithinDays", expiringWithinDays);
            WriteUsage(json, usage);
            json.WriteStartArray("waivers");
            foreach (var waiver in waivers)
            {
                WriteWaiver(json, waiver, now, expiringWithinDays, usage);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteUsage(Utf8JsonWriter json, WaiverUsage? usage)
    {
        if (usage is null)
        {
            json.WriteNull("decisions");
            return;
        }

        json.WriteStartObject("decisions");
        json.WriteStartArray("files");
        foreach (var file in usage.Files)
        {
            json.WriteStringValue(file);
        }

        json.WriteEndArray();
        json.WriteNumber("lines", usage.Lines);
        json.WriteNumber("unreadable", usage.Unreadable);
        json.WriteEndObject();
    }

    private static void WriteWaiver(Utf8JsonWriter json, WaiverDefinition waiver, DateTimeOffset now, int expiringWithinDays, WaiverUsage? usage)
    {
        json.WriteStartObject();
        json.WriteString("name", waiver.Name);
        json.WriteString("state", WaiverReview.StateText(WaiverReview.StateAt(waiver, now, expiringWithinDays)));
        json.WriteNumber("daysLeft", waiver.Expires.DaysLeftAt(now));
        json.WriteString("expires", waiver.Expires.Text);
        json.WriteString("endsAt", Instant(waiver.Expires.End));
        json.WriteString("owner", waiver.Owner);
        json.WriteString("ticket", waiver.Ticket);
        json.WriteString("reason", waiver.Reason);
        json.WriteStartArray("policies");
        foreach (var policy in waiver.Policies)
        {
            json.WriteStringValue(policy);
        }

        json.WriteEndArray();
        json.WriteString("location", waiver.Location.ToString());
        var count = usage?.ByWaiver.GetValueOrDefault(waiver.Name);
        if (usage is null)
        {
            json.WriteNull("applied");
        }
        else
        {
            json.WriteNumber("applied", count?.Applied ?? 0);
        }

        if (count?.Last is { } last)
        {
            json.WriteString("lastApplied", Instant(last));
        }
        else
        {
            json.WriteNull("lastApplied");
        }

        json.WriteEndObject();
    }

    private static string Instant(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
