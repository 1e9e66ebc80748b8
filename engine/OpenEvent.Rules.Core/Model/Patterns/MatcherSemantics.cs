using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace OpenEvent.Rules.Model.Patterns;

// Field-level matching (docs/matching-semantics.md, "Leaf operators"): a leaf list against the values of a field,
// exists on a field without values, how leaf values are read from an event; and the value primitives the operators
// (Operators/, one file each) are written with: case folding, wildcards, IP addresses. An operator's reference
// semantics and its compiled test use the same primitives, so the reference evaluator and the compiled matcher can
// only disagree on structure (indexing, arrays, $or), never on what an operator means for one value.

/// <summary>How a leaf entry judges the values of a field, how leaf values are read from an event, and the operators' value primitives.</summary>
internal static class MatcherSemantics
{
    /// <summary>
    /// Whether <paramref name="value"/>, one leaf value of a field, satisfies <paramref name="matcher"/> (each operator
    /// defines it in its own file under Operators/). An <c>exists</c> matcher is about the field as a whole: a field
    /// that has this value has a leaf value, so <c>exists: true</c> holds and <c>exists: false</c> does not (see
    /// <see cref="MatchesMissing"/> for a field without values).
    /// </summary>
    public static bool Matches(Matcher matcher, Scalar value) => matcher.Matches(value);

    /// <summary>Whether <paramref name="matcher"/> accepts a field with no leaf value (missing, an object, [] or objects only): only <c>exists: false</c> does.</summary>
    public static bool MatchesMissing(Matcher matcher) => matcher.MatchesMissing;

    /// <summary>Whether a field whose leaf values are <paramref name="values"/> satisfies <paramref name="matcher"/>.</summary>
    public static bool MatchesField(Matcher matcher, IReadOnlyList<Scalar> values)
    {
        if (values.Count == 0)
        {
            return MatchesMissing(matcher);
        }

        // By index: a foreach over the interface boxes an enumerator per call, and semantic validation asks this for
        // every type of the catalog per type matcher (78 MB of enumerators for 10,000 policies).
        for (var i = 0; i < values.Count; i++)
        {
            if (Matches(matcher, values[i]))
            {
                return true;
            }
        }

        return false;
    }

    // ---- Strings ---------------------------------------------------------------------------------------

    /// <summary>
    /// The case folding behind every "ignore case" operator: invariant simple upper-casing, per character (a
    /// surrogate pair is folded as the character it encodes, U+10428 to U+10400). Simple mappings keep each
    /// character's UTF-16 length, so lengths are kept and prefix/suffix of the folded string are the folded prefix/suffix.
    /// </summary>
    public static string FoldCase(string value) => value.ToUpperInvariant();

    /// <summary><see cref="FoldCase(string)"/> into <paramref name="destination"/> (same length), for spans of an event's text.</summary>
    public static void FoldCase(ReadOnlySpan<char> value, Span<char> destination) => value.ToUpperInvariant(destination);

    public static bool EqualsIgnoreCase(string value, string expected) =>
        string.Equals(FoldCase(value), FoldCase(expected), StringComparison.Ordinal);

    public static bool StartsWith(string value, string prefix, bool ignoreCase) => ignoreCase
        ? FoldCase(value).StartsWith(FoldCase(prefix), StringComparison.Ordinal)
        : value.StartsWith(prefix, StringComparison.Ordinal);

    public static bool EndsWith(string value, string suffix, bool ignoreCase) => ignoreCase
        ? FoldCase(value).EndsWith(FoldCase(suffix), StringComparison.Ordinal)
        : value.EndsWith(suffix, StringComparison.Ordinal);

    // ---- Wildcard --------------------------------------------------------------------------------------

    /// <summary>Glob match: <c>*</c> is any run of characters (also empty), <c>\*</c> a literal star; ordinal.</summary>
    public static bool WildcardMatches(string pattern, string value) => WildcardPattern.Parse(pattern).IsMatch(value);

    // ---- IP addresses ----------------------------------------------------------------------------------

    /// <summary>
    /// Whether <paramref name="value"/> is an IP address of the network's family inside it. An IPv4-mapped IPv6
    /// address ("::ffff:10.0.0.1") is IPv6 and so never inside an IPv4 network.
    /// </summary>
    public static bool CidrContains(IPNetwork network, string value) =>
        TryParseIpAddress(value, out var address) && Contains(network, address);

