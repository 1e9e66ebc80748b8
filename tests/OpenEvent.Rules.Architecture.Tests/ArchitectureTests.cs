namespace OpenEvent.Rules.Architecture.Tests;

/// <summary>
/// The namespace graph of the engine assemblies, computed from their metadata and IL, has no cycle and follows the
/// allowed directions of docs/architecture.md ("Allowed dependencies"), which is read as the single source of the
/// rules. The checker's own negative cases run it over fixture namespaces of this assembly (Fixtures/).
/// </summary>
public sealed class ArchitectureTests
{
    private const string Root = "OpenEvent.Rules";
    private const string Heading = "## Allowed dependencies";
    private const string Fixtures = "OpenEvent.Rules.Architecture.Tests.Fixtures";

    // Every engine assembly (this project references them all). A new engine project is added here.
    private static readonly string[] s_engineAssemblies =
        ["OpenEvent.Rules.Core.dll", "OpenEvent.Rules.Expressions.dll", "OpenEvent.Rules.Host.dll", "oer.dll"];

    // The CLI names these only for their constants (the host's setting keys and default paths), which the compiler copies
    // into the caller: metadata cannot show the use, so they are listed here.
    private static readonly string[] s_publicForTheirConstants =
    [
        "OpenEvent.Rules.Host|OpenEvent.Rules.Host.Configuration.HostArguments",
        "OpenEvent.Rules.Host|OpenEvent.Rules.Host.Configuration.OutboxOptions",
    ];

    private static readonly Lazy<NamespaceGraph> s_engine = new(() => NamespaceGraph.Read(s_engineAssemblies.Select(Output), Root));

    private static readonly Lazy<DependencyRules> s_rules =
        new(() => DependencyRules.FromMarkdown(File.ReadAllText(Output("architecture.md")), Heading, Root));

    [Fact]
    public void EngineNamespaces_HaveNoCycle()
    {
        var graph = s_engine.Value;
        AssertNone(graph.Cycles().Select(cycle => $"a cycle among {string.Join(", ", cycle)}:\n  {string.Join("\n  ", graph.Describe(cycle))}"));
    }

    [Fact]
    public void EngineDependencies_FollowTheAllowedDirections() =>
        AssertNone(s_rules.Value.Violations(s_engine.Value));

    [Fact]
    public void AllowedDirections_FormNoCycle() =>
        AssertNone(NamespaceGraph.Cycles(s_rules.Value.AsGraph()).Select(cycle => $"the rows of {string.Join(", ", cycle)} build on each other"));

