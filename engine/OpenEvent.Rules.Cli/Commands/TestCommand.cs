using System.CommandLine;
using OpenEvent.Rules.Cli.CommandLine;
using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Cli.Reporting;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Sources;
using OpenEvent.Rules.Testing;

namespace OpenEvent.Rules.Cli.Commands;

/// <summary>
/// <c>oer test [PATHS...] [--policies PATH...] [--format text|junit] [--require-coverage]</c>: validates the policies,
/// runs the PolicyTest documents of the *.tests.yaml files under PATHS against them and reports each case, a diff for
/// each failure, and coverage. Exit 0 when every case passed; 1 when the policies are invalid, a test file has errors,
/// a case failed or could not run, no test file was found, or (with --require-coverage) something is not covered;
/// 2 for usage errors.
/// </summary>
internal static class TestCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var paths = new Argument<string[]>("paths") { Description = "Test files (*.tests.yaml) or folders holding them (default: policies).", Arity = ArgumentArity.ZeroOrMore };
        var policies = CommonOptions.Policies("Policy files or folders, repeat for several (default: each PATH that is a folder, and the folder of each PATH that is a file).");
        var format = new Option<string>("--format") { Description = "text (default) or junit (JUnit XML on stdout; coverage goes to stderr).", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "junit");
        var requireCoverage = new Option<bool>("--require-coverage") { Description = "Fail (exit 1) when a policy, clause, $or branch or exclusion is exercised by no case." };

        var command = new Command("test", "Run the policy tests (*.tests.yaml) and report failures and coverage.") { paths, policies, format, requireCoverage };
        command.With(
            [
                "oer test my-policies",
                "oer test policies --format junit --require-coverage > oer-test.xml",
                "oer test tests/ --policies policies --policies shared/channels.yaml",
            ],
            [
                (ExitCodes.Success, "every case passed"),
                (ExitCodes.Failure, "a case failed or could not run, a test file has errors, the policies are invalid, no test file was found, or (with --require-coverage) something is not covered"),
                (ExitCodes.Usage, CommandHelp.UsageExit),
            ]);
        command.SetAction((result, cancellationToken) => RunAsync(
            result.GetValue(paths) is { Length: > 0 } given ? given : [ValidateCommand.DefaultPath],
            result.GetValue(paths) is not { Length: > 0 },
            result.GetValue(policies),
            result.GetValue(format) == "junit",
            result.GetValue(requireCoverage),
            stdout,
            stderr,
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string[] paths, bool pathsDefaulted, string[]? policyPaths, bool junit, bool requireCoverage, TextWriter stdout, TextWriter stderr,
        CancellationToken cancellationToken)
    {
        var policies = policyPaths is { Length: > 0 }
            ? PolicyPaths.From(policyPaths)
            : new PolicyPaths([.. paths.Select(p => Directory.Exists(p) ? p : Path.GetDirectoryName(p) is { Length: > 0 } folder ? folder : ".").Distinct()], pathsDefaulted);
        if (paths.FirstOrDefault(p => !File.Exists(p) && !Directory.Exists(p)) is { } missing)
        {
            await stderr.WriteLineAsync(pathsDefaulted
                ? $"oer: no test paths given and there is no '{ValidateCommand.DefaultPath}' folder here: name the test files or folders (and the policies with --policies DIR)"
                : $"oer: path not found: {missing}");
            return ExitCodes.Usage;
        }

        if (policies.Check(stderr) is { } usage)
        {
            return usage;
        }

        // The policies are validated first: testing an invalid set would only produce confusing failures.
        // A valid set's conditions are compiled once, by the runner; an invalid set's only for their diagnostics.
        var load = await PolicyFolderLoader.LoadAsync(policies.Paths, EventCatalog.Default, cancellationToken);
        PolicyBanner.Write(stderr, policies.Label, load.Set, load.Files.Count, policies.Revision(load), load.Diagnostics.Count(d => !d.IsError));
        if (load.HasErrors)
        {
            return await RefuseAsync(load.WithDiagnostics(PolicyLoading.CheckConditions(load.Set, PolicyLoading.Conditions, policies.Paths, cancellationToken)), stderr);
        }

        var tests = await PolicyTestLoader.LoadAsync(paths, cancellationToken);
        if (tests.Files.IsEmpty)
        {
            await stderr.WriteLineAsync($"oer: no policy test files (*.tests.yaml) found in {string.Join(", ", paths)}");
            return ExitCodes.Failure;
        }

        PolicyTestRun run;
        try
        {
            run = PolicyTestRunner.Run(load.Set, tests.Tests, new PolicySetCompilerOptions { ConditionCompiler = PolicyLoading.Conditions });
        }
        catch (PolicyCompilationException ex)
        {
            return await RefuseAsync(load.WithDiagnostics(ex.Diagnostics), stderr);
        }

        if (junit)
        {
            await stdout.WriteLineAsync(TestReport.Junit(run, tests.Diagnostics));
            TestReport.WriteCoverage(stderr, run.Coverage);
        }
        else
        {
            TestReport.WriteText(stdout, run, tests.Diagnostics, tests.Files.Length);
        }

        var failed = !run.Succeeded || tests.Diagnostics.Any(d => d.IsError) || (requireCoverage && !run.Coverage.IsComplete);
        return failed ? ExitCodes.Failure : ExitCodes.Success;
    }

    private static async Task<int> RefuseAsync(PolicyLoadResult load, TextWriter stderr)
    {
        DiagnosticReport.WriteText(stderr, load.Diagnostics, load.Files.Count);
        await stderr.WriteLineAsync("oer: the policies are invalid; fix them before running the tests");
        return ExitCodes.Failure;
    }
}
