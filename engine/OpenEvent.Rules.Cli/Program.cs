using System.CommandLine;
using OpenEvent.Rules.Cli.Commands;

namespace OpenEvent.Rules.Cli;

public static class Program
{
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Runs the CLI with explicit writers (and stdin) so that tests can call it in-process.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, Stream? stdin = null)
    {
        stdin ??= Console.OpenStandardInput();
        var root = new RootCommand("oer: validate, dry-run, explain and test OpenEvent.Rules policies for DataWorks events, and show the impact of a change.")
        {
            ValidateCommand.Create(stdout, stderr),
            DryRunCommand.Create(stdout, stderr, stdin),
            ExplainCommand.Create(stdout, stderr, stdin),
            TestCommand.Create(stdout, stderr),
            ImpactCommand.Create(stdout, stderr, stdin),
            ServeCommand.Create(),
            OutboxCommand.Create(stdout, stderr),
        };

        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var error in parseResult.Errors)
            {
                stderr.WriteLine($"oer: {error.Message}");
            }

            stderr.WriteLine("Run 'oer --help' for usage.");
            return ExitCodes.Usage;
        }

        return parseResult.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
    }
}
