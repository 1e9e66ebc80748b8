using OpenEvent.Rules.Compilation.Conditions;

namespace OpenEvent.Rules.Core.Tests.Compilation.Conditions;

public sealed class ConditionSourceTests
{
    [Fact]
    public void Map_Plain_ColumnsFollowTheText()
    {
        var source = ConditionSource.Plain("p", "a > b", new SourceLocation("f.yaml", 3, 14));

        Assert.Equal(new SourceLocation("f.yaml", 3, 18), source.Map(4));
    }

    [Fact]
    public void Map_Quoted_StartsAfterTheQuote()
    {
        var source = ConditionSource.Quoted("p", "a > b", new SourceLocation("f.yaml", 3, 14));

        Assert.Equal(new SourceLocation("f.yaml", 3, 15), source.Map(0));
    }

    [Fact]
    public void Map_Literal_FollowsLines()
    {
        var source = ConditionSource.Block("p", "a\n  && b\n", new SourceLocation("f.yaml", 3, 14), new SourceLocation("f.yaml", 4, 5), folded: false);

        Assert.Equal(new SourceLocation("f.yaml", 5, 10), source.Map(7));
    }

    [Fact]
    public void Map_Folded_StaysAtTheStart()
    {
        var source = ConditionSource.Block("p", "a && b", new SourceLocation("f.yaml", 3, 14), new SourceLocation("f.yaml", 4, 5), folded: true);

        Assert.Equal(new SourceLocation("f.yaml", 4, 5), source.Map(5));
    }

    [Fact]
    public void Map_OffsetOutOfRange_IsClamped()
    {
        var source = ConditionSource.Plain("p", "ab", new SourceLocation("f.yaml", 1, 1));

        Assert.Equal(new SourceLocation("f.yaml", 1, 3), source.Map(99));
        Assert.Equal(new SourceLocation("f.yaml", 1, 1), source.Map(-5));
    }
}
