using System.Text.Json;
using OpenEvent.Rules.Catalog;

namespace OpenEvent.Rules.Core.Tests.Catalog;

/// <summary>
/// The detail of each event type (reference section 4.4, schemas/events/detail), and the editor completion in
/// schemas/policy.schema.json, which must list exactly the fields the validator accepts.
/// </summary>
public sealed class DetailSchemaTests
{
    [Theory]
    [InlineData("dataworks:FileChange:CommitFile", "CommittedFile")]
    [InlineData("dataworks:FileChange:DeployFile", "CommittedFile")]
    [InlineData("dataworks:FileChange:DeleteFile", "DeletedFile")]
    [InlineData("dataworks:FileChange:RunFile", "FileExecutionCommand")]
    [InlineData("dataworks:TableChange:CommitTable", "TableModel")]
    [InlineData("dataworks:TableChange:DeployTable", "TableModel")]
    public void Catalog_TypesWithDetail_TheirMember(string type, string member)
    {
        var detail = EventCatalog.Default.FindByType(type)!.Detail;

        Assert.Equal(member, detail!.Member);
        Assert.Contains($"detail.{member}", detail.Fields.Keys);
    }

    [Fact]
    public void Catalog_OnlyTheSixTypes_HaveADetail()
    {
        Assert.Equal(6, EventCatalog.Default.EventTypes.Count(t => t.Detail is not null));
    }

    [Fact]
    public void Catalog_DetailFields_IncludeNestedAndArrayElementFields()
    {
        var committed = EventCatalog.Default.FindByType("dataworks:FileChange:CommitFile")!.Detail!.Fields;
        var table = EventCatalog.Default.FindByType("dataworks:TableChange:CommitTable")!.Detail!.Fields;

        Assert.Equal(["string"], committed["detail.CommittedFile.NodeConfiguration.CronExpress"].JsonTypes.AsEnumerable());
        Assert.Equal(["string"], committed["detail.CommittedFile.NodeConfiguration.OutputList.RefTableName"].JsonTypes.AsEnumerable());
        Assert.Equal(["boolean"], table["detail.TableModel.Columns.IsPartitionColumn"].JsonTypes.AsEnumerable());
    }

    [Fact]
    public void PolicySchema_DetailCompletion_ListsExactlyTheDetailFields()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.Combine("schemas", "policy.schema.json")));
        var pattern = schema.RootElement.GetProperty("definitions").GetProperty("detailPattern");
        var completed = new SortedSet<string>(StringComparer.Ordinal);
        Collect(pattern, "detail", completed);

        var documented = new SortedSet<string>(EventCatalog.Default.EventTypes.Where(t => t.Detail is not null).SelectMany(t => t.Detail!.Fields.Keys), StringComparer.Ordinal);

        Assert.Equal(documented, completed);
    }

    private static void Collect(JsonElement node, string path, SortedSet<string> into)
    {
        if (!node.TryGetProperty("properties", out var properties))
        {
            return;
        }

        foreach (var property in properties.EnumerateObject())
        {
            into.Add(path + "." + property.Name);
            Collect(property.Value, path + "." + property.Name, into);
        }
    }
}
