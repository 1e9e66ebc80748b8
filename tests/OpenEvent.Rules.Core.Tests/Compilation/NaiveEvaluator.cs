using System.Text.Json;
using System.Text.RegularExpressions;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Tests.Compilation;

/// <summary>
/// TEMPORARY cross-check, written straight from docs/matching-semantics.md over a JsonElement, one pattern at a time,
/// independently of the compiled matcher's data structures. To be replaced by Evaluation/ReferencePatternEvaluator
/// (the real oracle) when the branches merge; the benchmark's baseline uses it until then.
/// </summary>
internal static class NaiveEvaluator
{
    public static readonly JsonDocumentOptions DocumentOptions = new() { AllowDuplicateProperties = false };

    public static bool Matches(PatternObject pattern, JsonElement cloudEvent) => MatchObject(pattern, cloudEvent);

    // `target` is an object, or Undefined for "the empty object".
    private static bool MatchObject(PatternObject pattern, JsonElement target)
    {
        foreach (var member in pattern.Members)
        {
            var ok = member switch
            {
                LeafMember leaf => MatchLeaf(leaf, Field(target, leaf.Name)),
                NestedMember nested => MatchNested(nested, Field(target, nested.Name)),
                OrMember or => or.Branches.Any(b => MatchObject(b, target)),
                _ => throw new NotSupportedException(),
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static JsonElement Field(JsonElement target, string name) =>
        target.ValueKind == JsonValueKind.Object && target.TryGetProperty(name, out var value) ? value : default;

    private static bool MatchNested(NestedMember nested, JsonElement field)
    {
        var objects = Flatten(field).Where(e => e.ValueKind == JsonValueKind.Object).ToList();
        return objects.Count == 0 ? MatchObject(nested.Pattern, default) : objects.Any(o => MatchObject(nested.Pattern, o));
    }

    private static bool MatchLeaf(LeafMember leaf, JsonElement field)
    {
        var values = Flatten(field).Where(e => e.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined)).ToList();
        foreach (var matcher in leaf.Matchers)
        {
            if (matcher is ExistsMatcher exists ? (values.Count > 0) == exists.Exists : values.Any(v => Test(matcher, v)))
            {
                return true;
            }
        }

        return false;
    }

    private static IEnumerable<JsonElement> Flatten(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            yield return element;
            yield break;
        }

        foreach (var item in element.EnumerateArray())
        {
            foreach (var inner in Flatten(item))
            {
                yield return inner;
            }
        }
    }

    private static bool Test(Matcher matcher, JsonElement v)
    {
        var s = v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        JsonNumber? n = v.ValueKind == JsonValueKind.Number && JsonNumber.TryParse(v.GetRawText(), out var parsed) ? parsed : null;
        return matcher switch
        {
            ExactMatcher m => m.Value.Kind switch
            {
                ScalarKind.String => s is not null && string.Equals(s, m.Value.Text, StringComparison.Ordinal),
                ScalarKind.Number => n is not null && n.Value == m.Value.Number,
                ScalarKind.Null => v.ValueKind == JsonValueKind.Null,
                ScalarKind.True => v.ValueKind == JsonValueKind.True,
                _ => v.ValueKind == JsonValueKind.False,
            },
            PrefixMatcher m => s is not null && (m.IgnoreCase
                ? s.ToUpperInvariant().StartsWith(m.Value.ToUpperInvariant(), StringComparison.Ordinal)
                : s.StartsWith(m.Value, StringComparison.Ordinal)),
            SuffixMatcher m => s is not null && (m.IgnoreCase
                ? s.ToUpperInvariant().EndsWith(m.Value.ToUpperInvariant(), StringComparison.Ordinal)
                : s.EndsWith(m.Value, StringComparison.Ordinal)),
            ContainsMatcher m => s is not null && s.Contains(m.Value, StringComparison.Ordinal),
            EqualsIgnoreCaseMatcher m => s is not null && string.Equals(s.ToUpperInvariant(), m.Value.ToUpperInvariant(), StringComparison.Ordinal),
            WildcardMatcher m => s is not null && GlobToRegex(m.Pattern).IsMatch(s),
            NumericMatcher m => n is not null && m.Comparisons.All(c => c.Operator switch
            {
                NumericOperator.Equal => n.Value == c.Value,
                NumericOperator.LessThan => n.Value < c.Value,
                NumericOperator.LessThanOrEqual => n.Value <= c.Value,
                NumericOperator.GreaterThan => n.Value > c.Value,
                _ => n.Value >= c.Value,
            }),
            CidrMatcher m => s is not null && ValueMatchers.TryParseIpAddress(s, out var address)
                && address.AddressFamily == m.Network.BaseAddress.AddressFamily && m.Network.Contains(address),
            AnythingButMatcher m => !m.Excluded.Any(e => Test(e, v)),
            _ => throw new NotSupportedException(matcher.Operator),
        };
    }

    private static Regex GlobToRegex(string glob)
    {
        var pattern = new System.Text.StringBuilder("\\A");
        for (var i = 0; i < glob.Length; i++)
        {
            if (glob[i] == '\\' && i + 1 < glob.Length && glob[i + 1] is '*' or '\\')
            {
                pattern.Append(Regex.Escape(glob[++i].ToString()));
            }
            else if (glob[i] == '*')
            {
                pattern.Append("(?s:.*)");
            }
            else
            {
                pattern.Append(Regex.Escape(glob[i].ToString()));
            }
        }

        return new Regex(pattern.Append("\\z").ToString(), RegexOptions.CultureInvariant);
    }
}
