using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenEvent.Rules.Parsing;

/// <summary>
/// YAML 1.2 core schema resolution of plain scalars. YAML 1.1 spellings (yes/no/on/off, 1_000, 0777) stay
/// strings on purpose: an operator id or a file name must never silently turn into a boolean or a number.
/// Numbers keep their literal (normalized to JSON syntax) so that 3e2 stays 3e2 and 16-digit ids stay exact.
/// </summary>
internal static class YamlScalarTyping
{
    /// <summary>Types a plain (unquoted, untagged) scalar: null, boolean, number or string.</summary>
    public static JsonNode? TypePlain(string text)
    {
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        return TryNormalizeNumber(text, out var json)
            ? JsonValue.Create(ParseNumber(json))
            : JsonValue.Create(text);
    }

    /// <summary>
    /// The number as a JsonElement, as JsonSerializer.Deserialize&lt;JsonElement&gt; reads it (its converter is
    /// JsonElement.ParseValue over a reader of the text), without the serializer's own lookups per scalar.
    /// </summary>
    private static JsonElement ParseNumber(string json)
    {
        var utf8 = Encoding.UTF8.GetBytes(json);
        var reader = new Utf8JsonReader(utf8);
        return JsonElement.ParseValue(ref reader);
    }

    /// <summary>
    /// Recognizes the core schema's int and float forms and rewrites them as JSON number text: drops a
    /// leading '+' and leading zeros, writes ".5" as "0.5" and "1." as "1.0", converts 0x/0o to decimal.
    /// .inf and .nan have no JSON form, so they stay strings.
    /// </summary>
    public static bool TryNormalizeNumber(string text, out string json)
    {
        json = "";
        if (text.Length == 0 || text.Length > 1000)
        {
            return false;
        }

        if (text.Length > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'o'))
        {
            return TryRadix(text[2..], text[1] == 'x' ? 16 : 8, out json);
        }

        if (!TryScanDecimal(text, out var number))
        {
            return false;
        }

        json = ToJson(number, text.Length);
        return true;
    }

    /// <summary>A decimal literal's parts as written: sign, integer digits, fraction digits (null: no '.'), exponent with its 'e'.</summary>
    private readonly record struct DecimalParts(bool Negative, string IntDigits, string? Fraction, string? Exponent);

    /// <summary>Splits [+-]digits[.digits][(e|E)[+-]digits] into its parts; false for anything else (".", "1e", "1x").</summary>
    private static bool TryScanDecimal(string text, out DecimalParts number)
    {
        number = default;
        var i = 0;
        var negative = false;
        if (text[0] is '+' or '-')
        {
            negative = text[0] == '-';
            i = 1;
        }

        var intStart = i;
        i = SkipDigits(text, i);
        var intDigits = text[intStart..i];
        string? fraction = null;
        if (i < text.Length && text[i] == '.')
        {
            var fractionStart = ++i;
            i = SkipDigits(text, i);
            fraction = text[fractionStart..i];
        }

        if (intDigits.Length == 0 && string.IsNullOrEmpty(fraction))
        {
            return false;
        }

        string? exponent = null;
        if (i < text.Length && text[i] is 'e' or 'E')
        {
            var exponentStart = i++;
            if (i < text.Length && text[i] is '+' or '-')
            {
                i++;
            }

            var digitsStart = i;
            i = SkipDigits(text, i);
            if (i == digitsStart)
            {
                return false;
            }

            exponent = text[exponentStart..i];
        }

        number = new DecimalParts(negative, intDigits, fraction, exponent);
        return i == text.Length;
    }

    private static int SkipDigits(string text, int i)
    {
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        return i;
    }

    /// <summary>JSON number text: no '+', no leading zeros, a digit on both sides of the '.'.</summary>
    private static string ToJson(DecimalParts number, int capacityHint)
    {
        var builder = new StringBuilder(capacityHint + 2);
        if (number.Negative)
        {
            builder.Append('-');
        }

        var trimmed = number.IntDigits.TrimStart('0');
        builder.Append(trimmed.Length == 0 ? "0" : trimmed);
        if (number.Fraction is not null)
        {
            builder.Append('.').Append(number.Fraction.Length == 0 ? "0" : number.Fraction);
        }

        builder.Append(number.Exponent);
        return builder.ToString();
    }

    private static bool TryRadix(string digits, int radix, out string json)
    {
        json = "";
        var value = BigInteger.Zero;
        foreach (var c in digits)
        {
            var digit = radix == 16 && char.IsAsciiHexDigit(c) ? Convert.ToInt32(c.ToString(), 16)
                : radix == 8 && c is >= '0' and <= '7' ? c - '0'
                : -1;
            if (digit < 0)
            {
                return false;
            }

            value = value * radix + digit;
        }

        json = value.ToString(CultureInfo.InvariantCulture);
        return true;
    }
}
