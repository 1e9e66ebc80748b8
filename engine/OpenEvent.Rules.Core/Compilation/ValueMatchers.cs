using System.Collections.Immutable;
using System.Net;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Compilation;

// Value-level operator semantics (docs/matching-semantics.md, "Leaf operators") over the compact event view:
// strings arrive as ReadOnlySpan<char>, numbers as JsonNumber. Everything the compiled matcher decides about a
// single leaf value lives here, so that it can later be unified with Evaluation/MatcherSemantics (one truth for
// the oracle and the compiled matcher). Structure (arrays, nesting, exists, $or) is not here: it is in CompiledPattern.
internal static class ValueMatchers
{
    /// <summary>Ordinal, case-sensitive, no normalization.</summary>
    public static bool StringEquals(ReadOnlySpan<char> value, string expected) => value.SequenceEqual(expected);

    public static bool StartsWith(ReadOnlySpan<char> value, string prefix) => value.StartsWith(prefix, StringComparison.Ordinal);

    public static bool EndsWith(ReadOnlySpan<char> value, string suffix) => value.EndsWith(suffix, StringComparison.Ordinal);

    public static bool Contains(ReadOnlySpan<char> value, string part) => value.IndexOf(part, StringComparison.Ordinal) >= 0;

    /// <summary>
    /// Ignoring case = ToUpperInvariant on both sides, then ordinal. .NET's invariant upper-casing is a simple
    /// (one UTF-16 unit to one unit) mapping, so it preserves length: prefix/suffix of the upper-cased value are the
    /// upper-cased prefix/suffix, which lets the index look them up by length.
    /// </summary>
    public static string ToUpper(string value) => value.ToUpperInvariant();

    /// <summary>Writes the upper-cased <paramref name="value"/> to <paramref name="destination"/> (same length).</summary>
    public static void ToUpper(ReadOnlySpan<char> value, Span<char> destination) => value.ToUpperInvariant(destination);

    public static bool NumberEquals(JsonNumber value, JsonNumber expected) => value.Equals(expected);

    /// <summary>Every comparison must hold (a numeric entry is an AND of its comparisons).</summary>
    public static bool SatisfiesAll(JsonNumber value, ImmutableArray<NumericComparison> comparisons)
    {
        foreach (var c in comparisons)
        {
            var ok = c.Operator switch
            {
                NumericOperator.Equal => value == c.Value,
                NumericOperator.LessThan => value < c.Value,
                NumericOperator.LessThanOrEqual => value <= c.Value,
                NumericOperator.GreaterThan => value > c.Value,
                NumericOperator.GreaterThanOrEqual => value >= c.Value,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A string holding an IP address inside the network: the shared semantics (same family, bitwise prefix).</summary>
    public static bool InNetwork(ReadOnlySpan<char> value, IPNetwork network) =>
        MatcherSemantics.TryParseIpAddress(value.ToString(), out var address) && MatcherSemantics.Contains(network, address);
}

/// <summary>
/// A parsed wildcard: literal segments separated by unescaped <c>*</c>. <c>\*</c> is a literal star, <c>\\</c> a literal
/// backslash; any other backslash is itself literal (the parser rejects such patterns; being lenient here keeps the
/// matcher total).
/// </summary>
internal sealed class WildcardPattern
{
    private readonly string[] _segments;

    private WildcardPattern(string[] segments) => _segments = segments;

    /// <summary>True when the pattern has no star: it is then an exact string (<see cref="Literal"/>).</summary>
    public bool IsLiteral => _segments.Length == 1;

    public string Literal => _segments[0];

    /// <summary>The literal text before the first star ("" when the pattern starts with a star).</summary>
    public string LeadingLiteral => _segments[0];

    /// <summary>The literal text after the last star ("" when the pattern ends with a star).</summary>
    public string TrailingLiteral => _segments[^1];

    public static WildcardPattern Parse(string pattern)
    {
        var segments = new List<string>();
        var current = new System.Text.StringBuilder();
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length && pattern[i + 1] is '*' or '\\')
            {
                current.Append(pattern[++i]);
            }
            else if (c == '*')
            {
                segments.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        segments.Add(current.ToString());
        return new WildcardPattern([.. segments]);
    }

    // Star-only globs need no backtracking: the first segment anchors the start, the last the end, and each middle
    // segment is best taken at its leftmost occurrence (leaving the most room for the rest).
    public bool IsMatch(ReadOnlySpan<char> value)
    {
        var first = _segments[0];
        if (_segments.Length == 1)
        {
            return value.SequenceEqual(first);
        }

        var last = _segments[^1];
        if (value.Length < first.Length + last.Length
            || !value.StartsWith(first, StringComparison.Ordinal)
            || !value.EndsWith(last, StringComparison.Ordinal))
        {
            return false;
        }

        var middle = value[first.Length..(value.Length - last.Length)];
        for (var i = 1; i < _segments.Length - 1; i++)
        {
            var segment = _segments[i];
            var at = middle.IndexOf(segment, StringComparison.Ordinal);
            if (at < 0)
            {
                return false;
            }

            middle = middle[(at + segment.Length)..];
        }

        return true;
    }
}
