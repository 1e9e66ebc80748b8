using OpenEvent.Rules.Evaluation.Conditions.Sql;

namespace OpenEvent.Rules.Evaluation.Conditions;

/// <summary>
/// A SQL script read apart for a condition (<c>e.Detail.Sql</c>, <c>e.Sql(text)</c>): its statements, their kinds,
/// the tables they read and write, <c>SELECT *</c>, INSERT OVERWRITE without a partition. Comments and string
/// literals are told apart by a tokenizer of the dialect, so <c>'DROP TABLE x'</c> or <c>-- DROP TABLE x</c> is no
/// DROP TABLE and a <c>;</c> inside a string splits nothing. Reading costs a step per 256 characters, charged first; a
/// text over 16 Mi characters is refused (an error of the condition).
/// </summary>
public sealed class SqlScript
{
    private readonly string _source;
    private readonly List<SqlStatement> _statements;
    private string? _text;

    private SqlScript(string source, SqlDialect dialect, List<SqlStatement> statements)
    {
        _source = source;
        DialectKind = dialect;
        _statements = statements;
    }

    /// <summary>A script with no statement (what a missing Content reads as).</summary>
    public static SqlScript Empty { get; } = new("", SqlDialect.MaxCompute, []);

    /// <summary>maxcompute, hive or hologres.</summary>
    public string Dialect => DialectName(DialectKind);

    internal SqlDialect DialectKind { get; }

    /// <summary>The statements, in order; empty ones (;;) are left out.</summary>
    public IReadOnlyList<SqlStatement> Statements => _statements;

    public int Count => _statements.Count;

    /// <summary>The script without comments, string literals written as <c>''</c>, statements joined by <c>; </c>.</summary>
    public string Text => _text ??= string.Join("; ", _statements.Select(s => s.Text));

    /// <summary>The kinds of the statements, each once, in order (DROP TABLE, TRUNCATE, INSERT OVERWRITE, SELECT, ...).</summary>
    public IReadOnlyList<string> Kinds => [.. _statements.Select(s => s.Kind).Distinct(StringComparer.Ordinal)];

    /// <summary>Whether some statement is of <paramref name="kind"/> (case-insensitive: <c>Has("drop table")</c>).</summary>
    public bool Has(string kind) => _statements.Any(s => s.Is(kind));

    /// <summary>The tables read by the statements (FROM, JOIN, USING; CTE names left out), each once.</summary>
    public IReadOnlyList<string> TablesRead => [.. _statements.SelectMany(s => s.Reads).Distinct(StringComparer.Ordinal)];

    /// <summary>The tables written, created, dropped, truncated or altered, each once.</summary>
    public IReadOnlyList<string> TablesWritten => [.. _statements.SelectMany(s => s.Writes).Distinct(StringComparer.Ordinal)];

    /// <summary>Whether some select list holds <c>*</c> or <c>t.*</c>.</summary>
    public bool SelectStar => _statements.Any(s => s.SelectStar);

    /// <summary>Whether some INSERT OVERWRITE names no partition (it replaces the whole table).</summary>
    public bool OverwritesWithoutPartition => _statements.Any(s => s.OverwritesWithoutPartition);

    public override string ToString() => _source.Length <= 80 ? _source : _source[..80] + "…";

    /// <summary>Reads <paramref name="text"/> (null reads as an empty script) in <paramref name="dialect"/>, charging the running condition first.</summary>
    internal static SqlScript Parse(string? text, SqlDialect dialect)
    {
        if (string.IsNullOrEmpty(text))
        {
            return dialect == SqlDialect.MaxCompute ? Empty : new SqlScript("", dialect, []);
        }

        ConditionBudget.ChargeWork(text.Length, ConditionGuard.CharsPerStep);
        var statements = SqlAnalyzer.Analyze(text, dialect).Select(s => new SqlStatement(s)).ToList();
        return new SqlScript(text, dialect, statements);
    }

    /// <summary>maxcompute / odps, hive / emr / spark, hologres / holo / postgres (any case).</summary>
    internal static SqlDialect ParseDialect(string? name) => name?.Trim().ToUpperInvariant() switch
    {
        null or "" or "MAXCOMPUTE" or "ODPS" => SqlDialect.MaxCompute,
        "HIVE" or "EMR" or "SPARK" => SqlDialect.Hive,
        "HOLOGRES" or "HOLO" or "POSTGRES" or "POSTGRESQL" => SqlDialect.Hologres,
        _ => throw new ArgumentException($"Unknown SQL dialect '{name}': use maxcompute, hive or hologres.", nameof(name)),
    };

    internal static string DialectName(SqlDialect dialect) => dialect switch
    {
        SqlDialect.Hive => "hive",
        SqlDialect.Hologres => "hologres",
        _ => "maxcompute",
    };

    /// <summary>
    /// The dialect of a DataWorks file type (reference 3.3): 227 EMR Hive and 229 EMR Spark SQL read as Hive, 1091 and
    /// 1093 Hologres as Hologres, anything else (10 ODPS SQL, 24 ODPS Script, ...) as MaxCompute.
    /// </summary>
    internal static SqlDialect DialectOfFileType(long fileType) => fileType switch
    {
        227 or 229 => SqlDialect.Hive,
        1091 or 1093 => SqlDialect.Hologres,
        _ => SqlDialect.MaxCompute,
    };
}

/// <summary>One statement of a <see cref="SqlScript"/>.</summary>
public sealed class SqlStatement
{
    private readonly SqlStatementInfo _info;

    internal SqlStatement(SqlStatementInfo info) => _info = info;

    /// <summary>DROP TABLE, DROP VIEW, TRUNCATE, INSERT OVERWRITE, INSERT INTO, CREATE TABLE, ALTER TABLE, SELECT, DELETE, UPDATE, MERGE, SET, ...</summary>
    public string Kind => _info.Kind;

    /// <summary>The 1-based line of the script the statement starts on.</summary>
    public int Line => _info.Line;

    /// <summary>The statement without comments, strings written as <c>''</c>, tokens joined by single spaces.</summary>
    public string Text => _info.Text;

    /// <summary>Tables read (FROM, JOIN, USING), without CTE names; unquoted names in lower case, e.g. <c>sales.ods_orders</c>.</summary>
    public IReadOnlyList<string> Reads => _info.Reads;

    /// <summary>Tables written (INSERT, CREATE, DROP, TRUNCATE, ALTER, DELETE, UPDATE, MERGE).</summary>
    public IReadOnlyList<string> Writes => _info.Writes;

    /// <summary>Whether a select list of the statement holds <c>*</c> or <c>t.*</c>.</summary>
    public bool SelectStar => _info.SelectStar;

    /// <summary>Whether the statement is an INSERT OVERWRITE (of a table).</summary>
    public bool IsOverwrite => _info.Overwrites.Count > 0;

    /// <summary>Whether every INSERT OVERWRITE of the statement names a partition (true when it has none).</summary>
    public bool HasPartition => _info.Overwrites.All(o => o.Partition);

    /// <summary>Whether an INSERT OVERWRITE of the statement names no partition: it replaces the whole table.</summary>
    public bool OverwritesWithoutPartition => _info.Overwrites.Any(o => !o.Partition);

    /// <summary>Whether the statement is of <paramref name="kind"/>, case-insensitive (<c>Is("truncate")</c>).</summary>
    public bool Is(string kind) => string.Equals(Kind, kind?.Trim(), StringComparison.OrdinalIgnoreCase);

    public override string ToString() => Kind;
}
