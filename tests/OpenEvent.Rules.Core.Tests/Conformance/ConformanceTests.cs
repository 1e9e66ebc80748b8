using System.Text.Json;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Parsing;

namespace OpenEvent.Rules.Tests.Conformance;

/// <summary>Runs the reference evaluator and the pattern parser on every conformance case.</summary>
public sealed class ConformanceTests
{
    public static TheoryData<string> ValidIds() => [.. ConformanceCases.Valid.Select(c => c.Id)];

    public static TheoryData<string> InvalidIds() => [.. ConformanceCases.Invalid.Select(c => c.Id)];

    [Theory]
    [MemberData(nameof(ValidIds))]
    public void ReferenceEvaluator_Case_MatchesExpected(string id)
    {
        var @case = ConformanceCases.Valid.Single(c => c.Id == id);
        using var document = JsonDocument.Parse(@case.EventJson);

        var matched = ReferencePatternEvaluator.Matches(@case.Pattern, document.RootElement);
        var trace = ReferencePatternEvaluator.Explain(@case.Pattern, document.RootElement);

        Assert.True(matched == @case.Expected, $"{id}: expected {@case.Expected}, got {matched}; first failing clause: {trace.FirstFailure}");
        Assert.Equal(matched, trace.Matched);
        Assert.Equal(matched, trace.FirstFailure is null);
    }

    [Theory]
    [MemberData(nameof(InvalidIds))]
    public void PatternParser_InvalidCase_ReportsExactIds(string id)
    {
        var @case = ConformanceCases.Invalid.Single(c => c.Id == id);
        var diagnostics = new DiagnosticBag();

        var pattern = PatternParser.Parse(@case.Pattern, @case.Pointer, @case.Map, diagnostics);

        Assert.Null(pattern);
        Assert.Equal(@case.ExpectedIds.Order(StringComparer.Ordinal), diagnostics.Items.Select(d => d.Id).Order(StringComparer.Ordinal));
        Assert.All(diagnostics.Items, d =>
        {
            Assert.True(d.IsError);
            Assert.False(string.IsNullOrWhiteSpace(d.Hint), $"{d} has no hint");
            Assert.True(d.Location.Line > 1, $"{d} is not located inside the case file");
        });
    }

    [Fact]
    public void Suite_LoadsEveryCase_NoProblems()
    {
        Assert.Empty(ConformanceCases.Problems);
    }

    [Fact]
    public void Suite_HasAtLeast400ValidCases()
    {
        Assert.True(ConformanceCases.Valid.Count >= 400, $"only {ConformanceCases.Valid.Count} valid cases");
    }

    [Fact]
    public void Suite_CaseIds_AreUnique()
    {
        var duplicates = ConformanceCases.Valid.Select(c => c.Id).Concat(ConformanceCases.Invalid.Select(c => c.Id))
            .GroupBy(id => id, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key);
        Assert.Empty(duplicates);
    }

    [Fact]
    public void Suite_BothOutcomes_AreWellRepresented()
    {
        Assert.True(ConformanceCases.Valid.Count(c => c.Expected) >= 150);
        Assert.True(ConformanceCases.Valid.Count(c => !c.Expected) >= 150);
    }

    [Fact]
    public void Suite_InvalidCases_CoverEveryPatternDiagnostic()
    {
        string[] ids =
        [
            DiagnosticIds.UnknownOperator, DiagnosticIds.MalformedNumeric, DiagnosticIds.BadCidr, DiagnosticIds.EmptyAnythingBut,
            DiagnosticIds.OrTooFewBranches, DiagnosticIds.LeafNotArray, DiagnosticIds.BadOperatorValue,
            DiagnosticIds.ContradictoryRange, DiagnosticIds.BadWildcard, DiagnosticIds.EmptyPattern,
        ];
        var covered = ConformanceCases.Invalid.SelectMany(c => c.ExpectedIds).ToHashSet(StringComparer.Ordinal);

        var missing = ids.Where(id => !covered.Contains(id)).ToList();
        Assert.True(missing.Count == 0, "no invalid case for " + string.Join(", ", missing));
    }
}
