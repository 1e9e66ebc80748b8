using OpenEvent.Rules.FileSystem;
using OpenEvent.Rules.Sources;

namespace OpenEvent.Rules.Cli.Commands;

/// <summary>
/// Expands the events of dry-run, explain and impact (<c>--events PATH...</c> or the same paths as arguments): files,
/// folders (recursively, hidden entries skipped) and "-" for stdin. Nothing is skipped silently: no events given, a
/// path that does not exist and a folder without event files are command-line mistakes; other files in an events
/// folder are skipped with a warning (which fails the run under --strict). Files are read with the policy loader's guards
/// (<see cref="BoundedFileReader"/>): a FIFO is never opened, /dev/zero never read to the end.
/// </summary>
internal static class EventFiles
{
    private static readonly string[] s_extensions = [".json", ".jsonl", ".ndjson"];

    public const string Kinds = "*.json, *.jsonl, *.ndjson";

    /// <summary>The most bytes read from one events file or from standard input: room for a large JSON Lines corpus, a bound all the same.</summary>
    public const long MaxInputBytes = 256L * 1024 * 1024;

    /// <summary>The inputs of a command line, and the warnings about files left out.</summary>
    public sealed record Selection(IReadOnlyList<(string Name, Func<byte[]> Read)> Inputs, IReadOnlyList<string> Warnings);

    /// <summary>Expands the event paths, or reports why it cannot (and returns null with exit code 2).</summary>
    public static Selection? Select(IReadOnlyList<string> arguments, Stream stdin, TextWriter stderr)
    {
        if (arguments.Count == 0)
        {
            stderr.WriteLine("oer: no events given: name event files or folders with --events PATH... (or as arguments), or - for standard input");
            return null;
        }

        var inputs = new List<(string, Func<byte[]>)>();
        var warnings = new List<string>();
        foreach (var argument in arguments.Distinct(StringComparer.Ordinal))
        {
            if (argument == "-")
            {
                inputs.Add(("-", () => ReadAll(stdin)));
            }
            else if (Directory.Exists(argument))
            {
                var files = Walk(argument).ToList();
                var events = files.Where(IsEventFile).ToList();
                // <event-id>.detail.json files are the events' details (--details), not events, and not strangers either.
                var others = files.Where(f => !IsEventFile(f) && !DetailInputs.IsDetailFile(f)).ToList();
                if (events.Count == 0)
                {
                    var policies = PolicyFolderLoader.FindPolicyFiles([argument], new Model.DiagnosticBag()).Count;
                    stderr.WriteLine($"oer: no event files ({Kinds}) in {argument}"
                        + (policies > 0 ? $"; it holds {PolicyBanner.Count(policies, "policy file", "policy files")}: pass it with --policies {argument}" : ""));
                    return null;
                }

                inputs.AddRange(events.Select(file => (file, (Func<byte[]>)(() => ReadFile(file)))));
                if (others.Count > 0)
                {
                    warnings.Add($"skipped {PolicyBanner.Count(others.Count, "file", "files")} in {argument} that {(others.Count == 1 ? "is" : "are")} not an event file ({Kinds}): "
                        + string.Join(", ", others.Take(3)) + (others.Count > 3 ? ", ..." : ""));
                }
            }
            else if (File.Exists(argument))
            {
                inputs.Add((argument, () => ReadFile(argument)));
            }
            else
            {
                stderr.WriteLine($"oer: path not found: {argument}");
                return null;
            }
        }

        return new Selection(inputs, warnings);
    }

    /// <summary>The bytes of one input, or null once "cannot read" is printed (the command counts it as it sees fit).</summary>
    public static async Task<byte[]?> TryReadAsync(string name, Func<byte[]> read, TextWriter stderr)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"oer: cannot read {name}: {ex.Message}");
            return null;
        }
    }

    /// <summary>Prints each warning; returns whether there were any.</summary>
    public static bool Warn(Selection selection, TextWriter stderr)
    {
        foreach (var warning in selection.Warnings)
        {
            stderr.WriteLine($"oer: warning: {warning}");
        }

        return selection.Warnings.Count > 0;
    }

    private static bool IsEventFile(string path) =>
        s_extensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase) && !DetailInputs.IsDetailFile(path);

    private static IEnumerable<string> Walk(string folder)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System, IgnoreInaccessible = true };
        return Directory.EnumerateFiles(folder, "*", options)
            .Where(f => !Path.GetRelativePath(folder, f).Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.')))
            .Order(StringComparer.Ordinal);
    }

    /// <summary>The bytes of an events file; an IOException saying why not, which the commands report as "cannot read".</summary>
    private static byte[] ReadFile(string path)
    {
        var read = BoundedFileReader.Read(path, MaxInputBytes);
        return read.Status switch
        {
            FileReadStatus.Read => read.Bytes,
            FileReadStatus.NotRegular => throw new IOException($"it is {FileKindText.Describe(read.Kind)}, not a regular file"),
            FileReadStatus.TooLarge => throw new IOException(TooLarge),
            FileReadStatus.Missing => throw new IOException("it does not exist (or was removed while the events were read)"),
            _ => throw new IOException(read.Error ?? "it cannot be read"),
        };
    }

    private static string TooLarge => $"it is larger than the {MaxInputBytes / (1024 * 1024)} MB limit of an events input";

    /// <summary>Standard input, read to its end but never past <see cref="MaxInputBytes"/>.</summary>
    private static byte[] ReadAll(Stream stream)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int count;
        while ((count = stream.Read(chunk)) > 0)
        {
            if (buffer.Length + count > MaxInputBytes)
            {
                throw new IOException(TooLarge);
            }

            buffer.Write(chunk, 0, count);
        }

        return buffer.ToArray();
    }
}
