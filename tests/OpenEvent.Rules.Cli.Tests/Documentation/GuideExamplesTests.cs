using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using OpenEvent.Rules.Analysis;
using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Cli.Commands;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Parsing;
using OpenEvent.Rules.Sources;
using OpenEvent.Rules.Testing;

namespace OpenEvent.Rules.Cli.Tests.Documentation;

/// <summary>
/// policy-guide.md cannot rot: every YAML example in it is validated, every example event is evaluated against the
/// policy shown before it, and every diagnostic id, operator and key of the language is documented.
/// Conventions in the guide:
/// - a ```yaml block holding "apiVersion: openevent.rules/v1", or any "# expect:" line, is an example. Without
///   "# expect:" lines it must load with no error and no warning; with them, each "# expect: OERnnnn at L:C"
///   (line and column inside the block) must be reported, and no other error may be;
/// - a YAML example whose first kind is "kind: PolicyTest", with "# expect:" lines, is a test file: its diagnostics are those of
///   loading it and of running it against the last example set that loaded;
/// - a ```json block is an event; "&lt;!-- expect: verdict=FAIL matched=a,b audit=c --&gt;" after it evaluates it
///   against the last example that loaded (verdict OK|WARN|FAIL|none; matched, audit and waived (the waivers named) are exact sets);
///   the examples are checked as on 2026-06-01 (waivers' expiries are judged against that day).
/// </summary>
public sealed partial class GuideExamplesTests
{
    private static readonly string s_guide = File.ReadAllText(RepositoryPaths.Combine("policy-guide.md"));

    /// <summary>The day the guide's examples are checked on (the guide says so): waivers' expiries are judged against it.</summary>
    private static readonly TimeProvider s_guideClock = new GuideClock();

