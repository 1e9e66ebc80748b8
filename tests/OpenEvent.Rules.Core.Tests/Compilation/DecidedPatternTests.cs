using System.Text;
using System.Text.Json;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Core.Tests.Compilation;

/// <summary>
/// Patterns the candidate index decides alone (every condition an exactly keyed leaf, all consumed on the way to the
/// node) are matched without their verification block; everything else that reaches a node is checked. These tests pin
/// both sides: decided patterns match exactly as the reference evaluator says, and look-alikes whose keys only narrow
/// (wildcards, numeric ranges, element identity in arrays of objects) are never accepted on the index's word.
/// </summary>
public sealed class DecidedPatternTests
{
    // 5 types x 5 workspaces x 5 values of a third field: every group splits down to one pattern, so the index consumes
    // every predicate (a node stops splitting when one pattern is left, or when no path splits what is left).
    private static List<string> Grid(Func<int, string> third)
    {
        var texts = new List<string>();
        for (var t = 1; t <= 5; t++)
        {
            for (var p = 1; p <= 5; p++)
            {
                for (var v = 1; v <= 5; v++)
                {
                    texts.Add("{\"type\":[\"t" + t + "\"],\"data\":{\"projectId\":[" + p + "]," + third(v) + "}}");
                }
            }
        }

        return texts;
    }

    private static int Id(int type, int project, int value) => ((type - 1) * 25) + ((project - 1) * 5) + value - 1;

    private static MatchResult MatchChecked(List<string> texts, string cloudEvent)
    {
        var patterns = texts.Select(TestPatterns.FromJson).ToList();
        var set = new CompiledPatternSetBuilder().Build(patterns);
        var result = new MatchResult();
        var bytes = Encoding.UTF8.GetBytes(cloudEvent);
        set.Match(bytes, result);
        using var document = JsonDocument.Parse(bytes, TestPatterns.DocumentOptions);
        var expected = Enumerable.Range(0, patterns.Count).Where(i => ReferencePatternEvaluator.Matches(patterns[i], document.RootElement));
        Assert.Equal(expected, result.PatternIds.ToArray());
        return result;
    }

    [Theory]
    [InlineData("""{"type":"t2","data":{"projectId":3,"status":4}}""")]
    [InlineData("""{"type":["t9","t2"],"data":{"projectId":[3,30],"status":4}}""")]
    [InlineData("""{"type":"t2","data":[{"projectId":3,"status":4}]}""")] // an array with one object: one element
    public void Match_ExactlyKeyedPatternsAllConsumed_DecidedWithoutVerification(string cloudEvent)
    {
        var result = MatchChecked(Grid(v => $"\"status\":[{v}]"), cloudEvent);

        Assert.Equal([Id(2, 3, 4)], result.PatternIds.ToArray());
        Assert.Equal(1, result.VerifiedCount);
        Assert.Equal(1, result.DecidedCount);
    }

    // Both fields are keyed and consumed, but they hold in different elements of `data`: no single object matches.
    [Fact]
    public void Match_FieldsInDifferentElementsOfAnArray_CheckedNotDecided()
    {
        var result = MatchChecked(Grid(v => $"\"status\":[{v}]"), """{"type":"t1","data":[{"projectId":1,"status":2},{"projectId":2,"status":1}]}""");

        Assert.Equal([Id(1, 1, 2), Id(1, 2, 1)], result.PatternIds.ToArray());
        Assert.Equal(4, result.VerifiedCount); // (1,1),(1,2),(2,1),(2,2): the keys proposed all four
        Assert.Equal(0, result.DecidedCount);
    }

