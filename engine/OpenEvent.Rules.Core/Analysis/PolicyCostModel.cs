using System.Collections.Immutable;
using System.Globalization;
using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Model.Patterns.Operators;

namespace OpenEvent.Rules.Analysis;

/// <summary>
/// What each policy adds to the work done per event, in cost units (roughly nanoseconds on the benchmark machine of
/// bench/README.md; an estimate, not a measurement: deterministic, so that a budget in the repository gives the same
/// answer on every machine). It follows how the compiled set runs (Compilation/CandidateIndex, CompiledPattern, the
/// single pass of Events/EventReader, the two detail stages of the evaluator):
/// <list type="bullet">
/// <item>A policy's pattern is verified only for the events the candidate index proposes it for. Its <em>reach</em> is
/// the share of events that get that far: the catalog types its indexed <c>type</c> keys hit, out of all catalog types
/// (traffic is assumed spread evenly over the types); <see cref="KeyedReach"/> with an indexed key on another field only;
/// every event (1) without any: no type, a type the index cannot use (anything-but, a wildcard of stars alone, an empty
/// contains). An <c>$or</c> whose branches all have keys reaches what its branches reach together.</item>
/// <item>Verification, the scope, the condition and the detail fetch are charged per event reached: the work of one
/// verification (each member, each list entry: the verifier compares entries one by one) times the reach. Scope,
/// condition and fetch run only once the pattern matched: charging them for every event reached is an upper bound.</item>
/// <item>A field the pattern reads is decoded by the single pass in every event that has it, whatever its type; the
/// fields the engine reads anyway (type, the scope's paths) cost nothing more. A clause is priced as if its field were
/// present in every event it is verified for (an upper bound: a missing field fails the clause at once).</item>
/// <item>An exclusion's match is a pattern of its own in the same compiled set, with its own reach: an exclusion
/// without a type is verified for every event, even those its policy never matches.</item>
/// </list>
/// Each policy is priced as if it ran alone in a large set (where the index splits by type; in a set of one pattern it
/// is verified for every event, which is cheap at that size). The set's total counts each field once and
/// sums the rest: a detail fetch or a document parse shared by several policies is counted for each.
/// </summary>
public static class PolicyCostModel
{
    // ---- The weights: cost units, ~ns on the benchmark machine (AMD EPYC 2.6 GHz), for one ~1 KB event ----------------

    /// <summary>Verifying a proposed pattern: its stamp checks and the walk over its member array (virtual calls).</summary>
    internal const double Candidate = 10;

    /// <summary>A leaf member: finding the field's first value in the event view and looping over its values.</summary>
    internal const double Leaf = 2;

    /// <summary>A nested member: finding the object instance(s) and walking the nested member array in each.</summary>
    internal const double Nested = 5;

    /// <summary>Each <c>$or</c> branch: a pattern object walked in turn.</summary>
    internal const double OrBranch = 5;

    /// <summary>An exact value, equals-ignore-case (on the folded text) or a true/false/null: one span comparison.</summary>
    internal const double Exact = 2;

    /// <summary><c>exists</c>: a kind check.</summary>
    internal const double Exists = 1;

    /// <summary>A prefix or suffix: one ordinal StartsWith/EndsWith.</summary>
    internal const double Affix = 3;

    /// <summary><c>numeric</c>: one or two comparisons of the number the single pass already parsed.</summary>
    internal const double Numeric = 3;

    /// <summary>Folding a string value for an ignore-case entry (ToUpperInvariant into the view, once per value and leaf).</summary>
    internal const double FoldCase = 20;

    /// <summary><c>contains</c>: an ordinal IndexOf over the whole value (vectorized, but proportional to its length).</summary>
    internal const double Contains = 15;

    /// <summary><c>numeric-string</c>: parses the text as a number, for every value, every time.</summary>
    internal const double NumericString = 25;

    /// <summary><c>wildcard</c>: a segment search with backtracking over the value.</summary>
    internal const double Wildcard = 40;

    /// <summary><c>cidr</c>: copies the value into a string and parses an IP address from it, for every value.</summary>
    internal const double Cidr = 80;

    /// <summary><c>anything-but</c>: the loop over its excluded entries (each priced as itself) and the negation.</summary>
    internal const double AnythingBut = 2;

    /// <summary>A field decoded by the single pass for this policy only: a string unescaped into the view, a number parsed.</summary>
    internal const double FieldRead = 15;

