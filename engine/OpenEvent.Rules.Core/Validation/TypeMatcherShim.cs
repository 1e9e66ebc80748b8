using System.Net;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Validation;

// Value-level matcher semantics for one string value, as docs/matching-semantics.md specifies them.
// Validation needs them only to ask "which catalog type strings does this `type` leaf accept?" (and whether
// `source` accepts "acs.dataworks"). Kept alone in this file so that it can be swapped for the shared
// Evaluation/MatcherSemantics helper once that lands, without touching the validators.

/// <summary>Decides whether a leaf matcher accepts a string field value.</summary>
internal static class TypeMatcherShim
{
    /// <summary>True when <paramref name="matcher"/> accepts the string <paramref name="value"/> of a present field.</summary>
    public static bool Matches(Matcher matcher, string value) => matcher switch
    {
        ExactMatcher exact => exact.Value.IsString && string.Equals(exact.Value.Text, value, StringComparison.Ordinal),
        PrefixMatcher prefix => prefix.IgnoreCase
            ? Upper(value).StartsWith(Upper(prefix.Value), StringComparison.Ordinal)
            : value.StartsWith(prefix.Value, StringComparison.Ordinal),
        SuffixMatcher suffix => suffix.IgnoreCase
            ? Upper(value).EndsWith(Upper(suffix.Value), StringComparison.Ordinal)
            : value.EndsWith(suffix.Value, StringComparison.Ordinal),
        ContainsMatcher contains => value.Contains(contains.Value, StringComparison.Ordinal),
        EqualsIgnoreCaseMatcher equals => string.Equals(Upper(value), Upper(equals.Value), StringComparison.Ordinal),
        WildcardMatcher wildcard => WildcardMatches(wildcard.Pattern, value),
        AnythingButMatcher anythingBut => !anythingBut.Excluded.Any(excluded => Matches(excluded, value)),
        // The field is present (it holds this string), so exists: true accepts it and exists: false does not.
        ExistsMatcher exists => exists.Exists,
        CidrMatcher cidr => IPAddress.TryParse(value, out var address)
            && address.AddressFamily == cidr.Network.BaseAddress.AddressFamily
            && cidr.Network.Contains(address),
        // numeric never matches a string.
        _ => false,
    };

    // Both sides upper-cased with simple case mapping, then compared ordinally (matching-semantics.md).
    private static string Upper(string text) => text.ToUpperInvariant();

    /// <summary>Glob match: <c>*</c> any run (also empty), <c>\*</c> a literal star, <c>\\</c> a literal backslash.</summary>
    internal static bool WildcardMatches(string pattern, string value)
    {
        // Tokenize once: a null char marks "star"; everything else is a literal.
        var tokens = new List<char?>(pattern.Length);
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length && pattern[i + 1] is '*' or '\\')
            {
                tokens.Add(pattern[++i]);
            }
            else
            {
                tokens.Add(c == '*' ? null : c);
            }
        }

        // Classic greedy glob with backtracking to the last star: linear in practice, no regex allocation.
        int t = 0, v = 0, starToken = -1, starValue = 0;
        while (v < value.Length)
        {
            if (t < tokens.Count && tokens[t] is { } literal && literal == value[v])
            {
                t++;
                v++;
            }
            else if (t < tokens.Count && tokens[t] is null)
            {
                starToken = t++;
                starValue = v;
            }
            else if (starToken >= 0)
            {
                t = starToken + 1;
                v = ++starValue;
            }
            else
            {
                return false;
            }
        }

        while (t < tokens.Count && tokens[t] is null)
        {
            t++;
        }

        return t == tokens.Count;
    }
}
