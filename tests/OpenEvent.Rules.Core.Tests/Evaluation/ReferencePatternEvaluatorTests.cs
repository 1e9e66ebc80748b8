using System.Text.Json;
using System.Text.Json.Nodes;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Parsing;
using OpenEvent.Rules.Core.Tests.Parsing;

namespace OpenEvent.Rules.Core.Tests.Evaluation;

public sealed class ReferencePatternEvaluatorTests
{
    private static PatternObject Pattern(string json)
    {
        var bag = new DiagnosticBag();
        var pattern = PatternParser.Parse(JsonNode.Parse(json), "", new JsonTextSourceMap("p.json", json), bag);
        Assert.Empty(bag.Items);
        return pattern!;
    }

    private static PatternTrace Explain(string pattern, string cloudEvent)
    {
        using var document = JsonDocument.Parse(cloudEvent);
        return ReferencePatternEvaluator.Explain(Pattern(pattern), document.RootElement);
    }

    [Fact]
    public void Explain_FailingLeaf_GivesFirstFailingClauseWithActualValues()
    {
        var trace = Explain(
            """{"source": ["acs.dataworks"], "data": {"fileName": [{"suffix": ".sql"}, {"prefix": "dws_"}]}}""",
            """{"source": "acs.dataworks", "data": {"fileName": "调度.sh"}}""");

        Assert.False(trace.Matched);
        Assert.True(trace.Members[0].Passed);
        var failure = trace.FirstFailure;
        Assert.NotNull(failure);
        Assert.Equal("data.fileName", failure.Path);
        Assert.Equal("""{"suffix":".sql"}""", failure.Clause);
        Assert.Equal(["\"调度.sh\""], failure.Actual.ToArray());
        Assert.Equal(new SourceLocation("p.json", 1, 53), failure.Location);
        Assert.Equal(3, trace.AllClauses().Count());
    }

    [Fact]
    public void Explain_ArrayOfObjects_TracesEachElementWithItsIndex()
    {
        var trace = Explain(
            """{"items": {"a": ["1"], "b": ["2"]}}""",
            """{"items": [{"a": "1", "b": "x"}, 7, {"a": "0", "b": "2"}]}""");

        var nested = Assert.IsType<NestedTrace>(Assert.Single(trace.Members));
        Assert.False(nested.Passed);
        Assert.Equal(["items[0]", "items[2]"], nested.Candidates.Select(c => c.Path));
        Assert.Equal("items[0].b", trace.FirstFailure!.Path);
        Assert.Equal(["\"x\""], trace.FirstFailure.Actual.ToArray());
    }

    [Fact]
    public void Explain_MissingNestedObject_TriesTheEmptyObject()
    {
        var trace = Explain("""{"data": {"x": [{"exists": false}], "y": ["1"]}}""", """{"source": "s"}""");

        var nested = Assert.IsType<NestedTrace>(Assert.Single(trace.Members));
        var candidate = Assert.Single(nested.Candidates);
        Assert.Equal("data", candidate.Path);
        Assert.Equal([true, false], candidate.Members.Select(m => m.Passed));
        Assert.Empty(Assert.IsType<LeafTrace>(candidate.Members[1]).Actual);
    }

    [Fact]
    public void Explain_Or_TracesEveryBranch()
    {
        var trace = Explain(
            """{"data": {"$or": [{"a": [1]}, {"b": [{"numeric": [">", 5]}]}]}}""",
            """{"data": {"a": 2, "b": [3, 4.0]}}""");

        var or = Assert.IsType<OrTrace>(Assert.IsType<NestedTrace>(trace.Members[0]).Candidates[0].Members[0]);
        Assert.Equal("data.$or", or.Path);
        Assert.Equal(2, or.Branches.Length);
        Assert.All(or.Branches, b => Assert.False(b.Matched));
        Assert.Equal("data.a", trace.FirstFailure!.Path);
        var numeric = or.Branches[1].AllClauses().Single();
        Assert.Equal(["3", "4.0"], numeric.Actual.ToArray());
        Assert.Equal("""{"numeric":[">",5]}""", numeric.Clause);
    }

    [Fact]
    public void Explain_Matching_HasNoFailure()
    {
        var trace = Explain("""{"type": [{"prefix": "dataworks:"}]}""", """{"type": "dataworks:FileChange:CommitFile"}""");

        Assert.True(trace.Matched);
        Assert.Null(trace.FirstFailure);
        Assert.True(Assert.IsType<LeafTrace>(trace.Members[0]).Clauses[0].Passed);
    }

    [Fact]
    public void Matches_AgreesWithExplain_OnEveryConformanceCase()
    {
        foreach (var @case in Conformance.ConformanceCases.Valid)
        {
            using var document = JsonDocument.Parse(@case.EventJson);
            var trace = ReferencePatternEvaluator.Explain(@case.Pattern, document.RootElement);
            Assert.Equal(ReferencePatternEvaluator.Matches(@case.Pattern, document.RootElement), trace.Matched);
            Assert.All(trace.AllClauses(), c => Assert.NotEqual(0, c.Location.Line));
        }
    }
}
