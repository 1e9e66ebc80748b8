using System.Collections.Immutable;
using System.Text.Json;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events.Detail;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Compilation;

/// <summary>
/// The detail patterns of a policy set (each the <c>detail</c> member of a match or an exclusion) compiled into one
/// <see cref="CompiledPatternSet"/>, matched in one pass over the bytes of <c>{"detail": ...}</c>: the same operators
/// and the same semantics as every other pattern, by the same code.
/// </summary>
internal sealed class CompiledDetailMatcher : IDetailPatternMatcher
{
    private readonly CompiledPatternSet _patterns;

    [ThreadStatic]
    private static MatchResult? t_result;

    public CompiledDetailMatcher(ImmutableArray<PatternObject> patterns) => _patterns = new CompiledPatternSetBuilder().Build(patterns);

    public void Match(EventDetail detail, JsonElement? parsed, List<int> matched)
    {
        ArgumentNullException.ThrowIfNull(detail);
        ArgumentNullException.ThrowIfNull(matched);
        if (_patterns.PatternCount == 0)
        {
            return;
        }

        var result = t_result ??= new MatchResult();
        _patterns.Match(detail.Utf8.Span, result);
        foreach (var id in result.PatternIds)
        {
            matched.Add(id);
        }
    }
}
