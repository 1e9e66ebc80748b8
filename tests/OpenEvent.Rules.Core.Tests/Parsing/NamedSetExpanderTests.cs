using OpenEvent.Rules.Core.Tests.Sources;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Core.Tests.Parsing;

/// <summary>Set references in patterns become the same matchers as the values written inline, located at the reference.</summary>
public sealed class NamedSetExpanderTests
{
    private static string Policy(string data) => $$"""
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: p }
        spec:
          match:
            type: ["dataworks:ResourcesUpload:UploadDataToTable"]
            data: {{data}}
          actions: [ { forward: { target: log } } ]
        """;

    private static async Task<PatternObject> DataPatternAsync(string data)
    {
        using var temp = new TempFolder();
        var result = await RegistryYaml.LoadValidAsync(temp, RegistryYaml.Estate, RegistryYaml.LabelUser, Policy(data));
        var policy = result.Set.Policies.Single(p => p.Name == "p");
        return ((NestedMember)policy.Match.Members.Single(m => m is NestedMember)).Pattern;
    }

    private static IEnumerable<string> Formatted(PatternObject pattern) =>
        pattern.Members.OfType<LeafMember>().SelectMany(leaf => leaf.Matchers.Select(m => $"{leaf.Name}: {MatcherFormatter.Format(m)}"));

    public static TheoryData<string, string> SameAsInline => new()
    {
        { "{ projectId: [{ set: core-workspaces }] }", "{ projectId: [10001234, 10001235] }" },
        { "{ projectId: [1, { set: core-workspaces }, 2] }", "{ projectId: [1, 10001234, 10001235, 2] }" },
        { "{ tableGuid: [{ prefix: { set: scratch-prefixes } }] }", "{ tableGuid: [{ prefix: tmp_ }, { prefix: test_ }] }" },
        { "{ tableGuid: [{ suffix: { set: scratch-prefixes } }] }", "{ tableGuid: [{ suffix: tmp_ }, { suffix: test_ }] }" },
        { "{ ip: [{ cidr: { set: office-networks } }] }", "{ ip: [{ cidr: 10.0.0.0/8 }, { cidr: 192.168.0.0/16 }] }" },
        { "{ uploadSourceType: [{ anything-but: { set: local-sources } }] }", "{ uploadSourceType: [{ anything-but: [LOCAL, DW_EXCEL] }] }" },
        { "{ uploadSourceType: [{ anything-but: [HTTP, { set: local-sources }] }] }", "{ uploadSourceType: [{ anything-but: [HTTP, LOCAL, DW_EXCEL] }] }" },
        { "{ tableGuid: [{ anything-but: { wildcard: { set: scratch-prefixes } } }] }", "{ tableGuid: [{ anything-but: { wildcard: [tmp_, test_] } }] }" },
        { "{ $or: [{ projectId: [{ set: core-workspaces }] }, { ip: [{ cidr: { set: office-networks } }] }] }",
            "{ $or: [{ projectId: [10001234, 10001235] }, { ip: [{ cidr: 10.0.0.0/8 }, { cidr: 192.168.0.0/16 }] }] }" },
    };

    [Theory]
    [MemberData(nameof(SameAsInline))]
    public async Task Parse_SetReference_SameMatchersAsTheValuesInline(string withSet, string inline)
    {
        var expanded = await DataPatternAsync(withSet);
        var written = await DataPatternAsync(inline);

        Assert.Equal(Describe(written), Describe(expanded));
    }

    private static string Describe(PatternObject pattern) =>
        string.Join("; ", pattern.Members.Select(m => m switch
        {
            LeafMember leaf => $"{leaf.Name}: [{string.Join(", ", leaf.Matchers.Select(MatcherFormatter.Format))}]",
            OrMember or => "$or: " + string.Join(" | ", or.Branches.Select(Describe)),
            NestedMember nested => $"{nested.Name}: {{{Describe(nested.Pattern)}}}",
            _ => "?",
        }));

    [Fact]
    public async Task Parse_SetReference_EveryValueLocatedAtTheReference()
    {
        var pattern = await DataPatternAsync("{ projectId: [7, { set: core-workspaces }] }");

        var matchers = Assert.IsType<LeafMember>(Assert.Single(pattern.Members)).Matchers;
        var line = RegistryYaml.LineAfter(7, RegistryYaml.Estate, RegistryYaml.LabelUser);
        Assert.Equal([(line, 25), (line, 35), (line, 35)], matchers.Select(m => (m.Location.Line, m.Location.Column)));
        Assert.Equal(["projectId: 7", "projectId: 10001234", "projectId: 10001235"], Formatted(pattern));
    }

