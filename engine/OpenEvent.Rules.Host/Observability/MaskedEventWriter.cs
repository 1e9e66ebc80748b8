using System.Buffers;
using System.Text;
using System.Text.Json;

namespace OpenEvent.Rules.Host.Observability;

/// <summary>
/// Copies an event's JSON bytes into a <see cref="Utf8JsonWriter"/> in one forward pass, writing "***" in place of
/// the value at each configured JSON pointer (RFC 6901), so that the decision log writes the masked event from the
/// bytes the request already read, without building a document. Subtrees that no pointer reaches and that hold no
/// line break are copied as they are (the log is JSON Lines: a pretty-printed event is re-written on one line).
/// </summary>
internal sealed class MaskedEventWriter
{
    private readonly byte[][][] _segments;
    private readonly int[][] _indexes;
    private readonly ulong _all;

    /// <param name="pointers">JSON pointers such as /data/sqlText (at most 64; ~1 and ~0 escapes are decoded).</param>
    public MaskedEventWriter(IReadOnlyList<string> pointers)
    {
        if (pointers.Count > 64)
        {
            throw new ArgumentException("at most 64 pointers are supported", nameof(pointers));
        }

        _segments = new byte[pointers.Count][][];
        _indexes = new int[pointers.Count][];
        for (var i = 0; i < pointers.Count; i++)
        {
            var segments = pointers[i].Split('/').Skip(1).Select(s => s.Replace("~1", "/").Replace("~0", "~")).ToArray();
            _segments[i] = [.. segments.Select(Encoding.UTF8.GetBytes)];
            _indexes[i] = [.. segments.Select(s => s.Length > 0 && s.All(char.IsAsciiDigit) && (s == "0" || s[0] != '0') && int.TryParse(s, out var n) ? n : -1)];
            if (segments.Length > 0)
            {
                _all |= 1UL << i;
            }
        }
    }

    /// <summary>Writes the JSON value in <paramref name="json"/> (an event already checked by the reader), masked.</summary>
    public void Write(Utf8JsonWriter writer, ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
        if (!reader.Read())
        {
            throw new JsonException("the event is empty");
        }

        Copy(ref reader, writer, json, _all, 0);
    }

    // The reader is at the first token of a value whose path matched the first `depth` segments of the pointers in `candidates`.
    private void Copy(ref Utf8JsonReader reader, Utf8JsonWriter writer, ReadOnlySpan<byte> json, ulong candidates, int depth)
    {
        if (candidates == 0 && reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            var probe = reader;
            var start = (int)reader.TokenStartIndex;
            probe.Skip();
            var raw = json[start..(int)probe.BytesConsumed];
            if (raw.IndexOfAny((byte)'\n', (byte)'\r') < 0)
            {
                writer.WriteRawValue(raw, skipInputValidation: true);
                reader = probe;
                return;
            }
        }

        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                CopyObject(ref reader, writer, json, candidates, depth);
                break;
            case JsonTokenType.StartArray:
                CopyArray(ref reader, writer, json, candidates, depth);
                break;
            default:
                CopyScalar(ref reader, writer);
                break;
        }
    }

    private void CopyObject(ref Utf8JsonReader reader, Utf8JsonWriter writer, ReadOnlySpan<byte> json, ulong candidates, int depth)
    {
        writer.WriteStartObject();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var here = MatchName(ref reader, candidates, depth);
            WriteName(ref reader, writer);
            reader.Read();
            CopyOrMask(ref reader, writer, json, here, depth + 1);
        }

        writer.WriteEndObject();
    }

    private void CopyArray(ref Utf8JsonReader reader, Utf8JsonWriter writer, ReadOnlySpan<byte> json, ulong candidates, int depth)
    {
        writer.WriteStartArray();
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            CopyOrMask(ref reader, writer, json, MatchIndex(index++, candidates, depth), depth + 1);
        }

        writer.WriteEndArray();
    }

    private static void CopyScalar(ref Utf8JsonReader reader, Utf8JsonWriter writer)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                if (reader.ValueIsEscaped)
                {
                    WithUnescaped(ref reader, writer, static (w, text) => w.WriteStringValue(text));
                }
                else
                {
                    writer.WriteStringValue(reader.ValueSpan);
                }

                break;
            case JsonTokenType.Number:
                writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true);
                break;
            case JsonTokenType.True:
                writer.WriteBooleanValue(true);
                break;
            case JsonTokenType.False:
                writer.WriteBooleanValue(false);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }

    // `matched`: the pointers whose segments up to this value (`length` of them) all matched the path.
    private void CopyOrMask(ref Utf8JsonReader reader, Utf8JsonWriter writer, ReadOnlySpan<byte> json, ulong matched, int length)
    {
        var ending = 0UL;
        var deeper = 0UL;
        for (var bits = matched; bits != 0; bits &= bits - 1)
        {
            var i = System.Numerics.BitOperations.TrailingZeroCount(bits);
            if (_segments[i].Length == length)
            {
                ending |= 1UL << i;
            }
            else
            {
                deeper |= 1UL << i;
            }
        }

        if (ending != 0)
        {
            writer.WriteStringValue("***"u8);
            reader.Skip();
            return;
        }

        Copy(ref reader, writer, json, deeper, length);
    }

    private ulong MatchName(ref Utf8JsonReader reader, ulong candidates, int depth)
    {
        var matched = 0UL;
        for (var bits = candidates; bits != 0; bits &= bits - 1)
        {
            var i = System.Numerics.BitOperations.TrailingZeroCount(bits);
            if (_segments[i].Length > depth && reader.ValueTextEquals(_segments[i][depth]))
            {
                matched |= 1UL << i;
            }
        }

        return matched;
    }

    private ulong MatchIndex(int index, ulong candidates, int depth)
    {
        var matched = 0UL;
        for (var bits = candidates; bits != 0; bits &= bits - 1)
        {
            var i = System.Numerics.BitOperations.TrailingZeroCount(bits);
            if (_indexes[i].Length > depth && _indexes[i][depth] == index)
            {
                matched |= 1UL << i;
            }
        }

        return matched;
    }

    private static void WriteName(ref Utf8JsonReader reader, Utf8JsonWriter writer)
    {
        if (reader.ValueIsEscaped)
        {
            WithUnescaped(ref reader, writer, static (w, text) => w.WritePropertyName(text));
        }
        else
        {
            writer.WritePropertyName(reader.ValueSpan);
        }
    }

    private delegate void TextWriter(Utf8JsonWriter writer, ReadOnlySpan<byte> text);

    private static void WithUnescaped(ref Utf8JsonReader reader, Utf8JsonWriter writer, TextWriter write)
    {
        // Unescaped text is never longer than its escaped form.
        var buffer = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
        try
        {
            var length = reader.CopyString(buffer);
            write(writer, buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
