using System.CommandLine;
using OpenEvent.Rules.Cli.CommandLine;
using OpenEvent.Rules.Cli.Commands;

namespace OpenEvent.Rules.Cli;

public static class Program
{
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>
    /// Runs the CLI with explicit writers (and stdin, and the clock the outbox commands age items by and waivers are judged by) so that tests
    /// can call it in-process.
    /// </summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, Stream? stdin = null, TimeProvider? time = null)
    {
        stdin ??= Console.OpenStandardInput();

        // Host settings (--OpenEventRules:Key value) are the host's to check, not options of serve.
        var (arguments, settings) = args is ["serve", ..] ? ServeCommand.SplitSettings(args) : (args, []);
        var root = new RootCommand("oer: validate, analyze, dry-run, explain and test OpenEvent.Rules policies for DataWorks events, show the impact of a change, and run the host.")
        {
            ValidateCommand.Create(stdout, stderr, time ?? TimeProvider.System),
            AnalyzeCommand.Create(stdout, stderr, time ?? TimeProvider.System),
            DryRunCommand.Create(stdout, stderr, stdin, time ?? TimeProvider.System),
            ExplainCommand.Create(stdout, stderr, stdin, time ?? TimeProvider.System),
            TestCommand.Create(stdout, stderr),
            ImpactCommand.Create(stdout, stderr, stdin),
            ServeCommand.Create(settings, stderr),
            OutboxCommand.Create(stdout, stderr, time ?? TimeProvider.System),
            PromoteCheckCommand.Create(stdout, stderr, time ?? TimeProvider.System),
            WaiversCommand.Create(stdout, stderr, time ?? TimeProvider.System),
        };
        root.With(
            [
                "oer validate my-policies/",
                "oer dry-run --policies my-policies/ samples/events/FileChange-DeployFile.json",
                "oer <command> --help",
            ],
            [
                (ExitCodes.Success, "success"),
                (ExitCodes.Failure, "the policies, an event or a test failed (each command's --help says when)"),
                (ExitCodes.Usage, CommandHelp.UsageExit),
                (ExitCodes.Changed, "oer impact --exit-code: the outcome of at least one event changed; oer promote-check: the policy is not ready"),
            ]);
        CommandHelp.Install(root);

        // A command group named without a subcommand (oer, oer outbox) shows its help: what can follow.
        foreach (var group in root.Subcommands.Where(c => c.Subcommands.Count > 0).Append(root))
        {
            group.SetAction(result =>
            {
                CommandHelp.Write(result);
                return ExitCodes.Usage;
            });
        }

        var parseResult = root.Parse(arguments);
        var problems = CommandHelp.IsRequested(parseResult) ? [] : CommandLineProblems.Find(parseResult);
        if (problems.Count > 0)
        {
            foreach (var problem in problems)
            {
                stderr.WriteLine(problem);
            }

            stderr.WriteLine($"Run '{CommandLineProblems.CommandPath(parseResult.CommandResult)} --help' for usage.");
            return ExitCodes.Usage;
        }

        return parseResult.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
    }
}
