using System.Collections.Immutable;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Model.Patterns.Operators;

namespace OpenEvent.Rules.Analysis;

// Whether every event one pattern matches, another matches too. Decided clause by clause over the closed operator
// algebra; where a pair of operators is not decided here (wildcard against prefix, contains against suffix, ...) the
// answer is "no", so a caller that reports on "yes" (shadowing, an exclusion covering the match) never over-claims.

/// <summary>A sound (never wrong, possibly incomplete) implication test between patterns.</summary>
internal static class PatternImplication
{
    /// <summary>True only when every event matching <paramref name="narrow"/> also matches <paramref name="wide"/>.</summary>
    public static bool Implies(PatternObject narrow, PatternObject wide) =>
        wide.Members.All(member => Implies(narrow, member));

    // A member of the wide pattern holds when one member of the narrow pattern implies it (AND: that member holds on
    // every matching event), or when a $or of the narrow pattern implies it through every branch.
    private static bool Implies(PatternObject narrow, PatternMember wide)
    {
        if (wide is OrMember wideOr && wideOr.Branches.Any(branch => Implies(narrow, branch)))
        {
            return true;
        }

        foreach (var member in narrow.Members)
        {
            if (MemberImplies(member, wide))
            {
                return true;
            }

            if (member is OrMember or && or.Branches.All(branch => Implies(branch, wide)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool MemberImplies(PatternMember narrow, PatternMember wide) => (narrow, wide) switch
    {
        (LeafMember n, LeafMember w) => n.Name == w.Name && LeafImplies(n.Matchers, w.Matchers),

        // Same element semantics on both sides: the element (or the empty object) that satisfies the narrow nested
        // pattern satisfies the wide one, and the wide member looks at the same field.
        (NestedMember n, NestedMember w) => n.Name == w.Name && Implies(n.Pattern, w.Pattern),
        _ => false,
    };

    // A leaf holds when some value of the field satisfies some entry (exists: about the field as a whole).
    private static bool LeafImplies(ImmutableArray<Matcher> narrow, ImmutableArray<Matcher> wide)
    {
        foreach (var matcher in narrow)
        {
            var implied = matcher switch
            {
                ExistsMatcher { Exists: false } => wide.Any(w => w is ExistsMatcher { Exists: false }),
                ExistsMatcher { Exists: true } => wide.Any(w => w is ExistsMatcher { Exists: true }),

                // Every other entry holds only on a value, and then the field exists.
                _ => wide.Any(w => w is ExistsMatcher { Exists: true } || (w is not ExistsMatcher && ValueImplies(matcher, w))),
            };
            if (!implied)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True only when every leaf value <paramref name="narrow"/> accepts, <paramref name="wide"/> accepts.</summary>
    public static bool ValueImplies(Matcher narrow, Matcher wide)
    {
        if (narrow is ExactMatcher exact)
        {
            // One value: ask the engine's own semantics.
            return MatcherSemantics.Matches(wide, exact.Value);
        }

        if (IsStringOnly(narrow) && AcceptsEveryString(wide))
        {
            return true;
        }

        return (narrow, wide) switch
        {
            (PrefixMatcher n, PrefixMatcher w) => AffixImplies(n.Value, n.IgnoreCase, w.Value, w.IgnoreCase, prefix: true),
            (SuffixMatcher n, SuffixMatcher w) => AffixImplies(n.Value, n.IgnoreCase, w.Value, w.IgnoreCase, prefix: false),
            (EqualsIgnoreCaseMatcher n, EqualsIgnoreCaseMatcher w) => MatcherSemantics.EqualsIgnoreCase(n.Value, w.Value),
            (EqualsIgnoreCaseMatcher n, PrefixMatcher { IgnoreCase: true } w) => MatcherSemantics.StartsWith(n.Value, w.Value, ignoreCase: true),
            (EqualsIgnoreCaseMatcher n, SuffixMatcher { IgnoreCase: true } w) => MatcherSemantics.EndsWith(n.Value, w.Value, ignoreCase: true),
            (ContainsMatcher n, ContainsMatcher w) => n.Value.Contains(w.Value, StringComparison.Ordinal),
            (PrefixMatcher { IgnoreCase: false } n, ContainsMatcher w) => n.Value.Contains(w.Value, StringComparison.Ordinal),
            (SuffixMatcher { IgnoreCase: false } n, ContainsMatcher w) => n.Value.Contains(w.Value, StringComparison.Ordinal),
            (WildcardMatcher n, WildcardMatcher w) => n.Pattern == w.Pattern,
            (NumericMatcher n, NumericMatcher w) => NumericRange.Of(n.Comparisons).Within(NumericRange.Of(w.Comparisons)),
            (CidrMatcher n, CidrMatcher w) => n.Network.BaseAddress.AddressFamily == w.Network.BaseAddress.AddressFamily
                && w.Network.PrefixLength <= n.Network.PrefixLength
                && MatcherSemantics.Contains(w.Network, n.Network.BaseAddress),
            (AnythingButMatcher n, AnythingButMatcher w) => AnythingButImplies(n, w),
            _ => false,
        };
    }

    // A narrow prefix p implies a wide prefix q when p starts with q; a case-sensitive wide side needs a
    // case-sensitive narrow side (a case-insensitive "ab" also accepts "AB...").
    private static bool AffixImplies(string narrow, bool narrowIgnoreCase, string wide, bool wideIgnoreCase, bool prefix)
    {
        if (narrowIgnoreCase && !wideIgnoreCase)
        {
            return wide.Length == 0;
        }

        return prefix
            ? MatcherSemantics.StartsWith(narrow, wide, wideIgnoreCase)
            : MatcherSemantics.EndsWith(narrow, wide, wideIgnoreCase);
    }

    // anything-but X implies anything-but Y when every value Y excludes, X excludes too: Y's exclusions are exact
    // values (checked one by one against X), or the same operator list.
    private static bool AnythingButImplies(AnythingButMatcher narrow, AnythingButMatcher wide) =>
        wide.Excluded.All(w => w is ExactMatcher exact
            ? narrow.Excluded.Any(n => MatcherSemantics.Matches(n, exact.Value))
            : narrow.Excluded.Any(n => n == w || ValueImplies(w, n)));

    private static bool IsStringOnly(Matcher matcher) =>
        matcher is PrefixMatcher or SuffixMatcher or ContainsMatcher or EqualsIgnoreCaseMatcher or WildcardMatcher or CidrMatcher;

    private static bool AcceptsEveryString(Matcher matcher) => matcher switch
    {
        PrefixMatcher { Value.Length: 0 } => true,
        SuffixMatcher { Value.Length: 0 } => true,
        ContainsMatcher { Value.Length: 0 } => true,
        WildcardMatcher { Pattern: "*" } => true,
        _ => false,
    };
}

/// <summary>The numbers one <c>numeric</c> entry accepts, as an interval.</summary>
internal readonly record struct NumericRange(JsonNumber? Low, bool LowInclusive, JsonNumber? High, bool HighInclusive)
{
    public static NumericRange Of(ImmutableArray<NumericComparison> comparisons)
    {
        var range = new NumericRange(null, false, null, false);
        foreach (var comparison in comparisons)
        {
            range = comparison.Operator switch
            {
                NumericOperator.Equal => range with { Low = comparison.Value, LowInclusive = true, High = comparison.Value, HighInclusive = true },
                NumericOperator.GreaterThan => range with { Low = comparison.Value, LowInclusive = false },
                NumericOperator.GreaterThanOrEqual => range with { Low = comparison.Value, LowInclusive = true },
                NumericOperator.LessThan => range with { High = comparison.Value, HighInclusive = false },
                NumericOperator.LessThanOrEqual => range with { High = comparison.Value, HighInclusive = true },
                _ => range,
            };
        }

        return range;
    }

    /// <summary>Whether every number in this range is in <paramref name="other"/>.</summary>
    public bool Within(NumericRange other) =>
        (other.Low is not { } otherLow || (Low is { } low && (low > otherLow || (low == otherLow && (other.LowInclusive || !LowInclusive)))))
        && (other.High is not { } otherHigh || (High is { } high && (high < otherHigh || (high == otherHigh && (other.HighInclusive || !HighInclusive)))));

    /// <summary>The numbers both ranges accept, or null when no number is in both.</summary>
    public NumericRange? Intersect(NumericRange other)
    {
        var (low, lowInclusive) = Tighter(Low, LowInclusive, other.Low, other.LowInclusive, lower: true);
        var (high, highInclusive) = Tighter(High, HighInclusive, other.High, other.HighInclusive, lower: false);
        if (low is { } l && high is { } h && (l > h || (l == h && !(lowInclusive && highInclusive))))
        {
            return null;
        }

        return new NumericRange(low, lowInclusive, high, highInclusive);
    }

    private static (JsonNumber? Bound, bool Inclusive) Tighter(JsonNumber? a, bool aInclusive, JsonNumber? b, bool bInclusive, bool lower)
    {
        if (a is not { } x)
        {
            return (b, bInclusive);
        }

        if (b is not { } y)
        {
            return (a, aInclusive);
        }

        if (x == y)
        {
            return (x, aInclusive && bInclusive);
        }

        return (lower ? x > y : x < y) ? (x, aInclusive) : (y, bInclusive);
    }
}
