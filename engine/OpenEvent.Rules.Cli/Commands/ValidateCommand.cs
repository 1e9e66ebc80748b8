using System.CommandLine;
using System.Text;
using OpenEvent.Rules.Analysis;
using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Cli.CommandLine;
using OpenEvent.Rules.Cli.Reporting;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Sources;
using OpenEvent.Rules.Validation;

namespace OpenEvent.Rules.Cli.Commands;

/// <summary><c>oer validate [PATHS...] [--policies PATH...] [--format text|json|sarif] [--strict] [--env]</c>.</summary>
internal static class ValidateCommand
{
    public const string DefaultPath = PolicyPaths.DefaultPath;

    public static Command Create(TextWriter stdout, TextWriter stderr, TimeProvider time)
    {
        var paths = new Argument<string[]>("paths") { Description = $"Policy files or folders, as --policies (default: {DefaultPath}).", Arity = ArgumentArity.ZeroOrMore };
        var policies = CommonOptions.Policies();
        var format = new Option<string>("--format")
        {
            Description = "Output format: text (default), json, or sarif (SARIF 2.1.0 for code scanning).",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "json", "sarif");
        var strict = new Option<bool>("--strict") { Description = "Fail (exit 1) on warnings too." };
        var env = new Option<bool>("--env")
        {
            Description = "Also check that the environment variables the channels and targets read (urlFrom, secretFrom, headers) are set here (OER3046 warnings).",
        };

        var expiringWithin = CommonOptions.ExpiringWithin();
        var command = new Command("validate", "Validate policy files and report every problem.") { paths, policies, format, strict, env, expiringWithin };
        command.With(
            [
                "oer validate my-policies/",
                "oer validate --policies policies --format sarif > oer-validate.sarif",
                "oer validate policies --env --strict      # on the host: are the channels' variables set?",
            ],
            [
                (ExitCodes.Success, "no errors (warnings are allowed unless --strict)"),
                (ExitCodes.Failure, "the policies have errors, or warnings with --strict (an expired waiver is an error then)"),
                (ExitCodes.Usage, CommandHelp.UsageExit),
            ]);
        command.SetAction((parseResult, cancellationToken) => RunAsync(
            PolicyPaths.From(parseResult.GetValue(paths), parseResult.GetValue(policies)),
            parseResult.GetValue(format) ?? "text",
            parseResult.GetValue(strict),
            parseResult.GetValue(env),
            new WaiverClock(time, parseResult.GetValue(expiringWithin)),
            stdout,
            stderr,
            cancellationToken));
        return command;
    }

    /// <summary>Every diagnostic of the load and, when the set loads, of its analysis (with its budget, as <c>oer analyze</c>).</summary>
    /// <param name="waivers">The clock and review period the waivers are judged by (OER3101, OER3102: an error with <paramref name="strict"/>).</param>
    internal static async Task<int> RunAsync(PolicyPaths policies, string format, bool strict, bool env, WaiverClock waivers,
        TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        // A path that does not exist, or holds no policy file, is a command-line mistake (exit 2), not a policy problem.
        if ((CommonOptions.CheckExpiringWithin(waivers.ExpiringWithinDays, stderr) ?? policies.Check(stderr)) is { } usage)
        {
            return usage;
        }

        var result = await PolicyLoading.LoadAsync(policies.Paths, PolicyLoading.Conditions, cancellationToken);
        IReadOnlyList<Diagnostic> diagnostics = env ? [.. result.Diagnostics, .. EnvironmentVariableCheck.Check(result.Set)] : result.Diagnostics;
        if (!result.HasErrors)
        {
            diagnostics = [.. diagnostics, .. PolicySetAnalyzer.Analyze(result.Set)];
        }

        // The waivers by today's clock: ending soon, or ended (an error under --strict, so that CI fails until it is removed or renewed).
        diagnostics = [.. diagnostics, .. WaiverReview.Review(result.Set, waivers.Time.GetUtcNow(), waivers.ExpiringWithinDays, strict)];
        // The analysis of thousands of similar policies can find a conflict per pair: listed as a load's are, at most 1,000.
        diagnostics = PolicyFolderLoader.Bounded(diagnostics, new SourceLocation(policies.Paths[0], 0, 0));
        PolicyBanner.Write(stderr, policies.Label, result.Set, result.Files.Count, policies.Revision(result));
        switch (format)
        {
            case "json":
                stdout.WriteLine(Serialize(stream => DiagnosticReport.WriteJson(stream, diagnostics)));
                break;
            case "sarif":
                stdout.WriteLine(Serialize(stream => DiagnosticReport.WriteSarif(stream, diagnostics)));
                break;
            default:
                DiagnosticReport.WriteText(stdout, diagnostics, result.Files.Count);
                break;
        }

        var failed = diagnostics.Any(d => d.IsError) || (strict && diagnostics.Any(d => d.Severity == DiagnosticSeverity.Warning));
        return failed ? ExitCodes.Failure : ExitCodes.Success;
    }

    private static string Serialize(Action<Stream> write)
    {
        using var stream = new MemoryStream();
        write(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}

/// <summary>The clock waivers are judged by, and how many days before its end a waiver is reported.</summary>
internal sealed record WaiverClock(TimeProvider Time, int ExpiringWithinDays);
