using System.Collections.Immutable;
using System.Text.Json;
using OpenEvent.Rules.Events.Detail;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Evaluation;

// A policy sees the event with its detail as one more top-level member, `detail`. The detail is costly (a DataWorks
// call), so a policy is matched in two stages: first everything but the detail, by the matchers that read the event
// bytes (the detail member is taken out of the patterns they see, and exclusions that read the detail are left for
// later); then, for the few policies still in, the detail clauses. Since the event itself has no `detail` (a member of
// that name in the event is ignored), matching both parts is matching the whole pattern over the event with its detail.

/// <summary>Splits policies into what matches the event alone and what needs its detail.</summary>
internal static class DetailClauses
{
    /// <summary>
    /// The pattern without its top-level <c>detail</c> member (null when nothing else is left) and that member alone as a
    /// pattern over <c>{"detail": ...}</c> (null when the pattern does not read the detail).
    /// </summary>
    public static (PatternObject? Event, PatternObject? Detail) Split(PatternObject pattern)
    {
        if (DetailUse.InPattern(pattern) is not { } member)
        {
            return (pattern, null);
        }

        var rest = pattern.Members.Remove(member);
        return (rest.IsEmpty ? null : pattern with { Members = rest }, new PatternObject([member], member.Location));
    }

    /// <summary>
    /// The event as a policy sees it with its detail: its own members, except one named detail, and the detail. Null
    /// when the event can be used as it is (no detail, and no member of that name to hide).
    /// </summary>
    public static JsonDocument? EventWithDetail(JsonElement root, JsonElement detail)
    {
        var hasDetail = detail.ValueKind == JsonValueKind.Object && detail.TryGetProperty(DetailUse.Root, out _);
        if (!hasDetail && (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(DetailUse.Root, out _)))
        {
            return null;
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in root.EnumerateObject())
            {
                if (property.Name != DetailUse.Root)
                {
                    property.WriteTo(writer);
                }
            }

            if (hasDetail)
            {
                writer.WritePropertyName(DetailUse.Root);
                detail.GetProperty(DetailUse.Root).WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return JsonDocument.Parse(buffer.WrittenMemory, new JsonDocumentOptions { MaxDepth = 128 });
    }

    /// <summary>
    /// The policy as the first stage sees it: its match without the detail, and only the exclusions that do not read
    /// the detail (the others can only exclude once the detail is known). Policies that do not read the detail in a
    /// pattern are returned as they are.
    /// </summary>
    public static PolicyDefinition WithoutDetail(PolicyDefinition policy)
    {
        var matchReads = DetailUse.InPattern(policy.Match) is not null;
        var exclusionsRead = policy.Exclude.Any(x => DetailUse.InPattern(x.Match) is not null);
        if (!matchReads && !exclusionsRead)
        {
            return policy;
        }

        // A match with nothing but a detail is refused by validation (it would read the detail of every type); should
        // one get here, the type alone keeps the first stage from matching events that have no detail.
        var match = Split(policy.Match).Event ?? new PatternObject([], policy.Match.Location);
        return policy with
        {
            Match = match,
            Exclude = [.. policy.Exclude.Where(x => DetailUse.InPattern(x.Match) is null)],
        };
    }
}

/// <summary>Which detail patterns (by id) a detail matches. Implemented by the reference evaluator and by the compiled set.</summary>
internal interface IDetailPatternMatcher
{
    /// <summary>Adds the ids of the patterns that <paramref name="detail"/> matches to <paramref name="matched"/>, ascending.</summary>
    void Match(EventDetail detail, JsonElement? parsed, List<int> matched);
}

/// <summary>The reference: each pattern in turn over the wrapped detail document.</summary>
internal sealed class ReferenceDetailPatternMatcher(ImmutableArray<PatternObject> patterns) : IDetailPatternMatcher
{
    public void Match(EventDetail detail, JsonElement? parsed, List<int> matched)
    {
        ArgumentNullException.ThrowIfNull(detail);
        ArgumentNullException.ThrowIfNull(matched);
        using var document = parsed is null ? detail.Parse() : null;
        var root = parsed ?? document!.RootElement;
        for (var i = 0; i < patterns.Length; i++)
        {
            if (ReferencePatternEvaluator.Matches(patterns[i], root))
            {
                matched.Add(i);
            }
        }
    }
}

/// <summary>How one policy reads the detail, with its detail patterns numbered for an <see cref="IDetailPatternMatcher"/>.</summary>
internal sealed class DetailPlan
{
    private DetailPlan(int matchPattern, ImmutableArray<DetailExclusion> exclusions, bool conditionReads, bool templatesRead)
    {
        MatchPattern = matchPattern;
        Exclusions = exclusions;
        ConditionReads = conditionReads;
        ReadsBeyondCondition = matchPattern >= 0 || !exclusions.IsEmpty || templatesRead;
    }

    /// <summary>Whether a pattern, an exclusion or a template reads the detail (not only the condition).</summary>
    public bool ReadsBeyondCondition { get; }

    /// <summary>The id of the detail part of the match, or -1.</summary>
    public int MatchPattern { get; }

    /// <summary>The exclusions that read the detail, left out of the first stage.</summary>
    public ImmutableArray<DetailExclusion> Exclusions { get; }

    /// <summary>Whether the condition may read <c>e.Detail</c> (it then runs first without it, and again with it when it reaches for it).</summary>
    public bool ConditionReads { get; }

    /// <summary>The plans of <paramref name="policies"/> (null for a policy that does not read the detail) and every detail pattern, by id.</summary>
    public static (DetailPlan?[] Plans, ImmutableArray<PatternObject> Patterns) Build(ImmutableArray<PolicyDefinition> policies)
    {
        var plans = new DetailPlan?[policies.Length];
        var patterns = ImmutableArray.CreateBuilder<PatternObject>();
        int Add(PatternObject pattern)
        {
            patterns.Add(pattern);
            return patterns.Count - 1;
        }

        for (var i = 0; i < policies.Length; i++)
        {
            var policy = policies[i];
            if (!DetailUse.Reads(policy))
            {
                continue;
            }

            var match = DetailClauses.Split(policy.Match).Detail is { } detail ? Add(detail) : -1;
            var exclusions = policy.Exclude
                .Where(x => DetailUse.InPattern(x.Match) is not null)
                .Select(x =>
                {
                    var (eventPart, detailPart) = DetailClauses.Split(x.Match!);
                    return new DetailExclusion(x, eventPart, Add(detailPart!));
                })
                .ToImmutableArray();
            plans[i] = new DetailPlan(match, exclusions, DetailUse.InCondition(policy.Condition?.Expression) >= 0,
                policy.Actions.Any(a => DetailUse.InTemplate(DetailUse.TemplateOf(a))));
        }

        return (plans, patterns.ToImmutable());
    }
}

/// <summary>An exclusion that reads the detail: its pattern without the detail (null: none), and the id of its detail part.</summary>
internal sealed record DetailExclusion(ExclusionDefinition Exclusion, PatternObject? EventPart, int DetailPattern);
