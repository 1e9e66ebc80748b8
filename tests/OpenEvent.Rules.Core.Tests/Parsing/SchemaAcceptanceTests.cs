using System.Text.Json.Nodes;
using NJsonSchema;
using NJsonSchema.Validation;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Parsing;
using OpenEvent.Rules.Tests.Shared;
using static OpenEvent.Rules.Parsing.SchemaAcceptance;

namespace OpenEvent.Rules.Core.Tests.Parsing;

/// <summary>
/// SchemaAcceptance lets a document skip NJsonSchema only when NJsonSchema would find no error in it, and says Invalid
/// only when NJsonSchema would find one (a oneOf counts its branches by it). Both are held against NJsonSchema itself,
/// under the schema of each document's kind, for every known document and for thousands of mutations of them.
/// </summary>
public sealed class SchemaAcceptanceTests
{
    private static readonly JsonSchemaValidator s_walker = new(new JsonSchemaValidatorSettings());

    [Fact]
    public async Task Check_EveryKnownDocument_AgreesWithNJsonSchema_AndPassesTheRepositorysPolicies()
    {
        var validator = await PolicySchemaValidator.GetDefaultAsync();
        var verdicts = new Dictionary<Verdict, int>();
        foreach (var document in PolicySchemaValidatorTests.KnownDocuments())
        {
            if (PolicySchemaValidator.KindOf(document.Root) is not { } kind)
            {
                continue;
            }

            var verdict = AssertAgrees(validator, kind, document.Root, document.File);
            verdicts[verdict] = verdicts.GetValueOrDefault(verdict) + 1;
            if (document.File.Contains($"{Path.DirectorySeparatorChar}policies{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            {
                Assert.True(verdict == Verdict.Valid, $"{document.File}: {verdict}; the repository's policies should skip NJsonSchema");
            }
        }

        Assert.True(verdicts.GetValueOrDefault(Verdict.Valid) > 100 && verdicts.GetValueOrDefault(Verdict.Invalid) > 30,
            string.Join(", ", verdicts.Select(v => $"{v.Key} {v.Value}")));
    }

    [Fact]
    public async Task Check_MutationsOfEveryKnownDocument_AgreeWithNJsonSchema()
    {
        var validator = await PolicySchemaValidator.GetDefaultAsync();
        var random = new Random(18);
        var verdicts = new Dictionary<Verdict, int>();
        foreach (var document in PolicySchemaValidatorTests.KnownDocuments())
        {
            if (PolicySchemaValidator.KindOf(document.Root) is not { } kind)
            {
                continue;
            }

            for (var i = 0; i < 25; i++)
            {
                var mutant = document.Root!.DeepClone();
                var what = Mutate(mutant, random);
                var verdict = AssertAgrees(validator, kind, mutant, $"{document.File} with {what}");
                verdicts[verdict] = verdicts.GetValueOrDefault(verdict) + 1;
            }
        }

        Assert.True(verdicts.GetValueOrDefault(Verdict.Valid) > 1_000 && verdicts.GetValueOrDefault(Verdict.Invalid) > 1_000,
            string.Join(", ", verdicts.Select(v => $"{v.Key} {v.Value}")));
    }

    [Theory]
    [InlineData("flags: [\"\U0001F600\"]")]
    [InlineData("deep")]
    public async Task Check_DocumentTheTextRouteWouldTake_Unsure(string extra)
    {
        // Values NJsonSchema never visits (under match.data), which the direct token route still refuses to build.
        extra = extra == "deep" ? "deep: " + new string('[', 40) + "1" + new string(']', 40) : extra;
        var validator = await PolicySchemaValidator.GetDefaultAsync();
        var yaml = $"""
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: {"{"} name: p {"}"}
            spec:
              match: {"{"} type: [x], data: {"{"} {extra} {"}"} {"}"}
              actions: [{"{"} block: {"{"} reason: r {"}"} {"}"}]
            """;
        var document = Assert.Single(YamlDocumentReader.ReadText("p.yaml", yaml, new DiagnosticBag()));
        var valid = Assert.Single(YamlDocumentReader.ReadText("p.yaml", yaml.Replace(extra, "x: 1"), new DiagnosticBag()));
        var check = Compile(validator.SchemaOf("Policy")!);
        Assert.Equal(Verdict.Unsure, check.Check(document.Root));
        Assert.Equal(Verdict.Valid, check.Check(valid.Root));
    }

    private static Verdict AssertAgrees(PolicySchemaValidator validator, string kind, JsonNode? root, string what)
    {
        var schema = validator.SchemaOf(kind)!;
        var verdict = Compile(schema).Check(root);
        var token = PolicySchemaValidator.ToValidationToken(root!);
        ICollection<ValidationError> errors;
        try
        {
            errors = token is not null ? s_walker.Validate(token, schema) : schema.Validate(PolicySchemaValidator.ToValidationJson(root!));
        }
        catch (Exception ex) when (ex is Newtonsoft.Json.JsonException)
        {
            Assert.True(verdict != Verdict.Valid, $"{what}: Valid, NJsonSchema threw {ex.Message}");
            return verdict;
        }

        switch (verdict)
        {
            case Verdict.Valid:
                Assert.True(errors.Count == 0, $"{what}: Valid, NJsonSchema: {string.Join("; ", errors.Select(e => $"{e.Kind} {e.Path}"))}");
                break;
            case Verdict.Invalid:
                Assert.True(errors.Count > 0, $"{what}: Invalid, NJsonSchema found no error");
                break;
        }

        return verdict;
    }

    private static readonly Func<JsonNode?>[] s_replacements =
    [
        () => null, () => "", () => "x", () => "DEV", () => "Policy", () => "block", () => "not-a-name!", () => "https://h.example/x", () => "/relative/path", () => "http://", () => "mailto:a@b.example",
        () => 0, () => -1, () => 5, () => 100000, () => 1.5, () => true, () => false,
        () => new JsonObject(), () => new JsonArray(), () => new JsonArray("a"), () => new JsonArray("a", "a"),
        () => new JsonArray(1, 2), () => new JsonObject { ["env"] = "X" }, () => new JsonObject { ["reason"] = "r" },
    ];

    /// <summary>One random change at a random node: a key removed, added or renamed, or a value replaced.</summary>
    private static string Mutate(JsonNode root, Random random)
    {
        var nodes = new List<JsonNode>();
        Collect(root, nodes);
        var target = nodes[random.Next(nodes.Count)];
        switch (target, random.Next(4))
        {
            case (JsonObject obj, 0) when obj.Count > 0:
                var removed = obj.ElementAt(random.Next(obj.Count)).Key;
                obj.Remove(removed);
                return $"'{removed}' removed at {target.GetPath()}";
            case (JsonObject obj, 1):
                var added = random.Next(2) == 0 ? "x" + random.Next(100) : KnownKeys[random.Next(KnownKeys.Length)];
                obj[added] = s_replacements[random.Next(s_replacements.Length)]();
                return $"'{added}' added at {target.GetPath()}";
            case (JsonObject obj, 2) when obj.Count > 0:
                var (key, value) = obj.ElementAt(random.Next(obj.Count));
                var renamed = random.Next(2) == 0 ? key.ToUpperInvariant() : key + "s";
                obj.Remove(key);
                obj[renamed] = value;
                return $"'{key}' renamed '{renamed}' at {target.GetPath()}";
            case (JsonArray array, 0) when array.Count > 0:
                array.RemoveAt(random.Next(array.Count));
                return $"an item removed at {target.GetPath()}";
            case (JsonArray array, 1) when array.Count > 0:
                array.Add(array[random.Next(array.Count)]?.DeepClone());
                return $"an item repeated at {target.GetPath()}";
            default:
                if (target.Parent is null)
                {
                    return "nothing";
                }

                var path = target.GetPath();
                var replacement = s_replacements[random.Next(s_replacements.Length)]();
                target.ReplaceWith(replacement);
                return $"{path} replaced by {replacement?.ToJsonString() ?? "null"}";
        }
    }

    private static readonly string[] KnownKeys =
        ["kind", "apiVersion", "metadata", "spec", "name", "match", "actions", "scope", "priority", "mode", "block", "warn", "notify", "forward",
         "reason", "channel", "target", "environments", "workspaces", "env", "url", "labels", "set", "tests", "expect", "event"];

    private static void Collect(JsonNode? node, List<JsonNode> nodes)
    {
        if (node is null)
        {
            return;
        }

        nodes.Add(node);
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, value) in obj)
                {
                    Collect(value, nodes);
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Collect(item, nodes);
                }

                break;
        }
    }
}
