using System.Text.Json;
using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Parsing;
using OpenEvent.Rules.Validation;

namespace OpenEvent.Rules.Core.Tests.Conformance;

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
    public void InvalidCase_IsRefused_WithExactIdsAndLocations(string id)
    {
        var @case = ConformanceCases.Invalid.Single(c => c.Id == id);
        var diagnostics = new DiagnosticBag();

        var pattern = PatternParser.Parse(@case.Pattern, @case.Pointer, @case.Map, diagnostics);

        if (@case.Validate)
        {
            // Refused by what only the catalog knows (the field's documented type): the parser must accept the pattern.
            Assert.True(pattern is not null, $"{id}: the parser refused it: {string.Join("; ", diagnostics.Items)}");
            diagnostics = ValidateAgainstCatalog(pattern);
            Assert.True(diagnostics.HasErrors, $"{id}: the validators accepted it");
        }
        else
        {
            Assert.Null(pattern);
            Assert.All(diagnostics.Items, d => Assert.True(d.IsError, $"{d} is not an error"));
        }

        AssertExactly(@case.Expected, diagnostics.Items);
    }

    [Theory]
    [MemberData(nameof(CatalogIds))]
    public void CatalogCase_IsAccepted_WithExactWarnings(string id)
    {
        var @case = ConformanceCases.Catalog.Single(c => c.Id == id);

        var diagnostics = ValidateAgainstCatalog(@case.Pattern);

        Assert.All(diagnostics.Items, d => Assert.False(d.IsError, $"{d} is an error"));
        AssertExactly(@case.ExpectedWarnings, diagnostics.Items);
    }

    public static TheoryData<string> CatalogIds() => [.. ConformanceCases.Catalog.Select(c => c.Id)];

    // The pattern as the match of a policy that only logs, so that the other validators have nothing to say.
    private static DiagnosticBag ValidateAgainstCatalog(PatternObject pattern)
    {
        var diagnostics = new DiagnosticBag();
        PolicySetValidator.Validate(OpenEvent.Rules.Core.Tests.Validation.M.Set(OpenEvent.Rules.Core.Tests.Validation.M.Policy("conformance", pattern)), EventCatalog.Default, diagnostics);
        return diagnostics;
    }

    private static void AssertExactly(IEnumerable<ExpectedDiagnostic> expected, IReadOnlyList<Diagnostic> actual)
    {
        Assert.Equal(
            expected.Select(e => e.ToString()).Order(StringComparer.Ordinal),
            actual.Select(d => $"{d.Id} at {d.Location.Line}:{d.Location.Column}").Order(StringComparer.Ordinal));
        Assert.All(actual, d =>
        {
            Assert.False(string.IsNullOrWhiteSpace(d.Hint), $"{d} has no hint");
            Assert.EndsWith(".json", d.Location.File, StringComparison.Ordinal);
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
            DiagnosticIds.ContradictoryRange, DiagnosticIds.BadWildcard, DiagnosticIds.EmptyPattern, DiagnosticIds.OperatorAsFieldName,
            DiagnosticIds.OperatorFieldTypeMismatch, DiagnosticIds.ListEntryNeverMatches,
        ];
        var covered = ConformanceCases.Invalid.SelectMany(c => c.ExpectedIds)
            .Concat(ConformanceCases.Catalog.SelectMany(c => c.ExpectedWarnings.Select(w => w.Id))).ToHashSet(StringComparer.Ordinal);

        var missing = ids.Where(id => !covered.Contains(id)).ToList();
        Assert.True(missing.Count == 0, "no invalid case for " + string.Join(", ", missing));
    }
}
