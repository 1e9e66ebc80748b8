using System.Collections.Immutable;
using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Validation;

// Which catalog event types a pattern can match. Every catalog-aware check (fields, scope, actions,
// templates) asks this question first, so it lives in one place and is computed the same way for all.

/// <summary>
/// The catalog types a pattern can match. <see cref="IsUnconstrained"/> is true when the pattern says nothing
/// about the type (then <see cref="Types"/> holds the whole catalog); an empty <see cref="Types"/> means the
/// pattern can match no DataWorks event.
/// </summary>
internal sealed record MatchedTypes(ImmutableArray<EventTypeInfo> Types, bool IsUnconstrained)
{
    public bool IsEmpty => Types.IsEmpty;

    /// <summary>Both constraints at once (AND); an unconstrained side leaves the other unchanged.</summary>
    public MatchedTypes Intersect(MatchedTypes other)
    {
        if (IsUnconstrained)
        {
            return other;
        }

        if (other.IsUnconstrained)
        {
            return this;
        }

        var keep = other.Types.Select(t => t.Type).ToHashSet(StringComparer.Ordinal);
        return new MatchedTypes(Types.Where(t => keep.Contains(t.Type)).ToImmutableArray(), false);
    }

    /// <summary>For messages: "dataworks:A", "dataworks:A, dataworks:B and 3 more", or "any DataWorks event type".</summary>
    public string Describe()
    {
        if (IsUnconstrained)
        {
            return "any DataWorks event type";
        }

        const int Shown = 3;
        var names = string.Join(", ", Types.Take(Shown).Select(t => t.Type));
        return Types.Length > Shown ? $"{names} and {Types.Length - Shown} more" : names;
    }
}

/// <summary>
/// Resolves the <see cref="MatchedTypes"/> of a pattern: a top-level <c>type</c> leaf keeps the catalog types its
/// matchers accept; <c>$or</c> is the union of its branches; members combine by intersection (AND). A <c>source</c>
/// leaf that rejects "acs.dataworks" empties the set, since every DataWorks event has that source.
/// </summary>
internal sealed class MatchedTypesResolver
{
    private readonly EventCatalog _catalog;
    private readonly MatchedTypes _all;
    private readonly MatchedTypes _none;

    // Each catalog type string as the one value of a 'type' field, in catalog order, built once: a set of 10,000 policies
    // asks about every catalog type for each of its type leaves.
    private readonly IReadOnlyList<Scalar>[] _typeValues;

    // A type leaf is asked about twice (its policy's matched types, and the check that it matches something); one
    // resolver serves one validation or analysis, on one thread.
    private readonly Dictionary<LeafMember, ImmutableArray<EventTypeInfo>> _accepted = new(ReferenceEqualityComparer.Instance);

    public MatchedTypesResolver(EventCatalog catalog)
    {
        _catalog = catalog;
        _all = new MatchedTypes(catalog.EventTypes, IsUnconstrained: true);
        _none = new MatchedTypes([], IsUnconstrained: false);
        _typeValues = [.. catalog.EventTypes.Select(t => (IReadOnlyList<Scalar>)[Scalar.FromString(t.Type)])];
    }

    public MatchedTypes All => _all;

    public MatchedTypes Resolve(PatternObject pattern)
    {
        var result = _all;
        foreach (var member in pattern.Members)
        {
            result = result.Intersect(ResolveMember(member));
            if (result.IsEmpty)
            {
                return _none;
            }
        }

        return result;
    }

    /// <summary>The catalog types whose type string some matcher of a <c>type</c> leaf accepts.</summary>
    public ImmutableArray<EventTypeInfo> TypesAcceptedBy(LeafMember typeLeaf)
    {
        if (_accepted.TryGetValue(typeLeaf, out var known))
        {
            return known;
        }

        var types = _catalog.EventTypes;
        var accepted = ImmutableArray.CreateBuilder<EventTypeInfo>();
        for (var i = 0; i < types.Length; i++)
        {
            foreach (var matcher in typeLeaf.Matchers)
            {
                if (MatcherSemantics.MatchesField(matcher, _typeValues[i]))
                {
                    accepted.Add(types[i]);
                    break;
                }
            }
        }

        return _accepted[typeLeaf] = accepted.ToImmutable();
    }

    /// <summary>Whether a <c>source</c> leaf lets DataWorks events through.</summary>
    public static bool AcceptsDataWorksSource(LeafMember sourceLeaf) =>
        sourceLeaf.Matchers.Any(m => MatcherSemantics.MatchesField(m, [Scalar.FromString(EnvelopeAttributes.DataWorksSource)]));

    private MatchedTypes ResolveMember(PatternMember member) => member switch
    {
        LeafMember { Name: "type" } leaf => new MatchedTypes(TypesAcceptedBy(leaf), IsUnconstrained: false),
        LeafMember { Name: "source" } leaf => AcceptsDataWorksSource(leaf) ? _all : _none,
        OrMember or => Union(or.Branches.Select(Resolve)),
        _ => _all,
    };

    /// <summary>Either constraint (OR): every type some branch keeps; one unconstrained branch lets every type through.</summary>
    public MatchedTypes Union(IEnumerable<MatchedTypes> branches)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var branch in branches)
        {
            // One branch that does not constrain the type lets every type through.
            if (branch.IsUnconstrained)
            {
                return _all;
            }

            seen.UnionWith(branch.Types.Select(t => t.Type));
        }

        // Catalog order, so messages list types the same way whatever the branch order.
        return new MatchedTypes(_catalog.EventTypes.Where(t => seen.Contains(t.Type)).ToImmutableArray(), IsUnconstrained: false);
    }
}
