using System.Text.Json;
using OpenEvent.Rules.Catalog;

namespace OpenEvent.Rules.Core.Tests.Catalog;

/// <summary>How the documented field list is derived from a family schema, including the shapes the loader used to miss.</summary>
public sealed class FamilySchemaFieldsTests
{
    private static Dictionary<string, string[]> Read(string schemaJson)
    {
        using var document = JsonDocument.Parse(schemaJson);
        return FamilySchemaFields.Read(document.RootElement).ToDictionary(kv => kv.Key, kv => kv.Value.JsonTypes.ToArray());
    }

    [Fact]
    public void Read_NestedObjectsAndArrayItems_ReturnsDottedPaths()
    {
        var fields = Read("""
            { "properties": { "data": { "type": "object", "properties": {
                "tableMapping": { "type": "array", "items": { "$ref": "#/definitions/mapping" } } } } },
              "definitions": { "mapping": { "type": "object", "properties": { "dstTable": { "type": "string" } } } } }
            """);

        Assert.Equal(["data", "data.tableMapping", "data.tableMapping.dstTable"], fields.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["array"], fields["data.tableMapping"]);
        Assert.Equal(["string"], fields["data.tableMapping.dstTable"]);
    }

    [Fact]
    public void Read_ArrayItemsWithAnyOfBranches_DocumentsEveryBranchField()
    {
        var fields = Read("""
            { "properties": { "data": { "properties": { "arrayData": { "type": "array", "items": { "anyOf": [
                { "properties": { "odpsTable": { "type": "string" } } },
                { "properties": { "url": { "type": "string" } } } ] } } } } } }
            """);

        Assert.Equal(["string"], fields["data.arrayData.odpsTable"]);
        Assert.Equal(["string"], fields["data.arrayData.url"]);
    }

    [Fact]
    public void Read_RefToAllOf_DocumentsNestedBranchFields()
    {
        var fields = Read("""
            { "properties": { "data": { "$ref": "#/definitions/payload" } },
              "definitions": { "payload": { "allOf": [ { "allOf": [ { "properties": { "projectId": { "type": "integer" } } } ] } ] } } }
            """);

        Assert.Equal(["integer"], fields["data.projectId"]);
    }

    [Fact]
    public void Read_SameFieldTypedInOneBranchUntypedInAnother_StaysUnconstrained()
    {
        var fields = Read("""
            { "properties": { "data": { "oneOf": [
                { "properties": { "bizDate": { "type": "integer" } } },
                { "properties": { "bizDate": { "description": "any type" } } } ] } } }
            """);

        Assert.Empty(fields["data.bizDate"]);
    }

    [Fact]
    public void Read_SameFieldWithDifferentTypesInBranches_UnionsTypes()
    {
        var fields = Read("""
            { "properties": { "data": { "oneOf": [
                { "properties": { "bizDate": { "type": "integer" } } },
                { "properties": { "bizDate": { "type": "string" } } } ] } } }
            """);

        Assert.Equal(["integer", "string"], fields["data.bizDate"]);
    }
}
