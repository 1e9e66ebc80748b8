using System.Text;
using System.Text.Unicode;

namespace OpenEvent.Rules.Events;

/// <summary>
/// The escapes of a JSON string body whose syntax <see cref="EventTokenizer"/> has checked: the surrogate check every
/// escaped string gets (read or skipped), and decoding into UTF-8 (property names) or UTF-16 (read values). Escaped
/// strings are rare in events, so these favour clarity; unescaped text between escapes is still copied in runs.
/// </summary>
internal static class JsonEscapes
{
    /// <summary>
    /// Throws unless every \u escape that encodes a surrogate is a high one followed by a low one: valid JSON syntax
    /// but not valid Unicode, which System.Text.Json refuses when it decodes such a string. Checked for skipped strings
    /// too, so that whether an event is valid never depends on which fields patterns read.
    /// </summary>
    public static void CheckSurrogates(ReadOnlySpan<byte> raw)
    {
        for (var i = 0; i < raw.Length; i++)
        {
            // Jump to the next backslash (vectorized): escaped strings are mostly plain text with an escape or two.
            var next = raw[i..].IndexOf((byte)'\\');
            if (next < 0)
            {
                return;
            }

            i += next + 1;
            if (raw[i] != (byte)'u')
            {
                continue;
            }

            var unit = Hex4(raw, i + 1);
            i += 4;
            if (unit is >= 0xDC00 and <= 0xDFFF)
            {
                throw LoneSurrogate(unit);
            }

            if (unit is >= 0xD800 and <= 0xDBFF)
            {
                if (i + 6 >= raw.Length || raw[i + 1] != (byte)'\\' || raw[i + 2] != (byte)'u')
                {
                    throw LoneSurrogate(unit);
                }

                var low = Hex4(raw, i + 3);
                if (low is < 0xDC00 or > 0xDFFF)
                {
                    throw LoneSurrogate(unit);
                }

                i += 6;
            }
        }
    }

    /// <summary>Decodes a checked body (<see cref="CheckSurrogates"/> passed) into UTF-8; returns the bytes written (at most raw.Length).</summary>
    public static int DecodeUtf8(ReadOnlySpan<byte> raw, Span<byte> destination)
    {
        var written = 0;
        var i = 0;
        while (true)
        {
            var run = raw[i..].IndexOf((byte)'\\');
            var plain = run < 0 ? raw[i..] : raw.Slice(i, run);
            plain.CopyTo(destination[written..]);
            written += plain.Length;
            if (run < 0)
            {
                return written;
            }

            i += run + 1;
            var unit = Unescape(raw, ref i);
            int scalar = unit;
            if (char.IsHighSurrogate(unit))
            {
                i++; // the backslash of the low half, which CheckSurrogates has made sure of
                scalar = char.ConvertToUtf32(unit, Unescape(raw, ref i));
            }

            written += new Rune(scalar).EncodeToUtf8(destination[written..]);
        }
    }

    /// <summary>Decodes a checked body into UTF-16; returns the chars written (at most raw.Length).</summary>
    public static int DecodeUtf16(ReadOnlySpan<byte> raw, Span<char> destination)
    {
        var written = 0;
        var i = 0;
        while (true)
        {
            var run = raw[i..].IndexOf((byte)'\\');
            var plain = run < 0 ? raw[i..] : raw.Slice(i, run);
            Utf8.ToUtf16(plain, destination[written..], out _, out var chars, replaceInvalidSequences: false);
            written += chars;
            if (run < 0)
            {
                return written;
            }

            i += run + 1;
            destination[written++] = Unescape(raw, ref i);
        }
    }

    // At the byte after a backslash: the UTF-16 unit the escape stands for; `i` moves past the escape.
    private static char Unescape(ReadOnlySpan<byte> raw, ref int i)
    {
        var c = raw[i++];
        switch (c)
        {
            case (byte)'u':
                i += 4;
                return (char)Hex4(raw, i - 4);
            case (byte)'b':
                return '\b';
            case (byte)'f':
                return '\f';
            case (byte)'n':
                return '\n';
            case (byte)'r':
                return '\r';
            case (byte)'t':
                return '\t';
            default:
                return (char)c; // '"', '\\' or '/': the escaped character itself
        }
    }

    private static int Hex4(ReadOnlySpan<byte> raw, int start)
    {
        var value = 0;
        for (var i = start; i < start + 4; i++)
        {
            var c = raw[i];
            value = (value << 4) | (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
        }

        return value;
    }

    private static InvalidEventException LoneSurrogate(int unit) =>
        new(InvalidEventException.InvalidUtf8, $"A string escape encodes the lone UTF-16 surrogate \\u{unit:X4}, which is not valid Unicode.");
}
