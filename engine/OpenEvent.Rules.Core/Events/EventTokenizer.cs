using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace OpenEvent.Rules.Events;

/// <summary>
/// The single pass's forward tokenizer over one event's bytes (<see cref="EventReader"/> drives it, structure and all):
/// it accepts exactly the JSON that <c>Utf8JsonReader</c> accepts with default options on a final block (RFC 8259: no
/// comments, no trailing commas, no byte order mark, whitespace is space, tab, LF and CR, the number grammar with no
/// leading zeros, the eight short escapes and <c>\uXXXX</c>, no control byte inside a string), which the reader's
/// differential tests pin (EventTokenizerDifferentialTests, against the pass that ran on that reader). It is cheaper than
/// the general reader because it keeps no token state the engine does not use: string bodies are skipped by 32-byte
/// vector compares for the bytes that end or interrupt them, a position is computed only for an error message, and the
/// caller decides from the byte it is at what may come next. The caller checks UTF-8 up front, and depth and duplicate
/// keys as it goes.
/// </summary>
internal ref struct EventTokenizer
{
    // What stops the scan of a string body: its end, an escape, or a control byte (invalid in a JSON string).
    private static readonly SearchValues<byte> StringStops = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(b => (byte)b), (byte)'"', (byte)'\\']);

    private readonly ReadOnlySpan<byte> _utf8;
    private int _pos;

    public EventTokenizer(ReadOnlySpan<byte> utf8)
    {
        _utf8 = utf8;
        _pos = 0;
    }

    /// <summary>The offset of the next byte to read.</summary>
    public readonly int Position => _pos;

    /// <summary>Skips whitespace; the byte there (not consumed), or 0 at the end of the input (0 is never valid there either).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte Peek()
    {
        var pos = _pos;
        var utf8 = _utf8;
        if ((uint)pos < (uint)utf8.Length)
        {
            var b = utf8[pos];
            if (b > (byte)' ')
            {
                return b; // compact JSON: no whitespace between tokens
            }
        }

        return SkipWhitespace();
    }

    private byte SkipWhitespace()
    {
        var utf8 = _utf8;
        var pos = _pos;
        while ((uint)pos < (uint)utf8.Length)
        {
            var b = utf8[pos];
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r'))
            {
                _pos = pos;
                return b;
            }

            pos++;
        }

        _pos = pos;
        return 0;
    }

    /// <summary>Consumes the byte <see cref="Peek"/> returned (a structural character).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Advance() => _pos++;

    /// <summary>After a property name: the colon (and the whitespace around it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ReadColon()
    {
        if (Peek() != (byte)':')
        {
            throw Error("expected ':' after a property name");
        }

        _pos++;
    }

    /// <summary>
    /// After a member or element: true when a comma follows (consumed; the next byte is then returned in
    /// <paramref name="next"/>), false when <paramref name="closer"/> does (consumed).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool NextItem(byte closer, out byte next)
    {
        var b = Peek();
        _pos++;
        if (b == (byte)',')
        {
            next = Peek();
            return true;
        }

        if (b != closer)
        {
            _pos--;
            throw Error(closer == (byte)'}' ? "expected ',' or '}' after a property value" : "expected ',' or ']' after an array element");
        }

        next = 0;
        return false;
    }

    /// <summary>At the opening quote: the string's raw body (escapes not decoded), and past the closing quote.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> ReadString(out bool escaped)
    {
        var start = _pos + 1;
        var body = _utf8[start..];
        var stop = IndexOfStop(body);
        if ((uint)stop < (uint)body.Length && body[stop] == (byte)'"')
        {
            _pos = start + stop + 1;
            escaped = false;
            return body[..stop]; // the usual case: no escape
        }

        escaped = true;
        return ReadEscapedString(start, stop);
    }

    // The first byte that ends or interrupts a string body: 32-byte compares (most names and values end in the first),
    // then, for the last bytes of the event, the general vectorized search.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int IndexOfStop(ReadOnlySpan<byte> body)
    {
        var offset = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref var start = ref MemoryMarshal.GetReference(body);
            for (; offset <= body.Length - Vector256<byte>.Count; offset += Vector256<byte>.Count)
            {
                var bytes = Vector256.LoadUnsafe(ref start, (nuint)offset);
                var stops = Vector256.Equals(bytes, Vector256.Create((byte)'"'))
                    | Vector256.Equals(bytes, Vector256.Create((byte)'\\'))
                    | Vector256.LessThan(bytes, Vector256.Create((byte)0x20));
                var bits = stops.ExtractMostSignificantBits();
                if (bits != 0)
                {
                    return offset + BitOperations.TrailingZeroCount(bits);
                }
            }
        }

        var rest = body[offset..].IndexOfAny(StringStops);
        return rest < 0 ? -1 : offset + rest;
    }

    // The string's body from `start` has a stop at `start + stop` (or none: -1) that is not its closing quote.
    private ReadOnlySpan<byte> ReadEscapedString(int start, int stop)
    {
        var utf8 = _utf8;
        var pos = start;
        while (true)
        {
            if (stop < 0)
            {
                _pos = utf8.Length;
                throw Error("a string is not terminated");
            }

            pos += stop;
            var b = utf8[pos];
            if (b == (byte)'"')
            {
                _pos = pos + 1;
                return utf8[start..pos];
            }

            if (b != (byte)'\\')
            {
                _pos = pos;
                throw Error($"the control character 0x{b:X2} must be escaped in a string");
            }

            pos = SkipEscape(pos);
            stop = IndexOfStop(utf8[pos..]);
        }
    }

    // At the backslash of an escape: the offset after it, or throws for an escape JSON does not have.
    private int SkipEscape(int pos)
    {
        var utf8 = _utf8;
        var next = pos + 1;
        var b = next < utf8.Length ? utf8[next] : (byte)0;
        if (b is (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t')
        {
            return next + 1;
        }

        if (b == (byte)'u' && next + 4 < utf8.Length && IsHex(utf8[next + 1]) && IsHex(utf8[next + 2]) && IsHex(utf8[next + 3]) && IsHex(utf8[next + 4]))
        {
            return next + 5;
        }

        _pos = pos;
        throw Error(b == (byte)'u' ? "a \\u escape needs four hex digits" : "a string has an invalid escape");
    }

    private static bool IsHex(byte b) => char.IsAsciiHexDigit((char)b);

    /// <summary>At a '-' or digit: the number's bytes, checked against JSON's grammar; past it.</summary>
    public ReadOnlySpan<byte> ReadNumber()
    {
        var utf8 = _utf8;
        var start = _pos;
        var pos = start;
        if (utf8[pos] == (byte)'-')
        {
            pos++;
        }

        if (pos < utf8.Length && utf8[pos] == (byte)'0')
        {
            pos++; // a leading zero stands alone: "01" ends the number at the 0, and the 1 is then out of place
        }
        else
        {
            pos = Digits(pos, "a number needs a digit after '-'");
        }

        if (pos < utf8.Length && utf8[pos] == (byte)'.')
        {
            pos = Digits(pos + 1, "a number needs a digit after its decimal point");
        }

        if (pos < utf8.Length && (utf8[pos] | 0x20) == (byte)'e')
        {
            pos++;
            if (pos < utf8.Length && utf8[pos] is (byte)'+' or (byte)'-')
            {
                pos++;
            }

            pos = Digits(pos, "a number needs a digit in its exponent");
        }

        _pos = pos;
        return utf8[start..pos];
    }

    // One digit or more from `pos`: the offset after them.
    private int Digits(int pos, string missing)
    {
        var utf8 = _utf8;
        if (pos >= utf8.Length || !char.IsAsciiDigit((char)utf8[pos]))
        {
            _pos = pos;
            throw Error(missing);
        }

        do
        {
            pos++;
        }
        while (pos < utf8.Length && char.IsAsciiDigit((char)utf8[pos]));

        return pos;
    }

    /// <summary>At 't', 'f' or 'n': consumes true, false or null, whichever the byte starts.</summary>
    public void ReadLiteral(byte first)
    {
        var literal = first == (byte)'t' ? "true"u8 : first == (byte)'f' ? "false"u8 : "null"u8;
        if (!_utf8[_pos..].StartsWith(literal))
        {
            throw Error("invalid literal (expected true, false or null)");
        }

        _pos += literal.Length;
    }

    /// <summary>Only whitespace may follow the root value.</summary>
    public void ReadEnd()
    {
        if (Peek() != 0 || _pos < _utf8.Length)
        {
            throw Error("unexpected content after the end of the event");
        }
    }

    /// <summary>An invalid-json error at the current position.</summary>
    public readonly InvalidEventException Error(string what)
    {
        string where;
        if (_pos >= _utf8.Length)
        {
            where = "at the end of the event";
        }
        else
        {
            var before = _utf8[.._pos];
            var line = before.Count((byte)'\n') + 1;
            var column = before.Length - before.LastIndexOf((byte)'\n'); // bytes into the line, from 1
            where = $"at line {line}, byte {column} of the line (offset {_pos})";
        }

        return new InvalidEventException(InvalidEventException.InvalidJson, $"The event is not valid JSON: {what} {where}.");
    }

    /// <summary>The error for a byte where a value must start.</summary>
    public readonly InvalidEventException NotAValue() =>
        Error(_pos >= _utf8.Length ? "expected a value" : $"'{Printable(_utf8[_pos])}' cannot start a value");

    /// <summary>The error for a byte where a property name must start.</summary>
    public readonly InvalidEventException NotAName() =>
        Error(_pos >= _utf8.Length ? "expected a property name" : $"expected a property name in double quotes, not '{Printable(_utf8[_pos])}'");

    private static string Printable(byte b) => b is >= 0x20 and < 0x7F ? ((char)b).ToString() : $"0x{b:X2}";
}
