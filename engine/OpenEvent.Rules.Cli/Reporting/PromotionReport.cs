using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Cli.Reporting;

/// <summary>The text and JSON forms of <c>oer promote-check</c>'s answer.</summary>
internal static class PromotionReport
{
    /// <summary>What was read: the files, the lines that were not decisions, and the lines outside the period.</summary>
    internal sealed record Input(IReadOnlyList<string> Files, int Malformed, int BeforeSince);

    public static string Text(PromotionEvidence evidence, Input input, int top)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{evidence.Policy}: {(evidence.Ready ? "READY to enforce more widely" : "NOT READY to enforce more widely")}\n");
        text.Append(CultureInfo.InvariantCulture, $"  decisions: {evidence.Decisions} in {Plural(input.Files.Count, "file")}");
        if (evidence.First is { } first && evidence.Last is { } last)
        {
            text.Append(CultureInfo.InvariantCulture, $", {Time(first)} to {Time(last)}");
        }

        text.Append(evidence.Since is { } since ? $" (since {Time(since)}; {input.BeforeSince} earlier left out)" : "");
        text.Append(input.Malformed > 0 ? $"; {Plural(input.Malformed, "malformed line")} skipped" : "").Append('\n');
        text.Append(CultureInfo.InvariantCulture, $"  enforced: {evidence.EnforcedFail} FAIL, {evidence.EnforcedWarn} WARN\n");
        text.Append(CultureInfo.InvariantCulture, $"  would have: {evidence.WouldFail} FAIL, {evidence.WouldWarn} WARN (audited");
        text.Append(evidence.StagedOutside > 0 ? $"; {evidence.StagedOutside} outside enforceIn)\n" : ")\n");
        Section(text, "where (workspaces)", evidence.Workspaces, top);
        Section(text, "by whom (operators)", evidence.Operators, top);
        Section(text, "top reasons", evidence.Reasons, top);
        foreach (var check in evidence.Checks)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {(check.Passed ? "ok  " : "FAIL")} {check.What}: {check.Actual}{(check.Where is null ? "" : $" ({check.Where})")}, limit {check.Option} {check.Limit}\n");
        }

        foreach (var problem in evidence.Problems)
        {
            text.Append("  not ready: ").Append(TextExcerpt.Escape(problem)).Append('\n');
        }

        return text.ToString();
    }

    public static string Json(PromotionEvidence evidence, Input input, int top)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("policy", evidence.Policy);
            json.WriteBoolean("ready", evidence.Ready);
            WriteTime(json, "since", evidence.Since);
            WriteTime(json, "first", evidence.First);
            WriteTime(json, "last", evidence.Last);
            json.WriteStartArray("files");
            input.Files.ToList().ForEach(json.WriteStringValue);
            json.WriteEndArray();
            json.WriteNumber("decisions", evidence.Decisions);
            json.WriteNumber("malformed", input.Malformed);
            json.WriteNumber("beforeSince", input.BeforeSince);
            json.WriteNumber("withoutOutcomes", evidence.WithoutOutcomes);
            WriteEffects(json, "enforced", evidence.EnforcedFail, evidence.EnforcedWarn);
            WriteEffects(json, "would", evidence.WouldFail, evidence.WouldWarn);
            json.WriteNumber("stagedOutside", evidence.StagedOutside);
            WriteCounts(json, "workspaces", "workspace", evidence.Workspaces, top);
            WriteCounts(json, "operators", "operator", evidence.Operators, top);
            WriteCounts(json, "reasons", "reason", evidence.Reasons, top);
            json.WriteStartArray("thresholds");
            foreach (var check in evidence.Checks)
            {
                json.WriteStartObject();
                json.WriteString("option", check.Option);
                json.WriteNumber("limit", check.Limit);
                json.WriteNumber("actual", check.Actual);
                json.WriteBoolean("passed", check.Passed);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("problems");
            evidence.Problems.ToList().ForEach(json.WriteStringValue);
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Section(StringBuilder text, string title, IReadOnlyList<EffectCount> counts, int top)
    {
        if (counts.Count == 0)
        {
            return;
        }

        text.Append(CultureInfo.InvariantCulture, $"  {title}:\n");
        foreach (var count in counts.Take(top))
        {
            var name = count.Name is null ? "" : $" ({TextExcerpt.Escape(count.Name)})";
            text.Append(CultureInfo.InvariantCulture, $"    {count.Fail} FAIL  {count.Warn} WARN  {TextExcerpt.Escape(count.Key)}{name}\n");
        }

        if (counts.Count > top)
        {
            text.Append(CultureInfo.InvariantCulture, $"    ... {counts.Count - top} more (--top)\n");
        }
    }

    private static void WriteCounts(Utf8JsonWriter json, string name, string key, IReadOnlyList<EffectCount> counts, int top)
    {
        json.WriteStartArray(name);
        foreach (var count in counts.Take(top))
        {
            json.WriteStartObject();
            json.WriteString(key, count.Key);
            if (count.Name is not null)
            {
                json.WriteString("name", count.Name);
            }

            json.WriteNumber("fail", count.Fail);
            json.WriteNumber("warn", count.Warn);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteEffects(Utf8JsonWriter json, string name, int fail, int warn)
    {
        json.WriteStartObject(name);
        json.WriteNumber("fail", fail);
        json.WriteNumber("warn", warn);
        json.WriteEndObject();
    }

    private static void WriteTime(Utf8JsonWriter json, string name, DateTimeOffset? time)
    {
        if (time is { } value)
        {
            json.WriteString(name, Time(value));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Plural(int count, string noun) => $"{count} {noun}{(count == 1 ? "" : "s")}";
}