    public static TheoryData<string, string, int, int, string, string?> Mistakes => new()
    {
        { "{ projectId: [{ set: core-workspace }] }", DiagnosticIds.UnknownSet, 7, 32, "unknown set 'core-workspace'",
            "did you mean 'core-workspaces'? (sets of the registry: platform-admins, core-workspaces, scratch-prefixes, office-networks, local-sources)" },
        { "{ ip: [{ cidr: { set: offices } }] }", DiagnosticIds.UnknownSet, 7, 33, "unknown set 'offices'",
            "declare it under spec.sets of a Registry document in the policy folder, e.g. sets: { offices: [...] }" },
        { "{ projectId: [{ set: 5 }] }", DiagnosticIds.BadOperatorValue, 7, 32, "'set' needs the name of a set of the registry",
            "write { set: name }, e.g. { set: office-networks }, with a set declared under spec.sets of a Registry document" },
        { "{ projectId: { set: core-workspaces } }", DiagnosticIds.LeafNotArray, 7, 24, "The value of 'projectId' must be a list of values or operators; found a set reference.",
            "Wrap it in a list: \"projectId\": [{ set: ... }] (a list may mix sets, values and operators)." },
        // A value of the set that the operator cannot take is reported where the set is named.
        // (The operator's own message, which names the value: only its id and place are the expander's.)
        { "{ tableGuid: [{ prefix: { set: core-workspaces } }] }", DiagnosticIds.BadOperatorValue, 7, 42, "10001234", null },
        { "{ ip: [{ cidr: { set: scratch-prefixes } }] }", DiagnosticIds.BadCidr, 7, 33, "tmp_", null },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public async Task Parse_BadSetReference_LocatedAtTheReference(string data, string id, int line, int column, string message, string? hint)
    {
        using var temp = new TempFolder();

        var result = await RegistryYaml.LoadAsync(temp, RegistryYaml.Estate, RegistryYaml.LabelUser, Policy(data));

        // Each value of a set that cannot apply is reported, all of them where the set is named.
        var fileLine = RegistryYaml.LineAfter(line, RegistryYaml.Estate, RegistryYaml.LabelUser);
        var errors = result.Diagnostics.Where(d => d.IsError).ToList();
        Assert.All(errors, d => Assert.Equal((id, fileLine, column), (d.Id, d.Location.Line, d.Location.Column)));
        var diagnostic = errors[0];
        if (hint is null)
        {
            Assert.Contains(message, diagnostic.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(message, diagnostic.Message);
            Assert.Equal(hint, diagnostic.Hint);
        }
        Assert.DoesNotContain(result.Set.Policies, p => p.Name == "p");
    }

    [Fact]
    public async Task Parse_SetsExpandingPastTheBound_Oer1022OnceAtTheReferenceThatCrossesIt()
    {
        // A set is written once and may be named in every field: 9,000 names in twelve fields is 108,000 entries, and a
        // set in 2,000 fields took gigabytes. Eleven references stay within the bound; the twelfth crosses it.
        using var temp = new TempFolder();
        var names = string.Join(", ", Enumerable.Range(0, 9_000).Select(i => $"u{i}"));
        var registry = $"apiVersion: openevent.rules/v1\nkind: Registry\nmetadata: {{ name: estate }}\nspec:\n  sets:\n    many: [{names}]\n";
        var fields = string.Join(", ", Enumerable.Range(10, 12).Select(i => $"f{i}: [{{ set: many }}]"));

        var result = await RegistryYaml.LoadAsync(temp, registry, Policy($"{{ {fields} }}"));

        var diagnostic = Assert.Single(result.Diagnostics, d => d.IsError);
        Assert.Equal(DiagnosticIds.SetExpansionLimit, diagnostic.Id);
        Assert.Equal((RegistryYaml.LineAfter(7, registry), "    data: { ".Length + (11 * "fNN: [{ set: many }], ".Length) + "fNN: [{ set: ".Length + 1), (diagnostic.Location.Line, diagnostic.Location.Column));
        Assert.Equal("the set references of this pattern expand to more than 100,000 values (set 'many' has 9,000)", diagnostic.Message);
        Assert.DoesNotContain(result.Set.Policies, p => p.Name == "p");
    }

    [Fact]
    public async Task Parse_NoRegistry_SetReferenceIsAnUnknownSet()
    {
        using var temp = new TempFolder();

        var result = await RegistryYaml.LoadAsync(temp, Policy("{ projectId: [{ set: core-workspaces }] }"));

        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticIds.UnknownSet, diagnostic.Id);
        Assert.Equal("declare it under spec.sets of a Registry document in the policy folder, e.g. sets: { core-workspaces: [...] }", diagnostic.Hint);
    }

    [Fact]
    public async Task Parse_FieldNamedSet_StaysAField()
    {
        // Only an entry of a list (or an operand) is a set reference: a nested pattern may name a field "set".
        var pattern = await DataPatternAsync("{ config: { set: [a] } }");

        var nested = Assert.IsType<NestedMember>(Assert.Single(pattern.Members));
        Assert.Equal("set", Assert.IsType<LeafMember>(Assert.Single(nested.Pattern.Members)).Name);
    }
}
