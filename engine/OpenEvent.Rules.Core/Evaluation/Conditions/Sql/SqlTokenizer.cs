namespace OpenEvent.Rules.Evaluation.Conditions.Sql;

// The SQL dialects DataWorks nodes run, as far as reading them apart goes: where comments, strings and quoted
// identifiers start and end. Nothing here guesses from raw text: a `;` or `--` inside a string, a `*/` inside a
// string, a keyword inside a comment are what the dialect says they are.

/// <summary>The dialect a script is read in.</summary>
internal enum SqlDialect
{
    /// <summary>MaxCompute (ODPS) SQL: '...' and "..." strings with backslash escapes, `...` identifiers, -- and /* */ comments, ${var} variables, @var script variables.</summary>
    MaxCompute,

    /// <summary>Hive (EMR Hive, Spark SQL): as MaxCompute.</summary>
    Hive,

    /// <summary>Hologres (PostgreSQL): '...' strings with '' doubled (E'...' with backslash escapes), "..." identifiers, $tag$...$tag$ strings, nested /* */ comments.</summary>
    Hologres,
}

internal enum SqlTokenKind : byte
{
    /// <summary>A keyword or an unquoted identifier (also @var).</summary>
    Word,

    /// <summary>`name` or "name" (Hologres).</summary>
    QuotedIdentifier,

    String,
    Number,

    /// <summary>${name}: a DataWorks scheduling parameter.</summary>
    Variable,

    /// <summary>An operator or punctuation: one character, or one of := :: &lt;&gt; != &lt;= &gt;= || ->.</summary>
    Symbol,
}

/// <summary>One token: its kind, where it is in the text, and the 1-based line it starts on.</summary>
internal readonly record struct SqlToken(SqlTokenKind Kind, int Start, int Length, int Line)
{
    public ReadOnlySpan<char> Span(string text) => text.AsSpan(Start, Length);

    public bool IsWord(string text, string word) =>
        Kind == SqlTokenKind.Word && Span(text).Equals(word, StringComparison.OrdinalIgnoreCase);

    public bool IsSymbol(string text, char symbol) => Kind == SqlTokenKind.Symbol && Length == 1 && text[Start] == symbol;
}

/// <summary>
/// Splits SQL text into tokens, dropping whitespace and comments. One forward pass, no recursion, no backtracking:
/// linear in the text whatever it holds (an unterminated string or comment runs to the end of the text).
/// </summary>
internal static class SqlTokenizer
{
    /// <summary>The longest text read: 16 Mi characters (a DataWorks file is seldom more than a few MB).</summary>
    public const int MaxChars = 16 * 1024 * 1024;

    /// <summary>The tokens of <paramref name="text"/>; throws <see cref="ArgumentException"/> above <see cref="MaxChars"/>.</summary>
    public static List<SqlToken> Tokenize(string text, SqlDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxChars)
        {
            throw new ArgumentException($"The SQL text has {text.Length:N0} characters; at most {MaxChars:N0} are read.", nameof(text));
        }

        var tokens = new List<SqlToken>(Math.Min(text.Length / 4 + 4, 1 << 16));
        var postgres = dialect == SqlDialect.Hologres;
        var line = 1;
        var i = 0;
        while (i < text.Length)
        {
            if (TrySkipTrivia(text, ref i, postgres, ref line))
            {
                continue;
            }

            var start = i;
            var startLine = line;
            var kind = ReadToken(text, ref i, postgres, ref line);
            tokens.Add(new SqlToken(kind, start, i - start, startLine));
        }

