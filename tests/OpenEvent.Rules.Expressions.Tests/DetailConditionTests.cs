using System.Text.Json;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Evaluation.Conditions;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Expressions.Tests;

/// <summary>
/// Conditions over the event's detail and SQL, compiled by the real compiler inside the sandbox: the detail view and the
/// SQL helpers are allowed (and their LINQ is guarded like any other), nothing they return opens a way out, and a
/// SQL read is charged to the condition's budget.
/// </summary>
public sealed class DetailConditionTests
{
    private static readonly ConditionEvent s_event = new(
        JsonDocument.Parse("""{"id":"e","type":"dataworks:TableChange:DeployTable","data":{"cronExpress":"00 00/5 * * * ?"}}""").RootElement, null, null,
        JsonDocument.Parse("""
            {"detail":{"TableModel":{"TableName":"ods_orders","LifeCycle":30,"Columns":[
              {"ColumnName":"id","ColumnType":"BIGINT","Comment":"order id"},
              {"ColumnName":"amount","ColumnType":"DECIMAL(18,2)","Comment":""},
              {"ColumnName":"ds","ColumnType":"STRING","Comment":"date","IsPartitionColumn":true}]}}}
            """).RootElement);

    public static TheoryData<string, bool> Conditions() => new()
    {
        { "e.Detail.TableModel.HasLifeCycle && e.Detail.TableModel.LifeCycle <= 30", true },
        { "e.Detail.TableModel.Columns.Any(c => !c.HasComment && !c.IsPartition)", true },
        { "e.Detail.TableModel.Columns.Where(c => !c.HasComment).Select(c => c.Name).SequenceEqual(new[] { \"amount\" })", true },
        { "e.Detail.Member == \"TableModel\" && !e.Detail.File.Exists", true },
        { "e.Sql(\"INSERT OVERWRITE TABLE t SELECT * FROM s; DROP TABLE u\").Statements.Count(s => s.Is(\"drop table\")) == 1", true },
        { "e.Sql(\"-- DROP TABLE x\\nSELECT a FROM t\", \"hive\").Has(\"DROP TABLE\")", false },
        { "e.Sql(\"INSERT OVERWRITE TABLE t SELECT * FROM s\").Statements.Any(s => s.OverwritesWithoutPartition && s.SelectStar)", true },
        { "e.Sql(\"SELECT * FROM a JOIN b ON a.i = b.i\").TablesRead.Contains(\"b\")", true },
        { "e.MinutesBetweenRuns(e.Data.Str(\"cronExpress\")) == 5", true },
        { "e.Detail.Raw.Node(\"TableModel.Columns.0\").Str(\"ColumnName\") == \"id\"", true },
    };

    [Theory]
    [MemberData(nameof(Conditions))]
    public void Compile_DetailAndSqlConditions_RunInTheSandbox(string expression, bool expected)
    {
        using var cache = new TempCache();
        var result = cache.Compiler().Compile(TestEvents.Sources(expression));
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        using var set = result.Conditions!;

        Assert.True(set.TryEvaluate(0, s_event, out var value, out var error), error?.ToString());
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("e.Detail.GetType().Name == \"x\"", "OER2002")]
    [InlineData("e.Sql(\"x\").Statements is List<SqlStatement> l && l.Remove(l[0])", "OER2002")]
    [InlineData("new ConditionDetail(default).Exists", "OER2001")]
    public void Compile_WaysOutThroughTheNewTypes_Refused(string expression, string id)
    {
        using var cache = new TempCache();

        var result = cache.Compiler().Compile(TestEvents.Sources(expression));

        Assert.False(result.Success);
        Assert.Contains(result.Diagnostics, d => d.Id == id);
    }

    /// <summary>
    /// 90,000 short statements before the one the guard looks for (810 KB, an event's size): reading them went over the
    /// default 64 MiB allocation budget, so the guard failed open on a text the person downloading writes.
    /// </summary>
    [Fact]
    public void Evaluate_SqlOfManyShortStatements_ReadWithinTheDefaultBudget()
    {
        using var cache = new TempCache();
        // The default memory budget is what is tested; the time budget is widened, as a shared machine (tests in
        // parallel, code not yet optimized) can take over a second for what a host does in tens of milliseconds.
        var compiler = new RoslynConditionCompiler(new RoslynConditionCompilerOptions
        {
            CacheDirectory = cache.Path,
            Limits = new ConditionLimits { Timeout = TimeSpan.FromSeconds(60) },
        });
        var result = compiler.Compile(TestEvents.Sources("e.Sql(e.Data.Str(\"sql\")).TablesRead.Contains(\"finance.ledger\")"));
        using var set = result.Conditions!;
        var sql = string.Concat(Enumerable.Repeat("select 1;", 90_000)) + "select * from finance.ledger";
        var e = TestEvents.Parse(JsonSerializer.Serialize(new { data = new { sql } }));

        var outcome = set.Evaluate(0, e, ConditionErrorMode.NoMatch);

        Assert.Null(outcome.Error);
        Assert.True(outcome.Matched);
    }

    [Fact]
    public void Evaluate_SqlOfAHugeText_ChargedToTheBudget()
    {
        using var cache = new TempCache();
        var compiler = new RoslynConditionCompiler(new RoslynConditionCompilerOptions { CacheDirectory = cache.Path, Limits = new ConditionLimits { MaxSteps = 5_000 } });
        var result = compiler.Compile(TestEvents.Sources("e.Sql(e.Data.Str(\"sql\")).Has(\"DROP TABLE\")"));
        using var set = result.Conditions!;
        var sql = string.Concat(Enumerable.Repeat("SELECT a FROM t; ", 200_000));
        var e = TestEvents.Parse(JsonSerializer.Serialize(new { data = new { sql } }));

        var outcome = set.Evaluate(0, e, ConditionErrorMode.NoMatch);

        Assert.False(outcome.Matched);
        Assert.Equal(ConditionResource.Steps, Assert.IsType<ConditionBudgetExceededException>(outcome.Error).Resource);
    }
}
