using System.Text;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Events;

namespace OpenEvent.Rules.Core.Tests.Compilation;

public sealed class InvalidEventTests
{
    // A set that reads data.used only: most bad input sits in fields no pattern reads, and must be rejected anyway.
    private static readonly CompiledPatternSet Set = Build();

    private static CompiledPatternSet Build()
    {
        var builder = new CompiledPatternSetBuilder();
        builder.AddExtraPath("type");
        return builder.Build([TestPatterns.FromJson("""{"data":{"used":[{"prefix":"x"}]}}""")]);
    }

    private static InvalidEventException Reject(byte[] bytes)
    {
        var result = new MatchResult();
        var error = Assert.Throws<InvalidEventException>(() => Set.Match(bytes, result));
        Assert.Equal(0, result.Count);
        return error;
    }

    private static InvalidEventException Reject(string json) => Reject(Encoding.UTF8.GetBytes(json));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{")]
    [InlineData("""{"a":1""")]
    [InlineData("""{"a":1,}""")]
    [InlineData("""{"a":1} x""")]
    [InlineData("""{"a":1}{"b":2}""")]
    [InlineData("""{"a":tru}""")]
    [InlineData("""{"a":01}""")]
    [InlineData("""{"a":"\x"}""")]
    [InlineData("""{"a":1 /* comment */}""")]
    [InlineData("""{'a':1}""")]
    [InlineData("""{"data":{"unused":[1,2}}""")]
    public void Match_MalformedJson_ThrowsInvalidJson(string json) =>
        Assert.Equal(InvalidEventException.InvalidJson, Reject(json).Id);

    [Theory]
    [InlineData("{\"a\":1,}", "expected a property name in double quotes, not '}' at line 1, byte 8 of the line (offset 7)")]
    [InlineData("{\n\"a\":tru}", "invalid literal (expected true, false or null) at line 2, byte 5 of the line (offset 6)")]
    [InlineData("{\"data\":{\"unused\":[1 2]}}", "expected ',' or ']' after an array element at line 1, byte 22 of the line (offset 21)")]
    [InlineData("{\"a\":\"x", "a string is not terminated at the end of the event")]
    [InlineData("{\"a\":-}", "a number needs a digit after '-' at line 1, byte 7 of the line (offset 6)")]
    public void Match_MalformedJson_SaysWhatAndWhere(string json, string message) =>
        Assert.Equal("The event is not valid JSON: " + message + ".", Reject(json).Message);

    [Fact]
    public void Match_ByteOrderMark_ThrowsInvalidJson() =>
        Assert.Equal(InvalidEventException.InvalidJson, Reject([0xEF, 0xBB, 0xBF, .. """{"a":1}"""u8]).Id);

    [Theory]
    [InlineData("[]", "an array")]
    [InlineData("\"x\"", "a string")]
    [InlineData("42", "a number")]
    [InlineData("null", "null")]
    [InlineData("true", "a boolean")]
    public void Match_RootNotAnObject_ThrowsNotAnObject(string json, string described)
    {
        var error = Reject(json);
        Assert.Equal(InvalidEventException.NotAnObject, error.Id);
        Assert.Equal($"The event must be a JSON object, not {described}.", error.Message);
    }

    [Theory]
    [InlineData("""{"a":1,"a":2}""", "a")]
    [InlineData("""{"a":1,"\u0061":2}""", "a")]
    [InlineData("""{"\u0061":1,"b":0,"a":2}""", "a")]
    [InlineData("""{"data":{"abcdefgh_1_ijklmnop":1,"x":{"a":1},"abcdefgh_1_ijklmnop":2}}""", "abcdefgh_1_ijklmnop")]
    [InlineData("""{"data":{"used":"x","used":"y"}}""", "used")]
    [InlineData("""{"data":{"unused":{"k":1,"k":2}}}""", "k")]
    [InlineData("""{"list":[{"k":1},{"k":1,"z":0,"k":3}]}""", "k")]
    public void Match_DuplicateKey_ThrowsDuplicateKey(string json, string name)
    {
        var error = Reject(json);
        Assert.Equal(InvalidEventException.DuplicateKey, error.Id);
        Assert.Equal($"The property \"{name}\" appears twice in the same object.", error.Message);
    }

    [Fact]
    public void Match_SameKeyInSiblingObjects_IsNotADuplicate() =>
        Assert.Empty(Set.Match("""{"a":{"k":1},"b":{"k":1},"c":[{"k":1},{"k":2}],"k":0}"""u8));

    [Fact]
    public void Match_DuplicateKeyInLargeObject_ThrowsDuplicateKey()
    {
        var members = string.Join(",", Enumerable.Range(0, 5000).Select(i => $"\"k{i}\":{i}"));
        Assert.Empty(Set.Match(Encoding.UTF8.GetBytes("{\"x\":{" + members + "}}")));

        var error = Reject("{\"x\":{" + members + ",\"k4999\":0}}");
        Assert.Equal(InvalidEventException.DuplicateKey, error.Id);

        // A name seen before the object grew large, plain and then escaped: the switch reads both spellings back.
        error = Reject("{\"x\":{\"\\u006b0x\":1," + members + ",\"k0x\":0}}");
        Assert.Equal("The property \"k0x\" appears twice in the same object.", error.Message);
    }

    [Theory]
    [InlineData(new byte[] { (byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', 0xFF, (byte)'"', (byte)'}' })]
    [InlineData(new byte[] { (byte)'{', (byte)'"', 0xC3, (byte)'"', (byte)':', (byte)'1', (byte)'}' })]
    [InlineData(new byte[] { (byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', 0xED, 0xA0, 0x80, (byte)'"', (byte)'}' })]
    public void Match_InvalidUtf8Bytes_ThrowsInvalidUtf8(byte[] bytes)
    {
        var error = Reject(bytes);
        Assert.Equal(InvalidEventException.InvalidUtf8, error.Id);
        Assert.Equal("The event is not valid UTF-8.", error.Message);
    }

    [Theory]
    [InlineData("""{"unused":"\ud800"}""", "D800")]
    [InlineData("""{"unused":"\udc00x"}""", "DC00")]
    [InlineData("""{"data":{"used":"x\ud800\u0041"}}""", "D800")]
    [InlineData("""{"\ud800":1}""", "D800")]
    [InlineData("""{"unused":"plain text, \u0041, then \udc01 late"}""", "DC01")]
    [InlineData("""{"unused":"\\\ud801"}""", "D801")]
    [InlineData("""{"unused":"\ud83d\ude00 then \ud83d"}""", "D83D")]
    public void Match_LoneSurrogateEscape_ThrowsInvalidUtf8(string json, string unit)
    {
        var error = Reject(json);
        Assert.Equal(InvalidEventException.InvalidUtf8, error.Id);
        Assert.Equal($"A string escape encodes the lone UTF-16 surrogate \\u{unit}, which is not valid Unicode.", error.Message);
    }

    [Fact]
    public void Match_SurrogatePairEscape_IsAccepted() =>
        Assert.Equal([0], Set.Match("""{"data":{"used":"x\ud83d\ude00"},"u":"\\ud800"}"""u8));

    [Theory]
    [InlineData(64, false)]
    [InlineData(65, true)]
    public void Match_NestingDepth_LimitIs64Containers(int depth, bool rejected)
    {
        // depth containers in all: the root object, then depth - 1 nested arrays in an unused field.
        var json = "{\"deep\":" + new string('[', depth - 1) + new string(']', depth - 1) + "}";
        if (rejected)
        {
            Assert.Equal(InvalidEventException.TooDeep, Reject(json).Id);
        }
        else
        {
            Assert.Empty(Set.Match(Encoding.UTF8.GetBytes(json)));
        }
    }

    [Fact]
    public void Match_TenThousandNestedObjectsInUsedPath_ThrowsTooDeepWithoutStackOverflow()
    {
        var json = "{\"data\":" + string.Concat(Enumerable.Repeat("{\"used\":", 10_000)) + "1" + new string('}', 10_001);
        var error = Reject(json);
        Assert.Equal(InvalidEventException.TooDeep, error.Id);
        Assert.StartsWith("The event nests objects/arrays more than 64 levels deep", error.Message);
    }

    [Fact]
    public void Match_TenThousandNestedArraysInUnusedPath_ThrowsTooDeep()
    {
        var json = "{\"x\":" + new string('[', 10_000) + new string(']', 10_000) + "}";
        Assert.Equal(InvalidEventException.TooDeep, Reject(json).Id);
    }

    [Fact]
    public void Match_TwentyMegabyteStringInUnusedPath_IsSkippedWithoutAllocatingIt()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"type\":\"t\",\"data\":{\"unused\":\"" + new string('x', 20_000_000) + "\",\"used\":\"xy\"}}");
        var result = new MatchResult();
        Set.Match(bytes, result); // warm-up

        var before = GC.GetAllocatedBytesForCurrentThread();
        Set.Match(bytes, result);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal([0], result.PatternIds.ToArray());
        Assert.True(allocated < 64 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Match_TwentyMegabyteStringInUsedPath_IsReadAndMatched()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"data\":{\"used\":\"x" + new string('y', 20_000_000) + "\"}}");
        var result = new MatchResult();

        Set.Match(bytes, result);
        Assert.Equal([0], result.PatternIds.ToArray());

        // The buffer grown for it is dropped on the next event: memory stays bounded.
        Set.Match("""{"data":{"used":"xz"}}"""u8, result);
        Assert.True(result.View.Chars.Length <= 1 << 20);
    }

    [Fact]
    public void Match_AfterRejectedEvent_ResultIsReusable()
    {
        var result = new MatchResult();
        Assert.Throws<InvalidEventException>(() => Set.Match("""{"data":{"used":"x1","k":1,"k":2}}"""u8, result));

        Set.Match("""{"type":"t","data":{"used":"x2","k":1}}"""u8, result);

        Assert.Equal([0], result.PatternIds.ToArray());
        Assert.True(result.TryGetExtra(0, out var type));
        Assert.Equal("t", type.Text);
    }
}
