using System.Collections.Immutable;

namespace OpenEvent.Rules.Model.Patterns;

/// <summary>What a <see cref="PlainTest"/> compares a string (or, for <see cref="Exact"/>, any value) with.</summary>
internal enum PlainTestKind
{
    /// <summary>Equal to <see cref="PlainTest.Value"/>: same kind, and the same string or number (by value).</summary>
    Exact,

    /// <summary>A string starting with <see cref="PlainTest.Value"/>'s text (ordinal).</summary>
    Prefix,

    /// <summary>A string ending with <see cref="PlainTest.Value"/>'s text (ordinal).</summary>
    Suffix,

    /// <summary>A string matching the star-separated <see cref="PlainTest.Segments"/> (<see cref="WildcardPattern.IsMatch"/>).</summary>
    Wildcard,

    /// <summary>A number satisfying every one of <see cref="PlainTest.Comparisons"/> (<c>numeric</c>).</summary>
    Numeric,
}

/// <summary>
/// A leaf entry's test as plain data, for operators whose meaning is a comparison with literal text or a value
/// (<see cref="Matcher.ToPlainTest"/>): the compiled matcher lays it out in one contiguous block per pattern instead of
/// calling a <see cref="ValueTest"/> object. The meaning is the operator's <see cref="Matcher.Compile"/> test exactly.
/// </summary>
internal sealed record PlainTest(PlainTestKind Kind, Scalar Value, IReadOnlyList<string> Segments)
{
    /// <summary>For <see cref="PlainTestKind.Numeric"/>: the comparisons, all of which hold.</summary>
    public ImmutableArray<NumericComparison> Comparisons { get; init; } = [];

    public static PlainTest Of(PlainTestKind kind, Scalar value) => new(kind, value, []);
}