    // The same shapes with leaves whose keys only narrow: a wildcard's key is its literal head, a numeric bound's key a
    // closed range, a case-insensitive prefix's key the folded text. Proposed, consumed, and still checked.
    [Theory]
    [InlineData("\"fileName\":[{\"wildcard\":\"l@_*_daily\"}]", """{"type":"t1","data":{"projectId":1,"fileName":"l3_orders_weekly"}}""", new int[0], 1)]
    [InlineData("\"fileName\":[{\"wildcard\":\"l@_*_daily\"}]", """{"type":"t1","data":{"projectId":1,"fileName":"l3_orders_daily"}}""", new[] { 2 }, 1)]
    [InlineData("\"size\":[{\"numeric\":[\">\",@]}]", """{"type":"t1","data":{"projectId":1,"size":3}}""", new[] { 0, 1 }, 3)]
    [InlineData("\"fileName\":[{\"prefix\":{\"equals-ignore-case\":\"L@_\"}}]", """{"type":"t1","data":{"projectId":1,"fileName":"l3_x"}}""", new[] { 2 }, 1)]
    [InlineData("\"fileType\":[{\"anything-but\":[@]}]", """{"type":"t1","data":{"projectId":1,"fileType":3}}""", new[] { 0, 1, 3, 4 }, 5)]
    public void Match_KeysThatOnlyNarrow_CheckedNotDecided(string third, string cloudEvent, int[] matchingValues, int proposed)
    {
        var result = MatchChecked(Grid(v => third.Replace("@", v.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)), cloudEvent);

        Assert.Equal(matchingValues, result.PatternIds.ToArray());
        Assert.Equal(proposed, result.VerifiedCount);
        Assert.Equal(0, result.DecidedCount);
    }

    [Theory]
    [InlineData("""{"type":["t1"],"data":{"projectId":[1]}}""", true)]
    [InlineData("""{"type":["t1", null, true, 5, 3e2],"data":{"projectId":[1],"x":{"y":[{"prefix":"a"},{"suffix":"b"}]}}}""", true)]
    [InlineData("""{"type":["t1"],"data":{"projectId":[1],"fileName":[{"wildcard":"a"}]}}""", false)]
    [InlineData("""{"type":["t1"],"data":{"fileName":[{"equals-ignore-case":"a"}]}}""", false)]
    [InlineData("""{"type":["t1"],"data":{"fileName":[{"exists":true}]}}""", true)]
    [InlineData("""{"type":["t1"],"data":{"fileName":[{"exists":false}]}}""", false)]
    [InlineData("""{"type":["t1"],"data":{"fileName":[{"contains":"a"}]}}""", true)]
    [InlineData("""{"type":["t1"],"data":{"ip":[{"cidr":"10.0.0.0/8"}]}}""", true)]
    [InlineData("""{"type":["t1"],"data":{"ip":[{"cidr":"2001:db8::/32"}]}}""", false)]
    [InlineData("""{"type":["t1"],"data":{"fileName":[{"wildcard":"*a*"}]}}""", false)]
    [InlineData("""{"type":["t1"],"data":{"fileName":[{"anything-but":"a"}]}}""", false)]
    [InlineData("""{"type":["t1"],"$or":[{"source":["a"]},{"subject":["b"]}]}""", false)]
    [InlineData("""{"type":["t1"],"data":{"size":[{"numeric":["=",1]}]}}""", false)]
    public void KeysDecide_OnlyWhereTheKeyIsHitExactlyWhenTheEntryPasses(string pattern, bool decides) =>
        Assert.Equal(decides, CompiledPatternSetBuilder.KeysDecide(TestPatterns.FromJson(pattern)));

    // Random patterns and events (arrays of objects included) in a set large enough to split deeply: the decided path is
    // taken, and the answers stay the reference evaluator's.
    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void Match_RandomPatterns_DecidedAnswersAgreeWithReference(int seed)
    {
        var (_, decided) = RandomizedCrossCheckTests.AgreesWithReferenceEvaluator(new RandomPatterns(seed), seed, patternCount: 1500, eventCount: 200);

        Assert.True(decided > 50, $"only {decided} decided matches");
    }
}
