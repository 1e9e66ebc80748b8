using System.Text.Json.Nodes;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Parsing;

namespace OpenEvent.Rules.Core.Tests.Sources;

/// <summary>
/// The policies shipped in policies/ must stay valid. Until PatternParser lands the full load is skipped
/// (PolicyFolderLoaderTests.LoadAsync_RepositoryPolicies_NoDiagnostics); these checks cover YAML, schema and templates.
/// </summary>
public sealed class RepositoryPoliciesTests
{
    public static TheoryData<string> PolicyFiles()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.EnumerateFiles(RepositoryPaths.Combine("policies"), "*.yaml").Order(StringComparer.Ordinal))
        {
            if (!path.EndsWith(".tests.yaml", StringComparison.Ordinal))
            {
                data.Add(Path.GetFileName(path));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PolicyFiles))]
    public async Task PolicyFile_ReadValidateAndTemplates_NoDiagnostics(string fileName)
    {
        var path = RepositoryPaths.Combine("policies", fileName);
        var bag = new DiagnosticBag();
        var validator = await PolicySchemaValidator.GetDefaultAsync();

        // The registry's file names its own schema, so that editors complete its keys.
        var schema = fileName == "registry.yaml" ? "registry" : "policy";
        Assert.StartsWith($"# yaml-language-server: $schema=../schemas/{schema}.schema.json\n", File.ReadAllText(path));
        foreach (var document in YamlDocumentReader.ReadFile(path, bag, fileName))
        {
            Assert.True(validator.Validate(document, bag));
            if (document.Root!["spec"]?["actions"] is JsonArray actions)
            {
                for (var i = 0; i < actions.Count; i++)
                {
                    var (kind, body) = actions[i]!.AsObject().Single();
                    var key = kind == "notify" ? "message" : "reason";
                    if (body![key] is JsonValue text)
                    {
                        Assert.NotNull(MessageTemplateParser.Parse(text.GetValue<string>(), $"/spec/actions/{i}/{kind}/{key}", document.Map, bag));
                    }
                }
            }
        }

        Assert.Empty(bag.Items);
    }
}
