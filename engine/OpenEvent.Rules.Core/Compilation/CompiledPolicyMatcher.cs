using System.Collections.Immutable;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Compilation;

/// <summary>
/// The production matcher: every <c>match</c> and exclusion pattern of the set is compiled into one
/// <see cref="CompiledPatternSet"/> (indexed by type and field values, one pass over the event bytes); scope
/// and exclusions are then checked only for the few policies whose pattern matched.
/// </summary>
internal sealed class CompiledPolicyMatcher : IPolicyMatcher, ISinglePassMatcher
{
    private readonly ImmutableArray<PolicyDefinition> _policies;
    private readonly CompiledPatternSet _patterns;

    // Pattern id -> policy index for match patterns; exclusion pattern ids per policy (-1: exclusion without match).
    private readonly int[] _policyOfPattern;
    private readonly int[][] _exclusionPatterns;

    [ThreadStatic]
    private static MatchResult? t_result;

    /// <param name="extraPaths">Dotted paths whose first direct scalar the single pass extracts as well (see <see cref="Extracted"/>).</param>
    public CompiledPolicyMatcher(ImmutableArray<PolicyDefinition> policies, IEnumerable<string>? extraPaths = null)
    {
        _policies = policies;
        var patterns = new List<PatternObject>();
        var policyOfPattern = new List<int>();
        _exclusionPatterns = new int[policies.Length][];
        for (var i = 0; i < policies.Length; i++)
        {
            patterns.Add(policies[i].Match);
            policyOfPattern.Add(i);
            var exclusions = new int[policies[i].Exclude.Length];
            for (var j = 0; j < exclusions.Length; j++)
            {
                if (policies[i].Exclude[j].Match is { } match)
                {
                    exclusions[j] = patterns.Count;
                    patterns.Add(match);
                    policyOfPattern.Add(-1);
                }
                else
                {
                    exclusions[j] = -1;
                }
            }

            _exclusionPatterns[i] = exclusions;
        }

        _policyOfPattern = [.. policyOfPattern];
        var builder = new CompiledPatternSetBuilder();
        var extracted = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var path in extraPaths ?? [])
        {
            extracted.TryAdd(path, builder.AddExtraPath(path));
        }

        Extracted = extracted;
        _patterns = builder.Build(patterns);
    }

    /// <summary>The extra paths, by the index their values have in a <see cref="MatchResult"/>.</summary>
    public IReadOnlyDictionary<string, int> Extracted { get; }

    /// <summary>
    /// The single pass over an event's bytes: validates them (UTF-8, JSON, duplicate keys, depth, an object), matches
    /// every pattern and extracts the extra paths, into this thread's result. Throws <see cref="InvalidEventException"/>.
    /// </summary>
    public MatchResult Read(ReadOnlySpan<byte> utf8)
    {
        var result = t_result ??= new MatchResult();
        _patterns.Match(utf8, result);
        return result;
    }

    IEventFields ISinglePassMatcher.Read(ReadOnlySpan<byte> utf8, out ReadOnlySpan<int> matchedPatterns)
    {
        var result = Read(utf8);
        matchedPatterns = result.PatternIds;
        return new ExtractedFields(result, Extracted);
    }

    public void Match(DataWorksEvent e, List<int> matches)
    {
        // An event that came through this matcher's single pass is not read again.
        ReadOnlySpan<int> matched = e.MatchedPatterns is { } done && ReferenceEquals(e.MatchedBy, this) ? done : Read(e.Utf8.Span).PatternIds;
        foreach (var patternId in matched)
        {
            var policyIndex = _policyOfPattern[patternId];
            if (policyIndex < 0)
            {
                continue;
            }

            var policy = _policies[policyIndex];
            if (ScopeFilter.Matches(policy.Scope, e.Scope) && !IsExcluded(policyIndex, policy, e, matched))
            {
                matches.Add(policyIndex);
            }
        }
    }

    private bool IsExcluded(int policyIndex, PolicyDefinition policy, DataWorksEvent e, ReadOnlySpan<int> matched)
    {
        var exclusionPatterns = _exclusionPatterns[policyIndex];
        for (var j = 0; j < exclusionPatterns.Length; j++)
        {
            var patternId = exclusionPatterns[j];
            if ((patternId < 0 || matched.BinarySearch(patternId) >= 0) && ScopeFilter.Matches(policy.Exclude[j].Scope, e.Scope))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary><see cref="IEventFields"/> over the values the single pass extracted (direct values only, as for documents).</summary>
    private sealed class ExtractedFields(MatchResult match, IReadOnlyDictionary<string, int> extracted) : IEventFields
    {
        public Scalar? At(string path) =>
            extracted.TryGetValue(path, out var index) && match.TryGetExtra(index, out var value, out var inArray) && !inArray ? value : null;

        public string? DataKindIfNotObject()
        {
            if (!extracted.TryGetValue("data", out var index))
            {
                return null;
            }

            if (match.IsExtraArray(index))
            {
                return "an array";
            }

            return match.TryGetExtra(index, out var value, out _) ? value.Kind switch
            {
                ScalarKind.Null => null,
                ScalarKind.String => "a string",
                ScalarKind.Number => "a number",
                _ => "a boolean",
            } : null;
        }
    }
}
