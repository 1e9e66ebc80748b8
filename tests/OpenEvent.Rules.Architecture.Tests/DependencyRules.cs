using System.Text.RegularExpressions;

namespace OpenEvent.Rules.Architecture.Tests;

/// <summary>
/// The allowed dependency directions: for every namespace, the namespaces it builds on. A namespace may use what it
/// builds on and, transitively, what those build on (layers may be skipped downwards, never climbed). Every
/// namespace has its own rule, so a new folder is a decision, not a default.
/// </summary>
internal sealed partial class DependencyRules
{
    private readonly IReadOnlyDictionary<string, IReadOnlyList<string>> _buildsOn;

    public DependencyRules(IReadOnlyDictionary<string, IReadOnlyList<string>> buildsOn)
    {
        _buildsOn = buildsOn;
    }

    public IEnumerable<string> Namespaces => _buildsOn.Keys;

    /// <summary>
    /// Reads the table under the <paramref name="heading"/> of a Markdown file: rows
    /// <c>| `Namespace` | what lives there | `A`, `B` |</c>, names short (relative to <paramref name="root"/>, which
    /// is written in full).
    /// </summary>
    public static DependencyRules FromMarkdown(string markdown, string heading, string root)
    {
        var section = markdown[(markdown.IndexOf(heading, StringComparison.Ordinal) is var at and >= 0
            ? at + heading.Length
            : throw new InvalidOperationException($"heading '{heading}' not found"))..];
        var rules = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var line in section.Split('\n').SkipWhile(l => !l.StartsWith('|')).TakeWhile(l => l.StartsWith('|')))
        {
            var cells = line.Trim().Trim('|').Split('|');
            var names = CodeSpan().Matches(cells[0]);
            if (names.Count != 1)
            {
                continue; // the header and the separator row
            }

            var from = Qualify(names[0].Groups[1].Value, root);
            var buildsOn = CodeSpan().Matches(cells[^1]).Select(m => Qualify(m.Groups[1].Value, root)).ToList();
            if (!rules.TryAdd(from, buildsOn))
            {
                throw new InvalidOperationException($"{from} has two rows");
            }
        }

        return new DependencyRules(rules);
    }

    /// <summary>The rule table as a graph (for its own cycle check).</summary>
    public IReadOnlyDictionary<string, IEnumerable<string>> AsGraph() =>
        _buildsOn.ToDictionary(r => r.Key, r => (IEnumerable<string>)r.Value, StringComparer.Ordinal);

    /// <summary>Names a rule builds on that have no rule themselves (typos, removed folders).</summary>
    public IEnumerable<string> DanglingReferences() =>
        _buildsOn.SelectMany(r => r.Value.Where(to => !_buildsOn.ContainsKey(to)).Select(to => $"{r.Key} builds on {to}, which has no row"));

    /// <summary>Every edge of <paramref name="graph"/> the table does not allow, and every namespace without a rule.</summary>
    public IReadOnlyList<string> Violations(NamespaceGraph graph)
    {
        var violations = graph.Namespaces.Where(ns => !_buildsOn.ContainsKey(ns))
            .Select(ns => $"{ns} has no rule: add a row for it (and what it builds on) to the table")
            .ToList();
        foreach (var (from, to, witness) in graph.Edges)
        {
            if (_buildsOn.ContainsKey(from) && !MayUse(from, to))
            {
                violations.Add($"{from} → {to} is not allowed ({witness})");
            }
        }

        return violations;
    }

    /// <summary>Whether <paramref name="to"/> is below <paramref name="from"/>: reachable through the rules.</summary>
    public bool MayUse(string from, string to)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { from };
        var pending = new Stack<string>([from]);
        while (pending.TryPop(out var current))
        {
            foreach (var next in _buildsOn.TryGetValue(current, out var below) ? below : [])
            {
                if (next == to)
                {
                    return true;
                }

                if (seen.Add(next))
                {
                    pending.Push(next);
                }
            }
        }

        return false;
    }

    private static string Qualify(string name, string root) => name == root ? root : $"{root}.{name}";

    [GeneratedRegex("`([A-Za-z][A-Za-z0-9.]*)`")]
    private static partial Regex CodeSpan();
}