    private sealed class GuideClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
    }

    private sealed record Block(string Language, string Text, int Line);

    private sealed record Step(Block? Code, string? Expectation, int Line);

    private static List<Step> Steps()
    {
        var steps = new List<Step>();
        var lines = s_guide.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.StartsWith("```", StringComparison.Ordinal) && line.Length > 3)
            {
                var language = line[3..].Trim();
                var start = i + 1;
                var text = new StringBuilder();
                for (i++; i < lines.Length && !lines[i].StartsWith("```", StringComparison.Ordinal); i++)
                {
                    text.Append(lines[i]).Append('\n');
                }

                steps.Add(new Step(new Block(language, text.ToString(), start + 1), null, start));
            }
            else if (ExpectComment().Match(line) is { Success: true } expect)
            {
                steps.Add(new Step(null, expect.Groups[1].Value, i + 1));
            }
        }

        return steps;
    }

    private static bool IsExample(Block block) =>
        block.Language == "yaml" && (block.Text.Contains("apiVersion: openevent.rules/v1", StringComparison.Ordinal) || block.Text.Contains("# expect:", StringComparison.Ordinal));

    [Fact]
    public async Task Guide_EveryExampleAndEventExpectation_Holds()
    {
        using var temp = new TempFolder();
        CompiledPolicySet? current = null;
        PolicySetDefinition currentDefinition = PolicySetDefinition.Empty;
        string? currentEvent = null;
        var examples = 0;
        var evaluations = 0;
        var failures = new List<string>();
        try
        {
            foreach (var step in Steps())
            {
                if (step.Code is { } block && IsExample(block))
                {
                    examples++;
                    var folder = temp.Path($"example-{block.Line}");
                    if (FirstKind(block.Text) == "PolicyTest")
                    {
                        // Test files refer to event files and policies around them: the tutorial test runs those;
                        // here only the diagnostic examples (with "# expect:") are self-contained.
                        if (!block.Text.Contains("# expect:", StringComparison.Ordinal))
                        {
                            continue;
                        }

                        temp.Write($"example-{block.Line}/example.tests.yaml", block.Text);
                        var tests = await PolicyTestLoader.LoadAsync([folder]);
                        var run = PolicyTestRunner.Run(currentDefinition, tests.Tests, new PolicySetCompilerOptions { ConditionCompiler = PolicyLoading.Conditions });
                        var diagnostics = tests.Diagnostics
                            .Concat(run.Suites.SelectMany(suite => suite.Errors.Concat(suite.Cases.SelectMany(c => c.Errors))))
                            .ToList();
                        failures.AddRange(CheckExpectations(block, diagnostics).Select(p => $"policy-guide.md:{block.Line}: {p}"));
                        continue;
                    }

                    temp.Write($"example-{block.Line}/example.yaml", block.Text);
                    var load = await PolicyLoading.LoadAsync([folder], PolicyLoading.Conditions, CancellationToken.None);
                    // As `oer validate`: the set's analysis (OER309x) runs when the set loads, and the waivers are judged by the clock.
                    IReadOnlyList<Diagnostic> loadDiagnostics = load.HasErrors ? load.Diagnostics : [.. load.Diagnostics, .. PolicySetAnalyzer.Analyze(load.Set)];
                    loadDiagnostics = [.. loadDiagnostics, .. Validation.WaiverReview.Review(load.Set, s_guideClock.GetUtcNow())];
                    failures.AddRange(CheckExpectations(block, loadDiagnostics).Select(p => $"policy-guide.md:{block.Line}: {p}"));
                    if (!load.HasErrors && load.Set.Policies.Length > 0)
                    {
                        current?.Dispose();
                        current = PolicySetCompiler.Compile(load.Set, new PolicySetCompilerOptions { ConditionCompiler = PolicyLoading.Conditions, Time = s_guideClock });
                        currentDefinition = load.Set;
                    }
                }
                else if (step.Code is { Language: "json" } json)
                {
                    currentEvent = json.Text;
                }
                else if (step.Expectation is { } expectation)
                {
                    evaluations++;
                    if (current is null || currentEvent is null)
                    {
                        failures.Add($"policy-guide.md:{step.Line}: an expectation needs an example policy and a json event before it");
                        continue;
                    }

                    var decision = current.EvaluateInput(Encoding.UTF8.GetBytes(currentEvent), "guide").Single();
                    failures.AddRange(CheckDecision(expectation, decision).Select(p => $"policy-guide.md:{step.Line}: {p}"));
                }
            }
        }
        finally
        {
            current?.Dispose();
        }

        Assert.True(examples >= 40, $"only {examples} examples");
        Assert.True(evaluations >= 20, $"only {evaluations} evaluated events");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static IEnumerable<string> CheckExpectations(Block block, IReadOnlyList<Diagnostic> diagnostics)
    {
        var expected = ExpectLine().Matches(block.Text).Select(m => (Id: m.Groups[1].Value, Line: int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), Column: int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture))).ToList();
        string Describe(Diagnostic d) => $"{d.Id} at {d.Location.Line}:{d.Location.Column} {d.Message}";
        foreach (var (id, line, column) in expected)
        {
            if (!diagnostics.Any(d => d.Id == id && d.Location.Line == line && d.Location.Column == column))
            {
                yield return $"expected {id} at {line}:{column}; got: {string.Join(" | ", diagnostics.Select(Describe))}";
            }
        }

        foreach (var diagnostic in diagnostics)
        {
            var isExpected = expected.Any(e => e.Id == diagnostic.Id);
            if (!isExpected && (diagnostic.IsError || expected.Count == 0))
            {
                yield return $"unexpected {Describe(diagnostic)}";
            }
        }
    }

    private static IEnumerable<string> CheckDecision(string expectation, Decision decision)
    {
        if (decision.Error is { } error)
        {
            yield return $"the event is invalid: {error.Id} {error.Message}";
            yield break;
        }

        foreach (var (key, value) in expectation.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2)).Select(p => (p[0], p.Length > 1 ? p[1] : "")))
        {
            switch (key)
            {
                case "verdict":
                    var actual = decision.Verdict is { } v ? DecisionJson.VerdictText(v) : "none";
                    if (actual != value)
                    {
                        yield return $"verdict {actual}, expected {value}";
                    }

                    break;
                case "matched" or "audit":
                    var names = (key == "matched" ? decision.Matched : decision.Audit).Select(m => m.Policy).Order().ToArray();
                    var wanted = value.Split(',', StringSplitOptions.RemoveEmptyEntries).Order().ToArray();
                    if (!names.SequenceEqual(wanted))
                    {
                        yield return $"{key} [{string.Join(",", names)}], expected [{string.Join(",", wanted)}]";
                    }

                    break;
                case "waived":
                    var waivers = decision.Matched.Where(m => m.Waiver is not null).Select(m => m.Waiver!.Name).Distinct().Order().ToArray();
                    var wantedWaivers = value.Split(',', StringSplitOptions.RemoveEmptyEntries).Order().ToArray();
                    if (!waivers.SequenceEqual(wantedWaivers))
                    {
                        yield return $"waived [{string.Join(",", waivers)}], expected [{string.Join(",", wantedWaivers)}]";
                    }

                    break;
                default:
                    yield return $"unknown expectation key '{key}'";
                    break;
            }
        }
    }

    [Fact]
    public void Guide_EveryDiagnosticId_HasASectionAndAnExample()
    {
        // Not every problem can be written in a Markdown code block: non-UTF-8 bytes, a 10 MB file, a tab (editors
        // and the guide's own tooling rewrite it), a path that does not exist. Those are tested by the reader's tests.
        // OER3046 depends on the environment of the run, which a guide example cannot set.
        string[] withoutExample = [DiagnosticIds.NotUtf8, DiagnosticIds.FileTooLarge, DiagnosticIds.TabIndentation, DiagnosticIds.UnreadablePath,
            DiagnosticIds.UnsetEnvironmentVariable];

        // Nor the policy folder's guards: a FIFO, a link out of the folder, an engine fault, a reload over its budget
        // (PolicyFolderHazardTests and HostPolicyFolderHazardTests cover them).
        // And an empty policy folder, which the host refuses (HostStartupTests, HostReloadTests).
        withoutExample = [.. withoutExample, DiagnosticIds.NotRegularFile, DiagnosticIds.LinkOutsideFolder, DiagnosticIds.LoadFailed, DiagnosticIds.ReloadTimedOut,
            DiagnosticIds.NoPolicyFiles];

        // A compile that outlasts the 20 s compile timeout (OER2009) is no example to run in a test either: ExhaustionTests has it.
        // Nor a set expanded past 100,000 values (OER1022: a set of thousands of names, NamedSetExpanderTests has it).
        withoutExample = [.. withoutExample, DiagnosticIds.ConditionCompileTimeout, DiagnosticIds.SetExpansionLimit];
        // Nor a thousand diagnostics (OER1024: PolicyFolderLoaderTests has it).
        withoutExample = [.. withoutExample, DiagnosticIds.TooManyDiagnostics];
        var ids = typeof(DiagnosticIds).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();
        Assert.NotEmpty(ids);
        foreach (var id in ids)
        {
            Assert.True(s_guide.Contains($"### {id}", StringComparison.Ordinal), $"policy-guide.md has no '### {id}' section");
            if (!withoutExample.Contains(id))
            {
                Assert.True(s_guide.Contains($"# expect: {id} at", StringComparison.Ordinal), $"policy-guide.md has no example that expects {id}");
            }
        }
    }

    [Fact]
    public void Guide_EveryOperatorAndKey_IsDocumented()
    {
        foreach (var op in PatternParser.OperatorNames.Append("$or"))
        {
            Assert.True(s_guide.Contains($"`{op}`", StringComparison.Ordinal), $"operator {op} is not documented");
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in new[] { "policy.schema.json", "registry.schema.json", "waiver.schema.json" })
        {
            using var schema = System.Text.Json.JsonDocument.Parse(File.ReadAllText(RepositoryPaths.Combine("schemas", file)));
            CollectKeys(schema.RootElement, keys);
        }

        var missing = keys.Where(key => !s_guide.Contains($"`{key}`", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"keys not documented in policy-guide.md: {string.Join(", ", missing)}");
    }

    private static void CollectKeys(System.Text.Json.JsonElement node, HashSet<string> keys)
    {
        if (node.ValueKind == System.Text.Json.JsonValueKind.Object)
        {
            foreach (var property in node.EnumerateObject())
            {
                if (property.Name == "properties" && property.Value.ValueKind == System.Text.Json.JsonValueKind.Object)
                {
                    foreach (var key in property.Value.EnumerateObject())
                    {
                        keys.Add(key.Name);
                    }
                }

                CollectKeys(property.Value, keys);
            }
        }
        else if (node.ValueKind == System.Text.Json.JsonValueKind.Array)
        {
            foreach (var item in node.EnumerateArray())
            {
                CollectKeys(item, keys);
            }
        }
    }

    [GeneratedRegex(@"^<!-- expect: (.*) -->\s*$")]
    private static partial Regex ExpectComment();

    [GeneratedRegex(@"# expect: (OER\d{4}) at (\d+):(\d+)")]
    private static partial Regex ExpectLine();

    /// <summary>The kind of an example's first document: a test file starts with its PolicyTest (a policy file may hold one by mistake, OER4006).</summary>
    private static string? FirstKind(string text) => FirstKindLine().Match(text) is { Success: true } m ? m.Groups[1].Value : null;

    [GeneratedRegex(@"^kind:\s*(\w+)", RegexOptions.Multiline)]
    private static partial Regex FirstKindLine();
}