    /// <summary>
    /// The scope (and an exclusion's scope): hash-set lookups of the event's resolved values. Registry sets and
    /// selectors are expanded into hash sets when the set is built, so their size costs nothing per event.
    /// </summary>
    internal const double Scope = 10;

    /// <summary>
    /// A C# condition. It reads the event as a JSON document, which the compiled matcher never builds: the first condition
    /// of an event parses it (the benchmark's reference column, 3.5 µs per event at 10 patterns, is mostly that parse),
    /// then the delegate runs with its budget guards.
    /// </summary>
    internal const double Condition = 3_000;

    /// <summary>
    /// Reading the event's detail: a signed GetIDEEventDetail call to DataWorks (an HTTPS round trip of tens of
    /// milliseconds, awaited, cached per event), then its second pattern pass. Charged as 1 ms of host work: it
    /// dominates any budget unless the policy's other clauses let few events reach it.
    /// </summary>
    internal const double DetailFetch = 1_000_000;

    /// <summary>The reach of a policy indexed by a key on a field other than <c>type</c> (a workspace, an operator, a file-name prefix): assumed 1 event in 10.</summary>
    internal const double KeyedReach = 0.1;

    // Envelope attributes every DataWorks event carries with the same value: an index key on them narrows nothing.
    private static readonly string[] s_nonNarrowing = ["source", "specversion", "datacontenttype"];

    /// <summary>Prices every enabled policy of the set, dearest first (ties by name), and the set's total.</summary>
    public static PolicySetCost Estimate(PolicySetDefinition set, EventCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(set);
        var pricing = new Pricing(catalog ?? EventCatalog.Default);
        var priced = set.Policies.Where(p => p.Mode != PolicyMode.Disabled).Select(pricing.Price).ToList();

        // Each field is decoded once per event however many policies read it.
        var fields = priced.SelectMany(p => p.Fields).Distinct(StringComparer.Ordinal).Count();
        var total = priced.Sum(p => p.Units - (p.Fields.Count * FieldRead)) + (fields * FieldRead);
        var policies = priced.Select(p => p.Cost)
            .OrderByDescending(c => c.Units)
            .ThenBy(c => c.Policy, StringComparer.Ordinal)
            .ToImmutableArray();
        return new PolicySetCost(policies, Round(total));
    }

    internal static double Round(double units) => Math.Round(units, 1, MidpointRounding.AwayFromZero);

