namespace OpenEvent.Rules.Model;

/// <summary>
/// Where a character of a YAML scalar's value is in the file, for a condition's compile errors and a template's
/// placeholders alike: its text's first character (<c>ContentStart</c>) and how it was written decide it.
/// </summary>
internal static class ScalarText
{
    /// <summary>
    /// The file position of character <paramref name="offset"/> of <paramref name="text"/> (clamped to the text): line by
    /// line in a literal block, the block's start in a folded one (its lines are joined), along the line otherwise,
    /// across the escapes of <paramref name="quotedText"/> when the text was double-quoted with escapes.
    /// </summary>
    public static SourceLocation Locate(string text, int offset, SourceLocation contentStart, ConditionTextStyle style, string? quotedText = null)
    {
        offset = Math.Clamp(offset, 0, text.Length);
        if (contentStart.Line <= 0 || style == ConditionTextStyle.Folded)
        {
            return contentStart;
        }

        if (quotedText is not null && QuotedSourceIndex(quotedText, offset) is var written and >= 0)
        {
            return contentStart with { Column = contentStart.Column + written };
        }

        var line = 0;
        var lineStart = 0;
        for (var i = 0; i < offset; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        // An inline scalar has no line breaks of its own; should one hold one anyway, stay on its first line.
        return style == ConditionTextStyle.Literal
            ? contentStart with { Line = contentStart.Line + line, Column = contentStart.Column + (offset - lineStart) }
            : line > 0 ? contentStart : contentStart with { Column = contentStart.Column + offset };
    }

    /// <summary>
    /// The offset in <paramref name="source"/> (the text between the quotes of a double-quoted scalar, as written) of
    /// character <paramref name="valueIndex"/> of the value; -1 when the source holds a line break (folding is not
    /// mapped). An escape is several characters in the file and one in the value (<c>\"</c>, <c>\u00e9</c>), so without
    /// this the columns of a condition written in double quotes drifted by one per escaped quote.
    /// </summary>
    public static int QuotedSourceIndex(string source, int valueIndex)
    {
        var s = 0;
        for (var v = 0; v < valueIndex && s < source.Length; v++)
        {
            switch (source[s])
            {
                case '\n' or '\r':
                    return -1;
                case '\\' when s + 1 < source.Length:
                    var (length, chars) = source[s + 1] switch
                    {
                        'x' => (4, 1),
                        'u' => (6, 1),
                        'U' => (10, 2),
                        _ => (2, 1),
                    };

                    // \U beyond the BMP is two UTF-16 characters of the value for one escape.
                    if (chars == 2 && !(s + length <= source.Length && int.TryParse(source.AsSpan(s + 2, 8), System.Globalization.NumberStyles.HexNumber, null, out var code) && code > 0xFFFF))
                    {
                        chars = 1;
                    }

                    v += chars - 1;
                    s += length;
                    break;
                default:
                    s++;
                    break;
            }
        }

        return Math.Min(s, source.Length);
    }
}
