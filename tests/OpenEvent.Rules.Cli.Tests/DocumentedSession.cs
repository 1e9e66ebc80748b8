using System.Text;
using System.Text.RegularExpressions;

namespace OpenEvent.Rules.Cli.Tests;

/// <summary>
/// Replays the steps a Markdown page tells its reader to take, as the reader would: every file marked
/// <c>&lt;!-- NAME: file PATH --&gt;</c> is written, and every <c>$ command</c> of a block marked <c>&lt;!-- NAME: run --&gt;</c>
/// is run in <see cref="Folder"/> (oer as the built oer.dll in a separate process, its stdout and stderr merged in
/// order as a terminal shows them; git as git) and its output compared with the text under it.
/// In expected output, a line "..." stands for any lines and "..." inside a line for any text; commit ids in
/// parentheses and policy revisions are placeholders.
/// </summary>
internal sealed partial class DocumentedSession(string folder)
{
    public abstract record Step(string Page, int Line);

    public sealed record WriteFile(string Page, int Line, string Path, string Text) : Step(Page, Line);

    public sealed record RunCommand(string Page, int Line, string[] Arguments, string Expected) : Step(Page, Line);

    public string Folder { get; } = folder;

    /// <summary>The steps of <paramref name="page"/> marked with <paramref name="marker"/> (tutorial, tour), in page order.</summary>
    public static List<Step> Read(string page, string marker)
    {
        var lines = File.ReadAllLines(page);
        var name = Path.GetFileName(page);
        var markerPattern = new Regex($@"^<!-- {Regex.Escape(marker)}: (?:file (?<file>\S+)|run) -->$");
        var steps = new List<Step>();
        for (var i = 0; i < lines.Length; i++)
        {
            var match = markerPattern.Match(lines[i]);
            if (!match.Success)
            {
                continue;
            }

            var start = i + 1;
            Assert.True(start < lines.Length && lines[start].StartsWith("```", StringComparison.Ordinal), $"{name}:{i + 1}: a {marker} marker must be followed by a fenced block");
            var end = Array.FindIndex(lines, start + 1, l => l == "```");
            var block = lines[(start + 1)..end];
            if (match.Groups["file"].Success)
            {
                steps.Add(new WriteFile(name, i + 1, match.Groups["file"].Value, string.Join('\n', block) + "\n"));
            }
            else
            {
                RunCommand? current = null;
                var expected = new StringBuilder();
                for (var j = 0; j < block.Length; j++)
                {
                    if (block[j].StartsWith("$ ", StringComparison.Ordinal))
                    {
                        Flush();
                        current = new RunCommand(name, start + 2 + j, SplitArguments(block[j][2..]), "");
                    }
                    else
                    {
                        expected.Append(block[j]).Append('\n');
                    }
                }

                Flush();

                void Flush()
                {
                    if (current is not null)
                    {
                        steps.Add(current with { Expected = expected.ToString() });
                    }

                    expected.Clear();
                }
            }

            i = end;
        }

        return steps;
    }

    /// <summary>Performs each step and checks each output; fails at the first difference, naming the page and line.</summary>
    public void Replay(IEnumerable<Step> steps)
    {
        foreach (var step in steps)
        {
            switch (step)
            {
                case WriteFile write:
                    var path = Path.Combine(Folder, write.Path);
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    File.WriteAllText(path, write.Text);
                    break;
                case RunCommand { Arguments: ["git", .. var gitArguments] } git:
                    var (gitExit, gitOut, gitErr) = CliRunner.Execute(Folder, "git", gitArguments);
                    Assert.True(gitExit == 0, $"{git.Page}:{git.Line}: git failed: {gitOut}{gitErr}");
                    break;
                case RunCommand { Arguments: ["oer", .. var oerArguments] } oer:
                    var (_, output) = Oer(oerArguments);
                    Assert.True(Matches(oer.Expected, output),
                        $"{oer.Page}:{oer.Line}: the output of '{string.Join(' ', oer.Arguments)}' differs\n--- documented\n{Normalize(oer.Expected)}\n--- actual\n{Normalize(output)}");
                    break;
                case RunCommand other:
                    Assert.Fail($"{other.Page}:{other.Line}: the page runs only oer and git, not '{other.Arguments[0]}'");
                    break;
            }
        }
    }

    /// <summary>oer as a user runs it, in <see cref="Folder"/>: (exit code, stdout and stderr interleaved as written).</summary>
    public (int ExitCode, string Output) Oer(IEnumerable<string> arguments)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var (exitCode, stdout, stderr) = CliRunner.Execute(Folder, "/bin/sh", ["-c", "exec \"$0\" \"$@\" 2>&1", dotnet, OerDll, .. arguments]);
        return (exitCode, stdout + stderr);
    }

    public static string OerDll => Path.Combine(AppContext.BaseDirectory, "oer.dll");

    /// <summary>Whether <paramref name="actual"/> is what <paramref name="expected"/> documents, "..." standing for anything.</summary>
    public static bool Matches(string expected, string actual)
    {
        var pattern = new StringBuilder("^");
        foreach (var line in Normalize(expected).Split('\n'))
        {
            pattern.Append(line.Trim() == "..."
                ? @"(?:[^\n]*\n)*?"
                : Regex.Escape(line).Replace(@"\.\.\.", ".*?", StringComparison.Ordinal) + "\n");
        }

        return Regex.IsMatch(Normalize(actual) + "\n", pattern.Append('$').ToString(), RegexOptions.None, TimeSpan.FromSeconds(5));
    }

    public static string Normalize(string text) =>
        Revision().Replace(CommitId().Replace(text.Replace("\r\n", "\n", StringComparison.Ordinal), "(<commit>)"), "revision <revision>").TrimEnd('\n');

    private static string[] SplitArguments(string command) =>
        [.. Argument().Matches(command).Select(m => m.Groups["quoted"].Success ? m.Groups["quoted"].Value : m.Value)];

    [GeneratedRegex(@"\([0-9a-f]{7}\)")]
    private static partial Regex CommitId();

    [GeneratedRegex(@"revision (?:sha256:[0-9a-f]{16}|git:[0-9a-f]{40})")]
    private static partial Regex Revision();

    [GeneratedRegex("\"(?<quoted>[^\"]*)\"|\\S+")]
    private static partial Regex Argument();
}
