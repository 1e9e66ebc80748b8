using System.Diagnostics;
using System.Text;

namespace OpenEvent.Rules.Sources;

/// <summary>Runs git in a folder and captures its output. Used for revisions and for reading policies at a commit.</summary>
internal static class GitCommand
{
    /// <summary>The result of one git run; <see cref="Output"/> is raw stdout (archives are binary).</summary>
    public sealed record Result(int ExitCode, byte[] Output, string Error)
    {
        public string Text => Encoding.UTF8.GetString(Output).Trim();
    }

    /// <summary>Runs git; throws Win32Exception when git is not installed, TimeoutException when it hangs.</summary>
    public static Result Run(string folder, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo("git")
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

#pragma warning disable RS0030 // the one process the engine runs: git, by name, with an argument list (no shell)
        using var process = Process.Start(start)!;
#pragma warning restore RS0030
        using var output = new MemoryStream();

        // Both pipes are drained at once, so that a large archive on stdout cannot dead-lock against stderr.
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.BaseStream.CopyTo(output);
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"git {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds:0} s");
        }

        return new Result(process.ExitCode, output.ToArray(), error.GetAwaiter().GetResult().Trim());
    }
}
