using System.Globalization;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Core.Tests.Compilation;

/// <summary>
/// Index keys compare by what their kind uses (the build groups every listing by key at each level of the index), and
/// equal keys hash alike: a text kind by its text, a number by its value whatever its spelling, a range by its bounds.
/// </summary>
public sealed class IndexKeyTests
{
    public static TheoryData<string, string, bool> Pairs() => new()
    {
        { "string:a", "string:a", true },
        { "string:a", "string:A", false },
        { "string:a", "prefix:a", false },
        { "suffix:ab", "suffix:ab", true },
        { "contains:ab", "prefix:ab", false },
        { "number:300", "number:3e2", true },
        { "number:300", "number:300.5", false },
        { "number:300", "string:300", false },
        { "range:1:2", "range:1:2", true },
        { "range:1:2", "range:1:3", false },
        { "range:1:2", "address:1:2", false },
        { "present", "present", true },
        { "true", "false", false },
        { "null", "null", true },
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Equals_ByWhatTheKindUses_AndEqualKeysHashAlike(string left, string right, bool equal)
    {
        var (a, b) = (Key(left), Key(right));

        Assert.Equal(equal, a.Equals(b));
        Assert.Equal(equal, b.Equals(a));
        if (equal)
        {
            Assert.Equal(a.GetHashCode(), b.GetHashCode());
        }
    }

    [Fact]
    public void Dictionary_KeysOfEveryKind_FoundByEqualKeysBuiltAgain()
    {
        string[] written = ["string:a", "prefix:a", "suffix:a", "contains:a", "upper:A", "number:7", "range:1:2", "address:1:2", "present", "true", "false", "null"];
        var table = written.ToDictionary(Key, w => w);

        Assert.All(written, w => Assert.Equal(w, table[Key(w)]));
        Assert.Equal("number:7", table[Key("number:7.0")]);
    }

    // Field names may hold any char, a path separator or a control char among them: {"a\u001fb"} and {"a/b"} are other
    // fields than {"a":{"b"}}, so their 500 "head_" prefixes do not count against the wildcard's head there (counted
    // as one path, they made it take its tail).
    [Fact]
    public void Choose_FieldNamesWithSeparatorsOrControlChars_CountAsTheirOwnPaths()
    {
        var wildcard = TestPatterns.FromJson("""{"a":{"b":[{"wildcard":"head_*_t"}]}}""");
        var patterns = Enumerable.Range(0, 250).Select(_ => TestPatterns.FromJson("""{"a\u001fb":[{"prefix":"head_"}]}"""))
            .Concat(Enumerable.Range(0, 250).Select(_ => TestPatterns.FromJson("""{"a/b":[{"prefix":"head_"}]}""")))
            .Prepend(wildcard)
            .ToList();
        var matcher = ((LeafMember)((NestedMember)wildcard.Members[0]).Pattern.Members[0]).Matchers[0];

        var chosen = IndexKeyChoice.For(patterns)!.Choose(["a", "b"], matcher);

        Assert.Equal(IndexKey.Of(IndexKeyKind.Prefix, "head_"), chosen);
        // The same prefixes on the wildcard's own path do count: two of them make its tail the rarer key.
        var samePath = TestPatterns.FromJson("""{"a":{"b":[{"prefix":"head_"}]}}""");
        Assert.Equal(IndexKey.Of(IndexKeyKind.Suffix, "_t"), IndexKeyChoice.For([.. patterns, samePath, samePath])!.Choose(["a", "b"], matcher));
    }

    private static IndexKey Key(string text)
    {
        var parts = text.Split(':');
        return parts[0] switch
        {
            "string" => IndexKey.Of(IndexKeyKind.String, parts[1]),
            "upper" => IndexKey.Of(IndexKeyKind.Upper, parts[1]),
            "prefix" => IndexKey.Of(IndexKeyKind.Prefix, parts[1]),
            "suffix" => IndexKey.Of(IndexKeyKind.Suffix, parts[1]),
            "contains" => IndexKey.OfPart(parts[1]),
            "number" => IndexKey.OfNumber(JsonNumber.TryParse(parts[1], out var n) ? n : throw new ArgumentException(parts[1])),
            "range" => IndexKey.OfRange(double.Parse(parts[1], CultureInfo.InvariantCulture), double.Parse(parts[2], CultureInfo.InvariantCulture)),
            "address" => IndexKey.OfAddressRange(uint.Parse(parts[1], CultureInfo.InvariantCulture), uint.Parse(parts[2], CultureInfo.InvariantCulture)),
            "present" => IndexKey.Of(IndexKeyKind.Present),
            "true" => IndexKey.Of(IndexKeyKind.True),
            "false" => IndexKey.Of(IndexKeyKind.False),
            _ => IndexKey.Of(IndexKeyKind.Null),
        };
    }
}
