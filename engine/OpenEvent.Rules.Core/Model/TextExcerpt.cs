using System.Text;

namespace OpenEvent.Rules.Model;

/// <summary>
/// Bounds text that may come from a file before it is shown: diagnostics reach the host log, GET /policies and CI
/// output, so a key, a value or an exception message is cut to an excerpt and its control characters are escaped
/// (a newline in a key must not forge a log line), and so are the characters that reorder or break what a terminal
/// shows: bidirectional overrides and isolates (U+202E made "exe.txt" read as "txt.exe") and the line and paragraph
/// separators.
/// </summary>
public static class TextExcerpt
{
    /// <summary>The longest quoted value (a key, a token, a value) a diagnostic shows.</summary>
    public const int MaxQuoted = 60;

    /// <summary>The longest message or hint of a diagnostic; longer ones are cut.</summary>
    public const int MaxDiagnosticText = 500;

    /// <summary>At most <paramref name="max"/> characters, cut with "..." and with control characters escaped.</summary>
    public static string Of(string text, int max = MaxQuoted)
    {
        if (text.Length <= max)
        {
            return ContainsControl(text) ? Escape(text.AsSpan()) : text;
        }

        return Escape(Head(text, max - 3)) + "...";
    }

    /// <summary>
    /// At most <paramref name="max"/> characters, cut with "...", the text otherwise as it is (control characters kept:
    /// for text whose reader is not a log line, such as the tip DataWorks shows).
    /// </summary>
    public static string Cut(string text, int max) => text.Length <= max ? text : string.Concat(Head(text, max - 3), "...");

    /// <summary>The first <paramref name="length"/> characters (at least none), one fewer when that would leave half a surrogate pair (an emoji became U+FFFD).</summary>
    private static ReadOnlySpan<char> Head(string text, int length)
    {
        var span = text.AsSpan(0, Math.Clamp(length, 0, text.Length));
        return span.Length > 0 && char.IsHighSurrogate(span[^1]) ? span[..^1] : span;
    }

    /// <summary>The whole <paramref name="text"/> on one line: control characters escaped (\n, \r, \t, \u001b), nothing cut.</summary>
    public static string Escape(string text) => ContainsControl(text) ? Escape(text.AsSpan()) : text;

    private static string Escape(ReadOnlySpan<char> span)
    {
        var result = new StringBuilder(span.Length + 8);
        foreach (var c in span)
        {
            _ = c switch
            {
                '\n' => result.Append("\\n"),
                '\r' => result.Append("\\r"),
                '\t' => result.Append("\\t"),
                _ when IsUnsafe(c) => result.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture)),
                _ => result.Append(c),
            };
        }

        return result.ToString();
    }

    private static bool ContainsControl(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (IsUnsafe(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Control characters, bidirectional marks, embeddings, overrides and isolates, and the Unicode line and paragraph separators.</summary>
    private static bool IsUnsafe(char c) =>
        char.IsControl(c) || c is '\u061C' or '\u200E' or '\u200F' or '\u2028' or '\u2029' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
}
