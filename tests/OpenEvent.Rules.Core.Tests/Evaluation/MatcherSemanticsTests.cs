using System.Net;
using System.Text.Json;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Model.Patterns.Operators;

namespace OpenEvent.Rules.Core.Tests.Evaluation;

public sealed class MatcherSemanticsTests
{
    [Theory]
    [InlineData("a*b", "ab", true)]
    [InlineData("a*b", "axxb", true)]
    [InlineData("a*b", "axxbc", false)]
    [InlineData("*", "", true)]
    [InlineData("", "", true)]
    [InlineData("", "a", false)]
    [InlineData("a*a*a", "aaa", true)]
    [InlineData("a*a*a", "aa", false)]
    [InlineData("*ab*abc", "ababc", true)]
    [InlineData(@"a\*", "a*", true)]
    [InlineData(@"a\*", "ab", false)]
    [InlineData(@"a\\*", @"a\bc", true)]
    [InlineData("*.sql", ".sql", true)]
    public void WildcardMatches_Glob_MatchesAsSpecified(string pattern, string value, bool expected)
    {
        Assert.Equal(expected, MatcherSemantics.WildcardMatches(pattern, value));
    }

    [Fact]
    public void WildcardPattern_EscapesAndStars_SplitIntoLiteralRuns()
    {
        var pattern = WildcardPattern.Parse(@"a\**b\\*");
        Assert.Equal("a*", pattern.LeadingLiteral);
        Assert.Equal("", pattern.TrailingLiteral);
        Assert.True(pattern.IsMatch(@"a*xyzb\"));
        Assert.False(pattern.IsMatch(@"axb\"));
        Assert.False(WildcardPattern.Parse("*").IsLiteral);
    }

    [Theory]
    [InlineData("10.0.0.1", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("255.255.255.255", true)]
    [InlineData("256.0.0.1", false)]
    [InlineData("10.0.0", false)]
    [InlineData("10", false)]
    [InlineData("010.0.0.1", false)]
    [InlineData("0x0A.0.0.1", false)]
    [InlineData("1.2.3.4 ", false)]
    [InlineData("::", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("2001:DB8::1", true)]
    [InlineData("fe80::1%eth0", false)]
    [InlineData("[::1]", false)]
    [InlineData("1:2:3:4:5:6:7:8:9", false)]
    [InlineData("", false)]
    public void TryParseIpAddress_StrictSyntax(string text, bool expected)
    {
        Assert.Equal(expected, MatcherSemantics.TryParseIpAddress(text, out _));
    }

    [Fact]
    public void Contains_Ipv4MappedAddress_IsNotInsideAnIpv4Network()
    {
        Assert.False(MatcherSemantics.Contains(IPNetwork.Parse("10.0.0.0/8"), IPAddress.Parse("::ffff:10.0.0.1")));
        Assert.True(MatcherSemantics.Contains(IPNetwork.Parse("::ffff:0:0/96"), IPAddress.Parse("::ffff:10.0.0.1")));
        Assert.True(MatcherSemantics.Contains(IPNetwork.Parse("100.64.0.0/10"), IPAddress.Parse("100.127.255.255")));
        Assert.False(MatcherSemantics.Contains(IPNetwork.Parse("100.64.0.0/10"), IPAddress.Parse("100.128.0.0")));
    }

    [Fact]
    public void TryReadScalar_Number_KeepsTheLiteralAndComparesByValue()
    {
        using var document = JsonDocument.Parse("""[3e2, 300, "300", null, true, {}, 1e400]""");
        var items = document.RootElement.EnumerateArray().ToList();

        Assert.True(MatcherSemantics.TryReadScalar(items[0], out var a));
        Assert.True(MatcherSemantics.TryReadScalar(items[1], out var b));
        Assert.True(MatcherSemantics.TryReadScalar(items[2], out var c));
        Assert.Equal("3e2", a.Text);
        Assert.Equal(a, b);
        Assert.NotEqual(b, c);
        Assert.True(MatcherSemantics.TryReadScalar(items[3], out var n) && n == Scalar.Null);
        Assert.True(MatcherSemantics.TryReadScalar(items[4], out var t) && t == Scalar.True);
        Assert.False(MatcherSemantics.TryReadScalar(items[5], out _));
        Assert.True(MatcherSemantics.TryReadScalar(items[6], out var huge));
        Assert.True(double.IsPositiveInfinity(huge.Number.AsDouble));
    }

    [Fact]
    public void MatchesField_NoValues_OnlyExistsFalseMatches()
    {
        var none = SourceLocation.None;
        Assert.True(MatcherSemantics.MatchesField(new ExistsMatcher(false, none), []));
        Assert.False(MatcherSemantics.MatchesField(new ExistsMatcher(true, none), []));
        Assert.False(MatcherSemantics.MatchesField(new AnythingButMatcher([new ExactMatcher(Scalar.FromString("x"), none)], none), []));
        Assert.True(MatcherSemantics.MatchesField(new ExistsMatcher(true, none), [Scalar.Null]));
    }

    [Fact]
    public void EqualsIgnoreCase_UsesInvariantSimpleUpperCasing()
    {
        Assert.True(MatcherSemantics.EqualsIgnoreCase("straße", "STRAßE"));
        Assert.False(MatcherSemantics.EqualsIgnoreCase("straße", "STRASSE"));
        Assert.False(MatcherSemantics.EqualsIgnoreCase("ı", "I"));
        Assert.True(MatcherSemantics.StartsWith("ods_Orders", "ODS_", ignoreCase: true));
        Assert.False(MatcherSemantics.StartsWith("ods_Orders", "ODS_", ignoreCase: false));
    }

    [Fact]
    public void FoldCase_SupplementaryCharacter_FoldedAsOneCharacterNotPerUtf16Unit()
    {
        // U+10428 (Deseret small long I) is the surrogate pair D801 DC28; its upper case U+10400 is D801 DC00. Folding
        // each UTF-16 unit alone would leave it unchanged (a lone surrogate has no case); the runtime folds the pair.
        const string small = "\U00010428", capital = "\U00010400";

        Assert.Equal(capital, MatcherSemantics.FoldCase(small));
        Assert.True(MatcherSemantics.EqualsIgnoreCase("x" + small, "X" + capital));
        Assert.True(MatcherSemantics.StartsWith(small + "abc", capital, ignoreCase: true));
        Assert.True(MatcherSemantics.EndsWith("abc" + capital, small, ignoreCase: true));
        var folded = new char[small.Length];
        MatcherSemantics.FoldCase(small, folded);
        Assert.Equal(capital, new string(folded));
        // A lone surrogate is kept as it is: there is no character to fold.
        Assert.Equal("\uD801", MatcherSemantics.FoldCase("\uD801"));
    }

    [Fact]
    public void Format_EveryMatcherKind_WritesTheAuthoredJson()
    {
        var l = SourceLocation.None;
        Matcher[] matchers =
        [
            new ExactMatcher(Scalar.FromNumber(JsonNumber.FromDecimal(300), "3e2"), l),
            new ExactMatcher(Scalar.FromString("数据"), l),
            new PrefixMatcher("acs.", false, l),
            new SuffixMatcher(".SQL", true, l),
            new ContainsMatcher("prod", l),
            new EqualsIgnoreCaseMatcher("Prod", l),
            new WildcardMatcher(@"a\*b", l),
            new NumericMatcher([new(NumericOperator.GreaterThan, JsonNumber.FromDecimal(0)), new(NumericOperator.LessThanOrEqual, JsonNumber.FromDecimal(5.50m))], l),
            new CidrMatcher("10.0.0.0/8", IPNetwork.Parse("10.0.0.0/8"), l),
            new ExistsMatcher(false, l),
            new AnythingButMatcher([new ExactMatcher(Scalar.FromString("DEV"), l)], l),
            new AnythingButMatcher([new ExactMatcher(Scalar.FromString("DEV"), l), new ExactMatcher(Scalar.Null, l)], l),
            new AnythingButMatcher([new PrefixMatcher("tmp_", false, l)], l),
            new AnythingButMatcher([new WildcardMatcher("a*", l), new WildcardMatcher("*b", l)], l),
            new AnythingButMatcher([new EqualsIgnoreCaseMatcher("dev", l)], l),
        ];

        Assert.Equal(
            [
                "3e2", "\"数据\"", """{"prefix":"acs."}""", """{"suffix":{"equals-ignore-case":".SQL"}}""", """{"contains":"prod"}""",
                """{"equals-ignore-case":"Prod"}""", """{"wildcard":"a\\*b"}""", """{"numeric":[">",0,"<=",5.5]}""", """{"cidr":"10.0.0.0/8"}""",
                """{"exists":false}""", """{"anything-but":"DEV"}""", """{"anything-but":["DEV",null]}""", """{"anything-but":{"prefix":"tmp_"}}""",
                """{"anything-but":{"wildcard":["a*","*b"]}}""", """{"anything-but":{"equals-ignore-case":"dev"}}""",
            ],
            matchers.Select(MatcherFormatter.Format));
    }
}
