using System.CommandLine;
using OpenEvent.Rules.Cli.CommandLine;

namespace OpenEvent.Rules.Cli.Commands;

/// <summary>
/// <c>oer analyze [PATHS...] [--policies PATH...] [--format text|json|sarif] [--strict]</c>: the set reviewed as a whole
/// (OER3090-OER3093) and its waivers by today's clock (OER3101, OER3102), reported like <c>oer validate</c>; <c>oer validate</c> runs the same analysis when the set loads.
/// </summary>
internal static class AnalyzeCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, TimeProvider time)
    {
        var paths = new Argument<string[]>("paths") { Description = $"Policy files or folders, as --policies (default: {PolicyPaths.DefaultPath}).", Arity = ArgumentArity.ZeroOrMore };
        var policies = CommonOptions.Policies();
        var format = new Option<string>("--format")
        {
            Description = "Output format: text (default), json, or sarif (SARIF 2.1.0 for code scanning).",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "json", "sarif");
        var strict = new Option<bool>("--strict") { Description = "Fail (exit 1) on findings (they are warnings) too." };
        var expiringWithin = CommonOptions.ExpiringWithin();

        var command = new Command("analyze", "Review the policy set as a whole: policies that never match, exclusions that cover the match, shadowed policies, conflicting pairs (with a witness event).")
        {
            paths, policies, format, strict, expiringWithin,
        };
        command.With(
            [
                "oer analyze policies/",
                "oer analyze policies --strict --format sarif > oer-analyze.sarif",
            ],
            [
                (ExitCodes.Success, "the set loads (findings are warnings unless --strict)"),
                (ExitCodes.Failure, "the policies have errors, or findings with --strict"),
                (ExitCodes.Usage, CommandHelp.UsageExit),
            ]);
        command.SetAction((parseResult, cancellationToken) => ValidateCommand.RunAsync(
            PolicyPaths.From(parseResult.GetValue(paths), parseResult.GetValue(policies)),
            parseResult.GetValue(format) ?? "text",
            parseResult.GetValue(strict),
            env: false,
            analyzeOnly: true,
            new WaiverClock(time, parseResult.GetValue(expiringWithin)),
            stdout,
            stderr,
            cancellationToken));
        return command;
    }
}
