using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenEvent.Rules.Model.Patterns.Operators;

/// <summary><c>{"cidr": "10.0.0.0/24"}</c>: a string holding an IP address (v4 or v6) inside the network.</summary>
internal sealed record CidrMatcher(string Text, IPNetwork Network, SourceLocation Location) : Matcher(Location)
{
    private const string Example = "\"10.0.0.0/8\" or \"2001:db8::/32\"";

    internal static LeafOperator Definition { get; } = new("cidr", Parse);

    public override string Operator => Definition.Key;

    /// <summary>Reads a network in CIDR notation: an address (strict syntax), a prefix length within the family's bits, no host bits set.</summary>
    private static CidrMatcher? Parse(JsonNode? operand, OperandSite site, OperandReader reader)
    {
        if (operand is not JsonValue || operand.GetValueKind() != JsonValueKind.String)
        {
            reader.Error(DiagnosticIds.BadCidr, reader.Locate(site.Pointer),
                $"'cidr' in '{site.Path}' needs a network as a string; found {OperandText.Describe(operand)}.",
                $"Write a network in CIDR notation, e.g. {Example}.");
            return null;
        }

        var text = operand.GetValue<string>();
        var slash = text.LastIndexOf('/');
        if (slash < 0)
        {
            NoPrefixLength(text, site, reader);
            return null;
        }

        var addressText = text[..slash];
        if (!MatcherSemantics.TryParseIpAddress(addressText, out var address))
        {
            reader.Error(DiagnosticIds.BadCidr, reader.Locate(site.Pointer),
                $"The cidr \"{text}\" in '{site.Path}' does not start with an IP address (\"{addressText}\").",
                $"Write an IPv4 address as four decimal numbers 0-255 or an IPv6 address, then the prefix length, e.g. {Example}.");
            return null;
        }

        return ReadPrefixLength(text, address, text[(slash + 1)..], site, reader) is { } prefix
            && MakeNetwork(text, address, prefix, site, reader) is { } network
            ? new CidrMatcher(text, network, site.Entry)
            : null;
    }

    private static void NoPrefixLength(string text, OperandSite site, OperandReader reader)
    {
        if (!MatcherSemantics.TryParseIpAddress(text, out var one))
        {
            reader.Error(DiagnosticIds.BadCidr, reader.Locate(site.Pointer),
                $"The cidr \"{text}\" in '{site.Path}' is not a network in CIDR notation.",
                $"Write an IP address and a prefix length, e.g. {Example}.");
            return;
        }

        reader.Error(DiagnosticIds.BadCidr, reader.Locate(site.Pointer),
            $"The cidr \"{text}\" in '{site.Path}' has no prefix length.",
            $"Write a network with its prefix length, e.g. \"{text}/{MaxPrefix(one)}\".");
    }

    private static int? ReadPrefixLength(string text, IPAddress address, string prefixText, OperandSite site, OperandReader reader)
    {
        var maxPrefix = MaxPrefix(address);
        if (prefixText.Length is 0 or > 3
            || !prefixText.All(char.IsAsciiDigit)
            || (prefixText.Length > 1 && prefixText[0] == '0')
            || int.Parse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture) > maxPrefix)
        {
            reader.Error(DiagnosticIds.BadCidr, reader.Locate(site.Pointer),
                $"The cidr \"{text}\" in '{site.Path}' has the prefix length \"{prefixText}\"; it must be a whole number from 0 to {maxPrefix}.",
                $"Write the number of network bits after the slash, e.g. {Example}.");
            return null;
        }

        return int.Parse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture);
    }

    private static IPNetwork? MakeNetwork(string text, IPAddress address, int prefix, OperandSite site, OperandReader reader)
    {
        var network = new IPNetwork(Mask(address, prefix), prefix);
        if (network.BaseAddress.Equals(address))
        {
            return network;
        }

        var slash = text.LastIndexOf('/');
        var canonical = network.BaseAddress + "/" + text[(slash + 1)..];
        reader.Error(DiagnosticIds.BadCidr, reader.Locate(site.Pointer),
            $"The cidr \"{text}\" in '{site.Path}' has host bits set; the network it names is {canonical}.",
            $"Write \"{canonical}\" (or \"{text[..slash]}/{MaxPrefix(address)}\" to match that single address).");
        return null;
    }

    private static int MaxPrefix(IPAddress address) => address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var bits = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bits));
        }

        return new IPAddress(bytes);
    }

    internal override bool Matches(Scalar value) => value.IsString && MatcherSemantics.CidrContains(Network, value.Text!);

    internal override ValueTest Compile() => Ipv4Range() is var (low, high) ? new Ipv4Test(low, high) : new CompiledTest(Network);

    /// <summary>An IPv4 network is a range of addresses, which the index looks up by the value's address; IPv6 has no key.</summary>
    internal override IndexKey? ToIndexKey() => Ipv4Range() is var (low, high) ? IndexKey.OfAddressRange(low, high) : null;

    internal override bool KeyIsExact => Network.BaseAddress.AddressFamily == AddressFamily.InterNetwork;

    /// <summary>The first and last address of an IPv4 network as numbers (<see cref="MatcherSemantics.TryParseIpv4"/>); null for IPv6.</summary>
    private (uint Low, uint High)? Ipv4Range()
    {
        if (Network.BaseAddress.AddressFamily != AddressFamily.InterNetwork)
        {
            return null;
        }

        var bytes = Network.BaseAddress.GetAddressBytes();
        var low = ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
        var hostBits = Network.PrefixLength == 0 ? uint.MaxValue : (1u << (32 - Network.PrefixLength)) - 1;
        return (low, low | hostBits);
    }

    internal override void WriteOperand(Utf8JsonWriter writer) => writer.WriteStringValue(Text);

    internal override NeverMatch? NeverMatches(DocumentedField field) => field.StringOperator(Operator);

    private sealed class CompiledTest(IPNetwork network) : ValueTest
    {
        public override bool Test(in LeafValue value) =>
            value.IsString && MatcherSemantics.TryParseIpAddress(value.Text, out var address) && MatcherSemantics.Contains(network, address);
    }

    /// <summary>An IPv4 network: the value's address read as a number and compared with the range, nothing allocated.</summary>
    private sealed class Ipv4Test(uint low, uint high) : ValueTest
    {
        public override bool Test(in LeafValue value) =>
            value.IsString && MatcherSemantics.TryParseIpv4(value.Text, out var address) && address >= low && address <= high;
    }
}
