using System.Text;
using System.Text.RegularExpressions;

namespace OpenEvent.Rules.Tests;

/// <summary>
/// Follows the tutorial of policy-guide.md as written: writes every file marked
/// <c>&lt;!-- tutorial: file PATH --&gt;</c>, runs every <c>$ command</c> of the blocks marked <c>&lt;!-- tutorial: run --&gt;</c>
/// in a fresh folder with the built oer (as a separate process, so relative paths behave as for a user), and compares
/// each oer command's output with the text under it. Commit ids (7 hex digits in parentheses) are placeholders.
/// </summary>
public sealed partial class AuthoringTutorialTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private abstract record Step(int Line);

    private sealed record WriteFile(int Line, string Path, string Text) : Step(Line);

    private sealed record RunCommand(int Line, string[] Arguments, string Expected) : Step(Line);

    [Fact]
    public void Tutorial_FollowedAsWritten_Works()
    {
        var steps = ReadSteps(RepositoryPaths.Combine("policy-guide.md"));
        Assert.Contains(steps, s => s is RunCommand { Arguments: ["oer", "impact", ..] });

        foreach (var step in steps)
        {
            switch (step)
            {
                case WriteFile write:
                    _folder.Write(write.Path, write.Text);
                    break;
                case RunCommand { Arguments: ["git", .. var gitArguments] } git:
                    var (gitExit, gitOutput) = Execute("git", gitArguments);
                    Assert.True(gitExit == 0, $"line {git.Line}: git failed: {gitOutput}");
                    break;
                case RunCommand { Arguments: ["oer", .. var oerArguments] } oer:
                    var (_, output) = Execute(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", [Path.Combine(AppContext.BaseDirectory, "oer.dll"), .. oerArguments]);
                    var (expected, actual) = (Normalize(oer.Expected), Normalize(output));
                    Assert.True(expected == actual, $"line {oer.Line}: the output of '{string.Join(' ', oer.Arguments)}' differs\n--- tutorial\n{expected}\n--- actual\n{actual}");
                    break;
                case RunCommand other:
                    Assert.Fail($"line {other.Line}: the tutorial runs only oer and git, not '{other.Arguments[0]}'");
                    break;
            }
        }
    }

    private static List<Step> ReadSteps(string path)
    {
        var lines = File.ReadAllLines(path);
        var steps = new List<Step>();
        for (var i = 0; i < lines.Length; i++)
        {
            var marker = Marker().Match(lines[i]);
            if (!marker.Success)
            {
                continue;
            }

            var start = i + 1;
            Assert.True(start < lines.Length && lines[start].StartsWith("```", StringComparison.Ordinal), $"line {i + 1}: a tutorial marker must be followed by a fenced block");
            var end = Array.FindIndex(lines, start + 1, l => l == "```");
            var block = lines[(start + 1)..end];
            if (marker.Groups["file"].Success)
            {
                steps.Add(new WriteFile(i + 1, marker.Groups["file"].Value, string.Join('\n', block) + "\n"));
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
                        current = new RunCommand(start + 2 + j, SplitArguments(block[j][2..]), "");
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

    private (int ExitCode, string Output) Execute(string fileName, IEnumerable<string> arguments)
    {
        var (exitCode, stdout, stderr) = CliRunner.Execute(_folder.Root, fileName, arguments);
        return (exitCode, stdout + stderr);
    }

    private static string Normalize(string text) =>
        CommitId().Replace(text.Replace("\r\n", "\n", StringComparison.Ordinal), "(<commit>)").TrimEnd('\n');

    private static string[] SplitArguments(string command) =>
        [.. Argument().Matches(command).Select(m => m.Groups["quoted"].Success ? m.Groups["quoted"].Value : m.Value)];

    [GeneratedRegex(@"^<!-- tutorial: (?:file (?<file>\S+)|run) -->$")]
    private static partial Regex Marker();

    [GeneratedRegex(@"\([0-9a-f]{7}\)")]
    private static partial Regex CommitId();

    [GeneratedRegex("\"(?<quoted>[^\"]*)\"|\\S+")]
    private static partial Regex Argument();
}
