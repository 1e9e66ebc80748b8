using System.Collections.Immutable;
using System.Text.Json.Nodes;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Parsing;

/// <summary>
/// Turns a schema-valid PolicyTest document (schemas/policy-test.schema.json) into a <see cref="PolicyTestDefinition"/>.
/// The schema has checked keys and types; this adds duplicate case names (OER4004). Whether the named policies exist
/// and the events can be read is checked by the runner, which knows the policy set and the file system.
/// </summary>
internal static class PolicyTestParser
{
    public static PolicyTestDefinition? Parse(SourceDocument document, DiagnosticBag diagnostics)
    {
        var map = document.Map;
        var root = (JsonObject)document.Root!;
        var name = Text(root["metadata"]!["name"])!;
        var spec = (JsonObject)root["spec"]!;
        var policies = Names(spec["policies"], "/spec/policies", map);

        var cases = ImmutableArray.CreateBuilder<TestCaseDefinition>();
        var seen = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
        var ok = true;
        var items = (JsonArray)spec["cases"]!;
        for (var i = 0; i < items.Count; i++)
        {
            var pointer = YamlSourceMap.Append("/spec/cases", i);
            var item = (JsonObject)items[i]!;
            var caseName = Text(item["name"])!;
            var location = map.Locate(pointer);
            if (seen.TryGetValue(caseName, out var first))
            {
                diagnostics.Error(DiagnosticIds.DuplicateTestName, map.Locate(pointer + "/name"),
                    $"test '{name}' already has a case named '{caseName}' (at line {first.Line})",
                    "give each case a name of its own: reports and JUnit output identify cases by name");
                ok = false;
                continue;
            }

            seen.Add(caseName, location);
            var eventNode = item["event"]!;
            cases.Add(new TestCaseDefinition(
                caseName,
                i,
                Text(eventNode),
                eventNode is JsonObject inline ? (JsonObject)inline.DeepClone() : null,
                item["patch"] is JsonObject patch ? (JsonObject)patch.DeepClone() : null,
                ParseExpectation((JsonObject)item["expect"]!, pointer + "/expect", map, diagnostics),
                location,
                map.Locate(pointer + "/event"))
            {
                DetailPath = Text(item["detail"]),
                InlineDetail = item["detail"] is JsonObject detail ? (JsonObject)detail.DeepClone() : null,
                DetailLocation = item.ContainsKey("detail") ? map.Locate(pointer + "/detail") : location,
            });
        }

        return ok ? new PolicyTestDefinition(name, document.File, policies, cases.ToImmutable(), map.Locate("")) : null;
    }

    private static TestExpectation ParseExpectation(JsonObject expect, string pointer, YamlSourceMap map, DiagnosticBag diagnostics)
    {
        // "Must match none of []" and "must match all of []" hold for every event: such a case would pass whatever the
        // policies do, and an author who wrote matched: [] meant matchedExactly: [].
        foreach (var (key, hint) in (ReadOnlySpan<(string, string)>)[
            ("matched", "list the policies that must match, or write matchedExactly: [] to say that no policy matches"),
            ("notMatched", "list the policies that must not match, or remove notMatched"),
            ("conditionErrors", "list the policies whose condition must fail, or remove conditionErrors")])
        {
            if (expect[key] is JsonArray { Count: 0 })
            {
                diagnostics.Error(DiagnosticIds.InvalidValue, map.Locate(pointer + "/" + key), $"expect.{key} is an empty list, which checks nothing", hint);
            }
        }

        ExpectedVerdict? verdict = Text(expect["verdict"]) switch
        {
            "OK" => ExpectedVerdict.Ok,
            "WARN" => ExpectedVerdict.Warn,
            "FAIL" => ExpectedVerdict.Fail,
            "none" => ExpectedVerdict.None,
            _ => null,
        };

        var actions = ImmutableArray.CreateBuilder<ExpectedActionDefinition>();
        if (expect["actions"] is JsonArray array)
        {
            for (var i = 0; i < array.Count; i++)
            {
                var actionPointer = YamlSourceMap.Append(pointer + "/actions", i);
                var action = (JsonObject)array[i]!;
                actions.Add(new ExpectedActionDefinition(
                    Text(action["kind"])!,
                    Text(action["policy"]) is { } policy ? new NameReference(policy, map.Locate(actionPointer + "/policy")) : null,
                    Text(action["channel"]),
                    Text(action["target"]),
                    Text(action["reasonContains"]),
                    Text(action["messageContains"]),
                    map.Locate(actionPointer)));
            }
        }

        return new TestExpectation(
            verdict,
            Names(expect["matched"], pointer + "/matched", map),
            Names(expect["notMatched"], pointer + "/notMatched", map),
            expect.ContainsKey("matchedExactly") ? Names(expect["matchedExactly"], pointer + "/matchedExactly", map) : null,
            Text(expect["reasonContains"]),
            actions.ToImmutable(),
            map.Locate(pointer))
        {
            ConditionErrors = Names(expect["conditionErrors"], pointer + "/conditionErrors", map),
        };
    }

    private static ImmutableArray<NameReference> Names(JsonNode? node, string pointer, YamlSourceMap map) =>
        node is JsonArray array
            ? [.. array.Select((item, i) => new NameReference(Text(item)!, map.Locate(YamlSourceMap.Append(pointer, i))))]
            : [];

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
