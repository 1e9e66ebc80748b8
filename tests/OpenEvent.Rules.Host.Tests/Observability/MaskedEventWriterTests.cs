using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using OpenEvent.Rules.Host.Observability;

namespace OpenEvent.Rules.Host.Tests.Observability;

public sealed class MaskedEventWriterTests
{
    private static string Masked(string json, params string[] pointers)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            new MaskedEventWriter(pointers).Write(writer, Encoding.UTF8.GetBytes(json));
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Theory]
    [InlineData("""{"data":{"sqlText":"select 1","x":1}}""", "/data/sqlText", """{"data":{"sqlText":"***","x":1}}""")]
    [InlineData("""{"data":{"sql\u0054ext":"select 1"}}""", "/data/sqlText", """{"data":{"sql\u0054ext":"***"}}""")]
    [InlineData("""{"data":{"sqlText":1,"n":true}}""", "/data/sqlText", """{"data":{"sqlText":"***","n":true}}""")]
    [InlineData("""{"data":{"sqlText":"a","other":{"sqlText":"b"}}}""", "/data/sqlText", """{"data":{"sqlText":"***","other":{"sqlText":"b"}}}""")]
    [InlineData("""{"x":"\"sqlText\"","data":{}}""", "/data/sqlText", """{"x":"\"sqlText\"","data":{}}""")]
    [InlineData("""{"data":{"a/b":1,"a~b":2}}""", "/data/a~1b", """{"data":{"a/b":"***","a~b":2}}""")]
    [InlineData("""{"data":{"a/b":1,"a~b":2}}""", "/data/a~0b", """{"data":{"a/b":1,"a~b":"***"}}""")]
    [InlineData("""{"data":{"items":[{"k":1},{"k":2}]}}""", "/data/items/1/k", """{"data":{"items":[{"k":1},{"k":"***"}]}}""")]
    [InlineData("""{"data":{"items":[1,2,3]}}""", "/data/items/01", """{"data":{"items":[1,2,3]}}""")]
    [InlineData("""{"data":{"secret":{"a":[1,{"b":2}]}}}""", "/data/secret", """{"data":{"secret":"***"}}""")]
    [InlineData("""{"data":{"x":1}}""", "/data/absent", """{"data":{"x":1}}""")]
    [InlineData("""{"data":{"x":1}}""", "/data/x/deeper", """{"data":{"x":1}}""")]
    [InlineData("""{"":{"x":1}}""", "/", """{"":"***"}""")]
    public void Write_Pointer_MasksExactlyThatValue(string json, string pointer, string expected) =>
        Assert.Equal(expected, Masked(json, pointer));

    // The quick look that spares an event its second read: an escape counts only if it may spell a character of a name.
    [Theory]
    [InlineData("""{"data":{"note":"a\u002Bb","x":"\"q\" \\ \/ \n"}}""", "/data/sqlText", false)]
    [InlineData("""{"data":{"note":"\\u0073qlText"}}""", "/data/sqlText", false)]
    [InlineData("""{"data":{"\u0073qlText":"select 1"}}""", "/data/sqlText", true)]
    [InlineData("""{"data":{"sqlTex\u0074":"select 1"}}""", "/data/sqlText", true)]
    [InlineData("""{"data":{"sqlText":"select 1"}}""", "/data/sqlText", true)]
    [InlineData("""{"data":{"a\/b":1}}""", "/data/a~1b", true)]
    [InlineData("""{"data":{"note":"\u00e9"}}""", "/data/caf\u00e9", true)]
    [InlineData("""{"data":{"note":"\u00e9"}}""", "/data/sqlText", false)]
    [InlineData("""{"data":{"items":[1]}}""", "/data/items/0", true)]
    public void MayMask_EscapesThatCannotSpellAName_AreNotReadAgain(string json, string pointer, bool expected) =>
        Assert.Equal(expected, new MaskedEventWriter([pointer]).MayMask(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void Write_EscapesOfOtherCharacters_TheNameSpelledPlainlyIsStillMasked() =>
        Assert.Equal("""{"note":"a\u002Bb","data":{"sqlText":"***"}}""", Masked("""{"note":"a\u002Bb","data":{"sqlText":"drop"}}""", "/data/sqlText"));

    [Fact]
    public void Write_SeveralPointersOneAPrefixOfAnother_TheOuterValueIsMasked() =>
        Assert.Equal("""{"data":"***","id":"***"}""", Masked("""{"data":{"sqlText":"s"},"id":"e"}""", "/data/sqlText", "/data", "/id"));

    [Fact]
    public void Write_PrettyPrintedEvent_IsWrittenOnOneLineWithTheSameContent()
    {
        // The whitespace between tokens goes; strings (their spaces and escapes) and numbers are copied as they are.
        var json = """
            {
              "id": "e-1",
              "n": 1e400,
              "big": -123456789012345678901234567890,
              "data": {
                "sqlText": "select \"x\"\n from t",
                "text": "\u4e8b\u4ef6 ok \ud83d\ude00",
                "list": [ true, false, null, { "a": [ ] } ]
              }
            }
            """;

        var masked = Masked(json, "/data/sqlText");

        Assert.DoesNotContain('\n', masked);
        Assert.Equal("""{"id":"e-1","n":1e400,"big":-123456789012345678901234567890,"data":{"sqlText":"***","text":"\u4e8b\u4ef6 ok \ud83d\ude00","list":[true,false,null,{"a":[]}]}}""", masked);
        Assert.Equal(JsonSerializer.Serialize(JsonDocument.Parse(json.Replace("""select \"x\"\n from t""", "***", StringComparison.Ordinal)).RootElement), JsonSerializer.Serialize(JsonDocument.Parse(masked).RootElement));
    }

    [Fact]
    public void Write_CompactEvent_IsCopiedAsItIsButForTheMaskedValues()
    {
        // The sender's escaping (\u0041) and number formats are kept, inside and outside the masked value's object.
        var masked = Masked("""{"keep":{"a":"\u0041","n":1.50},"data":{"sqlText":"s","n":1.50, "b":"\u0042"}}""", "/data/sqlText");

        Assert.Equal("""{"keep":{"a":"\u0041","n":1.50},"data":{"sqlText":"***","n":1.50, "b":"\u0042"}}""", masked);
    }

    [Fact]
    public void Write_NoPointers_CopiesTheEvent() =>
        Assert.Equal("""{"a":[1,{"b":"c"}]}""", Masked("""{"a":[1,{"b":"c"}]}"""));

    [Fact]
    public void Write_NameGivenTwice_EveryValueIsMasked() =>
        // The host refuses such events on the way in; the writer does not count on it.
        Assert.Equal("""{"data":{"sqlText":"***","x":1,"sqlText":"***"}}""", Masked("""{"data":{"sqlText":"a","x":1,"sqlText":"b"}}""", "/data/sqlText"));

    [Fact]
    public void Write_EmptyEvent_Throws() =>
        Assert.Throws<JsonException>(() => Masked(" \n", "/data/sqlText"));

    [Fact]
    public void Constructor_MoreThan64Pointers_Throws() =>
        Assert.Throws<ArgumentException>(() => new MaskedEventWriter([.. Enumerable.Range(0, 65).Select(i => "/p" + i)]));
}
