using System.Text.Json.Nodes;

namespace OpenEvent.Rules.Core.Tests.Parsing;

/// <summary>
/// schemas/registry.schema.json and the parts of schemas/policy.schema.json that repeat it. A window may be written in a
/// registry or inline in a scope; the policy schema carries its own copy of the definition (the engine loads each schema
/// from its embedded resource, where a reference to another file cannot be resolved), so the two must not drift.
/// </summary>
public sealed class RegistrySchemaTests
{
    private static JsonNode Schema(string file) => JsonNode.Parse(File.ReadAllText(RepositoryPaths.Combine("schemas", file)))!;

    [Fact]
    public void PolicySchema_WindowDefinition_SameAsTheRegistrys() =>
        Assert.True(JsonNode.DeepEquals(Schema("registry.schema.json")["definitions"]!["window"], Schema("policy.schema.json")["definitions"]!["window"]),
            "definitions.window differs between schemas/registry.schema.json and schemas/policy.schema.json: copy the registry's into the policy schema");

    [Fact]
    public void PolicySchema_Kinds_IncludeRegistry() =>
        Assert.Contains("Registry", Schema("policy.schema.json")["properties"]!["kind"]!["enum"]!.AsArray().Select(k => k!.GetValue<string>()));
}
