using System.Globalization;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Core.Tests.Evaluation;

/// <summary>
/// JsonNumber orders numbers as decimal does, whatever scale they were written with: its doubles-first compare and its
/// hash rest on a decimal-to-double conversion that is monotonic and gives equal values equal doubles, which .NET's own
/// conversion is not (43591010316006538 and 43591010316006538.0 gave different doubles).
/// </summary>
public sealed class JsonNumberTests
{
    [Fact]
    public void CompareTo_RandomDecimalsOfEveryScale_OrdersAsDecimalAndHashesEqualValuesAlike()
    {
        var random = new Random(18);
        for (var i = 0; i < 20_000; i++)
        {
            var digits = random.Next(1, 20);
            var a = RandomDigits(random, digits);
            var b = random.Next(3) switch
            {
                0 => a,
                1 => Neighbour(a, random),
                _ => RandomDigits(random, digits),
            };
            var point = random.Next(0, digits);
            var left = Padded(WithPoint(a, point), random);
            var right = Padded(WithPoint(b, point), random);
            Assert.True(JsonNumber.TryParse(left, out var x), left);
            Assert.True(JsonNumber.TryParse(right, out var y), right);

            var expected = decimal.Parse(left, CultureInfo.InvariantCulture).CompareTo(decimal.Parse(right, CultureInfo.InvariantCulture));
            Assert.True(Math.Sign(x.CompareTo(y)) == Math.Sign(expected), $"{left} vs {right}: {x.CompareTo(y)}, decimal says {expected}");
            if (expected == 0)
            {
                Assert.Equal(x.GetHashCode(), y.GetHashCode());
            }
        }
    }

    [Theory]
    [InlineData("43591010316006538", "43591010316006538.0")]
    [InlineData("55794988.45276166", "55794988.452761660")]
    [InlineData("12345678901234567895", "12345678901234567895.00")]
    public void Equals_SameValueWrittenWithMoreDecimalPlaces(string plain, string padded)
    {
        Assert.True(JsonNumber.TryParse(plain, out var x));
        Assert.True(JsonNumber.TryParse(padded, out var y));
        Assert.Equal(x, y);
        Assert.Equal(x.AsDouble, y.AsDouble);
    }

    [Fact]
    public void CompareTo_SeventeenDigitsAgainstTheNextInteger_Below()
    {
        Assert.True(JsonNumber.TryParse("34367517722165540.0", out var x));
        Assert.True(JsonNumber.TryParse("34367517722165541", out var y));
        Assert.True(x < y);
        Assert.True(JsonNumber.FromEventLiteral("34367517722165540") < y);
    }

    [Theory]
    [InlineData("1e-400")]
    [InlineData("-2.5e-330")]
    [InlineData("1e400")]
    public void TryParse_BeyondADoublesRange_Refused(string literal)
    {
        // 1e-400 used to read as 0, so a pattern [1e-400] matched the number 0; both ends are now out of range.
        Assert.False(JsonNumber.TryParse(literal, out _));
    }

    [Theory]
    [InlineData("0e-400")]
    [InlineData("0.000")]
    [InlineData("1e-300")]
    public void TryParse_ZeroWrittenAnyWayAndTinyNumbers_Read(string literal) => Assert.True(JsonNumber.TryParse(literal, out _));

    private static string RandomDigits(Random random, int count) =>
        string.Concat(Enumerable.Range(0, count).Select(i => (char)('0' + (i == 0 ? random.Next(1, 10) : random.Next(10)))));

    // The same digits with the last one moved by one (a value a double may not tell apart).
    private static string Neighbour(string digits, Random random)
    {
        var last = digits[^1] - '0';
        var moved = random.Next(2) == 0 ? Math.Min(9, last + 1) : Math.Max(0, last - 1);
        return digits[..^1] + (char)('0' + moved);
    }

    // The same value with 0 to 3 more decimal places written.
    private static string Padded(string number, Random random)
    {
        var zeros = new string('0', random.Next(0, 4));
        return zeros.Length == 0 ? number : number.Contains('.') ? number + zeros : number + "." + zeros;
    }

    private static string WithPoint(string digits, int point) => point == 0 ? digits : digits[..^point] + "." + digits[^point..];
}