        return tokens;
    }

    /// <summary>Skips one piece of whitespace or one comment at <paramref name="i"/>; false when a token starts there.</summary>
    private static bool TrySkipTrivia(string text, ref int i, bool postgres, ref int line)
    {
        var c = text[i];
        if (c == '\n')
        {
            line++;
            i++;
        }
        else if (char.IsWhiteSpace(c))
        {
            i++;
        }
        else if (c == '-' && Peek(text, i + 1) == '-')
        {
            while (i < text.Length && text[i] != '\n')
            {
                i++;
            }
        }
        else if (c == '/' && Peek(text, i + 1) == '*')
        {
            i = SkipBlockComment(text, i + 2, nested: postgres, ref line);
        }
        else
        {
            return false;
        }

        return true;
    }

    /// <summary>Reads the token that starts at <paramref name="i"/>, leaving <paramref name="i"/> just past it.</summary>
    private static SqlTokenKind ReadToken(string text, ref int i, bool postgres, ref int line)
    {
        var c = text[i];
        if (c == '\'' || (c == '"' && !postgres))
        {
            i = SkipQuoted(text, i + 1, c, backslash: !postgres, ref line);
            return SqlTokenKind.String;
        }

        if (postgres && (c is 'E' or 'e') && Peek(text, i + 1) == '\'')
        {
            i = SkipQuoted(text, i + 2, '\'', backslash: true, ref line);
            return SqlTokenKind.String;
        }

        if (c == '`' || (c == '"' && postgres))
        {
            i = SkipQuoted(text, i + 1, c, backslash: false, ref line);
            return SqlTokenKind.QuotedIdentifier;
        }

        if (c == '$' && Peek(text, i + 1) == '{')
        {
            // ${bizdate}, or a name built with one (${project}_orders): a word then.
            i = SkipVariable(text, i);
            if (i < text.Length && (IsWordPart(text[i]) || (text[i] == '$' && Peek(text, i + 1) == '{')))
            {
                i = SkipWordTail(text, i);
                return SqlTokenKind.Word;
            }

            return SqlTokenKind.Variable;
        }

        if (postgres && c == '$' && DollarTag(text, i) is var tagLength and > 0)
        {
            i = SkipDollarQuoted(text, i, tagLength, ref line);
            return SqlTokenKind.String;
        }

        if (char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(Peek(text, i + 1))))
        {
            i = SkipNumber(text, i);
            return SqlTokenKind.Number;
        }

        if (IsWordStart(c) || (c == '@' && IsWordStart(Peek(text, i + 1))))
        {
            i = SkipWordTail(text, i + 1);
            return SqlTokenKind.Word;
        }

        i += SymbolLength(text, i);
        return SqlTokenKind.Symbol;
    }

    private static char Peek(string text, int index) => index < text.Length ? text[index] : '\0';

    private static bool IsWordStart(char c) => char.IsLetter(c) || c == '_';

    private static bool IsWordPart(char c) => char.IsLetterOrDigit(c) || c is '_' or '$';

    // Word characters and embedded ${variables} (tmp_orders_${bizdate}).
    private static int SkipWordTail(string text, int i)
    {
        while (i < text.Length)
        {
            if (text[i] == '$' && Peek(text, i + 1) == '{')
            {
                i = SkipVariable(text, i);
            }
            else if (IsWordPart(text[i]))
            {
                i++;
            }
            else
            {
                break;
            }
        }

        return i;
    }

    // ${name}: to the closing brace, or to the end of the line when it has none.
    private static int SkipVariable(string text, int i)
    {
        i += 2;
        while (i < text.Length && text[i] != '}' && text[i] != '\n')
        {
            i++;
        }

        return i < text.Length && text[i] == '}' ? i + 1 : i;
    }

    private static int SkipBlockComment(string text, int i, bool nested, ref int line)
    {
        var depth = 1;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\n')
            {
                line++;
            }
            else if (c == '*' && Peek(text, i + 1) == '/')
            {
                i += 2;
                if (--depth == 0)
                {
                    return i;
                }

                continue;
            }
            else if (nested && c == '/' && Peek(text, i + 1) == '*')
            {
                depth++;
                i += 2;
                continue;
            }

            i++;
        }

        return i;
    }

    // From after the opening quote to after the closing one. A doubled quote is the quote itself; with backslash
    // escapes, \x is x (so \' does not end the string).
    private static int SkipQuoted(string text, int i, char quote, bool backslash, ref int line)
    {
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\n')
            {
                line++;
            }

            if (backslash && c == '\\')
            {
                if (Peek(text, i + 1) == '\n')
                {
                    line++;
                }

                i += 2;
                continue;
            }

            if (c == quote)
            {
                if (Peek(text, i + 1) == quote)
                {
                    i += 2;
                    continue;
                }

                return i + 1;
            }

            i++;
        }

        return text.Length;
    }

    // $$ or $tag$ (tag: a letter or _, then letters, digits or _); 0 when $ does not open a dollar-quoted string ($1 is a parameter).
    private static int DollarTag(string text, int i)
    {
        var j = i + 1;
        if (Peek(text, j) == '$')
        {
            return 2;
        }

        if (!IsWordStart(Peek(text, j)))
        {
            return 0;
        }

        while (j < text.Length && (char.IsLetterOrDigit(text[j]) || text[j] == '_'))
        {
            j++;
        }

        return Peek(text, j) == '$' ? j - i + 1 : 0;
    }

    private static int SkipDollarQuoted(string text, int i, int tagLength, ref int line)
    {
        var tag = text.AsSpan(i, tagLength);
        var bodyStart = i + tagLength;
        var end = text.AsSpan(bodyStart).IndexOf(tag, StringComparison.Ordinal);
        var stop = end < 0 ? text.Length : bodyStart + end + tagLength;
        line += text.AsSpan(i, stop - i).Count('\n');
        return stop;
    }

    private static int SkipNumber(string text, int i)
    {
        while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
        {
            i++;
        }

        if (i < text.Length && text[i] is 'e' or 'E' && (char.IsAsciiDigit(Peek(text, i + 1)) || (Peek(text, i + 1) is '+' or '-' && char.IsAsciiDigit(Peek(text, i + 2)))))
        {
            i += 2;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
        }

        // Suffixes such as 10L, 1.5BD (MaxCompute literals) stay with the number.
        while (i < text.Length && char.IsAsciiLetter(text[i]))
        {
            i++;
        }

        return i;
    }

    private static int SymbolLength(string text, int i)
    {
        var pair = (text[i], Peek(text, i + 1));
        return pair is (':', '=') or (':', ':') or ('<', '>') or ('!', '=') or ('<', '=') or ('>', '=') or ('|', '|') or ('-', '>') ? 2 : 1;
    }
}
