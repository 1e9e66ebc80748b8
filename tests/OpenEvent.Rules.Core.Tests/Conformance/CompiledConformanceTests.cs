using System.Text;
using OpenEvent.Rules.Compilation;

namespace OpenEvent.Rules.Core.Tests.Conformance;

/// <summary>
/// The compiled matcher on the conformance suite: every case alone, and all cases' patterns compiled into one set
/// (so that the index, not just the verification, is exercised) — both must give each case's expected answer.
/// Cases whose event is not a JSON object are left out: the engine refuses such events before matching
/// (not-an-object), and the compiled matcher throws for them instead of matching them like an empty object.
/// </summary>
public sealed class CompiledConformanceTests
{
    private static readonly IReadOnlyList<ConformanceCase> ObjectCases =
        [.. ConformanceCases.Valid.Where(c => c.EventJson.TrimStart().StartsWith('{'))];

    public static TheoryData<string> CaseIds()
    {
        var data = new TheoryData<string>();
        foreach (var testCase in ObjectCases)
        {
            data.Add(testCase.Id);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CaseIds))]
    public void Match_ConformanceCase_GivesTheExpectedAnswer(string id)
    {
        var testCase = ObjectCases.Single(c => c.Id == id);
        var set = new CompiledPatternSetBuilder().Build([testCase.Pattern]);

        var matched = set.Match(Encoding.UTF8.GetBytes(testCase.EventJson)).Length == 1;

        Assert.Equal(testCase.Expected, matched);
    }

    [Fact]
    public void Match_AllConformancePatternsInOneSet_AgreesWithEveryCase()
    {
        var cases = ObjectCases;
        var set = new CompiledPatternSetBuilder().Build([.. cases.Select(c => c.Pattern)]);
        var failures = new List<string>();
        for (var i = 0; i < cases.Count; i++)
        {
            var matched = set.Match(Encoding.UTF8.GetBytes(cases[i].EventJson)).Contains(i);
            if (matched != cases[i].Expected)
            {
                failures.Add($"{cases[i].Id}: expected {cases[i].Expected}");
            }
        }

        Assert.True(cases.Count >= 400, $"only {cases.Count} conformance cases");
        Assert.Empty(failures);
    }
}
