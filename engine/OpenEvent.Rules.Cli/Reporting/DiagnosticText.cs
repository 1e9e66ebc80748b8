using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Cli.Reporting;

/// <summary>The one-line text form of a diagnostic with its hint: `file:line:col: error OER1011: message`.</summary>
internal static class DiagnosticText
{
    public static string Format(Diagnostic diagnostic) =>
        diagnostic.Hint is null ? diagnostic.ToString() : $"{diagnostic}{Environment.NewLine}  hint: {diagnostic.Hint}";
}
