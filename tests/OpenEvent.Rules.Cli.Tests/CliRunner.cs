using System.Diagnostics;
using System.Text;
using OpenEvent.Rules.Cli;

namespace OpenEvent.Rules.Cli.Tests;

/// <summary>Runs oer in-process, and other programs (git, oer as a user runs it) as processes.</summary>
internal static class CliRunner
{
    /// <summary>oer in-process, with "\n" line ends: (exit code, stdout, stderr).</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args) => RunWithInput(null, args);

    /// <summary>oer in-process with <paramref name="stdin"/> as its standard input.</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunWithInput(string? stdin, params string[] args)
    {
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(stdin ?? ""));
        var exitCode = Program.Run(args, stdout, stderr, input);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A program as a process in <paramref name="folder"/>, with a git identity that never signs: (exit code, stdout, stderr).</summary>
    public static (int ExitCode, string Stdout, string Stderr) Execute(string folder, string fileName, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // A developer has a git identity; the test machine may not, and may sign commits.
        start.Environment["GIT_AUTHOR_NAME"] = start.Environment["GIT_COMMITTER_NAME"] = "Test";
        start.Environment["GIT_AUTHOR_EMAIL"] = start.Environment["GIT_COMMITTER_EMAIL"] = "test@example.com";
        start.Environment["GIT_CONFIG_COUNT"] = "1";
        start.Environment["GIT_CONFIG_KEY_0"] = "commit.gpgsign";
        start.Environment["GIT_CONFIG_VALUE_0"] = "false";

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.GetAwaiter().GetResult());
    }
}
