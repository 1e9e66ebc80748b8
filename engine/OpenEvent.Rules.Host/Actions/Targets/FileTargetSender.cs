using System.Collections.Concurrent;
using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Host.Configuration;

namespace OpenEvent.Rules.Host.Actions.Targets;

/// <summary>
/// type: file: appends each event as one JSON line to the target's path below Actions:File:Directory, rolled over by
/// size (events.1.jsonl, ...). Writes to one file are serialized; each line is flushed to disk before the action counts
/// as delivered. The load refuses a path that leaves the folder (OER3062); the path is checked again here, resolved,
/// because the outbox may hold rows stored by an older host and the folder's contents may have changed: a path outside
/// the folder or through a symbolic link is dead-lettered, never written.
/// </summary>
internal sealed class FileTargetSender(IOptions<RulesHostOptions> options) : IBatchActionSender
{
    private readonly FileTargetOptions _options = options.Value.Actions.File;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Types { get; } = ["file"];

    public async Task<DeliveryResult> SendAsync(OutboxItem item, ActionPayload payload, CancellationToken cancellationToken) =>
        (await SendBatchAsync([new BatchedAction(item, payload)], cancellationToken))[0];

    /// <summary>
    /// Appends the events of several forwards: the lines for one file are written together and flushed to disk once
    /// (once more before each roll-over, so that a rolled file holds only lines already on disk), and only then do they
    /// count as delivered. A write that fails fails every forward of that file (they are appended again: at least once).
    /// </summary>
    public async Task<IReadOnlyList<DeliveryResult>> SendBatchAsync(IReadOnlyList<BatchedAction> batch, CancellationToken cancellationToken)
    {
        var results = new DeliveryResult[batch.Count];
        var files = new Dictionary<string, List<(int Index, byte[] Line)>>(StringComparer.Ordinal);
        var targets = new Dictionary<string, string>(StringComparer.Ordinal);
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(_options.Directory));
        for (var i = 0; i < batch.Count; i++)
        {
            var line = Prepare(root, batch[i]);
            if (line.Result is { } failed)
            {
                results[i] = failed;
                continue;
            }

            if (!files.TryGetValue(line.Path, out var lines))
            {
                files[line.Path] = lines = [];
                targets[line.Path] = line.Target;
            }

            lines.Add((i, line.Bytes!));
        }

        foreach (var (path, lines) in files)
        {
            var result = await AppendAsync(root, path, targets[path], lines, cancellationToken);
            lines.ForEach(line => results[line.Index] = result);
        }

