using System.Text;
using OpenEvent.Rules.Analysis;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Core.Tests.Compilation;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Sources;

namespace OpenEvent.Rules.Core.Tests.Analysis;

/// <summary>
/// The cost model (issue 15, part 4): its ordering follows what the engine really does (the compiled matcher's own
/// verification counts over the sample events, one per catalog type), its values are pinned, and the budget is checked
/// with located diagnostics. No timings: what is asserted is work counted, not time measured.
/// </summary>
public sealed class PolicyCostModelTests : IDisposable
{
    private const string DeployFile = "dataworks:FileChange:DeployFile";

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string Policy(string name, string match, string extra = "") => PolicySetAnalyzerTests.Policy(name, match, extra: extra);

    private static readonly string s_typedWildcard = Policy("typed-wildcard", $$"""{ type: ["{{DeployFile}}"], data: { fileName: [{ anything-but: { wildcard: "*_tmp_*" } }] } }""");
    private static readonly string s_untypedWildcard = Policy("untyped-wildcard", """{ data: { fileName: [{ anything-but: { wildcard: "*_tmp_*" } }] } }""");
    private static readonly string s_typedCondition = Policy("typed-condition", $$"""{ type: ["{{DeployFile}}"] }""", "  condition: e.Data.GetProperty(\"fileName\").GetString()!.Contains(\"_tmp_\")\n");
    private static readonly string s_typedDetail = Policy("typed-detail", $$"""{ type: ["{{DeployFile}}"], detail: { CommittedFile: { FileType: [10] } } }""");
    private static readonly string s_typedExclusionWithoutType = Policy("typed-exclusion-without-type", $$"""{ type: ["{{DeployFile}}"] }""",
        "  exclude:\n    - match: { data: { fileName: [{ anything-but: { wildcard: \"*_tmp_*\" } }] } }\n");

    private async Task<PolicySetDefinition> LoadAsync(params string[] documents)
    {
        var path = _temp.Write($"set-{Guid.NewGuid():N}/p.yaml", string.Join("---\n", documents));
        var result = await PolicyFolderLoader.LoadAsync([path]);
        Assert.DoesNotContain(result.Diagnostics, d => d.IsError);
        return result.Set;
    }

    private static double Units(PolicySetCost cost, string policy) => cost.Policies.Single(p => p.Policy == policy).Units;

    [Fact]
    public async Task Estimate_ClearCases_OrderedAsTheEngineWorks_ValuesPinned()
    {
        var set = await LoadAsync(s_typedWildcard, s_untypedWildcard, s_typedCondition, s_typedDetail, s_typedExclusionWithoutType);

        var cost = PolicyCostModel.Estimate(set);

        // Dearest first: a detail read (a remote call), an unindexed exclusion and an untyped wildcard (every event),
        // a condition (a document parse, for one type's events), then a typed wildcard (one type's events).
        Assert.Equal(["typed-detail", "typed-exclusion-without-type", "untyped-wildcard", "typed-condition", "typed-wildcard"], cost.Policies.Select(p => p.Policy));

        // The wildcard sits in an anything-but, which gives the index no key (a wildcard alone would: its "_tmp_" part).
        // 52 catalog types. typed-wildcard: (candidate 10 + nested data 5 + type leaf 2+2 + leaf 2 + anything-but 2 + wildcard 40) / 52
        // + fileName decoded 15.
        Assert.Equal(16.2, Units(cost, "typed-wildcard"));

        // untyped-wildcard: the same verification for every event: 10 + 5 + 44 + 15.
        Assert.Equal(74, Units(cost, "untyped-wildcard"));

        // typed-condition: (10 + 4 + condition 3,000) / 52.
        Assert.Equal(58, Units(cost, "typed-condition"));

        // typed-detail: (10 + 4 + fetch 1,000,000) / 52; the detail member is matched over the detail, not here.
        Assert.Equal(19231.0, Units(cost, "typed-detail"));

        // typed-exclusion-without-type: (10 + 4) / 52 + the exclusion verified for every event (10 + 5 + 44) + 15.
        Assert.Equal(74.3, Units(cost, "typed-exclusion-without-type"));

        // Each hint names what makes its policy dear.
        string Hint(string policy) => cost.Policies.Single(p => p.Policy == policy).Hint;
        Assert.Equal("Reading the detail calls DataWorks for the events of 1 type in 52: narrow spec.match (a type, a workspace, a file name) so that fewer events get that far, or test the event's own fields instead.", Hint("typed-detail"));
        Assert.Equal("The C# condition parses the event into a document for the events of 1 type in 52: move what it tests into spec.match (a type, values), which the index narrows by before any condition runs.", Hint("typed-condition"));
        Assert.Equal("The exclusion's match, verified for every event: give the exclusion's match the policy's type, so that the index verifies it only for those events.", Hint("typed-exclusion-without-type"));
        Assert.Equal("The anything-but on data.fileName is evaluated for every event: add a type (spec.match.type) so that only the events of that type are checked.", Hint("untyped-wildcard"));

        // The set: every policy's work, data.fileName decoded once (not three times).
        Assert.Equal(Math.Round(cost.Policies.Sum(p => p.Units) - (2 * 15), 1), cost.Total, 0.11);
    }

