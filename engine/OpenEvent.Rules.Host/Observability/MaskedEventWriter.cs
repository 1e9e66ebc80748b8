using System.Buffers;
using System.Numerics;
using System.Text;
using System.Text.Json;

namespace OpenEvent.Rules.Host.Observability;

/// <summary>
/// Writes an event's JSON bytes into a <see cref="Utf8JsonWriter"/> as a raw value, with "***" in place of the value at
/// each configured JSON pointer (RFC 6901), so that the decision log writes the masked event from the bytes the request
/// already read, without building a document or re-encoding it token by token. The bytes between masked values are
/// copied as the sender wrote them (its escaping and number formats kept); an event that holds line breaks is compacted
/// onto one line (the log is JSON Lines). The event was checked on the way in (valid UTF-8 and JSON), so what is copied
/// is valid JSON.
/// </summary>
internal sealed class MaskedEventWriter
{
    private static readonly byte[] Mask = "\"***\""u8.ToArray();

    private readonly byte[][][] _segments;
    private readonly int[][] _indexes;
    private readonly ulong _all;

    /// <summary>
    /// Per pointer, its last segment as a quoted property name ("sqlText" with its quotes): an event without it (and
    /// without a backslash, which could spell the name escaped) has nothing that pointer masks. Null when the last
    /// segment may be an array index, which leaves no such trace.
    /// </summary>
    private readonly byte[]?[] _needles;

    /// <summary>
    /// The ASCII characters of the needles' names (a 128-bit set), and whether any name has other characters: an escape
    /// in the event can only spell a name if it escapes one of them. Producers escape characters that are in no name
    /// (.NET's default encoder writes '+' as \u002B), and such an event needs no second read.
    /// </summary>
    private readonly UInt128 _nameChars;
    private readonly bool _nameHasNonAscii;

    /// <param name="pointers">JSON pointers such as /data/sqlText (at most 64; ~1 and ~0 escapes are decoded).</param>
    public MaskedEventWriter(IReadOnlyList<string> pointers)
    {
        if (pointers.Count > 64)
        {
            throw new ArgumentException("at most 64 pointers are supported", nameof(pointers));
        }

        _segments = new byte[pointers.Count][][];
        _indexes = new int[pointers.Count][];
        _needles = new byte[]?[pointers.Count];
        for (var i = 0; i < pointers.Count; i++)
        {
            var segments = JsonPointer.Tokens(pointers[i]).ToArray();
            _segments[i] = [.. segments.Select(Encoding.UTF8.GetBytes)];
            _indexes[i] = [.. segments.Select(s => s.Length > 0 && s.All(char.IsAsciiDigit) && (s == "0" || s[0] != '0') && int.TryParse(s, out var n) ? n : -1)];
            if (segments.Length > 0)
            {
                _all |= 1UL << i;
                _needles[i] = _indexes[i][^1] < 0 ? [(byte)'"', .. _segments[i][^1], (byte)'"'] : null;
                foreach (var c in segments[^1])
                {
                    if (char.IsAscii(c))
                    {
                        _nameChars |= UInt128.One << c;
                    }
                    else
                    {
                        _nameHasNonAscii = true;
                    }
                }
            }
        }
    }

