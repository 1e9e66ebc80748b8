using System.Text.Json;
using OpenEvent.Rules.Evaluation.Conditions;

namespace OpenEvent.Rules.Core.Tests.Evaluation.Conditions;

/// <summary>The typed view of the detail conditions read as e.Detail, and the cron interval helper.</summary>
public sealed class ConditionDetailTests
{
    private static ConditionEvent With(string detail) =>
        new(JsonDocument.Parse("""{"id":"x","data":{}}""").RootElement, null, null, JsonDocument.Parse("{\"detail\":" + detail + "}").RootElement);

    [Fact]
    public void Detail_CommittedFile_TypedMembers()
    {
        var e = With("""
            {"CommittedFile":{"FileName":"dws_orders","FileType":1093,"FileId":"5001","ChangeType":"UPDATE","Committor":"2001",
             "Content":"INSERT INTO public.t SELECT * FROM public.s","FilePropertyContent":{"Owner":"3001","DataSourceName":"holo_dw","CurrentVersion":7},
             "NodeConfiguration":{"CronExpress":"00 00/10 * * * ?","RerunMode":"FAILURE_ALLOWED","AutoRerunTimes":3,"DependentNodeIdList":"5, 10,,15",
               "InputList":[{"Input":"proj_root","ParseType":"AUTO"}],"OutputList":[{"Output":"proj.dws_orders","RefTableName":"dws_orders"}]}}}
            """);

        var file = e.Detail.File;
        Assert.True(e.Detail.Exists);
        Assert.Equal("CommittedFile", e.Detail.Member);
        Assert.Same(e.Detail.CommittedFile, file);
        Assert.Equal(("dws_orders", 1093, 5001L, "UPDATE", "2001"), (file.FileName, file.FileType, file.FileId, file.ChangeType, file.Committor));
        Assert.Equal(("3001", "holo_dw", 7L), (file.Owner, file.DataSourceName, file.CurrentVersion));
        Assert.Equal("hologres", file.Dialect);
        Assert.Equal(["public.s"], e.Detail.Sql.TablesRead);
        Assert.True(e.Detail.Sql.SelectStar);
        Assert.Equal(("FAILURE_ALLOWED", 3, 10), (file.Node.RerunMode, file.Node.AutoRerunTimes, file.Node.MinutesBetweenRuns));
        Assert.Equal(["5", "10", "15"], file.Node.DependentNodeIds);
        Assert.Equal(["proj_root"], file.Node.Inputs);
        Assert.Equal(["dws_orders"], file.Node.OutputTables);
        Assert.False(e.Detail.TableModel.Exists);
    }

    [Fact]
    public void Detail_TableModel_ColumnsAndLifecycle()
    {
        var e = With("""
            {"TableModel":{"TableName":"ods_orders","Env":"PROD","LifeCycle":null,"Columns":[
              {"ColumnName":"id","ColumnType":"BIGINT","Comment":"order id","IsPartitionColumn":false},
              {"ColumnName":"amount","ColumnType":"DECIMAL(18,2)","Comment":"  "},
              {"ColumnName":"ds","ColumnType":"STRING","Comment":"date","IsPartitionColumn":true}]}}
            """);

        var table = e.Detail.TableModel;
        Assert.Equal(("ods_orders", "PROD", 0L, false), (table.TableName, table.Env, table.LifeCycle, table.HasLifeCycle));
        Assert.Equal(["amount"], table.Columns.Where(c => !c.HasComment).Select(c => c.Name));
        Assert.Equal(["ds"], table.PartitionColumns.Select(c => c.Name));
        Assert.Equal(0, e.Detail.Sql.Count);
    }

    [Fact]
    public void Detail_Missing_ReadsAsEmpty()
    {
        var e = new ConditionEvent(JsonDocument.Parse("""{"id":"x","detail":{"CommittedFile":{"Content":"forged"}}}""").RootElement);

        Assert.False(e.Detail.Exists);
        Assert.Equal("", e.Detail.Member);
        Assert.Equal("", e.Detail.File.Content);
        Assert.Empty(e.Detail.TableModel.Columns);
        Assert.Equal(-1, e.Detail.File.Node.MinutesBetweenRuns);
    }

    [Theory]
    [InlineData("00 30 05 * * ?", 1440)]
    [InlineData("00 00/5 00-23 * * ?", 5)]
    [InlineData("00 00 00-23/1 * * ?", 60)]
    [InlineData("00 0,30 8,9 * * ?", 30)]
    [InlineData("00 05 00,23 * * ?", 60)]
    [InlineData("*/5 * * * *", 5)]
    [InlineData("* * * * * ?", 1)]
    [InlineData("00 10-50/20 9 * * ?", 20)]
    [InlineData("00 61 * * * ?", -1)]
    [InlineData("00 a * * * ?", -1)]
    [InlineData("00 0/0 * * * ?", -1)]
    [InlineData("hourly", -1)]
    [InlineData("", -1)]
    public void MinutesBetweenRuns_CronExpressions(string cron, int minutes)
    {
        var e = new ConditionEvent(JsonDocument.Parse("{}").RootElement);

        Assert.Equal(minutes, e.MinutesBetweenRuns(cron));
    }
}