    [Fact]
    public async Task Estimate_Reach_AgreesWithWhatTheCompiledMatcherVerifies()
    {
        var set = await LoadAsync(s_typedWildcard, s_untypedWildcard, s_typedExclusionWithoutType);
        var cost = PolicyCostModel.Estimate(set);

        // The patterns as the compiled policy matcher builds them (matches, then exclusions), among one typed policy for
        // each of 20 other types: the model prices a policy as in a set large enough for the candidate index to split
        // by type (alone, a pattern is verified for every event).
        var patterns = new List<PatternObject>
        {
            set.Policies[0].Match,
            set.Policies[1].Match,
            set.Policies[2].Exclude[0].Match!,
        };
        var others = OpenEvent.Rules.Catalog.EventCatalog.Default.EventTypes.Select(t => t.Type).Where(t => t != DeployFile).Take(20);
        patterns.AddRange(others.Select(type => TestPatterns.FromJson("{\"type\":[\"" + type + "\"],\"data\":{\"projectId\":[7]}}")));
        var compiled = new CompiledPatternSetBuilder().Build(patterns);
        var verified = new int[3];
        var events = 0;
        foreach (var file in Directory.EnumerateFiles(RepositoryPaths.Combine("samples", "events"), "*-*.json").Where(f => !f.Contains("fc-envelope", StringComparison.Ordinal)))
        {
            var result = new MatchResult { VerifiedLog = [] };
            compiled.Match(Encoding.UTF8.GetBytes(File.ReadAllText(file)), result);
            events++;
            for (var id = 0; id < verified.Length; id++)
            {
                verified[id] += result.VerifiedLog.Count(v => v == id);
            }
        }

        // One sample event per catalog type: the typed pattern is verified for its type's event only, as the model's
        // reach says. The untyped pattern and the exclusion without a type (an anything-but on data.fileName) are keyed
        // by the field's presence alone, which the model prices as no key ("every event"): an upper bound, as the
        // matcher verifies them for the events that have data.fileName only (8 of the samples), never for more.
        Assert.Equal(52, events);
        var withFileName = Directory.EnumerateFiles(RepositoryPaths.Combine("samples", "events"), "*-*.json")
            .Where(f => !f.Contains("fc-envelope", StringComparison.Ordinal))
            .Count(f => System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(f))?["data"]?["fileName"] is not null);
        Assert.InRange(withFileName, 1, events - 1);
        Assert.Equal([1, withFileName, withFileName], verified);
        var typed = cost.Policies.Single(p => p.Policy == "typed-wildcard");
        Assert.Equal((1.0 / 52, "the events of 1 type in 52"), (typed.Reach, typed.ReachText));
        Assert.Equal((1.0, "every event"), (cost.Policies.Single(p => p.Policy == "untyped-wildcard").Reach, cost.Policies.Single(p => p.Policy == "untyped-wildcard").ReachText));
        Assert.Contains(cost.Policies.Single(p => p.Policy == "typed-exclusion-without-type").Terms, t => t.What == "the exclusion's match, verified for every event");
    }

    [Fact]
    public async Task Estimate_TypePrefixAndListsAndSets_PricedAsTheIndexAndVerifierSeeThem()
    {
        var set = await LoadAsync(
            Policy("file-changes", """{ type: [{ prefix: "dataworks:FileChange:" }] }"""),
            Policy("long-list", $$"""{ type: ["{{DeployFile}}"], data: { fileName: [{{string.Join(", ", Enumerable.Range(0, 100).Select(i => $"\"f{i}\""))}}] } }"""),
            Policy("short-list", $$"""{ type: ["{{DeployFile}}"], data: { fileName: ["f0"] } }"""),
            Policy("cidr", """{ type: ["dataworks:ResourcesDownload:DownloadResourcesExecute"], data: { ip: [{ cidr: "10.0.0.0/8" }] } }"""),
            Policy("prefix", """{ type: ["dataworks:ResourcesDownload:DownloadResourcesExecute"], data: { ip: [{ prefix: "10." }] } }"""),
            Policy("exists-anywhere", """{ data: { fileName: [{ exists: true }] } }"""));

        var cost = PolicyCostModel.Estimate(set);

        // The type prefix hits the five FileChange types of the catalog: the index sends it those types' events.
        Assert.Equal("the events of 5 types in 52", cost.Policies.Single(p => p.Policy == "file-changes").ReachText);

        // The verifier compares a list's entries one by one, and cidr parses an address where prefix compares text.
        Assert.True(Units(cost, "long-list") > Units(cost, "short-list"));
        Assert.True(Units(cost, "cidr") > Units(cost, "prefix"));

        // Nothing indexes a pattern without a type or a value: walking it for every event is what costs.
        Assert.Equal("The policy's pattern is verified for every event: add a type (spec.match.type) so that only the events of that type are checked.",
            cost.Policies.Single(p => p.Policy == "exists-anywhere").Hint);
    }

    // The index lists a pattern under each keyed $or branch (Model/Patterns/IndexEntries): the types of both
    // branches, or one in ten per keyed branch; a branch without a key leaves the pattern verified for every event.
    [Fact]
    public async Task Estimate_OrBranchesWithKeys_ReachWhatTheBranchesReachTogether()
    {
        var set = await LoadAsync(
            Policy("typed-branches", $$"""{ $or: [{ type: ["{{DeployFile}}"] }, { type: ["dataworks:FileChange:CommitFile"] }] }"""),
            Policy("keyed-branches", """{ $or: [{ data: { projectId: [7] } }, { data: { appId: [7] } }] }"""),
            Policy("keyless-branch", """{ $or: [{ data: { projectId: [7] } }, { data: { owner: [{ exists: true }] } }] }"""));

        var cost = PolicyCostModel.Estimate(set);

        Assert.Equal((2.0 / 52, "the events of 2 types in 52"), (cost.Policies.Single(p => p.Policy == "typed-branches").Reach, cost.Policies.Single(p => p.Policy == "typed-branches").ReachText));
        Assert.Equal(0.2, cost.Policies.Single(p => p.Policy == "keyed-branches").Reach, 6);
        Assert.Equal((1.0, "every event"), (cost.Policies.Single(p => p.Policy == "keyless-branch").Reach, cost.Policies.Single(p => p.Policy == "keyless-branch").ReachText));
    }

    [Fact]
    public async Task Analyze_PolicyOverBudget_OER3120AtTheDearestClause_HintNamesIt()
    {
        var set = await LoadAsync(Budget("maxPolicyCost: 50"), s_typedWildcard, s_untypedWildcard);

        var diagnostic = Assert.Single(PolicySetAnalyzer.Analyze(set));

        Assert.Equal((DiagnosticIds.PolicyOverCostBudget, DiagnosticSeverity.Error, 18, 31), (diagnostic.Id, diagnostic.Severity, diagnostic.Location.Line, diagnostic.Location.Column));
        Assert.StartsWith("policy 'untyped-wildcard' costs 74 units per event, over the budget of 50 (spec.maxPolicyCost at ", diagnostic.Message, StringComparison.Ordinal);
        Assert.EndsWith("p.yaml:5:3); dearest: anything-but on data.fileName (44)", diagnostic.Message, StringComparison.Ordinal);
        Assert.Equal("The anything-but on data.fileName is evaluated for every event: add a type (spec.match.type) so that only the events of that type are checked.", diagnostic.Hint);
    }

    [Fact]
    public async Task Analyze_SetOverBudget_OER3121AtMaxSetCost_WithinBudget_Nothing()
    {
        var over = await LoadAsync(Budget("maxPolicyCost: 100\n  maxSetCost: 60"), s_typedWildcard, s_untypedWildcard);
        var within = await LoadAsync(Budget("maxPolicyCost: 100\n  maxSetCost: 100"), s_typedWildcard, s_untypedWildcard);

        var diagnostic = Assert.Single(PolicySetAnalyzer.Analyze(over));

        Assert.Equal((DiagnosticIds.SetOverCostBudget, 6, 3), (diagnostic.Id, diagnostic.Location.Line, diagnostic.Location.Column));
        Assert.StartsWith("the policy set costs 75.2 units per event, over the budget of 60 (spec.maxSetCost at ", diagnostic.Message, StringComparison.Ordinal);
        Assert.EndsWith("dearest: 'untyped-wildcard' 74, 'typed-wildcard' 16.2", diagnostic.Message, StringComparison.Ordinal);
        Assert.Empty(PolicySetAnalyzer.Analyze(within));
    }

    [Fact]
    public async Task Load_TwoBudgets_OER3122AtTheSecond_TheFirstApplies()
    {
        var path = _temp.Write("two/p.yaml", string.Join("---\n", Budget("maxPolicyCost: 10"), Budget("maxPolicyCost: 20", "other"), s_typedWildcard));

        var result = await PolicyFolderLoader.LoadAsync([path]);

        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal((DiagnosticIds.DuplicateCostBudget, 8, 7), (diagnostic.Id, diagnostic.Location.Line, diagnostic.Location.Column));
        Assert.Equal(10, result.Set.Budget?.MaxPolicyCost);
    }

    private static string Budget(string spec, string name = "cost") => $"""
        apiVersion: openevent.rules/v1
        kind: Budget
        metadata: {"{"} name: {name} {"}"}
        spec:
          {spec}

        """;
}
