namespace OpenEvent.Rules.Core.Tests.Parsing;

/// <summary>RFC 6901's escapes, read and written by the one helper every pointer of the engine goes through.</summary>
public sealed class JsonPointerTests
{
    [Theory]
    [InlineData("", new string[0])]
    [InlineData("/", new[] { "" })]
    [InlineData("/foo/0", new[] { "foo", "0" })]
    [InlineData("/a~1b", new[] { "a/b" })]
    [InlineData("/m~0n", new[] { "m~n" })]
    [InlineData("/~01", new[] { "~1" })] // "~1" is read before "~0": the name is "~1", not "/"
    [InlineData("/data//x", new[] { "data", "", "x" })]
    public void Tokens_RfcExamples_AreUnescaped(string pointer, string[] tokens) =>
        Assert.Equal(tokens, JsonPointer.Tokens(pointer));

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a/b", "a~1b")]
    [InlineData("m~n", "m~0n")]
    [InlineData("~1", "~01")]
    [InlineData("/~/", "~1~0~1")]
    public void Escape_EachToken_ReadsBackAsItself(string token, string escaped)
    {
        Assert.Equal(escaped, JsonPointer.Escape(token));
        Assert.Equal([token], JsonPointer.Tokens("/" + escaped));
    }
}
