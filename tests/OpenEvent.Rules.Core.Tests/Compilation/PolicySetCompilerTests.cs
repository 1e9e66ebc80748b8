using System.Collections.Immutable;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Sources;

namespace OpenEvent.Rules.Core.Tests.Compilation;

/// <summary>The compiled policy matcher against the reference one, on whole policies (match, scope, exclusions).</summary>
public sealed class PolicySetCompilerTests
{
    private static IEnumerable<(string Name, byte[] Bytes)> SampleEvents() =>
        Directory.EnumerateFiles(RepositoryPaths.Combine("samples", "events"), "*.json")
            .Order(StringComparer.Ordinal)
            .Select(f => (Path.GetFileName(f), File.ReadAllBytes(f)));

    [Fact]
    public async Task Evaluate_ShippedPoliciesOnEverySample_CompiledAgreesWithReference()
    {
        var load = await PolicyFolderLoader.LoadAsync([RepositoryPaths.Combine("policies")]);
        Assert.False(load.HasErrors, string.Join("\n", load.Diagnostics));
        var conditions = new OpenEvent.Rules.Expressions.RoslynConditionCompiler();
        using var compiled = PolicySetCompiler.Compile(load.Set, new PolicySetCompilerOptions { ConditionCompiler = conditions });
        using var reference = PolicySetCompiler.Compile(load.Set, new PolicySetCompilerOptions { UseReferenceMatcher = true, ConditionCompiler = conditions });

        var decisions = 0;
        foreach (var (name, bytes) in SampleEvents())
        {
            var expected = reference.EvaluateInput(bytes, name).Select(DecisionJson.Serialize).ToList();
            var actual = compiled.EvaluateInput(bytes, name).Select(DecisionJson.Serialize).ToList();
            Assert.Equal(expected, actual);
            decisions += actual.Count;
        }

        Assert.True(decisions >= 54);
    }

    [Fact]
    public async Task Evaluate_EventsReadBeforeAnyIsEvaluated_EachKeepsItsOwnMatch()
    {
        // The single pass works in per-thread memory: an event read first and evaluated after another was read (a batch
        // read at the door, or evaluated on another thread) must still be judged on its own bytes.
        var load = await PolicyFolderLoader.LoadAsync([RepositoryPaths.Combine("tests", "OpenEvent.Rules.Host.Tests", "fixtures")]);
        using var compiled = PolicySetCompiler.Compile(load.Set);
        var blocked = """{"specversion":"1.0","id":"a","source":"acs.dataworks","type":"dataworks:FileChange:DeployFile","data":{"projectId":10001234,"fileName":"dws_x"}}"""u8.ToArray();
        var passing = """{"specversion":"1.0","id":"b","source":"acs.dataworks","type":"dataworks:FileChange:DeployFile","data":{"projectId":10001234,"fileName":"ods_x"}}"""u8.ToArray();

        using var first = compiled.TryRead(new EventSlice(new EventOrigin("a", 0), blocked, null), out _)!;
        using var second = compiled.TryRead(new EventSlice(new EventOrigin("b", 0), passing, null), out _)!;
        var decisions = await Task.Run(() => new[] { compiled.Evaluator.Evaluate(first), compiled.Evaluator.Evaluate(second) });

        Assert.Equal(Verdict.Fail, decisions[0].Verdict);
        Assert.Equal("deploy-freeze", Assert.Single(decisions[0].Matched).Policy);
        Assert.Equal(Verdict.Ok, decisions[1].Verdict);
        Assert.Empty(decisions[1].Matched);
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void Evaluate_RandomPoliciesWithScopeAndExclusions_CompiledAgreesWithReference(int seed)
    {
        var random = new RandomPatterns(seed);
        var rng = new Random(seed);
        string[] regions = ["cn-hangzhou", "cn-shanghai"];
        var policies = Enumerable.Range(0, 200).Select(i => new PolicyDefinition(
            $"p{i}",
            new PolicyMetadata(null, null, ImmutableSortedDictionary<string, string>.Empty),
            PolicyMode.Enforce,
            rng.Next(3),
            TestPatterns.FromJson(random.NextPattern()),
            rng.Next(3) == 0 ? new ScopeDefinition([], [], [regions[rng.Next(2)]], [], [], SourceLocation.None) : null,
            rng.Next(3) == 0 ? [new ExclusionDefinition(TestPatterns.FromJson(random.NextPattern()), null, SourceLocation.None)] : [],
            null,
            [new ForwardAction("log", SourceLocation.None)],
            new SourceLocation("random.yaml", i + 1, 1))).ToImmutableArray();
        var set = new PolicySetDefinition(policies, [], []);
        using var compiled = PolicySetCompiler.Compile(set);
        using var reference = PolicySetCompiler.Compile(set, new PolicySetCompilerOptions { UseReferenceMatcher = true });

        var matches = 0;
        for (var e = 0; e < 300; e++)
        {
            var json = random.NextEvent();
            var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
            node["specversion"] = "1.0";
            node["id"] = $"e{e}";
            node.TryAdd("type", "dataworks:Random:Event");
            node["aliyunregionid"] = regions[rng.Next(2)];
            var bytes = System.Text.Encoding.UTF8.GetBytes(node.ToJsonString());

            var expected = reference.EvaluateInput(bytes, "random").Single();
            var actual = compiled.EvaluateInput(bytes, "random").Single();
            if (expected.Error is not null)
            {
                Assert.Equal(expected.Error, actual.Error);
                continue;
            }

            Assert.Equal(expected.Matched.Select(m => m.Policy), actual.Matched.Select(m => m.Policy));
            matches += actual.Matched.Length;
        }

        Assert.True(matches > 100, $"only {matches} matches: the check would be vacuous");
    }
}
