using OpenEvent.Rules.Validation;
using static OpenEvent.Rules.Tests.Validation.M;

namespace OpenEvent.Rules.Tests.Validation;

public sealed class TypeMatcherShimTests
{
    [Theory]
    [InlineData("dataworks:FileChange:DeployFile", true)]
    [InlineData("dataworks:FileChange:deployfile", false)]
    public void Matches_Exact_IsOrdinal(string value, bool expected) =>
        Assert.Equal(expected, TypeMatcherShim.Matches(Exact(Deploy), value));

    [Fact]
    public void Matches_ExactNumber_NeverMatchesString() =>
        Assert.False(TypeMatcherShim.Matches(Number("300"), "300"));

    [Theory]
    [InlineData("dataworks:FileChange:", false, "dataworks:FileChange:DeployFile", true)]
    [InlineData("DATAWORKS:filechange:", false, "dataworks:FileChange:DeployFile", false)]
    [InlineData("DATAWORKS:filechange:", true, "dataworks:FileChange:DeployFile", true)]
    public void Matches_Prefix_HonoursIgnoreCase(string prefix, bool ignoreCase, string value, bool expected) =>
        Assert.Equal(expected, TypeMatcherShim.Matches(Prefix(prefix, ignoreCase: ignoreCase), value));

    [Theory]
    [InlineData(":DeployFile", false, true)]
    [InlineData(":deployfile", false, false)]
    [InlineData(":deployfile", true, true)]
    public void Matches_Suffix_HonoursIgnoreCase(string suffix, bool ignoreCase, bool expected) =>
        Assert.Equal(expected, TypeMatcherShim.Matches(Suffix(suffix, ignoreCase: ignoreCase), Deploy));

    [Fact]
    public void Matches_ContainsAndEqualsIgnoreCase_FollowSpec()
    {
        Assert.True(TypeMatcherShim.Matches(Contains("Change:Deploy"), Deploy));
        Assert.False(TypeMatcherShim.Matches(Contains("change:deploy"), Deploy));
        Assert.True(TypeMatcherShim.Matches(IgnoreCase("DATAWORKS:FILECHANGE:DEPLOYFILE"), Deploy));
        Assert.False(TypeMatcherShim.Matches(IgnoreCase("dataworks:FileChange"), Deploy));
    }

    [Theory]
    [InlineData("dataworks:*:DeployFile", "dataworks:FileChange:DeployFile", true)]
    [InlineData("dataworks:*", "dataworks:", true)]
    [InlineData("*File", "dataworks:FileChange:DeployFile", true)]
    [InlineData("*Table", "dataworks:FileChange:DeployFile", false)]
    [InlineData("a*b*c", "abxbyc", true)]
    [InlineData("a*b*c", "abxbyd", false)]
    [InlineData(@"a\*b", "a*b", true)]
    [InlineData(@"a\*b", "axb", false)]
    [InlineData(@"a\\b", @"a\b", true)]
    [InlineData("", "", true)]
    [InlineData("", "x", false)]
    public void WildcardMatches_Globs_FollowSpec(string pattern, string value, bool expected) =>
        Assert.Equal(expected, TypeMatcherShim.WildcardMatches(pattern, value));

    [Fact]
    public void Matches_AnythingBut_ExcludesListedValuesAndPrefixes()
    {
        Assert.False(TypeMatcherShim.Matches(AnythingBut(1, 1, Exact(Deploy), Exact(Commit)), Deploy));
        Assert.True(TypeMatcherShim.Matches(AnythingBut(1, 1, Exact(Deploy)), Commit));
        Assert.False(TypeMatcherShim.Matches(AnythingBut(1, 1, Prefix("dataworks:")), Commit));
    }

    [Fact]
    public void Matches_ExistsNumericCidr_OnStrings()
    {
        Assert.True(TypeMatcherShim.Matches(Exists(true), Deploy));
        Assert.False(TypeMatcherShim.Matches(Exists(false), Deploy));
        Assert.False(TypeMatcherShim.Matches(Numeric(1, 1, (Model.Patterns.NumericOperator.GreaterThan, 0)), "5"));
        Assert.True(TypeMatcherShim.Matches(Cidr("10.0.0.0/8"), "10.1.2.3"));
        Assert.False(TypeMatcherShim.Matches(Cidr("10.0.0.0/8"), "11.1.2.3"));
        Assert.False(TypeMatcherShim.Matches(Cidr("10.0.0.0/8"), "::1"));
    }
}
