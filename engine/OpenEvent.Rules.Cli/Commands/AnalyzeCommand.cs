using System.CommandLine;
using System.Globalization;
using System.Text;
using OpenEvent.Rules.Analysis;
using OpenEvent.Rules.Cli.CommandLine;
using OpenEvent.Rules.Cli.Reporting;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Sources;

namespace OpenEvent.Rules.Cli.Commands;

/// <summary>
/// <c>oer analyze [PATHS...] [--policies PATH...] [--format text|json|sarif] [--strict] [--top N] [--max-policy-cost N]
/// [--max-set-cost N]</c>: the set reviewed as a whole (OER3090-OER3093), reported like <c>oer validate</c>, with what each
/// policy costs per event and the budget (the folder's kind: Budget document, or the options; OER3120, OER3121);
/// <c>oer validate</c> runs the same analysis and budget check when the set loads. Waivers are judged by today's clock too
/// (OER3101, OER3102), as in <c>oer validate</c>.
/// </summary>
internal static class AnalyzeCommand
{
    /// <summary>How many of the dearest policies the report lists by default.</summary>
    public const int DefaultTop = 10;

    public static Command Create(TextWriter stdout, TextWriter stderr, TimeProvider time)
    {
        var paths = new Argument<string[]>("paths") { Description = $"Policy files or folders, as --policies (default: {PolicyPaths.DefaultPath}).", Arity = ArgumentArity.ZeroOrMore };
        var policies = CommonOptions.Policies();
        var format = new Option<string>("--format")
        {
            Description = "Output format: text (default), json ({diagnostics, cost}), or sarif (SARIF 2.1.0 for code scanning).",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "json", "sarif");
        var strict = new Option<bool>("--strict") { Description = "Fail (exit 1) on findings (they are warnings) too." };
        var top = new Option<int>("--top") { Description = $"How many of the dearest policies to list (default {DefaultTop}).", DefaultValueFactory = _ => DefaultTop };
        top.Validators.Add(AtLeastOne);
        var maxPolicy = new Option<long?>("--max-policy-cost") { Description = "The most one policy may cost, in cost units per event (overrides the folder's Budget document)." };
        maxPolicy.Validators.Add(AtLeastOne);
        var maxSet = new Option<long?>("--max-set-cost") { Description = "The most the whole set may cost, in cost units per event (overrides the folder's Budget document)." };
        maxSet.Validators.Add(AtLeastOne);
        var expiringWithin = CommonOptions.ExpiringWithin();

        var command = new Command("analyze", "Review the policy set as a whole: policies that never match, exclusions that cover the match, shadowed policies, conflicting pairs (with a witness event), and what each policy costs per event against the budget.")
        {
            paths, policies, format, strict, top, maxPolicy, maxSet, expiringWithin,
        };
        command.With(
            [
                "oer analyze policies/",
                "oer analyze policies --strict --format sarif > oer-analyze.sarif",
                "oer analyze policies --top 20 --max-policy-cost 500 --max-set-cost 100000",
            ],
            [
                (ExitCodes.Success, "the set loads and is within its budget (findings are warnings unless --strict)"),
                (ExitCodes.Failure, "the policies have errors, a policy or the set is over the budget, or findings with --strict"),
                (ExitCodes.Usage, CommandHelp.UsageExit),
            ]);
        command.SetAction((parseResult, cancellationToken) => RunAsync(
            PolicyPaths.From(parseResult.GetValue(paths), parseResult.GetValue(policies)),
            new Options(parseResult.GetValue(format) ?? "text", parseResult.GetValue(strict), parseResult.GetValue(top), parseResult.GetValue(maxPolicy), parseResult.GetValue(maxSet))
            {
                Waivers = new WaiverClock(time, parseResult.GetValue(expiringWithin)),
            },
            stdout,
            stderr,
            cancellationToken));
        return command;
    }

    private sealed record Options(string Format, bool Strict, int Top, long? MaxPolicyCost, long? MaxSetCost)
    {
        public WaiverClock Waivers { get; init; } = new(TimeProvider.System, Validation.WaiverReview.DefaultExpiringWithinDays);
    }

    // Reads the token itself: a value that is no number at all is the parser's to report (reading it here would throw).
    private static void AtLeastOne(System.CommandLine.Parsing.OptionResult result)
    {
        if (result.Tokens is [.., var token] && long.TryParse(token.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value < 1)
        {
            result.AddError($"{result.Option.Name} must be at least 1");
        }
    }

    private static async Task<int> RunAsync(PolicyPaths policies, Options options, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        // A path that does not exist, or holds no policy file, is a command-line mistake (exit 2), not a policy problem.
        if ((CommonOptions.CheckExpiringWithin(options.Waivers.ExpiringWithinDays, stderr) ?? policies.Check(stderr)) is { } usage)
        {
            return usage;
        }

        var result = await PolicyLoading.LoadAsync(policies.Paths, PolicyLoading.Conditions, cancellationToken);

        // The options override the folder's limits one by one; they are said to come from the command line.
        var set = result.Set with { Budget = Merge(result.Set.Budget, options, new SourceLocation(policies.Paths[0], 0, 0)) };
        var cost = PolicyCostModel.Estimate(set);

        // The set's analysis after the load's diagnostics (an analysis of a set that did not load judges what is left of
        // it; its warnings too, so that --strict fails where oer validate --strict does), at most 1,000 listed.
        IReadOnlyList<Diagnostic> diagnostics = PolicyFolderLoader.Bounded(
            [.. result.Diagnostics, .. PolicySetAnalyzer.Analyze(set),
                .. Validation.WaiverReview.Review(set, options.Waivers.Time.GetUtcNow(), options.Waivers.ExpiringWithinDays, options.Strict)],
            new SourceLocation(policies.Paths[0], 0, 0));
        PolicyBanner.Write(stderr, policies.Label, result.Set, result.Files.Count, policies.Revision(result));
        switch (options.Format)
        {
            case "json":
                stdout.WriteLine(Serialize(stream => DiagnosticReport.WriteJson(stream, diagnostics, json => CostReport.WriteJson(json, cost, set.Budget, options.Top))));
                break;
            case "sarif":
                stdout.WriteLine(Serialize(stream => DiagnosticReport.WriteSarif(stream, diagnostics)));
                break;
            default:
                DiagnosticReport.WriteText(stdout, diagnostics, result.Files.Count, writer => CostReport.WriteText(writer, cost, set.Budget, options.Top));
                break;
        }

        var failed = diagnostics.Any(d => d.IsError) || (options.Strict && diagnostics.Any(d => d.Severity == DiagnosticSeverity.Warning));
        return failed ? ExitCodes.Failure : ExitCodes.Success;
    }

    private static CostBudget? Merge(CostBudget? folder, Options options, SourceLocation commandLine)
    {
        if (options.MaxPolicyCost is null && options.MaxSetCost is null)
        {
            return folder;
        }

        return new CostBudget
        {
            MaxPolicyCost = options.MaxPolicyCost ?? folder?.MaxPolicyCost,
            MaxSetCost = options.MaxSetCost ?? folder?.MaxSetCost,
            Location = folder?.Location ?? commandLine,
            MaxPolicyCostLocation = options.MaxPolicyCost is null && folder is not null ? folder.MaxPolicyCostLocation : commandLine,
            MaxSetCostLocation = options.MaxSetCost is null && folder is not null ? folder.MaxSetCostLocation : commandLine,
        };
    }

    private static string Serialize(Action<Stream> write)
    {
        using var stream = new MemoryStream();
        write(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
