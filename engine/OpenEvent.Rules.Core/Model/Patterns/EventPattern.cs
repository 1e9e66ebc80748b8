using System.Collections.Immutable;
using System.Net;

namespace OpenEvent.Rules.Model.Patterns;

// The parsed form of an EventBridge event pattern. Patterns mirror the nesting of the event:
// a PatternObject is an AND over its members; a leaf is an OR over its matchers; $or is an OR over
// whole pattern objects. Matching semantics are specified in policy-guide.md ("Matching semantics")
// and implemented twice: Evaluation/ReferencePatternEvaluator (the oracle) and the compiled matcher.

/// <summary>A pattern object: every member must match (AND).</summary>
public sealed record PatternObject(ImmutableArray<PatternMember> Members, SourceLocation Location);

public abstract record PatternMember(SourceLocation Location);

/// <summary><c>name: { ... }</c>: the event field <c>name</c> must be an object (or an array with an object) matching the nested pattern.</summary>
internal sealed record NestedMember(string Name, PatternObject Pattern, SourceLocation Location) : PatternMember(Location);

/// <summary><c>name: [ ... ]</c>: some value of the event field matches at least one matcher (OR).</summary>
internal sealed record LeafMember(string Name, ImmutableArray<Matcher> Matchers, SourceLocation Location) : PatternMember(Location);

/// <summary><c>$or: [ {...}, {...} ]</c>: at least one branch matches.</summary>
internal sealed record OrMember(ImmutableArray<PatternObject> Branches, SourceLocation Location) : PatternMember(Location);

/// <summary>One entry of a leaf list.</summary>
internal abstract record Matcher(SourceLocation Location)
{
    /// <summary>The operator name as written in patterns, for messages and explain output.</summary>
    public abstract string Operator { get; }
}

/// <summary>An exact value: string, number (by value), true, false or null.</summary>
internal sealed record ExactMatcher(Scalar Value, SourceLocation Location) : Matcher(Location)
{
    public override string Operator => "exact";
}

/// <summary><c>{"prefix": "acs."}</c> or <c>{"prefix": {"equals-ignore-case": "acs."}}</c>; strings only.</summary>
internal sealed record PrefixMatcher(string Value, bool IgnoreCase, SourceLocation Location) : Matcher(Location)
{
    public override string Operator => "prefix";
}

/// <summary><c>{"suffix": ".sql"}</c> or with equals-ignore-case; strings only.</summary>
internal sealed record SuffixMatcher(string Value, bool IgnoreCase, SourceLocation Location) : Matcher(Location)
{
    public override string Operator => "suffix";
}

/// <summary><c>{"contains": "prod"}</c> (Alibaba EventBridge); strings only, ordinal.</summary>
internal sealed record ContainsMatcher(string Value, SourceLocation Location) : Matcher(Location)
{
    public override string Operator => "contains";
}

/// <summary><c>{"equals-ignore-case": "PROD"}</c>; strings only, Unicode simple case folding (ToUpperInvariant on both sides).</summary>
internal sealed record EqualsIgnoreCaseMatcher(string Value, SourceLocation Location) : Matcher(Location)
{
    public override string Operator => "equals-ignore-case";
}

/// <summary><c>{"wildcard": "dws_*_daily"}</c>; <c>*</c> matches any run of characters, <c>\*</c> a literal star, <c>\\</c> a backslash.</summary>
internal sealed record WildcardMatcher(string Pattern, SourceLocation Location) : Matcher(Location)
{
    public override string Operator => "wildcard";
}

/// <summary>
/// <c>{"anything-but": ...}</c>: the field exists and the value matches none of <see cref="Excluded"/>
/// (exact values, or one prefix / suffix / wildcard / equals-ignore-case list).
/// </summary>
internal sealed record AnythingButMatcher(ImmutableArray<Matcher> Excluded, SourceLocation Location) : Matcher(Location)
{
    public override string Operator => "anything-but";
}

internal enum NumericOperator
{
    Equal,
    LessThan,
    LessThanOrEqual,
    GreaterThan,
    GreaterThanOrEqual,
}

internal readonly record struct NumericComparison(NumericOperator Operator, JsonNumber Value);

/// <summary><c>{"numeric": [">", 0, "&lt;=", 5]}</c>: a JSON number satisfying every comparison (AND).</summary>
internal sealed record NumericMatcher(ImmutableArray<NumericComparison> Comparisons, SourceLocation Location) : Matcher(Location)
{
    public override string Operator => "numeric";
}

/// <summary><c>{"cidr": "10.0.0.0/24"}</c>: a string holding an IP address (v4 or v6) inside the network.</summary>
internal sealed record CidrMatcher(string Text, IPNetwork Network, SourceLocation Location) : Matcher(Location)
{
    public override string Operator => "cidr";
}

/// <summary><c>{"exists": true|false}</c>: whether the field has a leaf value (objects and empty arrays are not leaves).</summary>
internal sealed record ExistsMatcher(bool Exists, SourceLocation Location) : Matcher(Location)
{
    public override string Operator => "exists";
}
