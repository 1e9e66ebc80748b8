using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;
using static OpenEvent.Rules.Core.Tests.Validation.M;

namespace OpenEvent.Rules.Core.Tests.Validation;

public sealed class EventTypeValidatorTests
{
    [Fact]
    public void Validate_TypeWithWrongCase_ErrorWithDidYouMean()
    {
        var policy = Policy("freeze", Pattern(Leaf("type", 6, 9, Exact("dataworks:FileChange:Deployfile", 7, 11))));

        var diagnostic = Assert.Single(Validate(policy));

        AssertDiagnostic(diagnostic, "OER3020", DiagnosticSeverity.Error, 7, 11,
            "Policy 'freeze': event type 'dataworks:FileChange:Deployfile' is not in the DataWorks event catalog");
        Assert.Equal("Did you mean 'dataworks:FileChange:DeployFile'? Event types are case-sensitive and written dataworks:{Category}:{Action}; see schemas/events/catalog.json. "
            + "A type newer than the catalog: add allowUnknownTypes: true to the policy's spec.", diagnostic.Hint);
    }

    [Theory]
    [InlineData("dataworks:NodeChange:UnfreezeNode", "dataworks:NodeChange:UnFreezeNode")] // case, inside a word
    [InlineData("dataworks:FileChange:DeplyFile", "dataworks:FileChange:DeployFile")] // edit distance
    [InlineData("FileChange:DeployFile", "dataworks:FileChange:DeployFile")] // without the dataworks: prefix
    [InlineData("dataworks:Totally:Different", null)] // nothing close
    public void Validate_UnknownType_ErrorSuggestingTheClosestCatalogType(string typed, string? suggested)
    {
        var diagnostic = Assert.Single(Validate(Policy("p", Types(typed))));

        AssertDiagnostic(diagnostic, "OER3020", DiagnosticSeverity.Error, 1, 1, $"Policy 'p': event type '{typed}' is not in the DataWorks event catalog");
        Assert.Equal((suggested is null ? "" : $"Did you mean '{suggested}'? ")
            + "Event types are case-sensitive and written dataworks:{Category}:{Action}; see schemas/events/catalog.json. "
            + "A type newer than the catalog: add allowUnknownTypes: true to the policy's spec.", diagnostic.Hint);
    }

    [Fact]
    public void Validate_UnknownTypeBesideKnownType_OnlyTheUnknownIsReported()
    {
        var policy = Policy("p", Pattern(Leaf("type", 6, 9, Exact(Deploy, 7, 11), Exact("dataworks:FileChange:Nope", 8, 11))));

        var diagnostic = Assert.Single(Validate(policy));

        AssertDiagnostic(diagnostic, "OER3020", DiagnosticSeverity.Error, 8, 11,
            "Policy 'p': event type 'dataworks:FileChange:Nope' is not in the DataWorks event catalog");
    }

    [Fact]
    public void Validate_PrefixMatchingNoType_Error()
    {
        var policy = Policy("p", Pattern(Leaf("type", 6, 9, Prefix("dataworks:Filechange:", 7, 13))));

        var diagnostic = Assert.Single(Validate(policy));

        AssertDiagnostic(diagnostic, "OER3020", DiagnosticSeverity.Error, 7, 13,
            "Policy 'p': prefix \"dataworks:Filechange:\" on 'type' matches no event type of the DataWorks event catalog");
    }

    [Fact]
    public void Validate_WildcardMatchingNoType_Error()
    {
        var diagnostic = Assert.Single(Validate(Policy("p", Pattern(Leaf("type", Wildcard("dataworks:*:Deploy", 7, 13))))));

        AssertDiagnostic(diagnostic, "OER3020", DiagnosticSeverity.Error, 7, 13,
            "Policy 'p': wildcard \"dataworks:*:Deploy\" on 'type' matches no event type of the DataWorks event catalog");
    }

    [Fact]
    public void Validate_UnknownTypeWithAllowUnknownTypes_NoDiagnostic()
    {
        var policy = Policy("future", Pattern(Leaf("type", 6, 9, Exact("dataworks:Future:NewThing", 7, 11)))) with { AllowUnknownTypes = true };

        Assert.Empty(Validate(policy));
    }