    /// <summary>Writes the JSON value in <paramref name="json"/> (an event already checked by the reader), masked.</summary>
    public void Write(Utf8JsonWriter writer, ReadOnlySpan<byte> json)
    {
        if (json.Trim(" \t\r\n"u8).IsEmpty)
        {
            throw new JsonException("the event is empty");
        }

        var masked = MayMask(json) ? FindMasked(json) : null;
        var oneLine = json.IndexOfAny((byte)'\n', (byte)'\r') < 0;
        if (masked is null && oneLine)
        {
            writer.WriteRawValue(json, skipInputValidation: true);
            return;
        }

        // A masked value may be shorter than "***" with its quotes (a number, true).
        var buffer = ArrayPool<byte>.Shared.Rent(json.Length + (Mask.Length * (masked?.Count ?? 0)));
        try
        {
            var length = 0;
            var from = 0;
            foreach (var (start, end) in masked ?? [])
            {
                length += Copy(json[from..start], buffer.AsSpan(length), oneLine);
                Mask.CopyTo(buffer.AsSpan(length));
                length += Mask.Length;
                from = end;
            }

            length += Copy(json[from..], buffer.AsSpan(length), oneLine);
            writer.WriteRawValue(buffer.AsSpan(0, length), skipInputValidation: true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// False when no pointer can reach a value of <paramref name="json"/>: no needle is in it as written, and no escape in
    /// it stands for a character of a name. True otherwise (the event is then read to find the values).
    /// </summary>
    internal bool MayMask(ReadOnlySpan<byte> json)
    {
        if (_all == 0)
        {
            return false;
        }

        for (var bits = _all; bits != 0; bits &= bits - 1)
        {
            if (_needles[BitOperations.TrailingZeroCount(bits)] is not { } needle || json.IndexOf(needle) >= 0)
            {
                return true;
            }
        }

        return MayEscapeAName(json);
    }

    /// <summary>Whether an escape in <paramref name="json"/> (valid JSON) stands for a character some name has, or cannot be read as one.</summary>
    private bool MayEscapeAName(ReadOnlySpan<byte> json)
    {
        for (var at = json.IndexOf((byte)'\\'); at >= 0;)
        {
            if (at + 1 >= json.Length)
            {
                return true;
            }

            int escaped;
            var length = 2;
            switch (json[at + 1])
            {
                case (byte)'u':
                    if (at + 6 > json.Length || !int.TryParse(json.Slice(at + 2, 4), System.Globalization.NumberStyles.AllowHexSpecifier, null, out escaped))
                    {
                        return true;
                    }

                    length = 6;
                    break;
                case (byte)'b': escaped = '\b'; break;
                case (byte)'f': escaped = '\f'; break;
                case (byte)'n': escaped = '\n'; break;
                case (byte)'r': escaped = '\r'; break;
                case (byte)'t': escaped = '\t'; break;
                default: escaped = json[at + 1]; break; // \", \\, \/
            }

            if (escaped >= 128 ? _nameHasNonAscii : (_nameChars & (UInt128.One << escaped)) != UInt128.Zero)
            {
                return true;
            }

            var next = json[(at + length)..].IndexOf((byte)'\\');
            at = next < 0 ? -1 : at + length + next;
        }

        return false;
    }

    /// <summary>The byte ranges of the values the pointers reach, in document order; null when there are none.</summary>
    private List<(int Start, int End)>? FindMasked(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
        reader.Read(); // Write refused an empty event
        List<(int, int)>? masked = null;
        Find(ref reader, _all, 0, ref masked);
        return masked;
    }

    // The reader is at the first token of a value whose path matched the first `depth` segments of the pointers in `candidates`.
    private void Find(ref Utf8JsonReader reader, ulong candidates, int depth, ref List<(int, int)>? masked)
    {
        if (candidates == 0)
        {
            reader.Skip();
        }
        else if (reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var here = MatchName(ref reader, candidates, depth);
                reader.Read();
                Visit(ref reader, here, depth + 1, ref masked);
            }
        }
        else if (reader.TokenType == JsonTokenType.StartArray)
        {
            var index = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                Visit(ref reader, MatchIndex(index++, candidates, depth), depth + 1, ref masked);
            }
        }
    }

    // `matched`: the pointers whose segments up to this value (`length` of them) all matched the path.
    private void Visit(ref Utf8JsonReader reader, ulong matched, int length, ref List<(int, int)>? masked)
    {
        var deeper = 0UL;
        for (var bits = matched; bits != 0; bits &= bits - 1)
        {
            var i = BitOperations.TrailingZeroCount(bits);
            if (_segments[i].Length == length)
            {
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                (masked ??= []).Add((start, (int)reader.BytesConsumed));
                return;
            }

            deeper |= 1UL << i;
        }

        Find(ref reader, deeper, length, ref masked);
    }

    private ulong MatchName(ref Utf8JsonReader reader, ulong candidates, int depth)
    {
        var matched = 0UL;
        for (var bits = candidates; bits != 0; bits &= bits - 1)
        {
            var i = BitOperations.TrailingZeroCount(bits);
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
            var i = BitOperations.TrailingZeroCount(bits);
            if (_indexes[i].Length > depth && _indexes[i][depth] == index)
            {
                matched |= 1UL << i;
            }
        }

        return matched;
    }

    /// <summary>
    /// Copies a run of the event that starts and ends between tokens; unless it is on one line, without the whitespace
    /// between tokens (JSON strings cannot hold a raw line break, so what is left is one line). Returns the bytes written.
    /// </summary>
    private static int Copy(ReadOnlySpan<byte> from, Span<byte> to, bool oneLine)
    {
        if (oneLine)
        {
            from.CopyTo(to);
            return from.Length;
        }

        var length = 0;
        var inString = false;
        for (var i = 0; i < from.Length; i++)
        {
            var b = from[i];
            if (inString)
            {
                to[length++] = b;
                if (b == (byte)'\\')
                {
                    to[length++] = from[++i];
                }
                else if (b == (byte)'"')
                {
                    inString = false;
                }
            }
            else if (b is not ((byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r'))
            {
                to[length++] = b;
                inString = b == (byte)'"';
            }
        }

        return length;
    }
}
