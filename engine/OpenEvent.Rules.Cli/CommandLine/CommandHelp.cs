using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Runtime.CompilerServices;

namespace OpenEvent.Rules.Cli.CommandLine;

/// <summary>
/// What `--help` adds to System.CommandLine's own text for each command: examples to copy, the exit codes a CI script
/// can rely on, and free sections (the host settings of `oer serve`).
/// </summary>
internal static class CommandHelp
{
    /// <summary>The exit code line every command shares: command-line mistakes are 2 everywhere.</summary>
    public const string UsageExit = "command-line mistake: unknown option or command, missing value, a path that does not exist or holds nothing to read";

    private static readonly ConditionalWeakTable<Command, Extras> s_extras = [];

    private sealed record Extras(IReadOnlyList<string> Examples, IReadOnlyList<(int Code, string Meaning)> ExitCodes, IReadOnlyList<(string Title, IReadOnlyList<string> Lines)> Sections);

    /// <summary>Registers the examples, exit codes and extra sections that `--help` prints for <paramref name="command"/>.</summary>
    public static T With<T>(this T command, string[] examples, (int, string)[] exitCodes, params (string Title, IReadOnlyList<string> Lines)[] sections)
        where T : Command
    {
        s_extras.AddOrUpdate(command, new Extras(examples, exitCodes, sections));
        return command;
    }

    /// <summary>Makes every `--help` (and every command group invoked without a subcommand) print the extras too.</summary>
    public static void Install(RootCommand root)
    {
        foreach (var option in root.Options.OfType<HelpOption>())
        {
            if (option.Action is HelpAction help)
            {
                option.Action = new ExtendedHelpAction(help);
            }
        }
    }

    /// <summary>Prints the help of <paramref name="result"/>'s command, as `--help` would.</summary>
    public static void Write(ParseResult result)
    {
        var help = result.RootCommandResult.Command.Options.OfType<HelpOption>().Select(o => o.Action).OfType<ExtendedHelpAction>().FirstOrDefault();
        help?.Invoke(result);
    }

    /// <summary>Whether the command line asks for help (then nothing else on it is checked, as System.CommandLine does).</summary>
    public static bool IsRequested(ParseResult result) => result.Action is ExtendedHelpAction;

    private static void WriteExtras(Command command, TextWriter output)
    {
        if (!s_extras.TryGetValue(command, out var extras))
        {
            return;
        }

        foreach (var (title, lines) in extras.Sections)
        {
            output.WriteLine($"{title}:");
            foreach (var line in lines)
            {
                output.WriteLine($"  {line}");
            }

            output.WriteLine();
        }

        if (extras.Examples.Count > 0)
        {
            output.WriteLine("Examples:");
            foreach (var example in extras.Examples)
            {
                output.WriteLine($"  {example}");
            }

            output.WriteLine();
        }

        if (extras.ExitCodes.Count > 0)
        {
            output.WriteLine("Exit codes:");
            foreach (var (code, meaning) in extras.ExitCodes)
            {
                output.WriteLine($"  {code}  {meaning}");
            }

            output.WriteLine();
        }
    }

    private sealed class ExtendedHelpAction(HelpAction inner) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var exitCode = inner.Invoke(parseResult);
            WriteExtras(parseResult.CommandResult.Command, parseResult.InvocationConfiguration.Output);
            return exitCode;
        }
    }
}
