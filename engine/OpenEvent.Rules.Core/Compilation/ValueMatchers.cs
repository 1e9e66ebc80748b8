using System.Net;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Compilation;

// Value-level operator semantics (docs/matching-semantics.md, "Leaf operators") over the compact event view:
// strings arrive as ReadOnlySpan<char>, numbers as JsonNumber. Everything the compiled matcher decides about a
// single leaf value lives here, as span-based forms of Model/Patterns/MatcherSemantics; numeric comparisons, IP addresses
// and wildcards are MatcherSemantics' own. Structure (arrays, nesting, exists, $or) is not here: it is in CompiledPattern.
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

    public static bool NumberEquals(JsonNumber value, JsonNumber expected) => value.Equals(expected);

    /// <summary>A string holding an IP address inside the network: the shared semantics (same family, bitwise prefix).</summary>
    public static bool InNetwork(ReadOnlySpan<char> value, IPNetwork network) =>
        MatcherSemantics.TryParseIpAddress(value.ToString(), out var address) && MatcherSemantics.Contains(network, address);
}
