using System.Text;
using System.Text.Json;
using OpenEvent.Rules.Evaluation.Conditions;
using OpenEvent.Rules.Evaluation.Conditions.Sql;

namespace OpenEvent.Rules.Core.Tests.Evaluation.Conditions.Sql;

/// <summary>
/// The SQL helpers on a corpus of scripts written for the purpose (corpus/*.sql, expectations in corpus.json): comments,
/// several statements, strings holding ; -- and /* */, CTEs, partitions, script variables, the Hive, Hologres and
/// MaxCompute quoting rules. Then hostile inputs: each must end, bounded, with a stated result.
/// </summary>
public sealed class SqlAnalyzerTests
{
    private static readonly string s_folder = RepositoryPaths.Combine("tests", "OpenEvent.Rules.Core.Tests", "Evaluation", "Conditions", "Sql");

    public static TheoryData<string> Scripts()
    {
        var data = new TheoryData<string>();
        using var corpus = JsonDocument.Parse(File.ReadAllText(Path.Combine(s_folder, "corpus.json")));
        foreach (var script in corpus.RootElement.GetProperty("scripts").EnumerateArray())
        {
            data.Add(script.GetProperty("file").GetString()!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Analyze_CorpusScript_EveryStatementAsExpected(string file)
    {
        using var corpus = JsonDocument.Parse(File.ReadAllText(Path.Combine(s_folder, "corpus.json")));
        var script = corpus.RootElement.GetProperty("scripts").EnumerateArray().Single(s => s.GetProperty("file").GetString() == file);
        var dialect = script.GetProperty("dialect").GetString() switch
        {
            "hive" => SqlDialect.Hive,
            "hologres" => SqlDialect.Hologres,
            _ => SqlDialect.MaxCompute,
        };
        var expected = script.GetProperty("statements").EnumerateArray().Select(Describe).ToList();

        var actual = SqlAnalyzer.Analyze(File.ReadAllText(Path.Combine(s_folder, "corpus", file)), dialect).Select(Describe).ToList();

        Assert.Equal(expected, actual);
    }

    private static string Describe(JsonElement s) =>
        Describe(s.GetProperty("kind").GetString()!, s.GetProperty("line").GetInt32(), Strings(s, "reads"), Strings(s, "writes"),
            s.TryGetProperty("selectStar", out var star) && star.GetBoolean(),
            s.TryGetProperty("overwritesWithoutPartition", out var overwrite) && overwrite.GetBoolean());

    private static string Describe(SqlStatementInfo s) =>
        Describe(s.Kind, s.Line, s.Reads, s.Writes, s.SelectStar, s.Overwrites.Any(o => !o.Partition));

    private static string Describe(string kind, int line, IEnumerable<string> reads, IEnumerable<string> writes, bool star, bool overwrite) =>
        $"{kind} @{line} reads=[{string.Join(",", reads)}] writes=[{string.Join(",", writes)}] star={star} overwriteWithoutPartition={overwrite}";

    private static string[] Strings(JsonElement s, string name) =>
        s.TryGetProperty(name, out var list) ? [.. list.EnumerateArray().Select(v => v.GetString()!)] : [];

    [Theory]
    [InlineData("SELECT 'DROP TABLE x; TRUNCATE y' FROM t", "SELECT")]
    [InlineData("-- DROP TABLE x\nSELECT 1", "SELECT")]
    [InlineData("/* TRUNCATE TABLE y; */ INSERT INTO t SELECT 1", "INSERT INTO")]
    [InlineData("select \"a; drop table b\" from t", "SELECT")]
    [InlineData("INSERT OVERWRITE TABLE t PARTITION (ds) SELECT a, ds FROM s", "INSERT OVERWRITE")]
    [InlineData("CREATE EXTERNAL TABLE IF NOT EXISTS t (a STRING)", "CREATE TABLE")]
    [InlineData("drop view if exists v", "DROP VIEW")]
    [InlineData("  (SELECT 1) UNION ALL (SELECT 2)", "SELECT")]
    [InlineData("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE", "MERGE")]
    [InlineData("desc t", "DESCRIBE")]
    [InlineData("@x := SELECT 1", "SELECT")]
    [InlineData(";;; -- only comments\n /* and nothing */", null)]
    public void Analyze_OneStatement_ItsKind(string text, string? kind)
    {
        var statements = SqlAnalyzer.Analyze(text, SqlDialect.MaxCompute);

        Assert.Equal(kind is null ? [] : [kind], statements.Select(s => s.Kind));
    }

    [Theory]
    [InlineData("maxcompute", "SELECT 'it''s' FROM a; DROP TABLE b", 2)]
    [InlineData("maxcompute", "SELECT 'a\\'; DROP TABLE b' FROM a", 1)]
    [InlineData("hologres", "SELECT 'a\\'; DROP TABLE b", 2)]
    [InlineData("hologres", "SELECT E'a\\'; DROP TABLE b' FROM a", 1)]
    [InlineData("hologres", "SELECT $$ ; $$, $tag$ $$ ; $tag$ FROM a", 1)]
    [InlineData("hologres", "/* /* */ DROP TABLE x; */", 0)]
    [InlineData("maxcompute", "/* /* */ DROP TABLE x; */", 2)]
    [InlineData("hive", "SELECT `a;b` FROM `c;d`", 1)]
    [InlineData("hologres", "SELECT \"a;\"\"b\" FROM t", 1)]
    public void Analyze_QuotingOfTheDialect_SplitsWhereItSays(string dialect, string text, int statements)
    {
        Assert.Equal(statements, SqlAnalyzer.Analyze(text, SqlScript.ParseDialect(dialect)).Count);
    }

    [Fact]
    public void Analyze_UnterminatedStringAndComment_RunToTheEnd()
    {
        Assert.Equal(["SELECT"], SqlAnalyzer.Analyze("SELECT 'never closed; DROP TABLE x", SqlDialect.MaxCompute).Select(s => s.Kind));
        Assert.Empty(SqlAnalyzer.Analyze("/* never closed; DROP TABLE x", SqlDialect.MaxCompute));
        Assert.Equal(["SELECT"], SqlAnalyzer.Analyze("SELECT $$ never closed; DROP TABLE x", SqlDialect.Hologres).Select(s => s.Kind));
    }

    [Fact]
    public void Tokenize_MoreThanTheLimit_RefusedWithTheSize()
    {
        var text = new string(' ', SqlTokenizer.MaxChars + 1);

        var error = Assert.Throws<ArgumentException>(() => SqlTokenizer.Tokenize(text, SqlDialect.MaxCompute));

        Assert.StartsWith("The SQL text has 16,777,217 characters; at most 16,777,216 are read.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_HostileShapes_EndWithAResult()
    {
        // Nesting is counted, never recursed into.
        var nested = new string('(', 200_000) + "SELECT * FROM t" + new string(')', 200_000);
        Assert.Equal(["t"], SqlAnalyzer.Analyze(nested, SqlDialect.MaxCompute).Single().Reads);

        // Separators only, statements by the hundred thousand, unbalanced brackets.
        Assert.Empty(SqlAnalyzer.Analyze(new string(';', 1_000_000), SqlDialect.MaxCompute));
        Assert.Equal(100_000, SqlAnalyzer.Analyze(string.Concat(Enumerable.Repeat("SELECT 1;", 100_000)), SqlDialect.Hive).Count);
        Assert.Equal(["SELECT"], SqlAnalyzer.Analyze("SELECT ))))(((( FROM ) JOIN (", SqlDialect.Hologres).Select(s => s.Kind));

        // Binary content: every char value, NULs and lone surrogates included.
        var binary = new string(Enumerable.Range(0, 65_536).Select(i => (char)((i * 7919) & 0xFFFF)).ToArray());
        foreach (var dialect in Enum.GetValues<SqlDialect>())
        {
            _ = SqlAnalyzer.Analyze(binary, dialect);
        }
    }

    [Fact]
    public void Sql_SeveralMegabytes_TheDropAtTheEndIsFound()
    {
        var script = new StringBuilder();
        for (var i = 0; script.Length < 5 * 1024 * 1024; i++)
        {
            script.Append("-- step ").Append(i).Append("; not a statement\nINSERT INTO TABLE t_").Append(i % 50)
                .Append(" PARTITION (ds = '${bizdate}') SELECT a, 'x;y' FROM s_").Append(i % 70).Append(";\n");
        }

        script.Append("DROP TABLE prod.orders;");
        var e = new ConditionEvent(JsonDocument.Parse("{}").RootElement);

        var sql = e.Sql(script.ToString());

        Assert.True(sql.Has("drop table"));
        Assert.Equal(["prod.orders"], sql.Statements[^1].Writes);
        Assert.Equal(50 + 1, sql.TablesWritten.Count);
        Assert.Equal(70, sql.TablesRead.Count);
        Assert.False(sql.OverwritesWithoutPartition);
    }

    [Fact]
    public void Sql_InsideACondition_ChargesItsBudget()
    {
        var text = string.Concat(Enumerable.Repeat("SELECT a FROM t; ", 200_000));
        var e = new ConditionEvent(JsonDocument.Parse("{}").RootElement);
        var limits = new ConditionLimits { MaxSteps = 1_000 };

        var error = Assert.Throws<ConditionBudgetExceededException>(() => ConditionBudget.Run(c => c.Sql(text).Has("DROP TABLE"), e, limits, CancellationToken.None));

        Assert.Equal(ConditionResource.Steps, error.Resource);
    }

    [Theory]
    [InlineData("maxcompute", "maxcompute")]
    [InlineData("ODPS", "maxcompute")]
    [InlineData("emr", "hive")]
    [InlineData("Holo", "hologres")]
    [InlineData("postgres", "hologres")]
    public void Sql_DialectNames_Accepted(string name, string dialect)
    {
        var e = new ConditionEvent(JsonDocument.Parse("{}").RootElement);

        Assert.Equal(dialect, e.Sql("SELECT 1", name).Dialect);
    }

    [Fact]
    public void Sql_UnknownDialect_ThrowsWithTheNames()
    {
        var e = new ConditionEvent(JsonDocument.Parse("{}").RootElement);

        var error = Assert.Throws<ArgumentException>(() => e.Sql("SELECT 1", "oracle"));

        Assert.StartsWith("Unknown SQL dialect 'oracle': use maxcompute, hive or hologres.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SqlScript_Facade_SummarisesTheStatements()
    {
        var e = new ConditionEvent(JsonDocument.Parse("{}").RootElement);

        var sql = e.Sql("-- note\nSELECT * FROM a; INSERT OVERWRITE TABLE b SELECT x FROM c; drop table d");

        Assert.Equal(["SELECT", "INSERT OVERWRITE", "DROP TABLE"], sql.Kinds);
        Assert.Equal(["a", "c"], sql.TablesRead);
        Assert.Equal(["b", "d"], sql.TablesWritten);
        Assert.True(sql.SelectStar);
        Assert.True(sql.OverwritesWithoutPartition);
        Assert.True(sql.Statements[1].IsOverwrite);
        Assert.False(sql.Statements[1].HasPartition);
        Assert.Equal("SELECT * FROM a; INSERT OVERWRITE TABLE b SELECT x FROM c; drop table d", sql.Text);
        Assert.Equal(0, e.Sql(null).Count);
    }
}
