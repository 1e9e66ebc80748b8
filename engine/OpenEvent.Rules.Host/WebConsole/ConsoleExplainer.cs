using System.Text;
using System.Text.Json;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Host.WebConsole;

/// <summary>
/// The explain view of the console: for one event and a compiled set, every policy written for the event's type (and
/// any that applies), clause by clause with the values seen, as <c>oer explain</c> reports it. Policies for other
/// types are counted, not listed: a set of a thousand policies would bury the few that matter.
/// </summary>
internal static class ConsoleExplainer
{
    /// <summary>Policies listed at most; the rest are counted.</summary>
    public const int MaxPolicies = 50;

    /// <summary>Writes the properties "explain" (the <see cref="ExplanationJson"/> object) and "otherPolicies" into the current object.</summary>
    public static void Write(Utf8JsonWriter json, CompiledPolicySet compiled, DataWorksEvent e, Decision decision, IReadOnlyList<string>? masked)
    {
        var explanations = compiled.Definition.Policies
            .Select(p => PolicyExplainer.Explain(p, e, decision))
            .Where(x => x.Applies || ForThisType(x))
            .OrderByDescending(x => x.Applies)
            .ToList();
        json.WritePropertyName("explain");
        ExplanationJson.Write(json, e, [.. explanations.Take(MaxPolicies)], masked is { Count: > 0 } ? path => IsMasked(path, masked) : null);
        json.WriteNumber("otherPolicies", compiled.Definition.Policies.Length - Math.Min(explanations.Count, MaxPolicies));
    }

    /// <summary>The policy's type clause passed (or it has none): the policy was written for events like this one.</summary>
    private static bool ForThisType(PolicyExplanation explanation) =>
        explanation.Match.Members.FirstOrDefault(m => m.Path == "type") is not { Passed: false };

    /// <summary>
    /// Whether values seen at an explain path ("data.items[0].name") are under (or hold) a masked JSON pointer
    /// (DecisionLog:Mask, e.g. /data/sqlText): such values are shown as the decision log shows them, "***".
    /// </summary>
    public static bool IsMasked(string path, IReadOnlyList<string> pointers)
    {
        var pointer = ToPointer(path);
        foreach (var mask in pointers)
        {
            if (pointer == mask || pointer.StartsWith(mask + "/", StringComparison.Ordinal) || mask.StartsWith(pointer + "/", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static string ToPointer(string path)
    {
        var pointer = new StringBuilder("/", path.Length + 1);
        foreach (var c in path)
        {
            switch (c)
            {
                case '.' or '[':
                    pointer.Append('/');
                    break;
                case ']':
                    break;
                case '~':
                    pointer.Append("~0");
                    break;
                case '/':
                    pointer.Append("~1");
                    break;
                default:
                    pointer.Append(c);
                    break;
            }
        }

        return pointer.ToString();
    }

    /// <summary>Writes a diagnostic as GET /policies does (id, severity, file, line, column, message, hint).</summary>
    public static void WriteDiagnostics(Utf8JsonWriter json, string name, IEnumerable<Diagnostic> diagnostics)
    {
        json.WriteStartArray(name);
        foreach (var diagnostic in diagnostics)
        {
            Endpoints.StatusEndpoints.WriteDiagnostic(json, diagnostic);
        }

        json.WriteEndArray();
    }
}
