using System.CommandLine;
using OpenEvent.Rules.Cli.Reporting;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Impact;
using OpenEvent.Rules.Sources;

namespace OpenEvent.Rules.Cli.Commands;

/// <summary>
/// <c>oer impact --base DIR|GITREF [--head DIR|GITREF] --events PATH... [--policies PATH] [--format text|markdown] [--exit-code]</c>:
/// evaluates an event corpus with two versions of the policies and reports every event whose outcome changes.
/// A value that is an existing folder (or file) is read as it is; anything else is a git reference, and the
/// --policies folder is read at that commit with git archive (the working tree is never touched).
/// Exit 0 (or, with --exit-code, 3 when some outcome changed); 1 when either policy set or an event is invalid;
/// 2 for usage errors (unknown reference, missing path).
/// </summary>
internal static class ImpactCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, Stream stdin)
    {
        var baseOption = new Option<string>("--base") { Description = "The policies before the change: a folder, or a git reference (branch, tag, commit).", Required = true };
        var headOption = new Option<string>("--head") { Description = "The policies after the change: a folder or a git reference (default: the --policies folder as it is on disk)." };
        var policies = new Option<string>("--policies") { Description = "The policy folder read at a git reference, relative to the current folder (default: policies).", DefaultValueFactory = _ => ValidateCommand.DefaultPath };
        var events = new Option<string[]>("--events") { Description = "Event files (JSON, batch arrays, JSON Lines) or folders; - for stdin.", Required = true, AllowMultipleArgumentsPerToken = true };
        var format = new Option<string>("--format") { Description = "text (default) or markdown (a pull-request comment).", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "markdown");
        var exitCode = new Option<bool>("--exit-code") { Description = "Exit with 3 when the outcome of at least one event changes (0 when none does)." };

        var command = new Command("impact", "Show what a policy change does to a corpus of events: new or removed blocks, warns, notifications and forwards.")
        {
            baseOption,
            headOption,
            policies,
            events,
            format,
            exitCode,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var policyPath = result.GetValue(policies)!;
            var eventArguments = result.GetValue(events)!;
            if (EventFiles.FirstMissing(eventArguments) is { } missing)
            {
                await stderr.WriteLineAsync($"oer: path not found: {missing}");
                return ExitCodes.Usage;
            }

            var sides = new List<IDisposable>();
            try
            {
                var before = await ResolveAsync("--base", result.GetValue(baseOption)!, policyPath, sides, stderr);
                var after = await ResolveAsync("--head", result.GetValue(headOption) ?? policyPath, policyPath, sides, stderr);
                if (before is null || after is null)
                {
                    return ExitCodes.Usage;
                }

                var (baseSet, baseExit) = await CompileAsync(before, stderr, cancellationToken);
                var (headSet, headExit) = await CompileAsync(after, stderr, cancellationToken);
                using (baseSet)
                using (headSet)
                {
                    if (baseSet is null || headSet is null)
                    {
                        return Math.Max(baseExit, headExit);
                    }

                    var inputs = new List<(string, ReadOnlyMemory<byte>)>();
                    foreach (var (name, read) in EventFiles.Expand(eventArguments, stdin))
                    {
                        try
                        {
                            inputs.Add((name, read()));
                        }
                        catch (IOException ex)
                        {
                            await stderr.WriteLineAsync($"oer: cannot read {name}: {ex.Message}");
                            return ExitCodes.Failure;
                        }
                    }

                    var report = ImpactAnalyzer.Analyze(baseSet, headSet, inputs);
                    var text = result.GetValue(format) == "markdown"
                        ? ImpactReportWriter.Markdown(report, before.Label, after.Label)
                        : ImpactReportWriter.Text(report, before.Label, after.Label);
                    await stdout.WriteAsync(text);
                    if (!report.InvalidEvents.IsEmpty)
                    {
                        return ExitCodes.Failure;
                    }

                    return result.GetValue(exitCode) && report.HasChanges ? ExitCodes.Changed : ExitCodes.Success;
                }
            }
            finally
            {
                foreach (var side in sides)
                {
                    side.Dispose();
                }
            }
        });
        return command;
    }

    /// <summary>One side of the comparison: where its policies are, and how to name it in the report.</summary>
    private sealed record Side(string Option, string Folder, string Label);

    /// <summary>An existing folder or file wins; anything else must be a git commit of the repository around --policies.</summary>
    private static async Task<Side?> ResolveAsync(string option, string value, string policyPath, List<IDisposable> cleanup, TextWriter stderr)
    {
        if (Directory.Exists(value) || File.Exists(value))
        {
            return new Side(option, value, value);
        }

        try
        {
            var tree = GitPolicyTree.Export(value, policyPath);
            cleanup.Add(tree);
            return new Side(option, tree.Folder, $"{value} ({tree.Commit[..7]})");
        }
        catch (InvalidOperationException ex)
        {
            await stderr.WriteLineAsync($"oer: {option} '{value}' is neither a folder nor a usable git reference: {ex.Message}");
            return null;
        }
    }

    private static async Task<(CompiledPolicySet? Set, int ExitCode)> CompileAsync(Side side, TextWriter stderr, CancellationToken cancellationToken)
    {
        using var errors = new StringWriter();
        var compiled = await PolicyLoading.CompileAsync([side.Folder], errors, cancellationToken);
        if (compiled.Set is null)
        {
            await stderr.WriteLineAsync($"oer: the {side.Option[2..]} policies ({side.Label}) cannot be used:");
            await stderr.WriteAsync(errors.ToString());
        }

        return compiled;
    }
}
