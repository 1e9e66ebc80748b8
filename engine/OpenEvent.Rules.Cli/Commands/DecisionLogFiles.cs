using System.Buffers;
using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using OpenEvent.Rules.Cli.Reporting;
using OpenEvent.Rules.FileSystem;

namespace OpenEvent.Rules.Cli.Commands;

/// <summary>
/// Reads the host's decision log (Host/Observability/DecisionLog: one JSON object per line, rolled by size into
/// <c>decisions.1.jsonl</c> ... <c>decisions.N.jsonl</c> beside <c>decisions.jsonl</c>) for <c>oer promote-check</c>.
/// A path is a log file or a folder of them (its regular files ending .jsonl, .ndjson, .json or .log, rolled ones
/// included). A line that is not a decision (not JSON, no time, longer than <see cref="MaxLineBytes"/>) is counted,
/// never fatal; only regular files are opened, so a FIFO or a device cannot hold the command.
/// </summary>
internal static class DecisionLogFiles
{
    /// <summary>A line holds at most one event (1 MiB by default, re-escaped when masked) and the decision around it.</summary>
    public const int MaxLineBytes = 16 * 1024 * 1024;

    private static readonly string[] s_extensions = [".jsonl", ".ndjson", ".json", ".log"];

    /// <summary>The log files named by <paramref name="paths"/>, or the first problem (a path that is missing, not a regular file, or a folder without logs).</summary>
    public static (IReadOnlyList<string> Files, string? Problem) Resolve(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            var status = FileProbe.Status(path, followLinks: true);
            if (status is null)
            {
                return ([], $"oer: decision log not found: {path} (pass the host's OpenEventRules:DecisionLog:Path, or the folder that holds it)");
            }

            if (status.Value.Kind == FileKind.Directory)
            {
                var inFolder = Directory.EnumerateFiles(path)
                    .Where(f => s_extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase) && IsRegular(f))
                    .Order(StringComparer.Ordinal)
                    .ToList();
                if (inFolder.Count == 0)
                {
                    return ([], $"oer: no decision log files ({string.Join(", ", s_extensions.Select(e => "*" + e))}) in {path}");
                }

                files.AddRange(inFolder);
            }
            else if (status.Value.Kind is FileKind.Regular or FileKind.Unknown)
            {
                files.Add(path);
            }
            else
            {
                return ([], $"oer: {path} is a {FileKindText.Describe(status.Value.Kind)}, not a decision log file");
            }
        }

        return ([.. files.DistinctBy(Path.GetFullPath)], null);
    }

    private static bool IsRegular(string path) => FileProbe.Status(path, followLinks: true)?.Kind is FileKind.Regular or FileKind.Unknown;

    /// <summary>What reading the files found besides decisions: the lines that were not one.</summary>
    internal sealed class ReadCounts
    {
        public int Decisions { get; set; }

        public int Malformed { get; set; }
    }

    /// <summary>
    /// Every decision of <paramref name="files"/>, streamed (a week of a busy host's log is not held in memory); lines that
    /// are not decisions are counted in <paramref name="counts"/>, blank lines ignored.
    /// </summary>
    public static IEnumerable<LoggedDecision> Read(IReadOnlyList<string> files, ReadCounts counts)
    {
        foreach (var file in files)
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024);
            foreach (var line in Lines(stream))
            {
                if (line is { } bytes && Parse(bytes) is { } decision)
                {
                    counts.Decisions++;
                    yield return decision;
                }
                else if (line is null || !IsBlank(line.Value.Span))
                {
                    counts.Malformed++;
                }
            }
        }
    }

    /// <summary>The lines of <paramref name="stream"/>; null for one longer than <see cref="MaxLineBytes"/> (skipped up to its end, not kept).</summary>
    internal static IEnumerable<ReadOnlyMemory<byte>?> Lines(Stream stream)
    {
        var chunk = new byte[64 * 1024];
        var line = new ArrayBufferWriter<byte>(4096);
        var tooLong = false;
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            var rest = chunk.AsMemory(0, read);
            while (!rest.IsEmpty)
            {
                var end = rest.Span.IndexOf((byte)'\n');
                var part = end < 0 ? rest : rest[..end];
                if (!tooLong && line.WrittenCount + part.Length > MaxLineBytes)
                {
                    tooLong = true;
                    line.Clear();
                }

                if (!tooLong)
                {
                    line.Write(part.Span);
                }

                if (end < 0)
                {
                    break;
                }

                yield return Taken(line, tooLong);
                line.Clear();
                tooLong = false;
                rest = rest[(end + 1)..];
            }
        }

        if (tooLong || line.WrittenCount > 0)
        {
            // The last line of a log being written may lack its newline: it is read as any other.
            yield return Taken(line, tooLong);
        }
    }

    private static ReadOnlyMemory<byte>? Taken(ArrayBufferWriter<byte> line, bool tooLong) =>
        // Typed: a bare null would convert to an empty ReadOnlyMemory (through its conversion from byte[]), read as a blank line.
        tooLong ? (ReadOnlyMemory<byte>?)null : new ReadOnlyMemory<byte>(line.WrittenMemory.ToArray());

    /// <summary>One decision line; null when it is not one (not a JSON object, or no valid time).</summary>
    internal static LoggedDecision? Parse(ReadOnlyMemory<byte> line)
    {
        try
        {
            using var document = JsonDocument.Parse(line, new JsonDocumentOptions { MaxDepth = 256 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("time", out var timeNode) || timeNode.ValueKind != JsonValueKind.String
                || !DateTimeOffset.TryParse(timeNode.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
            {
                return null;
            }

            var scope = root.TryGetProperty("scope", out var s) && s.ValueKind == JsonValueKind.Object ? s : default;
            return new LoggedDecision(time, Text(scope, "workspace"), Text(scope, "workspaceName"), Text(scope, "operator"),
                root.TryGetProperty("outcomes", out var outcomes) && outcomes.ValueKind == JsonValueKind.Array ? Outcomes(outcomes) : null,
                [.. Names(root, "matched"), .. Names(root, "audit")]);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static ImmutableArray<LoggedOutcome> Outcomes(JsonElement outcomes) =>
    [
        .. outcomes.EnumerateArray()
            .Where(o => o.ValueKind == JsonValueKind.Object && Text(o, "policy") is not null)
            .Select(o => new LoggedOutcome(
                Text(o, "policy")!,
                Text(o, "mode") == "audit",
                Text(o, "effect"),
                Text(o, "reason"),
                o.TryGetProperty("stage", out var stage) && stage.ValueKind == JsonValueKind.Object)),
    ];

    private static IEnumerable<string> Names(JsonElement root, string name) =>
        root.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Where(n => n.ValueKind == JsonValueKind.String).Select(n => n.GetString()!)
            : [];

    private static string? Text(JsonElement node, string name) =>
        node.ValueKind == JsonValueKind.Object && node.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    internal static bool IsBlank(ReadOnlySpan<byte> line) => line.Trim(" \t\r"u8).IsEmpty;
}
