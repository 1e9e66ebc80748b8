using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Model.Patterns.Operators;

namespace OpenEvent.Rules.Validation;

/// <summary>
/// What every semantic validator of one run shares: the set, the catalog, the diagnostics, and the matched types
/// of each policy (resolved once, since fields, scope, actions and templates all depend on them).
/// </summary>
internal sealed class ValidationContext
{
    // By reference: patterns are records, and value equality over a whole pattern tree is both slow and not the question.
    private readonly Dictionary<PatternObject, MatchedTypes> _matched = new(ReferenceEqualityComparer.Instance);

    public ValidationContext(PolicySetDefinition set, EventCatalog catalog, DiagnosticBag diagnostics)
    {
        Set = set;
        Catalog = catalog;
        Diagnostics = diagnostics;
        Resolver = new MatchedTypesResolver(catalog);
    }

    private ValidationContext(ValidationContext shared, DiagnosticBag diagnostics)
    {
        Set = shared.Set;
        Catalog = shared.Catalog;
        Diagnostics = diagnostics;
        Resolver = shared.Resolver;
        _matched = shared._matched;
    }

    /// <summary>The same run (and its resolved types, so not for another thread) reporting into another bag.</summary>
    public ValidationContext WithDiagnostics(DiagnosticBag diagnostics) => new(this, diagnostics);

    public PolicySetDefinition Set { get; }

    public EventCatalog Catalog { get; }

    public DiagnosticBag Diagnostics { get; }

    public MatchedTypesResolver Resolver { get; }

    public MatchedTypes MatchedTypes(PolicyDefinition policy) => MatchedTypes(policy.Match);

    public MatchedTypes MatchedTypes(PatternObject pattern)
    {
        if (!_matched.TryGetValue(pattern, out var types))
        {
            types = Resolver.Resolve(pattern);
            _matched[pattern] = types;
        }

        return types;
    }

    /// <summary>
    /// True when a top-level <c>type</c> leaf of the pattern names an exact type the catalog does not know. Checks
    /// that reason about "every matched type" skip such policies: the unknown type may be a newer extension point.
    /// </summary>
    public bool MentionsUnknownType(PatternObject pattern) =>
        TopLevelLeaves(pattern, "type").Any(leaf => leaf.Matchers.Any(m =>
            m is ExactMatcher { Value.IsString: true } exact && Catalog.FindByType(exact.Value.Text!) is null));

    /// <summary>The leaves named <paramref name="name"/> at the top level of the event: the pattern's own and those of its <c>$or</c> branches.</summary>
    public static IEnumerable<LeafMember> TopLevelLeaves(PatternObject pattern, string name)
    {
        foreach (var member in pattern.Members)
        {
            if (member is LeafMember leaf && leaf.Name == name)
            {
                yield return leaf;
            }
            else if (member is OrMember or)
            {
                foreach (var nested in or.Branches.SelectMany(b => TopLevelLeaves(b, name)))
                {
                    yield return nested;
                }
            }
        }
    }
}
