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
internal sealed class FileTargetSender(IOptions<RulesHostOptions> options) : IActionSender
{
    private readonly FileTargetOptions _options = options.Value.Actions.File;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Types { get; } = ["file"];

    public async Task<DeliveryResult> SendAsync(OutboxItem item, ActionPayload payload, CancellationToken cancellationToken)
    {
        var forward = ActionPayloads.As<ForwardPayload>(payload);
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(_options.Directory));
        var path = Path.GetFullPath(Path.Combine(root, forward.Path ?? throw new JsonException($"the file target '{forward.Target}' has no path")));
        if (!path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return DeliveryResult.Permanent($"the file target '{forward.Target}' points outside {root}: {forward.Path}");
        }

        var bytes = Line(ActionPayloads.EventOf(item, forward));
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
                return DeliveryResult.Permanent($"the file target '{forward.Target}' goes through the symbolic link {link}: file targets write only to plain folders and files below {root}");
            }

            if (File.Exists(path) && new FileInfo(path).Length is > 0 and var length && length + bytes.Length > _options.MaxFileBytes)
            {
                Roll(path, _options.RetainedFiles);
            }

            await using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
            await file.WriteAsync(bytes, cancellationToken);
            file.Flush(flushToDisk: true);
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

    private static readonly JsonWriterOptions LineOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The event on one line (a pretty-printed event has line breaks between its tokens), ended by a line feed.</summary>
    private static byte[] Line(ReadOnlyMemory<byte> utf8)
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
