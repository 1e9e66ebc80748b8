using System.Text.Json.Nodes;

namespace OpenEvent.Rules.Core.Tests.Parsing;

/// <summary>
/// schemas/waiver.schema.json repeats the policy schema's scope (a waiver's scope is a policy's): the copies must not
/// drift, or an editor would accept in a waiver what the engine refuses (or the reverse).
/// </summary>
public sealed class WaiverSchemaTests
{
    private static JsonNode Schema(string file) => JsonNode.Parse(File.ReadAllText(RepositoryPaths.Combine("schemas", file)))!;

    [Theory]
    [InlineData("scope")]
    [InlineData("idOrName")]
    [InlineData("setReference")]
    [InlineData("workspaceSelector")]
    [InlineData("window")]
    [InlineData("idList")]
    public void WaiverSchema_ScopeDefinitions_SameAsThePolicys(string definition) =>
        Assert.True(JsonNode.DeepEquals(Schema("policy.schema.json")["definitions"]![definition], Schema("waiver.schema.json")["definitions"]![definition]),
            $"definitions.{definition} differs between schemas/policy.schema.json and schemas/waiver.schema.json: copy the policy schema's into the waiver schema");

    [Fact]
    public void PolicySchema_Kinds_IncludeWaiver() =>
        Assert.Contains("Waiver", Schema("policy.schema.json")["properties"]!["kind"]!["enum"]!.AsArray().Select(k => k!.GetValue<string>()));
}