    /// <summary>The units as reports print them: one decimal, invariant culture.</summary>
    public static string Format(double units) => units.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>A policy's cost as reported, its units before rounding (for the set's total), and the fields it reads.</summary>
    private sealed record Priced(PolicyCost Cost, double Units, IReadOnlyCollection<string> Fields);

    /// <summary>The pricing of one set: the catalog's types (for reach) and the fields the engine reads anyway.</summary>
    private sealed class Pricing(EventCatalog catalog)
    {
        private readonly ImmutableArray<string> _types = [.. catalog.EventTypes.Select(t => t.Type)];
        private readonly HashSet<string> _engineFields = [.. SinglePassEventReader.FieldPaths(catalog)];

        public Priced Price(PolicyDefinition policy)
        {
            var terms = new List<CostTerm>();
            var fields = new SortedSet<string>(StringComparer.Ordinal);
            var (reach, reachText) = Reach(policy.Match);
            PricePattern(policy.Match, reach, terms, fields);
            AddMatchedStage(policy, reach, terms);
            foreach (var exclusion in policy.Exclude)
            {
                PriceExclusion(exclusion, reach, terms, fields);
            }

            fields.RemoveWhere(_engineFields.Contains);
            if (fields.Count > 0)
            {
                terms.Add(new CostTerm(CostTermKind.Fields, $"decoding {string.Join(", ", fields)} in every event that has {(fields.Count == 1 ? "it" : "them")}",
                    fields.Count * FieldRead, policy.Match.Location));
            }

            var ordered = terms.OrderByDescending(t => t.Units).ToImmutableArray();
            var units = terms.Sum(t => t.Units);
            return new Priced(new PolicyCost(policy.Name, policy.Location, Round(units), reach, reachText, ordered), units, fields);
        }

        private static void AddMatchedStage(PolicyDefinition policy, double reach, List<CostTerm> terms)
        {
            if (policy.Scope is { IsEmpty: false })
            {
                terms.Add(new CostTerm(CostTermKind.Scope, "the scope", reach * Scope, policy.Scope.Location));
            }

            if (policy.EnforceIn is { } stage && policy.Mode == PolicyMode.Enforce)
            {
                // A staged policy checks its stage on every match, as a scope.
                terms.Add(new CostTerm(CostTermKind.Scope, "the stage (enforceIn)", reach * Scope, stage.Location));
            }

            if (policy.Condition is { } condition)
            {
                terms.Add(new CostTerm(CostTermKind.Condition, "the C# condition", reach * Condition, condition.Location));
            }

            if (DetailUse.Reads(policy))
            {
                var at = DetailUse.InPattern(policy.Match)?.Location ?? policy.Condition?.Location ?? policy.Location;
                terms.Add(new CostTerm(CostTermKind.Detail, "the detail fetch (GetIDEEventDetail)", reach * DetailFetch, at));
            }
        }

        private void PriceExclusion(ExclusionDefinition exclusion, double policyReach, List<CostTerm> terms, ISet<string> fields)
        {
            if (exclusion.Scope is { IsEmpty: false })
            {
                terms.Add(new CostTerm(CostTermKind.Scope, "an exclusion's scope", policyReach * Scope, exclusion.Location));
            }

            if (exclusion.Match is { } match)
            {
                // A pattern of its own in the compiled set: verified for the events its own keys reach.
                var (reach, reachText) = Reach(match);
                var own = new List<CostTerm>();
                PricePattern(match, reach, own, fields);
                terms.Add(new CostTerm(CostTermKind.Exclusion, $"the exclusion's match, verified for {reachText}", own.Sum(t => t.Units), exclusion.Location)
                {
                    ForEveryEvent = reach >= 1,
                });
            }
        }

        /// <summary>Verification of a pattern for the events that reach it: the candidate check and one term per clause.</summary>
        private static void PricePattern(PatternObject pattern, double reach, List<CostTerm> terms, ISet<string> fields)
        {
            var structure = Candidate;
            foreach (var member in pattern.Members)
            {
                // The detail member is matched in the second stage, over the detail (priced with its fetch).
                if (member is LeafMember { Name: DetailUse.Root } or NestedMember { Name: DetailUse.Root })
                {
                    continue;
                }

                structure += PriceMember(member, "", reach, terms, fields);
            }

            terms.Add(new CostTerm(CostTermKind.Candidate, "the candidate check", reach * structure, pattern.Location) { ForEveryEvent = reach >= 1 });
        }

        /// <summary>Adds the member's leaves as terms; returns the structural work (nesting) it adds to the candidate check.</summary>
        private static double PriceMember(PatternMember member, string prefix, double reach, List<CostTerm> terms, ISet<string> fields)
        {
            switch (member)
            {
                case LeafMember leaf:
                    fields.Add(prefix + leaf.Name);
                    terms.Add(new CostTerm(CostTermKind.Leaf, Describe(leaf, prefix + leaf.Name), reach * LeafCost(leaf), LeafLocation(leaf)) { ForEveryEvent = reach >= 1 });
                    return 0;
                case NestedMember nested:
                    var structure = Nested;
                    foreach (var inner in nested.Pattern.Members)
                    {
                        structure += PriceMember(inner, prefix + nested.Name + ".", reach, terms, fields);
                    }

                    return structure;
                case OrMember or:
                    var branches = new List<CostTerm>();
                    var work = or.Branches.Length * OrBranch;
                    foreach (var branch in or.Branches)
                    {
                        foreach (var inner in branch.Members)
                        {
                            work += PriceMember(inner, prefix, 1, branches, fields);
                        }
                    }

                    var dearest = branches.OrderByDescending(t => t.Units).FirstOrDefault();
                    var what = $"$or of {or.Branches.Length} branches" + (dearest is null ? "" : $" (dearest: {dearest.What})");
                    terms.Add(new CostTerm(CostTermKind.Leaf, what, reach * (work + branches.Sum(t => t.Units)), or.Location) { ForEveryEvent = reach >= 1 });
                    return 0;
                default:
                    return 0;
            }
        }

        /// <summary>Where a leaf's dearest entry is written (the hint points there), else the leaf.</summary>
        private static SourceLocation LeafLocation(LeafMember leaf) =>
            leaf.Matchers.OrderByDescending(EntryCost).Select(m => m.Location).FirstOrDefault(l => l.Line > 0) is { Line: > 0 } at ? at : leaf.Location;

        internal static double LeafCost(LeafMember leaf) =>
            Leaf + leaf.Matchers.Sum(EntryCost) + (leaf.Matchers.Any(FoldsCase) ? FoldCase : 0);

        private static double EntryCost(Matcher matcher) => matcher switch
        {
            ExactMatcher or EqualsIgnoreCaseMatcher => Exact,
            ExistsMatcher => Exists,
            PrefixMatcher or SuffixMatcher => Affix,
            NumericMatcher => Numeric,
            ContainsMatcher => Contains,
            NumericStringMatcher => NumericString,
            WildcardMatcher => Wildcard,
            CidrMatcher => Cidr,
            AnythingButMatcher anythingBut => AnythingBut + anythingBut.Excluded.Sum(EntryCost),

            // An operator this model does not know yet is priced as the dearest string test, so it is never under-priced.
            _ => Wildcard,
        };

        private static bool FoldsCase(Matcher matcher) => matcher switch
        {
            EqualsIgnoreCaseMatcher => true,
            PrefixMatcher prefix => prefix.IgnoreCase,
            SuffixMatcher suffix => suffix.IgnoreCase,
            AnythingButMatcher anythingBut => anythingBut.Excluded.Any(FoldsCase),
            _ => false,
        };

        private static string Describe(LeafMember leaf, string path)
        {
            var operators = leaf.Matchers.Select(m => m.Operator).Distinct(StringComparer.Ordinal).ToList();
            var count = leaf.Matchers.Length;
            return (count, operators) switch
            {
                (1, ["exact"]) => $"value on {path}",
                (_, ["exact"]) => $"{count} values on {path}",
                (1, [var op]) => $"{op} on {path}",
                (_, [var op]) => $"{count} {op} entries on {path}",
                _ => $"{count} entries on {path}",
            };
        }

        /// <summary>
        /// The share of events the candidate index proposes the pattern for, and how to say it: over the pattern's
        /// index entries (one per combination of keyed <c>$or</c> branches), the catalog types their indexed <c>type</c>
        /// keys hit when every entry has one; else 1 in 10 for each entry keyed on another field (every event once any
        /// entry has no key).
        /// </summary>
        private (double Reach, string Text) Reach(PatternObject pattern)
        {
            // As the index lists the first stage's pattern: without the detail, which the event bytes do not hold.
            var entries = DetailClauses.Split(pattern).Event is { } firstStage
                ? IndexEntries.Of(firstStage).ConvertAll(entry => entry.ConvertAll(keyed => (Path: string.Join('.', keyed.Path), keyed.Keys)))
                : [[]];
            var typeKeys = entries.Select(e => e.FirstOrDefault(p => p.Path == "type").Keys).ToList();
            if (typeKeys.TrueForAll(keys => keys is not null))
            {
                var hit = _types.Count(t => typeKeys.Any(keys => keys!.Any(k => Hits(k, t))));
                var share = Math.Max(hit, 1) / (double)Math.Max(_types.Length, 1);
                return (Math.Min(share, 1), hit <= 1 ? $"the events of 1 type in {_types.Length}" : $"the events of {hit} types in {_types.Length}");
            }

            // exists: true is an index key too, but the field it asks for is in most events: priced as no key.
            var keyed = entries.Select(e => e.FirstOrDefault(p => !s_nonNarrowing.Contains(p.Path) && !p.Keys.All(k => k.Kind == IndexKeyKind.Present))).ToList();
            if (keyed.TrueForAll(k => k.Keys is not null))
            {
                return entries.Count == 1
                    ? (KeyedReach, $"the events whose {keyed[0].Path} hits its values (about 1 in 10)")
                    : (Math.Min(1, entries.Count * KeyedReach), $"the events its {entries.Count} $or alternatives' keys hit (about 1 in 10 each)");
            }

            return (1, "every event");
        }

        /// <summary>Whether a catalog type string hits an index key, as the candidate index's tables look it up.</summary>
        private static bool Hits(IndexKey key, string type) => key.Kind switch
        {
            IndexKeyKind.String => type == key.Text,
            IndexKeyKind.Upper => MatcherSemantics.FoldCase(type) == key.Text,
            IndexKeyKind.Prefix => type.StartsWith(key.Text!, StringComparison.Ordinal),
            IndexKeyKind.PrefixUpper => MatcherSemantics.FoldCase(type).StartsWith(key.Text!, StringComparison.Ordinal),
            IndexKeyKind.Suffix => type.EndsWith(key.Text!, StringComparison.Ordinal),
            IndexKeyKind.SuffixUpper => MatcherSemantics.FoldCase(type).EndsWith(key.Text!, StringComparison.Ordinal),
            IndexKeyKind.Contains => type.Contains(key.Text!, StringComparison.Ordinal),
            IndexKeyKind.Present => true,
            _ => false,
        };
    }
}