    [Fact]
    public void Validate_AllowUnknownTypes_StillReportsAnUnknownTypeOfAnotherPolicy()
    {
        var allowed = Policy("future", Types("dataworks:Future:NewThing")) with { AllowUnknownTypes = true };
        var strict = Policy("typo", Types("dataworks:FileChange:DeplyFile"));

        var diagnostic = Assert.Single(Validate(allowed, strict));

        Assert.Equal(("OER3020", DiagnosticSeverity.Error), (diagnostic.Id, diagnostic.Severity));
        Assert.StartsWith("Policy 'typo':", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PrefixAndWildcardMatchingTypes_NoDiagnostics()
    {
        Assert.Empty(Validate(Policy("p", Pattern(Leaf("type", Prefix("dataworks:FileChange:"))))));
        Assert.Empty(Validate(Policy("p", Pattern(Leaf("type", Wildcard("dataworks:*:DeployFile"))))));
        Assert.Empty(Validate(Policy("p", Pattern(Leaf("type", Suffix("file", ignoreCase: true))))));
    }

    [Fact]
    public void Validate_UnknownTypeInOrBranchAndExclusion_Reported()
    {
        var policy = Policy("p", Pattern(Or(Types(Deploy), Pattern(Leaf("type", Exact("dataworks:FileChange:Comitfile", 9, 15))))),
            exclude: [Exclusion(Pattern(Leaf("type", Exact("dataworks:FileChange:DeleteFil", 14, 15))))]);

        var diagnostics = Validate(policy);

        Assert.Equal(["OER3020", "OER3020"], diagnostics.Select(d => d.Id));
        Assert.Equal([9, 14], diagnostics.Select(d => d.Location.Line));
    }

    [Fact]
    public void Validate_SourceRejectingDataWorks_NoDataWorksEventsWarning()
    {
        var policy = Policy("ecs", Pattern(Leaf("source", 5, 5, Exact("acs.ecs", 6, 9))));

        var diagnostic = Assert.Single(Validate(policy));

        AssertDiagnostic(diagnostic, "OER3023", DiagnosticSeverity.Warning, 6, 9,
            "Policy 'ecs' can match no DataWorks event: its 'source' condition rejects \"acs.dataworks\"");
    }

    [Fact]
    public void Validate_SourceDataWorks_NoDiagnostics() =>
        Assert.Empty(Validate(Policy("p", Pattern(Leaf("source", Exact("acs.dataworks")), Leaf("type", Exact(Deploy))))));

    [Fact]
    public void Validate_TypeLeafExcludingEveryType_NoDataWorksEventsWarning()
    {
        var policy = Policy("nothing", Pattern(Leaf("type", 6, 9, AnythingBut(7, 11, Prefix("dataworks:")))));

        var diagnostic = Assert.Single(Validate(policy));

        AssertDiagnostic(diagnostic, "OER3023", DiagnosticSeverity.Warning, 7, 11,
            "Policy 'nothing' can match no DataWorks event: no catalog event type satisfies its 'type' condition");
    }

    [Fact]
    public void Validate_UnknownExactType_NoDoubleReportWithNoDataWorksEvents()
    {
        var diagnostics = Validate(Policy("p", Types("dataworks:FileChange:Deployfile")));

        Assert.Equal(["OER3020"], diagnostics.Select(d => d.Id));
    }

    [Fact]
    public void Validate_TypeLeavesExcludingEachOther_NoDataWorksEventsAtMatch()
    {
        var match = new Model.Patterns.PatternObject([Leaf("type", Exact(Deploy)), Or(Types(Commit), Types(Download))], L(5, 3));

        var diagnostic = Assert.Single(Validate(Policy("p", match)));

        AssertDiagnostic(diagnostic, "OER3023", DiagnosticSeverity.Warning, 5, 3,
            "Policy 'p' can match no DataWorks event: its conditions on 'type' exclude every catalog type together");
    }

    [Fact]
    public void Validate_ExclusionMatchingNothing_NoNoDataWorksEventsWarning() =>
        Assert.Empty(Validate(Policy("p", Types(Deploy), exclude: [Exclusion(Pattern(Leaf("source", Exact("acs.ecs"))))])));

    [Fact]
    public void Validate_DeadOrBranch_WarningNamesTheBranch()
    {
        var policy = Policy("p", Pattern(Or(Types(Deploy), Pattern(Leaf("source", Exact("acs.ecs", 9, 17))))));

        var diagnostic = Assert.Single(Validate(policy));

        AssertDiagnostic(diagnostic, "OER3023", DiagnosticSeverity.Warning, 9, 17,
            "An $or branch of policy 'p' can match no DataWorks event: its 'source' condition rejects \"acs.dataworks\"");
    }

    [Fact]
    public void Validate_DisabledPolicy_StillValidated()
    {
        var diagnostic = Assert.Single(Validate(Policy("p", Types("dataworks:FileChange:Deployfile"), mode: PolicyMode.Disabled)));

        Assert.Equal("OER3020", diagnostic.Id);
    }
}
