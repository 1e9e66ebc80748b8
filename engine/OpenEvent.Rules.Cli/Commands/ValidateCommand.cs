using System.CommandLine;

namespace OpenEvent.Rules.Cli.Commands;

/// <summary><c>oer validate [PATHS...] [--format text|json|sarif] [--strict]</c>.</summary>
internal static class ValidateCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var paths = new Argument<string[]>("paths") { Description = "Policy files or folders (default: policies/).", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("validate", "Validate policy files and report every problem.") { paths };
        command.SetAction(_ =>
        {
            stderr.WriteLine("oer validate: not implemented yet");
            return ExitCodes.Failure;
        });
        return command;
    }
}
