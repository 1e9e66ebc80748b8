using OpenEvent.Rules.Parsing;

namespace OpenEvent.Rules.Core.Tests.Parsing;

/// <summary>
/// The edit distance behind every "did you mean" keeps three rows of the table instead of the whole table; it must give
/// what the whole table gives (Levenshtein with adjacent transpositions as one edit) for any pair.
/// </summary>
public sealed class SuggestionsDistanceTests
{
    [Theory]
    [InlineData("", "", 0)]
    [InlineData("", "abc", 3)]
    [InlineData("abc", "", 3)]
    [InlineData("actions", "acitons", 1)]
    [InlineData("ca", "abc", 3)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("data.fileName", "data.filename", 1)]
    public void Distance_KnownPairs(string a, string b, int expected) => Assert.Equal(expected, Suggestions.Distance(a, b));

    // The bounded distance answers from the lengths alone when they differ by more than the limit: a pasted document
    // given as an unknown key is not compared with every candidate at the cost of its length each.
    [Theory]
    [InlineData(1_000_000, "abc", 3, 4)]
    [InlineData(5, "xxxxx", 3, 0)]
    [InlineData(6, "xxx", 3, 3)]
    [InlineData(7, "xxx", 3, 4)]
    public void Distance_Bounded_IsTheDistanceUpToTheLimitThenLimitPlusOne(int length, string other, int limit, int expected) =>
        Assert.Equal(expected, Suggestions.Distance(new string('x', length), other, limit));

    [Fact]
    public void Closest_HugeInput_SuggestsNothingAndStillFindsTypos()
    {
        string[] candidates = [.. Enumerable.Range(0, 500).Select(i => $"setting{i}"), "actions"];

        Assert.Null(Suggestions.Closest(new string('a', 200_000), candidates));
        Assert.Equal("actions", Suggestions.Closest("acitons", candidates));
    }

    [Fact]
    public void Distance_RandomPairs_SameAsTheWholeTable()
    {
        var random = new Random(18);
        for (var n = 0; n < 5_000; n++)
        {
            var a = Word(random, random.Next(0, 12));
            var b = random.Next(3) == 0 ? Mutate(random, a) : Word(random, random.Next(0, 12));

            Assert.True(WholeTable(a, b) == Suggestions.Distance(a, b), $"'{a}' '{b}'");
            var limit = random.Next(0, 5);
            Assert.True(Math.Min(WholeTable(a, b), limit + 1) == Suggestions.Distance(a, b, limit), $"'{a}' '{b}' limit {limit}");
        }

        // Past the stack buffer (257 columns and more).
        var longer = Word(random, 300);
        Assert.Equal(WholeTable(longer[..290], longer), Suggestions.Distance(longer[..290], longer));
    }

    private static string Word(Random random, int length) => new([.. Enumerable.Range(0, length).Select(_ => "abcd."[random.Next(5)])]);

    private static string Mutate(Random random, string word)
    {
        var chars = word.ToList();
        for (var edits = random.Next(1, 4); edits > 0 && chars.Count > 1; edits--)
        {
            var i = random.Next(chars.Count - 1);
            (chars[i], chars[i + 1]) = (chars[i + 1], chars[i]);
        }

        return new string([.. chars]);
    }

    /// <summary>The reference: the whole (a+1) × (b+1) table.</summary>
    private static int WholeTable(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
