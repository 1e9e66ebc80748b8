using System.Globalization;

namespace OpenEvent.Rules.Model.Patterns;

/// <summary>
/// A JSON number compared by value, so that 300, 300.0 and 3e2 are equal (EventBridge compares numbers as
/// numbers). Decimal keeps 15-16 digit DataWorks ids exact; values beyond decimal's range fall back to double.
/// </summary>
internal readonly struct JsonNumber : IEquatable<JsonNumber>, IComparable<JsonNumber>
{
    private readonly decimal _decimal;
    private readonly double _double;
    private readonly bool _isDecimal;

    private JsonNumber(decimal value)
    {
        _decimal = value;
        _double = ToDouble(value);
        _isDecimal = true;
    }

    // An integer of at most 18 digits (see TryParsePlainInteger): the same number as the decimal constructor gives,
    // without its text: long to double is rounded correctly.
    private JsonNumber(long value)
    {
        _decimal = value;
        _double = value;
        _isDecimal = true;
    }

    /// <summary>
    /// The double nearest to <paramref name="value"/>. Not (double)value: .NET's decimal conversion divides by a power of
    /// ten and rounds twice, so equal decimals of different scales (43591010316006538 and 43591010316006538.0) gave
    /// different doubles, and close ones could even swap order, which broke CompareTo's doubles-first shortcut, the
    /// hash and the range index. Correct rounding is monotonic and gives equal values equal doubles.
    /// </summary>
    private static double ToDouble(decimal value)
    {
        if (value.Scale == 0 && value is >= long.MinValue and <= long.MaxValue)
        {
            return (long)value;
        }

        Span<char> text = stackalloc char[64];
        return value.TryFormat(text, out var written, provider: CultureInfo.InvariantCulture)
            ? double.Parse(text[..written], NumberStyles.Float, CultureInfo.InvariantCulture)
            : (double)value;
    }

    private JsonNumber(double value)
    {
        _double = value;
        _isDecimal = false;
    }

    public double AsDouble => _double;

    /// <summary>
    /// The value as a long when it is an integer in long's range, by value (300.0 gives 300). Only decimals: parsing
    /// makes a double only beyond decimal's range or precision (never an integer in long's range), so equal numbers
    /// always give the same answer.
    /// </summary>
    public bool TryGetInt64(out long value)
    {
        if (_isDecimal && (_decimal.Scale == 0 || decimal.IsInteger(_decimal)) && _decimal is >= long.MinValue and <= long.MaxValue)
        {
            value = (long)_decimal;
            return true;
        }

        value = 0;
        return false;
    }

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

        if (DecimalKeepsPrecision(text) && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            number = new JsonNumber(d);
            return true;
        }

        // Beyond a double's range either way is out of range: 1e400 overflows, and 1e-400 would silently read as 0 (a
        // pattern written [1e-400] matched the number 0).
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && double.IsFinite(f) && (f != 0 || !HasNonZeroDigit(text)))
        {
            number = new JsonNumber(f);
            return true;
        }

        return false;
    }

    private static bool HasNonZeroDigit(ReadOnlySpan<char> text)
    {
        var exponentAt = text.IndexOfAny('e', 'E');
        return (exponentAt < 0 ? text : text[..exponentAt]).IndexOfAnyInRange('1', '9') >= 0;
    }

    // decimal.TryParse rounds silently to 28 decimal places, so 1e-300 would read as 0 and equal 0. Use decimal
    // while it keeps every significant digit or at least as many as a double (17); below that, double is closer.
    // Assumes JSON number syntax.
    private static bool DecimalKeepsPrecision(ReadOnlySpan<char> s)
    {
        var exponentAt = s.IndexOfAny('e', 'E');
        var mantissa = exponentAt < 0 ? s : s[..exponentAt];
        var exponent = 0;
        if (exponentAt >= 0 && !int.TryParse(s[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent))
        {
            return false;
        }

        if (mantissa.Length > 0 && mantissa[0] == '-')
        {
            mantissa = mantissa[1..];
        }

        var point = mantissa.IndexOf('.');
        var integerDigits = point < 0 ? mantissa.Length : point;
        var firstSignificant = -1;
        var significant = 0;
        var position = 0;
        foreach (var c in mantissa)
        {
            if (c == '.')
            {
                continue;
            }

            if (c != '0' && firstSignificant < 0)
            {
                firstSignificant = position;
            }

            if (firstSignificant >= 0)
            {
                significant++;
            }

            position++;
        }

        if (firstSignificant < 0)
        {
            return true; // zero
        }

        // Decimal exponent of the first significant digit (value = 0.d1d2... x 10^magnitude).
        var magnitude = (long)integerDigits - firstSignificant + exponent;
        var kept = Math.Min(significant, 28 + magnitude);
        return kept >= Math.Min(significant, 17);
    }

    /// <summary>
    /// Reads a number of an event (valid JSON number syntax): its value, or ±infinity beyond double's range, so that
    /// every evaluator sees 1e400 alike (greater than any finite number, equal to nothing finite).
    /// </summary>
    public static JsonNumber FromEventLiteral(ReadOnlySpan<char> literal) =>
        TryParsePlainInteger(literal, out var integer) ? new JsonNumber(integer)
        : TryParse(literal, out var number)
            ? number
            : new JsonNumber(BeyondRange(literal));

    /// <summary>
    /// A number past a double's range: ±infinity above it, and below it (1e-400) the smallest double of its sign, not 0:
    /// read as 0 it equalled 0 for one evaluator and not for the other, so explain and dry-run disagreed. Its order
    /// against every other number stays right.
    /// </summary>
    private static double BeyondRange(ReadOnlySpan<char> literal)
    {
        var value = double.Parse(literal, NumberStyles.Float, CultureInfo.InvariantCulture);
        return value == 0 && HasNonZeroDigit(literal) ? (literal[0] == '-' ? -double.Epsilon : double.Epsilon) : value;
    }

    // The common case of event numbers (ids, codes, sizes): up to 18 digits, no fraction or exponent, no "-0". Gives the
    // decimal that TryParse would, without its general parser.
    private static bool TryParsePlainInteger(ReadOnlySpan<char> s, out long value)
    {
        value = 0;
        var negative = s.Length > 0 && s[0] == '-';
        var digits = negative ? s[1..] : s;
        if (digits.Length is 0 or > 18 || (digits[0] == '0' && (digits.Length > 1 || negative)))
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        value = negative ? -value : value;
        return true;
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

    /// <remarks>
    /// The doubles first: decimal → double (<see cref="ToDouble"/>) is monotonic, so doubles that differ order their decimals the same way, and
    /// only equal doubles (the same number, or decimals closer than a double tells apart) need decimal's slower compare.
    /// </remarks>
    public int CompareTo(JsonNumber other)
    {
        if (_double != other._double)
        {
            return _double < other._double ? -1 : 1;
        }

        return _isDecimal && other._isDecimal ? _decimal.CompareTo(other._decimal) : 0;
    }

    public bool Equals(JsonNumber other) => CompareTo(other) == 0;

    public override bool Equals(object? obj) => obj is JsonNumber other && Equals(other);

    // Equal values must hash equally whatever their representation, so hash the double
    // (ToDouble is monotonic and maps equal decimals to equal doubles).
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
