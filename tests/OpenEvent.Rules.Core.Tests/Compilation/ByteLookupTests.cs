using System.Text;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Events;

namespace OpenEvent.Rules.Core.Tests.Compilation;

/// <summary>
/// The single pass finds property names by their UTF-8 bytes and a cheap hash (<see cref="NameHash"/>), and the
/// candidate index keeps integer keys in a long-keyed table. Both are shortcuts that must not change an answer: these
/// tests aim at their edges (escaped names, names whose hashes collide, numbers equal by value but written apart),
/// with enough patterns on one path that the index really splits on it (more than its leaf size of 4).
/// </summary>
public sealed class ByteLookupTests
{
    private static int[] Match(IEnumerable<string> patterns, string cloudEvent) =>
        new CompiledPatternSetBuilder().Build([.. patterns.Select(TestPatterns.FromJson)]).Match(Encoding.UTF8.GetBytes(cloudEvent));

    [Fact]
    public void NameHash_NamesThatDifferOnlyInTheMiddle_Collide()
    {
        // Guards the premise of the next test: these names share length, first and last 8 bytes.
        Assert.Equal(NameHash.Of("abcdefgh_1_ijklmnop"u8), NameHash.Of("abcdefgh_2_ijklmnop"u8));
    }

    [Fact]
    public void Match_NamesWithCollidingHashes_AreToldApartAndNotDuplicates()
    {
        var patterns = Enumerable.Range(0, 8).Select(i => "{\"data\":{\"abcdefgh_" + (i % 2 + 1) + "_ijklmnop\":[" + i + "]}}");

        var matches = Match(patterns, """{"data":{"abcdefgh_1_ijklmnop":2,"abcdefgh_2_ijklmnop":5}}""");

        Assert.Equal([2, 5], matches);
    }

    [Fact]
    public void Match_EscapedPropertyNames_AreFoundAsTheirDecodedName()
    {
        var patterns = Enumerable.Range(0, 8).Select(i => "{\"type\":[\"t" + i + "\"],\"data\":{\"caf\u00e9\":[" + i + "]}}");

        var matches = Match(patterns, """{"\u0074ype":"t3","d\u0061ta":{"caf\u00e9":3}}""");

        Assert.Equal([3], matches);
    }

    [Fact]
    public void Match_EscapedAndPlainSpellingsOfANonAsciiName_AreDuplicates()
    {
        var set = new CompiledPatternSetBuilder().Build([TestPatterns.FromJson("""{"data":{"x":[1]}}""")]);

        var error = Assert.Throws<InvalidEventException>(() => set.Match("""{"data":{"café":1,"caf\u00e9":2}}"""u8, new MatchResult()));

        Assert.Equal(InvalidEventException.DuplicateKey, error.Id);
        Assert.Equal("The property \"café\" appears twice in the same object.", error.Message);
    }

    [Theory]
    [InlineData("300", new[] { 0 })]
    [InlineData("300.0", new[] { 0 })]
    [InlineData("3e2", new[] { 0 })]
    [InlineData("300.5", new[] { 1 })]
    [InlineData("-7", new[] { 2 })]
    [InlineData("-0", new[] { 3 })]
    [InlineData("0.0", new[] { 3 })]
    [InlineData("1234567890123456", new[] { 4 })]
    [InlineData("1234567890123457", new int[0])]
    [InlineData("9223372036854775807", new[] { 5 })]
    [InlineData("9223372036854775808", new[] { 6 })]
    [InlineData("1e400", new int[0])]
    public void Match_IntegerKeys_MatchEqualNumbersHoweverWritten(string eventNumber, int[] expected)
    {
        string[] keys = ["3e2", "300.5", "-7", "0", "1234567890123456", "9223372036854775807", "9223372036854775808", "11", "12"];
        var patterns = keys.Select(k => "{\"data\":{\"n\":[" + k + "]}}");

        Assert.Equal(expected, Match(patterns, "{\"data\":{\"n\":" + eventNumber + "}}"));
    }
}
