using System.Collections.Frozen;
using System.Collections.Immutable;

namespace OpenEvent.Rules.Model.Patterns.Operators;

/// <summary>
/// The operator table: every leaf operator, each defined once by its matcher record in this folder. The pattern parser
/// finds an operator's definition here by its key; everything else about an operator is reached from its matchers.
/// </summary>
internal static class LeafOperators
{
    /// <summary>A plain value in a leaf list (string, number, true, false, null): the entry without a key.</summary>
    public static LeafOperator Exact => ExactMatcher.Definition;

    /// <summary>The keyed operators, in the order messages list them.</summary>
    public static ImmutableArray<LeafOperator> Keyed { get; } =
    [
        PrefixMatcher.Definition,
        SuffixMatcher.Definition,
        ContainsMatcher.Definition,
        EqualsIgnoreCaseMatcher.Definition,
        WildcardMatcher.Definition,
        NumericMatcher.Definition,
        NumericStringMatcher.Definition,
        CidrMatcher.Definition,
        ExistsMatcher.Definition,
        AnythingButMatcher.Definition,
    ];

    /// <summary>The keys of <see cref="Keyed"/>, as written in patterns.</summary>
    public static ImmutableArray<string> Names { get; } = [.. Keyed.Select(o => o.Key)];

    /// <summary>Alias (normalized) → the key of the operator it means.</summary>
    public static FrozenDictionary<string, string> Aliases { get; } =
        Keyed.SelectMany(o => o.Aliases.Select(alias => KeyValuePair.Create(alias, o.Key))).ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, LeafOperator> s_byKey = Keyed.ToFrozenDictionary(o => o.Key, StringComparer.Ordinal);

    /// <summary>The keyed operator written <paramref name="key"/>, or null.</summary>
    public static LeafOperator? Find(string key) => s_byKey.GetValueOrDefault(key);
}
