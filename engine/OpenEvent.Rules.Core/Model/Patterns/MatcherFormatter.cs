using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace OpenEvent.Rules.Model.Patterns;

/// <summary>
/// Writes a matcher back as the compact JSON a pattern author would write (<c>{"prefix":"acs."}</c>), for explain
/// output and messages. Non-ASCII text stays readable (CJK, emoji) instead of \u escapes. Each operator writes its
/// own operand (<see cref="Matcher.WriteOperand"/>).
/// </summary>
internal static class MatcherFormatter
{
    private static readonly JsonWriterOptions s_options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Format(Matcher matcher) => Write(matcher.WriteJson);

    /// <summary>The JSON text of a scalar (numbers as written in the pattern or event).</summary>
    public static string Format(Scalar value) => Write(writer => WriteScalar(writer, value));

    /// <summary>Writes <c>{"name": value}</c>, the shape of every keyed operator and of the operators nested in one.</summary>
    internal static void WriteObject(Utf8JsonWriter writer, string name, Action<Utf8JsonWriter> writeValue)
    {
        writer.WriteStartObject();
        writer.WritePropertyName(name);
        writeValue(writer);
        writer.WriteEndObject();
    }

    internal static void WriteScalar(Utf8JsonWriter writer, Scalar value)
    {
        switch (value.Kind)
        {
            case ScalarKind.Null:
                writer.WriteNullValue();
                break;
            case ScalarKind.True:
                writer.WriteBooleanValue(true);
                break;
            case ScalarKind.False:
                writer.WriteBooleanValue(false);
                break;
            case ScalarKind.Number:
                var literal = value.Text ?? value.Number.ToString();
                writer.WriteRawValue(JsonNumber.IsJsonNumberSyntax(literal) ? literal : value.Number.ToString());
                break;
            default:
                writer.WriteStringValue(value.Text);
                break;
        }
    }

    private static string Write(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, s_options))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
