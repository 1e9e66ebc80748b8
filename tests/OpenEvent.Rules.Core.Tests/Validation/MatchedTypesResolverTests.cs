using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Validation;
using static OpenEvent.Rules.Core.Tests.Validation.M;

namespace OpenEvent.Rules.Core.Tests.Validation;

public sealed class MatchedTypesResolverTests
{
    private readonly MatchedTypesResolver _resolver = new(TestCatalog);

    private string[] Resolve(Model.Patterns.PatternObject pattern) =>
        [.. _resolver.Resolve(pattern).Types.Select(t => t.Type)];

    [Fact]
    public void Resolve_NoTypeMember_IsUnconstrainedWithEveryType()
    {
        var result = _resolver.Resolve(Pattern(Data(Leaf("fileName", Exact("a")))));

        Assert.True(result.IsUnconstrained);
        Assert.Equal(TestCatalog.EventTypes.Length, result.Types.Length);
        Assert.Equal("any DataWorks event type", result.Describe());
    }

    [Fact]
    public void Resolve_ExactTypes_KeepsThoseInCatalogOrder()
    {
        var result = _resolver.Resolve(Types(InstanceStatus, Deploy));

        Assert.False(result.IsUnconstrained);
        Assert.Equal([Deploy, InstanceStatus], result.Types.Select(t => t.Type));
    }

    [Fact]
    public void Resolve_PrefixOnType_KeepsEveryTypeWithThePrefix() =>
        Assert.Equal([Deploy, Commit], Resolve(Pattern(Leaf("type", Prefix("dataworks:FileChange:")))));

    [Fact]
    public void Resolve_WildcardAndAnythingBut_EvaluateEachCatalogType()
    {
        Assert.Equal([StartDi, UnFreeze, NodeDeleted], Resolve(Pattern(Leaf("type", Wildcard("dataworks:NodeChange:*")))));
        Assert.Equal(TestCatalog.EventTypes.Length - 2,
            Resolve(Pattern(Leaf("type", AnythingBut(1, 1, Prefix("dataworks:FileChange:"))))).Length);
    }

    [Fact]
    public void Resolve_OrBranches_UnionOfBranches() =>
        Assert.Equal([Deploy, Download], Resolve(Pattern(Or(Types(Download), Types(Deploy)))));

    [Fact]
    public void Resolve_OrBranchWithoutType_IsUnconstrained() =>
        Assert.True(_resolver.Resolve(Pattern(Or(Types(Download), Pattern(Leaf("subject", Exact("x")))))).IsUnconstrained);

    [Fact]
    public void Resolve_TypeAndOr_Intersects() =>
        Assert.Equal([Deploy], Resolve(Pattern(Leaf("type", Prefix("dataworks:FileChange:")), Or(Types(Deploy), Types(Download)))));

    [Fact]
    public void Resolve_SourceRejectingDataWorks_IsEmpty()
    {
        var result = _resolver.Resolve(Pattern(Leaf("source", Exact("acs.ecs"))));

        Assert.True(result.IsEmpty);
        Assert.False(result.IsUnconstrained);
    }

    [Fact]
    public void Resolve_SourceAcceptingDataWorks_IsUnconstrained() =>
        Assert.True(_resolver.Resolve(Pattern(Leaf("source", Exact("acs.dataworks")))).IsUnconstrained);

    [Fact]
    public void Describe_ManyTypes_NamesThreeAndCountsTheRest() =>
        Assert.Equal($"{Deploy}, {Commit}, {CommitTable} and 2 more",
            _resolver.Resolve(Types(Deploy, Commit, CommitTable, StartDi, UnFreeze)).Describe());
}
