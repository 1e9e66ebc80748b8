using System.Globalization;

namespace OpenEvent.Rules.Model.Patterns;

/// <summary>
/// A JSON number compared by value, so that 300, 300.0 and 3e2 are equal (EventBridge compares numbers as
/// numbers). Decimal keeps 15-16 digit DataWorks ids exact; values beyond decimal's range fall back to double.
/// </summary>
public readonly struct JsonNumber : IEquatable<JsonNumber>, IComparable<JsonNumber>
{
    private readonly decimal _decimal;
    private readonly double _double;
    private readonly bool _isDecimal;

    private JsonNumber(decimal value)
    {
        _decimal = value;
        _double = (double)value;
        _isDecimal = true;
    }

    private JsonNumber(double value)
    {
        _double = value;
        _isDecimal = false;
    }

    public double AsDouble => _double;

    public static JsonNumber FromDecimal(decimal value) => new(value);

    public static JsonNumber FromDouble(double value) => new(value);

    /// <summary>Parses JSON number syntax (no leading '+', no hex, no NaN/Infinity).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out JsonNumber number)
    {
        number = default;
        if (!IsJsonNumberSyntax(text))
        {
            return false;
        }

        if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            number = new JsonNumber(d);
            return true;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && double.IsFinite(f))
        {
            number = new JsonNumber(f);
            return true;
        }

        return false;
    }

    public static bool IsJsonNumberSyntax(ReadOnlySpan<char> s)
    {
        var i = 0;
        if (i < s.Length && s[i] == '-') i++;
        if (i >= s.Length) return false;
        if (s[i] == '0') i++;
        else if (s[i] is >= '1' and <= '9') { while (i < s.Length && char.IsAsciiDigit(s[i])) i++; }
        else return false;
        if (i < s.Length && s[i] == '.')
        {
            i++;
            var start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
            if (i == start) return false;
        }
        if (i < s.Length && s[i] is 'e' or 'E')
        {
            i++;
            if (i < s.Length && s[i] is '+' or '-') i++;
            var start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
            if (i == start) return false;
        }
        return i == s.Length;
    }

    public int CompareTo(JsonNumber other) =>
        _isDecimal && other._isDecimal ? _decimal.CompareTo(other._decimal) : _double.CompareTo(other._double);

    public bool Equals(JsonNumber other) => CompareTo(other) == 0;

    public override bool Equals(object? obj) => obj is JsonNumber other && Equals(other);

    // Equal values must hash equally whatever their representation, so hash the double
    // (decimal -> double is monotonic and maps equal decimals to equal doubles).
    public override int GetHashCode() => _double.GetHashCode();

    public static bool operator ==(JsonNumber left, JsonNumber right) => left.Equals(right);
    public static bool operator !=(JsonNumber left, JsonNumber right) => !left.Equals(right);
    public static bool operator <(JsonNumber left, JsonNumber right) => left.CompareTo(right) < 0;
    public static bool operator <=(JsonNumber left, JsonNumber right) => left.CompareTo(right) <= 0;
    public static bool operator >(JsonNumber left, JsonNumber right) => left.CompareTo(right) > 0;
    public static bool operator >=(JsonNumber left, JsonNumber right) => left.CompareTo(right) >= 0;

    /// <summary>A canonical text (no trailing zeros, no exponent for decimals) used in messages and keys.</summary>
    public override string ToString() =>
        _isDecimal ? (_decimal / 1.000000000000000000000000000000000m).ToString(CultureInfo.InvariantCulture)
                   : _double.ToString("R", CultureInfo.InvariantCulture);
}
