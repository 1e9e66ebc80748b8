using System.Collections.Frozen;
using System.Text;

namespace OpenEvent.Rules.Evaluation.Conditions.Sql;

/// <summary>What one statement of a script does, as far as governance checks go.</summary>
/// <param name="Kind">DROP TABLE, TRUNCATE, INSERT OVERWRITE, INSERT INTO, CREATE TABLE, SELECT, ... (upper case).</param>
/// <param name="Line">The 1-based line of the script the statement starts on.</param>
/// <param name="Tokens">The script's tokens; the statement's are [<paramref name="Start"/>, <paramref name="End"/>).</param>
/// <param name="Reads">Tables read (FROM, JOIN, USING), without CTE names, in order, each once.</param>
/// <param name="Writes">Tables written (INSERT, CREATE, DROP, TRUNCATE, ALTER, DELETE, UPDATE, MERGE), in order, each once.</param>
/// <param name="SelectStar">A select list holds * or t.* (count(*) does not count).</param>
/// <param name="Overwrites">Each INSERT OVERWRITE target with whether it names a partition.</param>
internal sealed record SqlStatementInfo(
    string Kind,
    int Line,
    string Source,
    List<SqlToken> Tokens,
    int Start,
    int End,
    IReadOnlyList<string> Reads,
    IReadOnlyList<string> Writes,
    bool SelectStar,
    IReadOnlyList<(string Table, bool Partition)> Overwrites)
{
    /// <summary>
    /// The statement without comments, its strings written as '' and its tokens joined by single spaces: made when asked
    /// for (most conditions ask for kinds and tables; a script of 90,000 short statements spent its budget on these).
    /// </summary>
    public string Text => SqlAnalyzer.Stripped(Source, Tokens, Start, End);
}

