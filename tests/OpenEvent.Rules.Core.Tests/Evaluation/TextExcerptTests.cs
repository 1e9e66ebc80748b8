using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Core.Tests.Evaluation;

/// <summary>Text from files and events is shown on one line, and as written: nothing in it may reorder or break the terminal's line.</summary>
public sealed class TextExcerptTests
{
    [Theory]
    [InlineData("a\nb", "a\\nb")]
    [InlineData("a\u001b[31mb", "a\\u001b[31mb")]
    [InlineData("invoice\u202Etxt.exe", "invoice\\u202etxt.exe")]
    [InlineData("x\u2066y\u2069", "x\\u2066y\\u2069")]
    [InlineData("p\u2028q\u2029r", "p\\u2028q\\u2029r")]
    [InlineData("mark\u200Fed\u061C", "mark\\u200fed\\u061c")]
    [InlineData("plain 中文 é 😀", "plain 中文 é 😀")]
    public void Escape_ControlAndBidirectionalCharacters_ShownAsEscapes(string text, string shown)
    {
        Assert.Equal(shown, TextExcerpt.Escape(text));
        Assert.Equal(shown, TextExcerpt.Of(text, 200));
    }
}
