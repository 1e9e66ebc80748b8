using System.Text;
using OpenEvent.Rules.Events.Detail;

namespace OpenEvent.Rules.Core.Tests.Events.Detail;

/// <summary>What a detail document may be: the three shapes it is written in are one detail; anything else is refused with the reason.</summary>
public sealed class EventDetailTests
{
    [Theory]
    [InlineData("""{"RequestId":"r","EventDetail":{"CommittedFile":{"FileName":"a"}}}""")]
    [InlineData("""{"CommittedFile":{"FileName":"a"}}""")]
    [InlineData("""{"detail":{"CommittedFile":{"FileName":"a"}}}""")]
    [InlineData("\uFEFF{\"CommittedFile\":{\"FileName\":\"a\"}}")]
    public void TryRead_EveryWayOfWritingIt_TheSameDetail(string json)
    {
        Assert.True(EventDetail.TryRead(json, "CommittedFile", out var detail, out var error), error);

        Assert.Equal("CommittedFile", detail!.Member);
        Assert.Equal("""{"detail":{"CommittedFile":{"FileName":"a"}}}""", Encoding.UTF8.GetString(detail.Utf8.Span));
    }

    [Theory]
    [InlineData("""{"EventDetail":{"TableModel":{"TableName":"t"}}}""", "a detail of another shape: expected EventDetail.CommittedFile (an object), found TableModel")]
    [InlineData("""{"Code":"InternalError","Message":"boom"}""", "a detail of another shape: expected EventDetail.CommittedFile (an object), found no member")]
    [InlineData("""{"EventDetail":{"CommittedFile":"text"}}""", "a detail of another shape: expected EventDetail.CommittedFile (an object), found no member")]
    [InlineData("""{"EventDetail":[1]}""", "EventDetail is not a JSON object but an array")]
    [InlineData("""[{"CommittedFile":{}}]""", "the detail is not a JSON object but an array")]
    [InlineData("""{"CommittedFile":{},"CommittedFile":{}}""", "the detail is not valid JSON: Duplicate property 'CommittedFile' encountered during deserialization.")]
    // The duplicate-key check decodes names: a lone surrogate escape in one threw InvalidOperationException out of the fetch.
    [InlineData("""{"CommittedFile":{"\udc00":1}}""", "the detail is not valid JSON: a property name is not valid UTF-8 text: it holds a lone UTF-16 surrogate escape (such as \\udc00)")]
    public void TryRead_AnotherShape_RefusedWithTheReason(string json, string expected)
    {
        Assert.False(EventDetail.TryRead(json, "CommittedFile", out var detail, out var error));

        Assert.Null(detail);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void TryRead_NotUtf8_Refused()
    {
        byte[] gbk = [(byte)'{', (byte)'"', 0xB2, 0xE2, (byte)'"', (byte)':', (byte)'1', (byte)'}'];

        Assert.False(EventDetail.TryRead(gbk, "CommittedFile", EventDetail.DefaultMaxBytes, out _, out var error));

        Assert.Equal("the detail is not valid UTF-8", error);
    }

    [Fact]
    public void TryRead_LargerThanTheBound_RefusedWithBothSizes()
    {
        var json = Encoding.UTF8.GetBytes("{\"CommittedFile\":{\"Content\":\"" + new string('x', 2000) + "\"}}");

        Assert.False(EventDetail.TryRead(json, "CommittedFile", 1024, out _, out var error));

        Assert.Equal("the detail is 2,032 bytes, more than the 1,024 allowed", error);
    }

    [Fact]
    public void TryRead_NestedDeeperThanEvents_Refused()
    {
        var json = "{\"CommittedFile\":" + string.Concat(Enumerable.Repeat("[", 70)) + string.Concat(Enumerable.Repeat("]", 70)) + "}";

        Assert.False(EventDetail.TryRead(json, "CommittedFile", out _, out var error));

        Assert.StartsWith("the detail is not valid JSON: ", error, StringComparison.Ordinal);
    }
}
