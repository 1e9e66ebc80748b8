using System.Globalization;
using System.Text.Json;
using OpenEvent.Rules.Cli.Reporting;

namespace OpenEvent.Rules.Cli.Commands;

/// <summary>
/// Counts waiver applications in decision logs: the host's (<c>"waived": [{"waiver": name, ...}]</c> on a line, its
/// <c>"time"</c> the decision's) and <c>oer dry-run --format json</c> lines (<c>"matched": [{"waiver": {"name": ...}}]</c>).
/// A path is a file or a folder (every <c>*.jsonl</c> below it: the log and its rolled files). A line that is not JSON
/// (a log cut while written, a stray line) is counted as unreadable and skipped: one bad line must not hide the rest.
/// </summary>
internal static class DecisionLogWaivers
{
    /// <summary>The files to read, or null with a message on <paramref name="stderr"/> when a path does not exist (a command-line mistake).</summary>
    public static IReadOnlyList<string>? Files(IEnumerable<string> paths, TextWriter stderr)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (File.Exists(path))
            {
                files.Add(path);
            }
            else if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path, "*.jsonl", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
            }
            else
            {
                stderr.WriteLine($"oer: decision log not found: {path}");
                return null;
            }
        }

        return files;
    }

    public static async Task<WaiverUsage> CountAsync(IReadOnlyList<string> files, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, WaiverCount>(StringComparer.Ordinal);
        long lines = 0;
        long unreadable = 0;
        foreach (var file in files)
        {
            using var reader = new StreamReader(file);
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                if (TryCount(line, counts))
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

    private static bool TryCount(string line, Dictionary<string, WaiverCount> counts)
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
            foreach (var name in WaiverNames(root))
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
