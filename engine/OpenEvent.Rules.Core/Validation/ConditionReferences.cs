using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Validation;

/// <summary>
/// Finds the registry names a C# condition uses: <c>InSet("set", ...)</c> and <c>HasLabel("label")</c>, so that a
/// set or label that does not exist is reported when the policies are loaded, like a set named in a pattern. Core has
/// no C# compiler (the sandbox in OpenEvent.Rules.Expressions does the real checks); a light scan is enough here,
/// because the sandbox only lets conditions call these two names on the condition view: string and character
/// literals and comments are skipped, so a name inside a string is not taken for a call.
/// </summary>
internal static class ConditionReferences
{
    private static readonly string[] s_methods = ["InSet", "HasLabel"];

    /// <param name="Method">InSet or HasLabel.</param>
    /// <param name="Argument">The first argument when it is a plain string literal; null otherwise.</param>
    /// <param name="Offset">Where the argument starts in the expression (the method name when there is none).</param>
    public sealed record Reference(string Method, string? Argument, int Offset);

    public static IEnumerable<Reference> Find(string expression)
    {
        var i = 0;
        while (i < expression.Length)
        {
            var c = expression[i];
            if (c == '/' && i + 1 < expression.Length && expression[i + 1] is '/' or '*')
            {
                i = SkipComment(expression, i);
            }
            else if (c is '"' or '\'' || (c is '@' or '$' && i + 1 < expression.Length && expression[i + 1] is '"' or '@' or '$'))
            {
                i = SkipLiteral(expression, i);
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < expression.Length && (char.IsLetterOrDigit(expression[i]) || expression[i] == '_'))
                {
                    i++;
                }

                var name = expression[start..i];
                var previous = start > 0 ? expression[start - 1] : ' ';
                if (s_methods.Contains(name) && previous == '.' && Call(expression, i) is { } argument)
                {
                    yield return new Reference(name, argument.Text, argument.Offset < 0 ? start : argument.Offset);
                }
            }
            else
            {
                i++;
            }
        }
    }

    /// <summary>The first argument of the call whose name ends before <paramref name="i"/>: its literal text, or null text when it is not a literal.</summary>
    private static (string? Text, int Offset)? Call(string expression, int i)
    {
        i = SkipSpace(expression, i);
        if (i >= expression.Length || expression[i] != '(')
        {
            return null;
        }

        i = SkipSpace(expression, i + 1);
        if (i >= expression.Length || expression[i] != '"')
        {
            return (null, i < expression.Length ? i : -1);
        }

        var end = expression.IndexOf('"', i + 1);
        var text = end < 0 ? null : expression[(i + 1)..end];

        // A literal with escapes or followed by more than a separator (e.g. "a" + b) is not a plain name.
        if (text is null || text.Contains('\\', StringComparison.Ordinal) || SkipSpace(expression, end + 1) is var next && next < expression.Length && expression[next] is not (',' or ')'))
        {
            return (null, i);
        }

        return (text, i);
    }

    private static int SkipSpace(string text, int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        return i;
    }

    private static int SkipComment(string text, int i)
    {
        if (text[i + 1] == '/')
        {
            var end = text.IndexOf('\n', i);
            return end < 0 ? text.Length : end + 1;
        }

        var close = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
        return close < 0 ? text.Length : close + 2;
    }

    // Skips a string or character literal: regular ("..\".."), verbatim (@"..""..") and interpolated ($"..."): an
    // interpolation's holes are skipped with the text, which only means a call inside one is not checked here.
    private static int SkipLiteral(string text, int i)
    {
        var verbatim = false;
        while (i < text.Length && text[i] is '@' or '$')
        {
            verbatim |= text[i] == '@';
            i++;
        }

        if (i >= text.Length)
        {
            return i;
        }

        var quote = text[i];
        for (i++; i < text.Length; i++)
        {
            if (!verbatim && text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == quote)
            {
                if (verbatim && i + 1 < text.Length && text[i + 1] == quote)
                {
                    i++;
                    continue;
                }

                return i + 1;
            }
        }

        return i;
    }

    /// <summary>
    /// The file position of character <paramref name="offset"/> of the condition's text, as the condition compiler maps
    /// its own diagnostics (Compilation.Conditions.ConditionSource.Map, which Validation cannot reach).
    /// </summary>
    public static SourceLocation Locate(ConditionDefinition condition, int offset)
    {
        var start = condition.ContentStart;
        var text = condition.Expression;
        offset = Math.Clamp(offset, 0, text.Length);
        if (start.Line <= 0)
        {
            return start;
        }

        switch (condition.Style)
        {
            case ConditionTextStyle.Literal:
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

                return start with { Line = start.Line + line, Column = start.Column + (offset - lineStart) };
            case ConditionTextStyle.Folded:
                return start;
            default:
                var newline = text.IndexOf('\n', StringComparison.Ordinal);
                return newline >= 0 && offset > newline ? start : start with { Column = start.Column + offset };
        }
    }
}
