namespace OpenEvent.Rules.Model;

/// <summary>
/// Where a character of a double-quoted YAML scalar's value is in its source text. An escape is several characters in
/// the file and one in the value (<c>\"</c>, <c>\u00e9</c>), so without this the columns of a condition written in double
/// quotes drifted by one per escaped quote and pointed at the wrong character.
/// </summary>
internal static class DoubleQuotedText
{
    /// <summary>
    /// The offset in <paramref name="source"/> (the text between the quotes, as written) of character
    /// <paramref name="valueIndex"/> of the value; -1 when the source holds a line break (folding is not mapped).
    /// </summary>
    public static int SourceIndex(string source, int valueIndex)
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