        return results;
    }

    /// <summary>The file and line of one forward, or the result that ends it before anything is written (a path outside the folder, an event that is not JSON).</summary>
    private static PreparedLine Prepare(string root, BatchedAction action)
    {
        try
        {
            var forward = ActionPayloads.As<ForwardPayload>(action.Payload);
            var path = Path.GetFullPath(Path.Combine(root, forward.Path ?? throw new JsonException($"the file target '{forward.Target}' has no path")));
            return path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                ? new PreparedLine(path, forward.Target, Line(ActionPayloads.EventOf(action.Item, forward)), null)
                : new PreparedLine(path, forward.Target, null, DeliveryResult.Permanent($"the file target '{forward.Target}' points outside {root}: {forward.Path}"));
        }
        catch (JsonException ex)
        {
            // As the delivery reports a payload it cannot read: for good, with the exception's name.
            return new PreparedLine("", "", null, DeliveryResult.Permanent($"{nameof(JsonException)}: {ex.Message}"));
        }
    }

    private sealed record PreparedLine(string Path, string Target, byte[]? Bytes, DeliveryResult? Result);

    /// <summary>Appends the lines to one file under its lock; delivered once they are flushed to disk.</summary>
    private async Task<DeliveryResult> AppendAsync(string root, string path, string target, List<(int Index, byte[] Line)> lines, CancellationToken cancellationToken)
    {
        var gate = _locks.GetOrAdd(path, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            // Checked before the missing folders are created (a link must not get a folder made on its far side) and
            // again after, for a link swapped in meanwhile.
            if (LinkOnTheWay(root, path) is null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            }

            if (LinkOnTheWay(root, path) is { } link)
            {
                return DeliveryResult.Permanent($"the file target '{target}' goes through the symbolic link {link}: file targets write only to plain folders and files below {root}");
            }

            await WriteLinesAsync(path, lines, cancellationToken);
            return DeliveryResult.Delivered;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return DeliveryResult.Retry($"cannot append to {path}: {ex.Message}");
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Writes the lines in as few writes as the roll-over allows: the file rolls before a line that would take it past
    /// MaxFileBytes (a file holds at least one line), after what it holds was flushed to disk.
    /// </summary>
    private async Task WriteLinesAsync(string path, List<(int Index, byte[] Line)> lines, CancellationToken cancellationToken)
    {
        var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        try
        {
            var length = file.Length;
            var pending = new ArrayBufferWriter<byte>();
            foreach (var (_, line) in lines)
            {
                if (length + pending.WrittenCount > 0 && length + pending.WrittenCount + line.Length > _options.MaxFileBytes)
                {
                    await file.WriteAsync(pending.WrittenMemory, cancellationToken);
                    file.Flush(flushToDisk: true);
                    await file.DisposeAsync();
                    Roll(path, _options.RetainedFiles);
                    file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
                    length = 0;
                    pending.ResetWrittenCount();
                }

                pending.Write(line);
            }

            await file.WriteAsync(pending.WrittenMemory, cancellationToken);
            file.Flush(flushToDisk: true);
        }
        finally
        {
            await file.DisposeAsync();
        }
    }

    private static readonly JsonWriterOptions LineOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The event on one line (a pretty-printed event has line breaks between its tokens), ended by a line feed: the
    /// event rewritten compactly, or, when it is compact already and plain printable ASCII without escapes (what the
    /// rewrite would give back byte for byte), its own bytes, checked but not parsed into a document and written again.
    /// </summary>
    internal static byte[] Line(ReadOnlyMemory<byte> utf8)
    {
        if (!IsCompactPlainAscii(utf8.Span))
        {
            return ReformattedLine(utf8);
        }

        // Checked as the rewrite would check it (one JSON value, within the depth limit), without building a document.
        var reader = new Utf8JsonReader(utf8.Span);
        while (reader.Read())
        {
        }

        var line = new byte[utf8.Length + 1];
        utf8.Span.CopyTo(line);
        line[^1] = (byte)'\n';
        return line;
    }

    /// <summary>The event parsed and written again, compact (no whitespace between tokens), ended by a line feed.</summary>
    internal static byte[] ReformattedLine(ReadOnlyMemory<byte> utf8)
    {
        using var document = JsonDocument.Parse(utf8);
        var line = new ArrayBufferWriter<byte>(utf8.Length + 1);
        using (var writer = new Utf8JsonWriter(line, LineOptions))
        {
            document.RootElement.WriteTo(writer);
        }

        line.Write("\n"u8);
        return line.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Printable ASCII only, no backslash (so no escape the writer could spell differently), and no blank outside the
    /// strings (quotes are then the strings' only bounds). The bytes were parsed as JSON when the event was admitted.
    /// </summary>
    private static bool IsCompactPlainAscii(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty || utf8.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E) >= 0 || utf8.Contains((byte)'\\'))
        {
            return false;
        }

        var inString = false;
        foreach (var b in utf8)
        {
            if (b == '"')
            {
                inString = !inString;
            }
            else if (b == ' ' && !inString)
            {
                return false;
            }
        }

        return !inString;
    }

    /// <summary>The first folder or file from below <paramref name="root"/> down to <paramref name="path"/> that is a symbolic link, if any.</summary>
    private static string? LinkOnTheWay(string root, string path)
    {
        for (var current = path; current.Length > root.Length; current = Path.GetDirectoryName(current)!)
        {
            // LinkTarget reads the entry itself (lstat): null for a plain file or folder and for one not created yet.
            if (new FileInfo(current).LinkTarget is not null)
            {
                return current;
            }
        }

        return null;
    }

    internal static void Roll(string path, int retained)
    {
        var stem = Path.Combine(Path.GetDirectoryName(path) ?? "", Path.GetFileNameWithoutExtension(path));
        var extension = Path.GetExtension(path);
        for (var i = retained; i >= 1; i--)
        {
            var from = i == 1 ? path : $"{stem}.{i - 1}{extension}";
            var to = $"{stem}.{i}{extension}";
            if (File.Exists(from))
            {
                File.Move(from, to, overwrite: true);
            }
        }

        if (retained == 0)
        {
            File.Delete(path);
        }
    }
}
