using System.Text;
using OpenEvent.Rules.Cli;

namespace OpenEvent.Rules.Tests;

/// <summary>Runs the CLI in-process with captured output (and optional stdin).</summary>
internal static class CliRunner
{
    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args) => RunWithInput(null, args);

    public static (int ExitCode, string Stdout, string Stderr) RunWithInput(string? stdin, params string[] args)
    {
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(stdin ?? ""));
        var exitCode = Program.Run(args, stdout, stderr, input);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }
}
