using System.Reflection;
using System.Text.RegularExpressions;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Cli.Reporting;

/// <summary>
/// Names and short descriptions of the diagnostic ids, read from <see cref="DiagnosticIds"/> so that an id added
/// there shows up in SARIF rules without touching the CLI.
/// </summary>
internal static partial class DiagnosticRules
{
    /// <summary>Where policy-guide.md is published; rule help links point at its per-id anchors (#oer1001).</summary>
    public const string GuideUri = "https://github.com/openevent-rules/openevent-rules/blob/main/policy-guide.md";

    private static readonly Dictionary<string, string> s_names = typeof(DiagnosticIds)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .ToDictionary(f => (string)f.GetRawConstantValue()!, f => f.Name, StringComparer.Ordinal);

    /// <summary>The constant's name, e.g. "YamlSyntax" for OER1001.</summary>
    public static string Name(string id) => s_names.GetValueOrDefault(id, id);

    /// <summary>A readable description from the name: "YamlSyntax" → "YAML syntax".</summary>
    public static string Description(string id)
    {
        var words = PascalWords().Matches(Name(id)).Select(m => m.Value.ToLowerInvariant()).ToList();
        if (words.Count == 0)
        {
            return id;
        }

        var text = string.Join(' ', words)
            .Replace("yaml", "YAML", StringComparison.Ordinal)
            .Replace("utf8", "UTF-8", StringComparison.Ordinal)
            .Replace("cidr", "CIDR", StringComparison.Ordinal);
        return char.ToUpperInvariant(text[0]) + text[1..];
    }

    public static string HelpUri(string id) => $"{GuideUri}#{id.ToLowerInvariant()}";

    [GeneratedRegex("[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")]
    private static partial Regex PascalWords();
}