/// <summary>
/// Splits a script into statements (at <c>;</c> tokens) and reads each: its kind, the tables it reads and writes,
/// <c>SELECT *</c>, and whether an INSERT OVERWRITE names a partition. Works on tokens (<see cref="SqlTokenizer"/>),
/// one forward pass per statement with an explicit stack for parentheses: linear in the text, no recursion.
/// Not a validating parser: what it cannot place, it leaves out.
/// </summary>
internal static class SqlAnalyzer
{
    // Words that end a table reference (they are not aliases).
    private static readonly FrozenSet<string> s_clauseWords = FrozenSet.ToFrozenSet(
    [
        "WHERE", "GROUP", "ORDER", "LIMIT", "JOIN", "LEFT", "RIGHT", "FULL", "INNER", "OUTER", "CROSS", "SEMI", "ANTI", "NATURAL",
        "ON", "USING", "UNION", "INTERSECT", "EXCEPT", "MINUS", "HAVING", "WINDOW", "LATERAL", "INSERT", "SELECT", "DISTRIBUTE",
        "SORT", "CLUSTER", "PARTITION", "TABLESAMPLE", "WITH", "SET", "VALUES", "RETURNING", "FOR", "QUALIFY", "WHEN", "THEN",
        "FROM", "LIMIT", "OFFSET", "FETCH", "INTO", "OVERWRITE", "TABLE", "AS", "MAPJOIN", "PIVOT", "UNPIVOT",
    ], StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenSet<string> s_createModifiers = FrozenSet.ToFrozenSet(
        ["OR", "REPLACE", "TEMPORARY", "TEMP", "EXTERNAL", "UNLOGGED", "GLOBAL", "LOCAL", "MATERIALIZED", "TRANSACTIONAL", "DELTA", "FOREIGN", "IF", "NOT", "EXISTS"],
        StringComparer.OrdinalIgnoreCase);

    /// <summary>The statements of <paramref name="text"/> (empty ones left out).</summary>
    public static List<SqlStatementInfo> Analyze(string text, SqlDialect dialect)
    {
        var tokens = SqlTokenizer.Tokenize(text, dialect);
        var statements = new List<SqlStatementInfo>();
        var reader = new StatementReader(text, tokens, dialect);
        var start = 0;
        for (var i = 0; i <= tokens.Count; i++)
        {
            if (i == tokens.Count || tokens[i].IsSymbol(text, ';'))
            {
                if (i > start)
                {
                    statements.Add(reader.Read(start, i));
                }

                start = i + 1;
            }
        }

        return statements;
    }

    /// <summary>The text without comments, strings written as '', tokens joined by single spaces.</summary>
    public static string Stripped(string text, List<SqlToken> tokens, int start, int end)
    {
        var builder = new StringBuilder();
        for (var i = start; i < end; i++)
        {
            if (i > start)
            {
                builder.Append(' ');
            }

            var token = tokens[i];
            if (token.Kind == SqlTokenKind.String)
            {
                builder.Append("''");
            }
            else
            {
                builder.Append(token.Span(text));
            }
        }

        return builder.ToString();
    }

    // Every word the reader compares with, in upper case, found from a token's text without a copy: a word per token
    // was made twice (ToString, ToUpperInvariant), most of what reading a script allocated.
    private static readonly FrozenSet<string> s_keywords = FrozenSet.ToFrozenSet(
    [
        .. s_clauseWords, .. s_createModifiers,
        "VALUES", "INSERT", "OVERWRITE", "CREATE", "DROP", "ALTER", "TRUNCATE", "DELETE", "UPDATE", "MERGE", "SET", "USE", "GRANT",
        "REVOKE", "SHOW", "EXPLAIN", "LOAD", "ANALYZE", "CALL", "COPY", "MSCK", "ADD", "WHOAMI", "KILL", "BEGIN", "COMMIT",
        "ROLLBACK", "DESC", "DESCRIBE", "VIEW", "ONLY", "DIRECTORY", "RECURSIVE", "DISTINCT", "ALL", "INDEX", "FUNCTION",
        "SCHEMA", "DATABASE", "RESOURCE",
    ], StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> s_keywordLookup = s_keywords.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> s_clauseWordLookup = s_clauseWords.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Reads one statement at a time; its collections are reused from one statement to the next.</summary>
    private sealed class StatementReader(string text, List<SqlToken> tokens, SqlDialect dialect)
    {
        private readonly List<string> _reads = [];
        private readonly List<string> _writes = [];
        private readonly List<(string, bool)> _overwrites = [];
        private readonly HashSet<string> _ctes = new(StringComparer.OrdinalIgnoreCase);
        private readonly Stack<(bool Select, bool InList)> _selectAt = new();
        private int start;
        private int end;

        public SqlStatementInfo Read(int from, int to)
        {
            (start, end) = (from, to);
            _reads.Clear();
            _writes.Clear();
            _overwrites.Clear();
            _ctes.Clear();
            _selectAt.Clear();
            var main = start;

            // ODPS script mode: @name := SELECT ...
            if (end - main > 2 && tokens[main].Kind == SqlTokenKind.Word && text[tokens[main].Start] == '@' && Is(main + 1, ":="))
            {
                main += 2;
            }

            main = SkipWith(main);
            var kind = KindAt(main, out var kindEnd);
            ReadWrites(kind, main, kindEnd);
            var selectStar = ScanQueries(main);
            return new SqlStatementInfo(kind, tokens[start].Line, text, tokens, start, end, Distinct(_reads, _ctes), Distinct(_writes, null),
                selectStar, _overwrites.Count == 0 ? [] : _overwrites.ToArray());
        }

        /// <summary>Each name once, in order, without <paramref name="leftOut"/>; the shared empty list when none.</summary>
        private static IReadOnlyList<string> Distinct(List<string> names, HashSet<string>? leftOut)
        {
            if (names.Count == 0)
            {
                return [];
            }

            var kept = new List<string>(names.Count);
            foreach (var name in names)
            {
                if (leftOut?.Contains(name) != true && !kept.Contains(name, StringComparer.Ordinal))
                {
                    kept.Add(name);
                }
            }

            return kept;
        }

        private bool Word(int i, string word) => i < end && tokens[i].IsWord(text, word);

        private bool Symbol(int i, char symbol) => i < end && tokens[i].IsSymbol(text, symbol);

        private bool Is(int i, string symbol) => i < end && tokens[i].Kind == SqlTokenKind.Symbol && tokens[i].Span(text).SequenceEqual(symbol);

        // The word at i in upper case: a keyword's own string, a copy only for other words ("" for no word).
        private string Upper(int i) =>
            i < end && tokens[i].Kind == SqlTokenKind.Word
                ? s_keywordLookup.TryGetValue(tokens[i].Span(text), out var keyword) ? keyword : tokens[i].Span(text).ToString().ToUpperInvariant()
                : "";

        // The keyword at i, or "" for any other token (no copy): what the scan of every word asks.
        private string Keyword(int i) =>
            i < end && tokens[i].Kind == SqlTokenKind.Word && s_keywordLookup.TryGetValue(tokens[i].Span(text), out var keyword) ? keyword : "";

        // After a balanced (...) starting at i; end when unbalanced.
        private int SkipParens(int i)
        {
            var depth = 0;
            for (; i < end; i++)
            {
                if (Symbol(i, '('))
                {
                    depth++;
                }
                else if (Symbol(i, ')') && --depth == 0)
                {
                    return i + 1;
                }
            }

            return end;
        }

        // WITH [RECURSIVE] name [(cols)] AS [[NOT] MATERIALIZED] (...) [, ...]: records the names, returns the main statement.
        private int SkipWith(int i)
        {
            if (!Word(i, "WITH"))
            {
                return i;
            }

            i++;
            if (Word(i, "RECURSIVE"))
            {
                i++;
            }

            while (i < end)
            {
                if (tokens[i].Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)
                {
                    _ctes.Add(NamePart(i));
                    i++;
                }

                if (Symbol(i, '('))
                {
                    i = SkipParens(i);
                }

                if (Word(i, "AS"))
                {
                    i++;
                }

                while (Word(i, "NOT") || Word(i, "MATERIALIZED"))
                {
                    i++;
                }

                if (!Symbol(i, '('))
                {
                    return i;
                }

                i = SkipParens(i);
                if (!Symbol(i, ','))
                {
                    return i;
                }

                i++;
            }

            return i;
        }

        private string KindAt(int i, out int next)
        {
            next = i + 1;
            if (i >= end)
            {
                return "OTHER";
            }

            if (Symbol(i, '('))
            {
                return "SELECT";
            }

            var first = Upper(i);
            switch (first)
            {
                case "SELECT" or "VALUES" or "TABLE":
                    return "SELECT";
                case "INSERT":
                    next = i + 2;
                    return Word(i + 1, "OVERWRITE") ? "INSERT OVERWRITE" : "INSERT INTO";
                case "FROM":
                    return KindOfFromFirst(i);
                case "CREATE" or "DROP":
                    return KindOfCreateOrDrop(first, i, out next);
                case "ALTER":
                    next = i + 2;
                    return Upper(i + 1) is { Length: > 0 } altered ? "ALTER " + altered : "ALTER";
                case "TRUNCATE" or "DELETE" or "UPDATE" or "MERGE" or "SET" or "USE" or "GRANT" or "REVOKE" or "SHOW" or "EXPLAIN"
                    or "LOAD" or "ANALYZE" or "CALL" or "COPY" or "MSCK" or "ADD" or "WHOAMI" or "KILL" or "BEGIN" or "COMMIT" or "ROLLBACK":
                    return first;
                case "DESC" or "DESCRIBE":
                    return "DESCRIBE";
                case "":
                    return "OTHER";
                default:
                    return first;
            }
        }

        // Hive's FROM src INSERT ... (several inserts in one statement): the kind of the first.
        private string KindOfFromFirst(int i)
        {
            for (var j = i + 1; j < end; j++)
            {
                if (Word(j, "INSERT"))
                {
                    return Word(j + 1, "OVERWRITE") ? "INSERT OVERWRITE" : "INSERT INTO";
                }
            }

            return "SELECT";
        }

        // CREATE [OR REPLACE] [TEMPORARY] ... TABLE: the verb and the object, past the modifiers.
        private string KindOfCreateOrDrop(string first, int i, out int next)
        {
            var j = i + 1;
            while (j < end && s_createModifiers.Contains(Upper(j)))
            {
                j++;
            }

            next = j + 1;
            return Upper(j) is { Length: > 0 } what ? first + " " + what : first;
        }

        private void ReadWrites(string kind, int main, int next)
        {
            ReadStatementTarget(kind, next);
            ReadInsertTargets(main);
        }

        // The table a DDL or DML statement writes, named right after its verb (CREATE TABLE t, DELETE FROM t, ...).
        private void ReadStatementTarget(string kind, int next)
        {
            switch (kind)
            {
                case "CREATE TABLE" or "CREATE VIEW" or "ALTER TABLE" or "ALTER VIEW":
                    SkipIfExists(ref next);
                    if (Word(next, "ONLY"))
                    {
                        next++;
                    }

                    AddName(_writes, next);
                    if (kind == "CREATE TABLE" && Word(next + NameLength(next), "LIKE"))
                    {
                        AddName(_reads, next + NameLength(next) + 1);
                    }

                    break;
                case "DROP TABLE" or "DROP VIEW" or "TRUNCATE":
                    if (kind == "TRUNCATE" && Word(next, "TABLE"))
                    {
                        next++;
                    }

                    SkipIfExists(ref next);
                    NameList(_writes, next);
                    break;
                case "DELETE":
                    AddName(_writes, Word(next, "FROM") ? next + 1 : next);
                    break;
                case "UPDATE":
                    AddName(_writes, Word(next, "ONLY") ? next + 1 : next);
                    break;
                case "MERGE":
                    AddName(_writes, Word(next, "INTO") ? next + 1 : next);
                    break;
            }
        }

        // Every INSERT of the statement (Hive puts several after one FROM).
        private void ReadInsertTargets(int main)
        {
            for (var i = main; i < end; i++)
            {
                if (!Word(i, "INSERT"))
                {
                    continue;
                }

                var overwrite = Word(i + 1, "OVERWRITE");
                var j = i + 2;
                if (Word(j, "TABLE"))
                {
                    j++;
                }

                if (Word(j, "DIRECTORY") || Word(j, "LOCAL"))
                {
                    continue;
                }

                if (AddName(_writes, j) is { } table && overwrite)
                {
                    _overwrites.Add((table, Word(j + NameLength(j), "PARTITION")));
                }
            }
        }

        private void SkipIfExists(ref int i)
        {
            if (Word(i, "IF"))
            {
                i++;
                if (Word(i, "NOT"))
                {
                    i++;
                }

                if (Word(i, "EXISTS"))
                {
                    i++;
                }
            }
        }

        private void NameList(List<string> into, int i)
        {
            while (AddName(into, i) is not null)
            {
                i += NameLength(i);
                if (!Symbol(i, ','))
                {
                    return;
                }

                i++;
            }
        }

        // Reads every FROM / JOIN / USING table and finds SELECT * (by parenthesis depth: a FROM belongs to the SELECT
        // of its depth, so EXTRACT(YEAR FROM d) and TRIM(x FROM y) read nothing).
        private bool ScanQueries(int main)
        {
            var selectAt = _selectAt;
            var current = (Select: false, InList: false);
            var star = false;
            var deleteTarget = Keyword(main) == "DELETE" && Word(main + 1, "FROM") ? main + 1 : -1;

            // UPDATE t SET ... FROM s and DELETE FROM t USING s (Hologres) read at the top level without a SELECT.
            var topLevelReads = Keyword(main) is "UPDATE" or "DELETE";
            for (var i = start; i < end; i++)
            {
                var token = tokens[i];
                if (token.Kind == SqlTokenKind.Symbol)
                {
                    star |= ScanSymbol(i, selectAt, ref current);
                }
                else if (token.Kind == SqlTokenKind.Word)
                {
                    var readsAtTopLevel = topLevelReads && selectAt.Count == 0;
                    ScanWord(i, i == main, i == deleteTarget, readsAtTopLevel, ref current);
                }
            }

            return star;
        }

        // A parenthesis opens or closes a query level; true for a * in a select list.
        private bool ScanSymbol(int i, Stack<(bool Select, bool InList)> selectAt, ref (bool Select, bool InList) current)
        {
            if (Symbol(i, '('))
            {
                selectAt.Push(current);
                current = (false, false);
            }
            else if (Symbol(i, ')'))
            {
                current = selectAt.Count > 0 ? selectAt.Pop() : (false, false);
            }
            else if (Symbol(i, '*') && current.InList && i > start && IsStarPosition(i - 1))
            {
                return true;
            }

            return false;
        }

        private void ScanWord(int i, bool isMain, bool isDeleteTarget, bool readsAtTopLevel, ref (bool Select, bool InList) current)
        {
            switch (Keyword(i))
            {
                case "SELECT":
                    current = (true, true);
                    break;
                case "FROM" when isDeleteTarget:
                    break;
                case "FROM" when current.Select || isMain || readsAtTopLevel:
                    current.InList = false;
                    TableList(i + 1, commaList: true);
                    break;
                case "FROM":
                    // FROM inside a function call (EXTRACT, SUBSTRING, TRIM): not a table.
                    break;
                case "JOIN":
                    TableList(i + 1, commaList: false);
                    break;
                case "USING" when !Symbol(i + 1, '('):
                    TableList(i + 1, commaList: false);
                    break;
                case "INTO" or "WHERE" or "GROUP" or "ORDER" or "LIMIT" or "UNION" or "INTERSECT" or "EXCEPT" or "MINUS" or "HAVING":
                    current.InList = false;
                    break;
            }
        }

        // * in a select list: right after SELECT / DISTINCT / ALL, after a comma, or qualified (t.*).
        private bool IsStarPosition(int previous) =>
            Symbol(previous, ',') || Symbol(previous, '.') || Word(previous, "SELECT") || Word(previous, "DISTINCT") || Word(previous, "ALL");

        private void TableList(int i, bool commaList)
        {
            while (i < end)
            {
                if (Word(i, "ONLY") || Word(i, "LATERAL"))
                {
                    i++;
                }

                if (Symbol(i, '('))
                {
                    // A subquery: its own FROMs are read where they are; a FROM list may go on after its alias.
                    i = SkipParens(i);
                }
                else
                {
                    var length = NameLength(i);
                    if (length == 0)
                    {
                        return;
                    }

                    // name(...) is a table function (UNNEST, generate_series, ...), not a table.
                    if (Symbol(i + length, '('))
                    {
                        i = SkipParens(i + length);
                    }
                    else
                    {
                        AddName(_reads, i);
                        i += length;
                    }
                }

                if (!commaList)
                {
                    return;
                }

                // [AS] alias, then a comma for the next table of a FROM list.
                if (Word(i, "AS"))
                {
                    i++;
                }

                if (i < end && tokens[i].Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier && !s_clauseWordLookup.Contains(tokens[i].Span(text)))
                {
                    i++;
                }

                if (!Symbol(i, ','))
                {
                    return;
                }

                i++;
            }
        }

        // A qualified name: part ( . part )*, each part a word, a quoted identifier or a ${variable}. 0 when none starts at i.
        private int NameLength(int i)
        {
            if (!IsNamePart(i))
            {
                return 0;
            }

            var j = i + 1;
            while (Symbol(j, '.') && IsNamePart(j + 1))
            {
                j += 2;
            }

            return j - i;
        }

        private bool IsNamePart(int i) =>
            i < end && (tokens[i].Kind is SqlTokenKind.QuotedIdentifier or SqlTokenKind.Variable
                || (tokens[i].Kind == SqlTokenKind.Word && !s_clauseWordLookup.Contains(tokens[i].Span(text))));

        private string? AddName(List<string> into, int i)
        {
            var length = NameLength(i);
            if (length == 0)
            {
                return null;
            }

            var name = new StringBuilder();
            for (var j = i; j < i + length; j++)
            {
                name.Append(Symbol(j, '.') ? "." : NamePart(j));
            }

            var table = name.ToString();

            // @name is an ODPS script variable holding a query, not a table.
            if (table.StartsWith('@'))
            {
                return null;
            }

            into.Add(table);
            return table;
        }

        // Unquoted names fold to lower case (all three dialects compare them so); quoted ones keep their case in Hologres.
        private string NamePart(int i)
        {
            var token = tokens[i];
            var span = token.Span(text);
            return token.Kind switch
            {
                SqlTokenKind.QuotedIdentifier when dialect == SqlDialect.Hologres => Unquote(span, '"'),
                SqlTokenKind.QuotedIdentifier => Unquote(span, '`').ToLowerInvariant(),
                SqlTokenKind.Variable => span.ToString(),
                _ when span.Contains("${", StringComparison.Ordinal) => span.ToString(), // scheduling parameters keep their case
                _ => span.ToString().ToLowerInvariant(),
            };
        }

        private static string Unquote(ReadOnlySpan<char> quoted, char quote)
        {
            var inner = quoted.Length >= 2 && quoted[^1] == quote ? quoted[1..^1] : quoted[1..];
            return inner.ToString().Replace(new string(quote, 2), quote.ToString(), StringComparison.Ordinal);
        }
    }
}
