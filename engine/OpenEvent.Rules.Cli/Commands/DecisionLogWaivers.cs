using System.Globalization;
using System.Text.Json;
using OpenEvent.Rules.Cli.Reporting;

namespace OpenEvent.Rules.Cli.Commands;

/// <summary>
/// Counts waiver applications in decision logs: the host's (<c>"waived": [{"waiver": name, ...}]</c> on a line, its
/// <c>"time"</c> the decision's) and <c>oer dry-run --format json</c> lines (<c>"matched": [{"waiver": {"name": ...}}]</c>).
/// The files are found and read as <c>oer promote-check</c> reads them (<see cref="DecisionLogFiles"/>: regular files
/// only, lines bounded); a line that is not JSON (a log cut while written, a stray line, one over the bound) is counted
/// as unreadable and skipped: one bad line must not hide the rest. Only the set's own waivers are counted, so a log
/// full of other names cannot grow the tally.
/// </summary>
internal static class DecisionLogWaivers
{
    /// <summary>The files to read, or null with a message on <paramref name="stderr"/> when a path is missing or not a log (a command-line mistake).</summary>
    public static IReadOnlyList<string>? Files(IEnumerable<string> paths, TextWriter stderr)
    {
        var (files, problem) = DecisionLogFiles.Resolve(paths);
        if (problem is not null)
        {
            stderr.WriteLine(problem);
            return null;
        }

        return files;
    }

    public static WaiverUsage Count(IReadOnlyList<string> files, IReadOnlySet<string> waivers)
    {
        var counts = new Dictionary<string, WaiverCount>(StringComparer.Ordinal);
        long lines = 0;
        long unreadable = 0;
        foreach (var file in files)
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024);
            foreach (var line in DecisionLogFiles.Lines(stream))
            {
                if (line is { } bytes && DecisionLogFiles.IsBlank(bytes.Span))
                {
                    continue;
                }

                if (line is { } json && TryCount(json, waivers, counts))
                {
                    lines++;
                }
                else
                {
                    unreadable++;
                }
            }
        }

        return new WaiverUsage(counts, files, lines, unreadable);
    }

    private static bool TryCount(ReadOnlyMemory<byte> line, IReadOnlySet<string> waivers, Dictionary<string, WaiverCount> counts)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            DateTimeOffset? time = root.TryGetProperty("time", out var t) && t.ValueKind == JsonValueKind.String
                && DateTimeOffset.TryParse(t.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed) ? parsed : null;
            foreach (var name in WaiverNames(root).Where(waivers.Contains))
            {
                var previous = counts.GetValueOrDefault(name) ?? new WaiverCount(0, null);
                counts[name] = new WaiverCount(previous.Applied + 1, time is { } now && (previous.Last is null || now > previous.Last) ? now : previous.Last);
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    // Each waiver once per decision, even when it let the event through several of its policies.
    private static IEnumerable<string> WaiverNames(JsonElement root)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (root.TryGetProperty("waived", out var waived) && waived.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in waived.EnumerateArray())
            {
                if (entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("waiver", out var name) && name.ValueKind == JsonValueKind.String)
                {
                    names.Add(name.GetString()!);
                }
            }
        }
        else if (root.TryGetProperty("matched", out var matched) && matched.ValueKind == JsonValueKind.Array)
        {
            foreach (var match in matched.EnumerateArray())
            {
                if (match.ValueKind == JsonValueKind.Object && match.TryGetProperty("waiver", out var waiver) && waiver.ValueKind == JsonValueKind.Object
                    && waiver.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
                {
                    names.Add(name.GetString()!);
                }
            }
        }

        return names;
    }
}
