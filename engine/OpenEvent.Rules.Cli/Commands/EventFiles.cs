using OpenEvent.Rules.Sources;

namespace OpenEvent.Rules.Cli.Commands;

/// <summary>
/// Expands the events of dry-run, explain and impact (<c>--events PATH...</c> or the same paths as arguments): files,
/// folders (recursively, hidden entries skipped) and "-" for stdin. Nothing is skipped silently: no events given, a
/// path that does not exist and a folder without event files are command-line mistakes; other files in an events
/// folder are skipped with a warning (which fails the run under --strict).
/// </summary>
internal static class EventFiles
{
    private static readonly string[] s_extensions = [".json", ".jsonl", ".ndjson"];

    public const string Kinds = "*.json, *.jsonl, *.ndjson";

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
                var others = files.Where(f => !IsEventFile(f)).ToList();
                if (events.Count == 0)
                {
                    var policies = PolicyFolderLoader.FindPolicyFiles([argument], new Model.DiagnosticBag()).Count;
                    stderr.WriteLine($"oer: no event files ({Kinds}) in {argument}"
                        + (policies > 0 ? $"; it holds {PolicyBanner.Count(policies, "policy file", "policy files")}: pass it with --policies {argument}" : ""));
                    return null;
                }

                inputs.AddRange(events.Select(file => (file, (Func<byte[]>)(() => File.ReadAllBytes(file)))));
                if (others.Count > 0)
                {
                    warnings.Add($"skipped {PolicyBanner.Count(others.Count, "file", "files")} in {argument} that {(others.Count == 1 ? "is" : "are")} not an event file ({Kinds}): "
                        + string.Join(", ", others.Take(3)) + (others.Count > 3 ? ", ..." : ""));
                }
            }
            else if (File.Exists(argument))
            {
                inputs.Add((argument, () => File.ReadAllBytes(argument)));
            }
            else
            {
                stderr.WriteLine($"oer: path not found: {argument}");
                return null;
            }
        }

        return new Selection(inputs, warnings);
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

    private static bool IsEventFile(string path) => s_extensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    private static IEnumerable<string> Walk(string folder)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System, IgnoreInaccessible = true };
        return Directory.EnumerateFiles(folder, "*", options)
            .Where(f => !Path.GetRelativePath(folder, f).Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.')))
            .Order(StringComparer.Ordinal);
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
