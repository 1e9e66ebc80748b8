using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;

namespace OpenEvent.Rules.Tests;

/// <summary>
/// The official SARIF 2.1.0 JSON Schema (OASIS, as published by Microsoft in the npm package @microsoft/jest-sarif).
/// It is not committed (it is not ours to copy): the tests fetch the package from the npm registry with
/// `npm pack` once per machine and cache it under the system temp folder.
/// </summary>
internal static class OfficialSarifSchema
{
    private const string Package = "@microsoft/jest-sarif@1.0.0-beta.0";
    private const string EntryName = "package/lib/schemas/sarif-2.1.0-rtm.5.json";

    private static readonly Lazy<string> s_text = new(Fetch);

    public static string Text => s_text.Value;

    private static string Fetch()
    {
        var cache = Path.Combine(Path.GetTempPath(), "oer-test-cache", "sarif-schema-2.1.0-rtm.5.json");
        if (File.Exists(cache))
        {
            return File.ReadAllText(cache);
        }

        var work = Directory.CreateTempSubdirectory("oer-sarif-").FullName;
        try
        {
            var start = new ProcessStartInfo("npm") { WorkingDirectory = work, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in (string[])["pack", "--silent", Package])
            {
                start.ArgumentList.Add(argument);
            }

            using var npm = Process.Start(start) ?? throw new InvalidOperationException("npm could not be started");
            var output = npm.StandardOutput.ReadToEnd();
            var error = npm.StandardError.ReadToEnd();
            if (!npm.WaitForExit(120_000) || npm.ExitCode != 0)
            {
                throw new InvalidOperationException($"'npm pack {Package}' failed (the SARIF test needs npm and the npm registry): {error}{output}");
            }

            var archive = Directory.GetFiles(work, "*.tgz").Single();
            using var gzip = new GZipStream(File.OpenRead(archive), CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.Name == EntryName && entry.DataStream is { } data)
                {
                    using var reader = new StreamReader(data);
                    var text = reader.ReadToEnd();
                    Directory.CreateDirectory(Path.GetDirectoryName(cache)!);
                    File.WriteAllText(cache, text);
                    return text;
                }
            }

            throw new InvalidOperationException($"{Package} has no {EntryName}");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
