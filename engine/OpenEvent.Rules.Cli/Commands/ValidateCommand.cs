using OpenEvent.Rules.Catalog;
using System.CommandLine;
using System.Text;
using OpenEvent.Rules.Cli.Reporting;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Sources;

namespace OpenEvent.Rules.Cli.Commands;

/// <summary><c>oer validate [PATHS...] [--format text|json|sarif] [--strict]</c>.</summary>
internal static class ValidateCommand
{
    public const string DefaultPath = "policies";

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var paths = new Argument<string[]>("paths") { Description = "Policy files or folders (default: policies/).", Arity = ArgumentArity.ZeroOrMore };
        var format = new Option<string>("--format")
        {
            Description = "Output format: text (default), json, or sarif (SARIF 2.1.0 for code scanning).",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "json", "sarif");
        var strict = new Option<bool>("--strict") { Description = "Fail (exit 1) on warnings too." };

        var command = new Command("validate", "Validate policy files and report every problem.") { paths, format, strict };
        command.SetAction((parseResult, cancellationToken) => RunAsync(
            parseResult.GetValue(paths) is { Length: > 0 } given ? given : [DefaultPath],
            parseResult.GetValue(format) ?? "text",
            parseResult.GetValue(strict),
            stdout,
            stderr,
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string[] paths, string format, bool strict, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        // A path that does not exist is a command-line mistake (exit 2), not a policy problem.
        var missing = paths.Where(p => !File.Exists(p) && !Directory.Exists(p)).ToList();
        if (missing.Count > 0)
        {
            foreach (var path in missing)
            {
                stderr.WriteLine($"oer: path not found: {path}");
            }

            return ExitCodes.Usage;
        }

        var result = await PolicyFolderLoader.LoadAsync(paths, EventCatalog.Default, PolicyLoading.Conditions, cancellationToken);
        switch (format)
        {
            case "json":
                stdout.WriteLine(Serialize(stream => DiagnosticReport.WriteJson(stream, result.Diagnostics)));
                break;
            case "sarif":
                stdout.WriteLine(Serialize(stream => DiagnosticReport.WriteSarif(stream, result.Diagnostics)));
                break;
            default:
                DiagnosticReport.WriteText(stdout, result.Diagnostics, result.Files.Count);
                break;
        }

        var failed = result.HasErrors || (strict && result.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Warning));
        return failed ? ExitCodes.Failure : ExitCodes.Success;
    }

    private static string Serialize(Action<Stream> write)
    {
        using var stream = new MemoryStream();
        write(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
