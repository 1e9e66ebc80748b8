using System.CommandLine;
using OpenEvent.Rules.Cli.CommandLine;
using OpenEvent.Rules.Cli.Reporting;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Impact;
using OpenEvent.Rules.Sources;

namespace OpenEvent.Rules.Cli.Commands;

/// <summary>
/// <c>oer impact --base DIR|GITREF [--head DIR|GITREF] [--events PATH...] [--policies PATH] [--format text|markdown] [--exit-code] [EVENTS...]</c>:
/// evaluates an event corpus with two versions of the policies and reports every event whose outcome changes.
/// A value that is an existing folder (or file) is read as it is; anything else is a git reference, and the
/// --policies folder is read at that commit with git archive (the working tree is never touched).
/// Exit 0 (or, with --exit-code, 3 when some outcome changed); 1 when either policy set or an event is invalid (or,
/// with --strict, there were warnings); 2 for usage errors (unknown reference, missing path).
/// </summary>
internal static class ImpactCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, Stream stdin)
    {
        var baseOption = new Option<string>("--base") { Description = "The policies before the change: a folder, or a git reference (branch, tag, commit).", Required = true, HelpName = "DIR|GITREF" };
        var headOption = new Option<string>("--head") { Description = "The policies after the change: a folder or a git reference (default: the --policies folder as it is on disk).", HelpName = "DIR|GITREF" };
        var policies = new Option<string>("--policies")
        {
            Description = $"The policy folder read at a git reference, relative to the current folder (default: {PolicyPaths.DefaultPath}).",
            HelpName = "DIR",
        };
        var events = CommonOptions.Events();
        var format = new Option<string>("--format") { Description = "text (default) or markdown (a pull-request comment).", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "markdown");
        var exitCode = new Option<bool>("--exit-code") { Description = "Exit with 3 when the outcome of at least one event changes (0 when none does)." };
        var strict = CommonOptions.Strict();
        var details = DetailInputs.Details();
        var eventArguments = CommonOptions.EventArguments();

        var command = new Command("impact", "Show what a policy change does to a corpus of events: new or removed blocks, warns, notifications and forwards.")
        {
            baseOption,
            headOption,
            policies,
            events,
            format,
            exitCode,
            strict,
            details,
            eventArguments,
        };
        command.With(
            [
                "oer impact --base HEAD --policies my-policies --events events",
                "oer impact --base origin/main --head HEAD --events samples/events samples/corpus --format markdown > impact.md",
            ],
            [
                (ExitCodes.Success, "the report was written (whether or not anything changed)"),
                (ExitCodes.Failure, "either policy set is invalid, an event is invalid or unreadable, or (with --strict) there were warnings"),
                (ExitCodes.Usage, CommandHelp.UsageExit + ", or a --base/--head that is neither a folder nor a commit"),
                (ExitCodes.Changed, "with --exit-code: the outcome of at least one event changed"),
            ]);
        command.SetAction(async (result, cancellationToken) =>
        {
            var policyPath = result.GetValue(policies) ?? PolicyPaths.DefaultPath;
            var selection = EventFiles.Select([.. result.GetValue(events) ?? [], .. result.GetValue(eventArguments) ?? []], stdin, stderr);
            if (selection is null)
            {
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

                var (baseSet, baseExit, baseWarnings) = await CompileAsync(before, stderr, cancellationToken);
                var (headSet, headExit, headWarnings) = await CompileAsync(after, stderr, cancellationToken);
                using (baseSet)
                using (headSet)
                {
                    if (baseSet is null || headSet is null)
                    {
                        return Math.Max(baseExit, headExit);
                    }

                    var warned = EventFiles.Warn(selection, stderr) || baseWarnings + headWarnings > 0;
                    var inputs = new List<(string, ReadOnlyMemory<byte>)>();
                    foreach (var (name, read) in selection.Inputs)
                    {
                        if (await EventFiles.TryReadAsync(name, read, stderr) is not { } bytes)
                        {
                            return ExitCodes.Failure;
                        }

                        inputs.Add((name, bytes));
                    }

                    if (!DetailInputs.TryCreate(result.GetValue(details), fetch: false, stderr, TimeProvider.System, out var detailSource))
                    {
                        return ExitCodes.Usage;
                    }

                    var report = await ImpactAnalyzer.AnalyzeAsync(baseSet, headSet, inputs, detailSource, cancellationToken);
                    var text = result.GetValue(format) == "markdown"
                        ? ImpactReportWriter.Markdown(report, before.Label, after.Label)
                        : ImpactReportWriter.Text(report, before.Label, after.Label);
                    await stdout.WriteAsync(text);
                    if (!report.InvalidEvents.IsEmpty)
                    {
                        return ExitCodes.Failure;
                    }

                    if (warned && result.GetValue(strict))
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
    private sealed record Side(string Option, string Folder, string Label, string? Revision = null);

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
            return new Side(option, tree.Folder, $"{value} ({tree.Commit[..7]})", "git:" + tree.Commit);
        }
        catch (InvalidOperationException ex)
        {
            await stderr.WriteLineAsync($"oer: {option} '{value}' is neither a folder nor a usable git reference: {ex.Message}");
            return null;
        }
    }

    private static async Task<(CompiledPolicySet? Set, int ExitCode, int Warnings)> CompileAsync(Side side, TextWriter stderr, CancellationToken cancellationToken)
    {
        using var messages = new StringWriter();
        var paths = new PolicyPaths([side.Folder], Defaulted: false) { AllowEmpty = side.Revision is not null };
        var compiled = await PolicyLoading.CompileAsync(paths, messages, cancellationToken, $"{side.Option[2..]} {side.Label}", side.Revision);
        if (compiled.Set is null)
        {
            await stderr.WriteLineAsync($"oer: the {side.Option[2..]} policies ({side.Label}) cannot be used:");
        }

        await stderr.WriteAsync(messages.ToString());
        return compiled;
    }
}