    [Fact]
    public void AllowedDirections_HaveOneRowPerEngineNamespaceAndNoOther()
    {
        var rules = s_rules.Value;
        AssertNone(rules.DanglingReferences());
        Assert.Equal(s_engine.Value.Namespaces.Order(StringComparer.Ordinal), rules.Namespaces.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EngineGraph_HasTheEdgesOfTheDesign()
    {
        // Not vacuous: the compiled matcher reads events (Compilation → Events) and the CLI's Program builds its
        // commands; DataWorksEvent names the matcher that read it only through the Events-side ISinglePassMatcher, so
        // reading an event depends neither on compilation nor on evaluation.
        var edges = s_engine.Value.Edges.Select(e => (e.From, e.To)).ToHashSet();
        Assert.Contains(($"{Root}.Compilation", $"{Root}.Events"), edges);
        Assert.Contains(($"{Root}.Cli", $"{Root}.Cli.Commands"), edges);
        Assert.DoesNotContain(($"{Root}.Events", $"{Root}.Compilation"), edges);
        Assert.DoesNotContain(($"{Root}.Events", $"{Root}.Evaluation"), edges);
        Assert.DoesNotContain(($"{Root}.Evaluation", $"{Root}.Compilation"), edges);
        Assert.DoesNotContain(($"{Root}.Evaluation", $"{Root}.Compilation.Conditions"), edges);
    }

    [Fact]
    public void EngineTypes_ArePublicOnlyWhereAnotherAssemblyNeedsThem() =>
        // Internal by default (issue #17): the public surface is tracked in each project's PublicAPI.*.txt; this keeps it
        // to what the CLI, the host and the emitted condition assemblies use.
        AssertNone(PublicSurface.Unneeded(s_engineAssemblies.Select(Output), [$"{Root}.Evaluation.Conditions"])
            .Except(s_publicForTheirConstants, StringComparer.Ordinal)
            .Select(type => $"{type} is public but no other engine assembly needs it: make it internal (tests see internals)"));

    [Fact]
    public void Checker_DeliberateCycle_IsReportedWithWhereEachEdgeComesFrom()
    {
        var left = $"{Fixtures}.Cycle.Left";
        var right = $"{Fixtures}.Cycle.Right";
        var graph = NamespaceGraph.Read([typeof(ArchitectureTests).Assembly.Location], $"{Fixtures}.Cycle");

        var cycle = Assert.Single(graph.Cycles());
        Assert.Equal([left, right], cycle);
        Assert.Equal([(left, right), (right, left)], graph.Edges.Select(e => (e.From, e.To)));
        // Left names Right only inside a lambda (a nested closure type, counted for Ledger), Right names Left in a typeof.
        Assert.StartsWith($"{left}.Ledger/", graph.Edges.First().Witness, StringComparison.Ordinal);
        Assert.EndsWith($"uses {right}.Entry", graph.Edges.First().Witness, StringComparison.Ordinal);
        Assert.Equal($"{right}.Entry.Owner uses {left}.Ledger", graph.Edges.Last().Witness);
        Assert.Equal(2, graph.Describe(cycle).Count());
    }

    [Fact]
    public void Checker_LowerLayerNamingAnUpperOne_IsReported()
    {
        var lower = $"{Fixtures}.Layers.Lower";
        var upper = $"{Fixtures}.Layers.Upper";
        var graph = NamespaceGraph.Read([typeof(ArchitectureTests).Assembly.Location], $"{Fixtures}.Layers");
        var rules = Rules($"{Fixtures}.Layers", "| `Upper` | handlers | `Lower` |", "| `Lower` | storage | |");

        Assert.Empty(graph.Cycles());
        var violation = Assert.Single(rules.Violations(graph));
        Assert.Equal($"{lower} → {upper} is not allowed ({lower}.Store.Describe uses {upper}.Handler)", violation);

        // The same code under rules that put Lower above Upper passes.
        Assert.Empty(Rules($"{Fixtures}.Layers", "| `Lower` | storage | `Upper` |", "| `Upper` | handlers | |").Violations(graph));
    }

    [Fact]
    public void Checker_NamespaceWithoutRule_IsReported()
    {
        var graph = NamespaceGraph.Read([typeof(ArchitectureTests).Assembly.Location], $"{Fixtures}.Layers");
        var rules = Rules($"{Fixtures}.Layers", "| `Upper` | handlers | |");

        Assert.Equal([$"{Fixtures}.Layers.Lower has no rule: add a row for it (and what it builds on) to the table"], rules.Violations(graph));
    }

    [Fact]
    public void Checker_RulesThatClimbBack_AreACycle()
    {
        var rules = Rules(Fixtures, "| `Upper` | handlers | `Middle` |", "| `Middle` | services | `Lower` |", "| `Lower` | storage | `Upper`, `Other` |");

        Assert.Equal([[$"{Fixtures}.Lower", $"{Fixtures}.Middle", $"{Fixtures}.Upper"]], NamespaceGraph.Cycles(rules.AsGraph()));
        Assert.Equal([$"{Fixtures}.Lower builds on {Fixtures}.Other, which has no row"], rules.DanglingReferences());
        // Transitive: what Middle builds on, Upper may use; never the other way.
        Assert.True(Rules(Fixtures, "| `Upper` | | `Middle` |", "| `Middle` | | `Lower` |", "| `Lower` | | |").MayUse($"{Fixtures}.Upper", $"{Fixtures}.Lower"));
        Assert.False(Rules(Fixtures, "| `Upper` | | `Middle` |", "| `Middle` | | `Lower` |", "| `Lower` | | |").MayUse($"{Fixtures}.Lower", $"{Fixtures}.Upper"));
    }

    [Fact]
    public void Checker_PublicTypeNothingNeeds_IsReported()
    {
        var surface = $"{Fixtures}.Surface";
        var unneeded = PublicSurface.Unneeded([typeof(ArchitectureTests).Assembly.Location], [$"{surface}.Api"])
            .Where(type => type.Contains($"|{surface}.", StringComparison.Ordinal));

        // Exposed is public by rule and Shown because Exposed shows it; Shown names Lonely only in an internal member.
        Assert.Equal([$"OpenEvent.Rules.Architecture.Tests|{surface}.Lonely"], unneeded);

        var withoutRule = PublicSurface.Unneeded([typeof(ArchitectureTests).Assembly.Location], [])
            .Where(type => type.Contains($"|{surface}.", StringComparison.Ordinal));
        Assert.Equal(
            [$"OpenEvent.Rules.Architecture.Tests|{surface}.Api.Exposed", $"OpenEvent.Rules.Architecture.Tests|{surface}.Lonely", $"OpenEvent.Rules.Architecture.Tests|{surface}.Shown"],
            withoutRule);
    }

    // A rule table as docs/architecture.md writes one, names relative to `root`.
    private static DependencyRules Rules(string root, params string[] rows) =>
        DependencyRules.FromMarkdown(
            $"# Notes\n\n## Rules\n\nSome text.\n\n| Namespace | Holds | Builds on |\n| --- | --- | --- |\n{string.Join("\n", rows)}\n\nAfter.\n",
            "## Rules",
            root);

    // Fails with every problem in full (xUnit's collection display would cut each one short).
    private static void AssertNone(IEnumerable<string> problems)
    {
        var list = problems.ToList();
        Assert.True(list.Count == 0, $"{list.Count} problem(s):\n{string.Join("\n", list)}");
    }

    private static string Output(string file)
    {
        var path = Path.Combine(AppContext.BaseDirectory, file);
        Assert.True(File.Exists(path), $"{path} is missing from the test output");
        return path;
    }
}