    /// <summary>
    /// Bitwise containment of the first PrefixLength bits, same family only. IPNetwork.Contains is not used: it maps
    /// IPv4-mapped addresses to IPv4 first, so it would put "::ffff:10.0.0.1" inside 10.0.0.0/8 but not inside
    /// ::ffff:0:0/96.
    /// </summary>
    public static bool Contains(IPNetwork network, IPAddress address)
    {
        if (address.AddressFamily != network.BaseAddress.AddressFamily)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[16];
        Span<byte> actual = stackalloc byte[16];
        if (!network.BaseAddress.TryWriteBytes(expected, out var length) || !address.TryWriteBytes(actual, out _))
        {
            return false;
        }

        var remaining = network.PrefixLength;
        for (var i = 0; i < length && remaining > 0; i++, remaining -= 8)
        {
            var mask = remaining >= 8 ? (byte)0xFF : (byte)(0xFF << (8 - remaining));
            if ((expected[i] & mask) != (actual[i] & mask))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Strict IP address syntax: IPv4 as four decimal octets without leading zeros ("10.0.0.1"), IPv6 in RFC 4291
    /// text form without zone or brackets. System.Net alone would also take "10", "10.1", "0x0A000001" and octal
    /// "010.0.0.1", which no event sends as an address and which would make "cidr" match surprising strings.
    /// </summary>
    public static bool TryParseIpAddress(ReadOnlySpan<char> text, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.Length == 0 || text.Length > 45)
        {
            return false;
        }

        if (text.Contains(':'))
        {
            return TryParseIpv6(text, ref address);
        }

        if (!TryParseIpv4(text, out var v4))
        {
            return false;
        }

        address = new IPAddress([(byte)(v4 >> 24), (byte)(v4 >> 16), (byte)(v4 >> 8), (byte)v4]);
        return true;
    }

    /// <summary>
    /// An IPv4 address in the strict form of <see cref="TryParseIpAddress"/> (four decimal octets 0-255, no leading
    /// zeros), as a number (the first octet highest), without allocating: the compiled matcher and the candidate index
    /// read event values as spans, per value and per network.
    /// </summary>
    public static bool TryParseIpv4(ReadOnlySpan<char> text, out uint address)
    {
        address = 0;
        var i = 0;
        for (var octet = 0; octet < 4; octet++)
        {
            if (octet > 0)
            {
                if (i == text.Length || text[i] != '.')
                {
                    return false;
                }

                i++;
            }

            var (start, value) = (i, 0);
            while (i < text.Length && char.IsAsciiDigit(text[i]) && i - start < 3)
            {
                value = (value * 10) + (text[i++] - '0');
            }

            var length = i - start;
            if (length == 0 || (length > 1 && text[start] == '0') || value > 255)
            {
                return false;
            }

            address = (address << 8) | (uint)value;
        }

        return i == text.Length;
    }

    private static bool TryParseIpv6(ReadOnlySpan<char> text, ref IPAddress address)
    {
        foreach (var c in text)
        {
            if (!(char.IsAsciiHexDigit(c) || c is ':' or '.'))
            {
                return false;
            }
        }

        if (IPAddress.TryParse(text, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6 && v6.ScopeId == 0)
        {
            address = v6;
            return true;
        }

        return false;
    }

    // ---- Reading events --------------------------------------------------------------------------------

    /// <summary>
    /// Reads a JSON leaf (string, number, true, false, null) as a <see cref="Scalar"/>; false for objects and arrays.
    /// Numbers keep their literal; a number beyond double's range reads as ±infinity, so it still compares
    /// (above or below every number a pattern can hold) instead of vanishing.
    /// </summary>
    public static bool TryReadScalar(JsonElement element, out Scalar value)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                value = Scalar.FromString(element.GetString()!);
                return true;
            case JsonValueKind.Number:
                var raw = element.GetRawText();
                value = Scalar.FromNumber(JsonNumber.FromEventLiteral(raw), raw);
                return true;
            case JsonValueKind.True:
                value = Scalar.True;
                return true;
            case JsonValueKind.False:
                value = Scalar.False;
                return true;
            case JsonValueKind.Null:
                value = Scalar.Null;
                return true;
            default:
                value = default;
                return false;
        }
    }

    /// <summary>
    /// Adds the leaf elements of a field value: the value itself when it is a leaf, every leaf inside it when it
    /// is an array (nested arrays flattened), nothing for an object. Arrays are transparent in patterns.
    /// </summary>
    public static void CollectLeafElements(JsonElement field, List<JsonElement> into)
    {
        switch (field.ValueKind)
        {
            case JsonValueKind.Array:
                foreach (var item in field.EnumerateArray())
                {
                    CollectLeafElements(item, into);
                }

                break;
            case JsonValueKind.Object:
            case JsonValueKind.Undefined:
                break;
            default:
                into.Add(field);
                break;
        }
    }

    /// <summary>Adds the objects a nested pattern can match in a field value: the value when it is an object, the object elements of an array (nested arrays flattened).</summary>
    public static void CollectObjectElements(JsonElement field, List<JsonElement> into)
    {
        switch (field.ValueKind)
        {
            case JsonValueKind.Object:
                into.Add(field);
                break;
            case JsonValueKind.Array:
                foreach (var item in field.EnumerateArray())
                {
                    CollectObjectElements(item, into);
                }

                break;
        }
    }
}
