namespace OpenEvent.Rules.Cli.Commands;

/// <summary>Expands the EVENTS arguments of dry-run / explain: files, folders (recursively) and "-" for stdin.</summary>
internal static class EventFiles
{
    private static readonly string[] s_extensions = [".json", ".jsonl", ".ndjson"];

    /// <summary>Returns (display name, bytes) per input, or the first path that does not exist.</summary>
    public static IEnumerable<(string Name, Func<byte[]> Read)> Expand(IEnumerable<string> arguments, Stream stdin)
    {
        foreach (var argument in arguments)
        {
            if (argument == "-")
            {
                yield return ("-", () => ReadAll(stdin));
            }
            else if (Directory.Exists(argument))
            {
                foreach (var file in Directory.EnumerateFiles(argument, "*", SearchOption.AllDirectories)
                             .Where(f => s_extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                             .Order(StringComparer.Ordinal))
                {
                    yield return (file, () => File.ReadAllBytes(file));
                }
            }
            else
            {
                yield return (argument, () => File.ReadAllBytes(argument));
            }
        }
    }

    public static string? FirstMissing(IEnumerable<string> arguments) =>
        arguments.FirstOrDefault(a => a != "-" && !File.Exists(a) && !Directory.Exists(a));

    private static byte[] ReadAll(Stream stream)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
