using System.Text.Json.Nodes;
using NJsonSchema;
using OpenEvent.Rules.Parsing;
using OpenEvent.Rules.Tests.Shared;
using Xunit;

namespace OpenEvent.Rules.Tests.Parsing;

/// <summary>
/// PolicySchemaReader builds the schema objects NJsonSchema validates with, without NJsonSchema's own reader
/// (JsonSchema.FromJsonAsync, through Newtonsoft's serializer). What it builds must be what FromJsonAsync builds.
/// </summary>
public sealed class PolicySchemaReaderTests
{
    public static TheoryData<string> SchemaFiles() =>
        new(Directory.EnumerateFiles(RepositoryPaths.Combine("schemas"), "*.schema.json").Select(Path.GetFileName).OfType<string>());

    /// <summary>Both schemas written back by NJsonSchema's own writer give the same JSON, the skipped keywords aside.</summary>
    [Theory]
    [MemberData(nameof(SchemaFiles))]
    public async Task Read_EmbeddedSchema_WhatFromJsonAsyncBuilds(string file)
    {
        var text = File.ReadAllText(RepositoryPaths.Combine("schemas", file));
        var expected = JsonNode.Parse((await JsonSchema.FromJsonAsync(text)).ToJson())!;
        var actual = JsonNode.Parse(PolicySchemaReader.Read(text).ToJson())!;

        var skipped = Strip(expected, parentKey: null);

        Assert.True(JsonNode.DeepEquals(expected, actual), $"{file}:\nFromJsonAsync: {expected.ToJsonString()}\nreader: {actual.ToJsonString()}");
        Assert.Contains("\"$ref\"", actual.ToJsonString(), StringComparison.Ordinal);
        Assert.True(skipped > 0, $"{file}: the $id at least is skipped");
    }

    /// <summary>Each keyword the reader skips is one NJsonSchema keeps only as extension data (it does not validate it).</summary>
    [Theory]
    [InlineData("if", """{ "properties": { "kind": { "const": "Policy" } } }""")]
    [InlineData("then", """{ "required": ["x"] }""")]
    [InlineData("else", """{ "required": ["y"] }""")]
    [InlineData("const", "\"Policy\"")]
    [InlineData("propertyNames", """{ "pattern": "^[a-z]+$" }""")]
    [InlineData("$id", "\"https://example.com/s.json\"")]
    [InlineData("examples", "[1, 2]")]
    [InlineData("$comment", "\"why\"")]
    public async Task SkippedKeyword_NJsonSchemaKeepsItAsExtensionDataOnly(string keyword, string value)
    {
        var schema = await JsonSchema.FromJsonAsync($$"""{ "type": "object", "{{keyword}}": {{value}} }""");

        Assert.Contains(keyword, PolicySchemaReader.SkippedKeywords);
        Assert.NotNull(schema.ExtensionData);
        Assert.True(schema.ExtensionData.ContainsKey(keyword), keyword);
        Assert.Empty(schema.Validate("""{ "kind": "Other", "x": 1, "y": 2, "ZZ": 3 }"""));
    }

    [Fact]
    public void SkippedKeywords_EachHasACaseAbove() =>
        Assert.Equal(["$comment", "$id", "const", "else", "examples", "if", "propertyNames", "then"], PolicySchemaReader.SkippedKeywords.Order(StringComparer.Ordinal));

    [Theory]
    [InlineData("""{ "type": "object", "dependencies": { "a": ["b"] } }""", "dependencies")]
    [InlineData("""{ "properties": { "a": { "$ref": "#/definitions/missing" } } }""", "#/definitions/missing")]
    [InlineData("""{ "enum": [{ "a": 1 }] }""", "only scalars")]
    public void Read_WhatItDoesNotKnow_Refused(string json, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() => PolicySchemaReader.Read(json));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_Keywords_SetWhatNJsonSchemaValidates()
    {
        var schema = PolicySchemaReader.Read("""
            {
              "type": "object", "required": ["n"], "additionalProperties": false, "minProperties": 1,
              "definitions": { "name": { "type": "string", "minLength": 2, "pattern": "^[a-z~/]+$" } },
              "properties": {
                "n": { "$ref": "#/definitions/name" },
                "k": { "type": ["string", "integer"], "enum": ["a", 1, 2.5, true, null], "default": 1 },
                "l": { "type": "array", "items": { "type": "integer", "minimum": 0, "maximum": 9 }, "minItems": 1, "uniqueItems": true },
                "o": { "oneOf": [{ "type": "string" }, { "type": "object", "additionalProperties": { "type": "boolean" } }] },
                "a~/b": { "not": { "type": "null" } }
              }
            }
            """);

        Assert.Empty(schema.Validate("""{ "n": "ab", "k": "a", "l": [0, 9], "o": { "x": true }, "a~/b": 1 }"""));
        Assert.Equal(
            ["ArrayItemNotValid", "ExcludedSchemaValidates", "ItemsNotUnique", "NoAdditionalPropertiesAllowed", "NotOneOf", "PropertyRequired"],
            schema.Validate("""{ "k": "a", "z": 1, "l": [10, 10], "o": { "x": 1 }, "a~/b": null }""").Select(e => e.Kind.ToString()).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(["StringTooShort"], schema.Validate("""{ "n": "a" }""").Select(e => e.Kind.ToString()));
        Assert.Equal(["NotInEnumeration"], schema.Validate("""{ "n": "ab", "k": 3 }""").Select(e => e.Kind.ToString()));
    }

    // Removes the skipped keywords from schema objects (not from the names of properties or definitions); returns how many.
    private static int Strip(JsonNode node, string? parentKey)
    {
        var removed = 0;
        if (node is JsonObject obj)
        {
            if (parentKey is not ("properties" or "definitions"))
            {
                foreach (var key in obj.Select(p => p.Key).Where(PolicySchemaReader.SkippedKeywords.Contains).ToList())
                {
                    obj.Remove(key);
                    removed++;
                }
            }

            foreach (var (key, value) in obj.ToList())
            {
                removed += value is null ? 0 : Strip(value, key);
            }
        }
        else if (node is JsonArray array)
        {
            removed += array.OfType<JsonNode>().Sum(item => Strip(item, parentKey: null));
        }

        return removed;
    }
}
