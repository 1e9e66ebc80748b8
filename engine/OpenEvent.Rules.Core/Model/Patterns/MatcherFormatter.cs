using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace OpenEvent.Rules.Model.Patterns;

/// <summary>
/// Writes a matcher back as the compact JSON a pattern author would write (<c>{"prefix":"acs."}</c>), for explain
/// output and messages. Non-ASCII text stays readable (CJK, emoji) instead of \u escapes.
/// </summary>
internal static class MatcherFormatter
{
    private static readonly JsonWriterOptions s_options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Format(Matcher matcher)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, s_options))
        {
            Write(writer, matcher);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The JSON text of a scalar (numbers as written in the pattern or event).</summary>
    public static string Format(Scalar value)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, s_options))
        {
            WriteScalar(writer, value);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Write(Utf8JsonWriter writer, Matcher matcher)
    {
        switch (matcher)
        {
            case ExactMatcher m:
                WriteScalar(writer, m.Value);
                break;
            case PrefixMatcher m:
                WriteOperator(writer, "prefix", w => WriteMaybeIgnoreCase(w, m.Value, m.IgnoreCase));
                break;
            case SuffixMatcher m:
                WriteOperator(writer, "suffix", w => WriteMaybeIgnoreCase(w, m.Value, m.IgnoreCase));
                break;
            case ContainsMatcher m:
                WriteOperator(writer, "contains", w => w.WriteStringValue(m.Value));
                break;
            case EqualsIgnoreCaseMatcher m:
                WriteOperator(writer, "equals-ignore-case", w => w.WriteStringValue(m.Value));
                break;
            case WildcardMatcher m:
                WriteOperator(writer, "wildcard", w => w.WriteStringValue(m.Pattern));
                break;
            case CidrMatcher m:
                WriteOperator(writer, "cidr", w => w.WriteStringValue(m.Text));
                break;
            case ExistsMatcher m:
                WriteOperator(writer, "exists", w => w.WriteBooleanValue(m.Exists));
                break;
            case NumericMatcher m:
                WriteOperator(writer, "numeric", w =>
                {
                    w.WriteStartArray();
                    foreach (var comparison in m.Comparisons)
                    {
                        w.WriteStringValue(OperatorText(comparison.Operator));
                        w.WriteRawValue(comparison.Value.ToString());
                    }

                    w.WriteEndArray();
                });
                break;
            case AnythingButMatcher m:
                WriteOperator(writer, "anything-but", w => WriteExcluded(w, m.Excluded));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(matcher), matcher.GetType().Name, "Unknown matcher kind.");
        }
    }

    public static string OperatorText(NumericOperator op) => op switch
    {
        NumericOperator.Equal => "=",
        NumericOperator.LessThan => "<",
        NumericOperator.LessThanOrEqual => "<=",
        NumericOperator.GreaterThan => ">",
        NumericOperator.GreaterThanOrEqual => ">=",
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown numeric operator."),
    };

    private static void WriteOperator(Utf8JsonWriter writer, string name, Action<Utf8JsonWriter> writeValue)
    {
        writer.WriteStartObject();
        writer.WritePropertyName(name);
        writeValue(writer);
        writer.WriteEndObject();
    }

    private static void WriteMaybeIgnoreCase(Utf8JsonWriter writer, string value, bool ignoreCase)
    {
        if (ignoreCase)
        {
            WriteOperator(writer, "equals-ignore-case", w => w.WriteStringValue(value));
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }

    // The parser builds Excluded from one shape (values, one prefix, one suffix, wildcards or
    // equals-ignore-case strings), so the authored form can be rebuilt from the kinds it holds.
    private static void WriteExcluded(Utf8JsonWriter writer, IReadOnlyList<Matcher> excluded)
    {
        if (excluded.Count == 1 && excluded[0] is ExactMatcher single)
        {
            WriteScalar(writer, single.Value);
            return;
        }

        if (excluded.All(e => e is ExactMatcher))
        {
            writer.WriteStartArray();
            foreach (var e in excluded)
            {
                WriteScalar(writer, ((ExactMatcher)e).Value);
            }

            writer.WriteEndArray();
            return;
        }

        if (excluded.Count == 1 && excluded[0] is PrefixMatcher or SuffixMatcher)
        {
            Write(writer, excluded[0]);
            return;
        }

        var name = excluded[0] is WildcardMatcher ? "wildcard" : "equals-ignore-case";
        var texts = excluded.Select(e => e switch
        {
            WildcardMatcher w => w.Pattern,
            EqualsIgnoreCaseMatcher q => q.Value,
            _ => MatcherFormatter.Format(e),
        }).ToList();
        WriteOperator(writer, name, w =>
        {
            if (texts.Count == 1)
            {
                w.WriteStringValue(texts[0]);
                return;
            }

            w.WriteStartArray();
            foreach (var text in texts)
            {
                w.WriteStringValue(text);
            }

            w.WriteEndArray();
        });
    }

    private static void WriteScalar(Utf8JsonWriter writer, Scalar value)
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
}
