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
        command.SetAction((result, cancellationToken) => RunAsync(
            new Request(
                result.GetValue(baseOption)!,
                result.GetValue(headOption),
                result.GetValue(policies) ?? PolicyPaths.DefaultPath,
                [.. result.GetValue(events) ?? [], .. result.GetValue(eventArguments) ?? []],
                result.GetValue(format) == "markdown",
                result.GetValue(exitCode),
                result.GetValue(strict),
                result.GetValue(details)),
            stdout,
            stderr,
            stdin,
            cancellationToken));
        return command;
    }

    /// <summary>What the command line asked for.</summary>
    private sealed record Request(string Base, string? Head, string PolicyPath, string[] Events, bool Markdown, bool ExitCode, bool Strict, string? Details);

    private static async Task<int> RunAsync(Request request, TextWriter stdout, TextWriter stderr, Stream stdin, CancellationToken cancellationToken)
    {
        var selection = EventFiles.Select(request.Events, stdin, stderr);
        if (selection is null)
        {
            return ExitCodes.Usage;
        }

        var sides = new List<IDisposable>();
        try
        {
            var before = await ResolveAsync("--base", request.Base, request.PolicyPath, sides, stderr);
            var after = await ResolveAsync("--head", request.Head ?? request.PolicyPath, request.PolicyPath, sides, stderr);
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
                return await CompareAsync(request, (baseSet, before), (headSet, after), selection, warned, stdout, stderr, cancellationToken);
            }
        }
        finally
        {
            foreach (var side in sides)
            {
                side.Dispose();
            }
        }
    }

    /// <summary>Reads the events, decides each with both sets and writes the report; the exit code follows the outcome.</summary>
    private static async Task<int> CompareAsync(Request request, (CompiledPolicySet Set, Side Side) before, (CompiledPolicySet Set, Side Side) after,
        EventFiles.Selection selection, bool warned, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var inputs = new List<(string, ReadOnlyMemory<byte>)>();
        foreach (var (name, read) in selection.Inputs)
        {
            if (await EventFiles.TryReadAsync(name, read, stderr) is not { } bytes)
            {
                return ExitCodes.Failure;
            }

            inputs.Add((name, bytes));
        }

        if (!DetailInputs.TryCreate(request.Details, fetch: false, stderr, TimeProvider.System, out var detailSource))
        {
            return ExitCodes.Usage;
        }

        var report = await ImpactAnalyzer.AnalyzeAsync(before.Set, after.Set, inputs, detailSource, cancellationToken);
        var text = request.Markdown
            ? ImpactReportWriter.Markdown(report, before.Side.Label, after.Side.Label)
            : ImpactReportWriter.Text(report, before.Side.Label, after.Side.Label);
        await stdout.WriteAsync(text);
        if (!report.InvalidEvents.IsEmpty)
        {
            return ExitCodes.Failure;
        }

        if (warned && request.Strict)
        {
            return ExitCodes.Failure;
        }

        return request.ExitCode && report.HasChanges ? ExitCodes.Changed : ExitCodes.Success;
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
