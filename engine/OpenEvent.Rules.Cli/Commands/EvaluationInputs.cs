using OpenEvent.Rules.Compilation;

namespace OpenEvent.Rules.Cli.Commands;

/// <summary>
/// What <c>oer dry-run</c> and <c>oer explain</c> read before they evaluate, in the same order and with the same exit
/// codes: the event inputs, the detail source (--details, --fetch-detail), the compiled set, and whether any of them
/// warned (a failure with --strict).
/// </summary>
internal sealed record EvaluationInputs(EventFiles.Selection Selection, RememberingSource? Details, CompiledPolicySet Compiled, bool Warned)
{
    /// <summary>The inputs, or null and the exit code of the first problem (reported on <paramref name="stderr"/>).</summary>
    public static async Task<(EvaluationInputs? Inputs, int ExitCode)> ReadAsync(string[] events, string[]? policies, string? details, bool fetchDetail,
        TimeProvider time, TextWriter stderr, Stream stdin, CancellationToken cancellationToken)
    {
        if (EventFiles.Select(events, stdin, stderr) is not { } selection
            || !DetailInputs.TryCreate(details, fetchDetail, stderr, TimeProvider.System, out var detailSource))
        {
            return (null, ExitCodes.Usage);
        }

        var (compiled, exitCode, policyWarnings) = await PolicyLoading.CompileAsync(PolicyPaths.From(policies), stderr, cancellationToken, time: time);
        if (compiled is null)
        {
            return (null, exitCode);
        }

        var warned = EventFiles.Warn(selection, stderr) || policyWarnings > 0;
        return (new EvaluationInputs(selection, detailSource, compiled, warned), ExitCodes.Success);
    }

    /// <summary>Reports inputs that held no event at all (a failure: nothing was checked).</summary>
    public Task ReportNoEventAsync(TextWriter stderr) =>
        stderr.WriteLineAsync($"oer: the inputs hold no event ({string.Join(", ", Selection.Inputs.Select(i => i.Name))})");
}
