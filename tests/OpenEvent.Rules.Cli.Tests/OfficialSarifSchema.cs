using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;

namespace OpenEvent.Rules.Cli.Tests;

/// <summary>
/// The official SARIF 2.1.0 JSON Schema (OASIS, as published by Microsoft in the npm package @microsoft/jest-sarif).
/// It is not committed (it is not ours to copy): the tests fetch the package from the npm registry with
/// `npm pack` once per machine and cache it under the system temp folder.
/// </summary>
internal static class OfficialSarifSchema
{
    private const string Package = "@microsoft/jest-sarif@1.0.0-beta.0";
    private const string EntryName = "package/lib/schemas/sarif-2.1.0-rtm.5.json";

    /// <summary>What to do when npm is missing: the test suite's only requirement beyond the .NET SDK (README, .ci/run).</summary>
    public const string MissingNpm =
        "the SARIF schema test needs npm, to fetch the official SARIF 2.1.0 schema from the npm registry: install it (Debian/Ubuntu: apt-get install -y npm; elsewhere Node.js, which includes npm) and run the tests again";

    private static readonly Lazy<string> s_text = new(() => Fetch("npm", Path.Combine(Path.GetTempPath(), "oer-test-cache", "sarif-schema-2.1.0-rtm.5.json")));

    public static string Text => s_text.Value;

    /// <summary>The schema from <paramref name="cache"/>, else fetched with <paramref name="npmCommand"/> and cached there.</summary>
    internal static string Fetch(string npmCommand, string cache)
    {
        if (File.Exists(cache))
        {
            return File.ReadAllText(cache);
        }

        var work = Directory.CreateTempSubdirectory("oer-sarif-").FullName;
        try
        {
            var start = new ProcessStartInfo(npmCommand) { WorkingDirectory = work, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in (string[])["pack", "--silent", Package])
            {
                start.ArgumentList.Add(argument);
            }

            Process npm;
            try
            {
                npm = Process.Start(start) ?? throw new InvalidOperationException(MissingNpm);
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                throw new InvalidOperationException($"{MissingNpm} ({npmCommand}: {ex.Message})", ex);
            }

            using var _ = npm;
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
