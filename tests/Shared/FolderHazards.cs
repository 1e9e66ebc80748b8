using System.Diagnostics;

namespace OpenEvent.Rules.Tests.Shared;

/// <summary>
/// Real file system hazards for the policy folder tests: FIFOs made with mkfifo, symbolic links with the .NET API.
/// Linked into the Core, CLI and host test projects (tests/Shared).
/// </summary>
internal static class FolderHazards
{
    /// <summary>A secret that must never appear in a diagnostic, a log or a response.</summary>
    public const string Secret = "oer-secret-7f3a9c1e5b2d4860a1f7c3e9";

    /// <summary>Makes a named pipe at <paramref name="path"/> (nobody ever writes to it: opening it for reading would block forever).</summary>
    public static void MakeFifo(string path)
    {
        using var process = Process.Start(new ProcessStartInfo("mkfifo") { ArgumentList = { "--", path }, RedirectStandardError = true })!;
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"mkfifo {path}: {process.StandardError.ReadToEnd()}");
    }

    /// <summary>A file outside every policy folder holding <see cref="Secret"/>, like /run/secrets/oer-token.</summary>
    public static string WriteSecretFile(string folder)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "oer-token");
        File.WriteAllText(path, Secret + "\n");
        return path;
    }

    /// <summary>Runs a load that must never block, failing the test instead of hanging it.</summary>
    public static async Task<T> WithinAsync<T>(Func<Task<T>> load, int seconds = 20) =>
        await Task.Run(load).WaitAsync(TimeSpan.FromSeconds(seconds));
}
