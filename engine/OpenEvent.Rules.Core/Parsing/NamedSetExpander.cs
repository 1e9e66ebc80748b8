using System.Collections.Frozen;
using System.Text.Json.Nodes;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Model.Registry;

namespace OpenEvent.Rules.Parsing;

/// <summary>
/// The build-time expansion of named sets in an event pattern, run before the pattern parser sees it: each
/// <c>{ set: name }</c> is replaced by the set's values, so that the pattern parser, the validators and the compiled
/// matcher only ever see plain operands (and cost nothing more per event than the same values written inline).
/// Where a set may stand:
/// <list type="bullet">
/// <item>an entry of a leaf list: <c>projectId: [{ set: core-workspaces }]</c>, one exact value per set value;</item>
/// <item>the operand of <c>prefix</c>, <c>suffix</c>, <c>cidr</c>, <c>contains</c>, <c>wildcard</c>, <c>equals-ignore-case</c>:
///   <c>ip: [{ cidr: { set: office-networks } }]</c>, one operator entry per value;</item>
/// <item>the operand of <c>anything-but</c> or an entry of its list, and the list of its <c>wildcard</c> or
///   <c>equals-ignore-case</c>: <c>[{ anything-but: { set: local-sources } }]</c>.</item>
/// </list>
/// The expanded tree comes with a source map that sends every expanded node back to the set reference it came from,
/// so a value of the set that cannot apply (a number given to prefix, a bad CIDR) is reported where the set is named.
/// </summary>
internal static class NamedSetExpander
{
    private const string SetKey = "set";

    /// <summary>
    /// The most values the set references of one pattern expand to. A set is written once and may be named in every
    /// field of a pattern: a set of 9,000 names in 2,000 fields was 18 million entries (gigabytes) from a small folder.
    /// </summary>
    internal const int MaxExpandedValues = 100_000;

    private static readonly FrozenSet<string> s_expandingOperators =
        FrozenSet.ToFrozenSet(["prefix", "suffix", "cidr", "contains", "wildcard", "equals-ignore-case"], StringComparer.Ordinal);

    /// <summary>
    /// Expands the set references of the pattern <paramref name="node"/> (at <paramref name="pointer"/>). Returns false,
    /// with located diagnostics (OER3050 unknown set, OER3016 a set reference without a name), when one cannot be
    /// expanded. When the pattern names no set, <paramref name="expanded"/> and <paramref name="expandedMap"/> are the
    /// input itself.
    /// </summary>
    public static bool TryExpand(JsonNode? node, string pointer, ISourceMap map, RegistryDefinition registry, DiagnosticBag diagnostics,
        out JsonNode? expanded, out ISourceMap expandedMap)
    {
        expanded = node;
        expandedMap = map;
        if (node is not JsonObject pattern || !MentionsSet(pattern))
        {
            return true;
        }

        var walker = new Walker(map, registry, diagnostics);
        var result = walker.Pattern(pattern, pointer);
        if (walker.HasErrors)
        {
            return false;
        }

        expanded = result;
        expandedMap = new ExpandedSourceMap(map, walker.Mappings);
        return true;
    }

    /// <summary>Whether some object of the tree has a <c>set</c> key (a cheap test before anything is copied).</summary>
    private static bool MentionsSet(JsonNode? node) => node switch
    {
        JsonObject obj => obj.ContainsKey(SetKey) || obj.Any(p => MentionsSet(p.Value)),
        JsonArray array => array.Any(MentionsSet),
        _ => false,
    };

    private sealed class Walker(ISourceMap map, RegistryDefinition registry, DiagnosticBag diagnostics)
    {
        /// <summary>Expanded pointer → original pointer, for the entries of the lists that were rewritten.</summary>
        public List<(string Expanded, string Original)> Mappings { get; } = [];

        public bool HasErrors { get; private set; }

        public JsonObject Pattern(JsonObject pattern, string pointer)
        {
            var copy = new JsonObject();
            foreach (var (key, value) in pattern)
            {
                var memberPointer = YamlSourceMap.Append(pointer, key);
                copy[key] = value switch
                {
                    JsonArray branches when key == "$or" => new JsonArray([.. branches.Select((b, i) =>
                        b is JsonObject branch ? Pattern(branch, YamlSourceMap.Append(memberPointer, i)) : b?.DeepClone())]),
                    JsonArray leaf => Leaf(leaf, memberPointer),
                    JsonObject { Count: 1 } reference when reference[SetKey] is JsonValue => NotInList(key, memberPointer),
                    JsonObject nested when nested.Count != 1 || !PatternParser.OperatorNames.Contains(nested.First().Key) => Pattern(nested, memberPointer),
                    _ => value?.DeepClone(),
                };
            }

            return copy;
        }

        // projectId: { set: x } wants the list every leaf has, as EventBridge requires for values.
        private JsonNode? NotInList(string key, string pointer)
        {
            HasErrors = true;
            diagnostics.Error(DiagnosticIds.LeafNotArray, map.Locate(pointer), $"The value of '{key}' must be a list of values or operators; found a set reference.",
                $"Wrap it in a list: \"{key}\": [{{ set: ... }}] (a list may mix sets, values and operators).");
            return null;
        }

        private JsonArray Leaf(JsonArray list, string pointer)
        {
            var result = new JsonArray();
            for (var i = 0; i < list.Count; i++)
            {
                var entryPointer = YamlSourceMap.Append(pointer, i);
                var entry = list[i];
                if (SetName(entry, entryPointer) is { } reference)
                {
                    foreach (var value in Values(reference))
                    {
                        Add(result, pointer, value, reference.NamePointer);
                    }
                }
                else if (entry is JsonObject { Count: 1 } op && op.First() is var (name, operand) && s_expandingOperators.Contains(name)
                    && SetName(operand, YamlSourceMap.Append(entryPointer, name)) is { } operandSet)
                {
                    foreach (var value in Values(operandSet))
                    {
                        Add(result, pointer, new JsonObject { [name] = value }, operandSet.NamePointer);
                    }
                }
                else if (entry is JsonObject { Count: 1 } anythingBut && anythingBut.ContainsKey("anything-but"))
                {
                    var operandPointer = YamlSourceMap.Append(entryPointer, "anything-but");
                    Add(result, pointer, new JsonObject { ["anything-but"] = AnythingBut(anythingBut["anything-but"], operandPointer, result.Count, pointer) }, entryPointer);
                }
                else
                {
                    Add(result, pointer, entry?.DeepClone(), entryPointer);
                }
            }

            return result;
        }

        // The operand of anything-but: a set, a list with sets among its values, or { wildcard | equals-ignore-case: set }.
        private JsonNode? AnythingBut(JsonNode? operand, string pointer, int index, string listPointer)
        {
            var expandedPointer = YamlSourceMap.Append(YamlSourceMap.Append(listPointer, index), "anything-but");
            if (SetName(operand, pointer) is { } whole)
            {
                Mappings.Add((expandedPointer, whole.NamePointer));
                return new JsonArray([.. Values(whole)]);
            }

            if (operand is JsonArray list)
            {
                var result = new JsonArray();
                for (var i = 0; i < list.Count; i++)
                {
                    var itemPointer = YamlSourceMap.Append(pointer, i);
                    if (SetName(list[i], itemPointer) is { } reference)
                    {
                        foreach (var value in Values(reference))
                        {
                            Add(result, expandedPointer, value, reference.NamePointer);
                        }
                    }
                    else
                    {
                        Add(result, expandedPointer, list[i]?.DeepClone(), itemPointer);
                    }
                }

                return result;
            }

            if (operand is JsonObject { Count: 1 } inner && inner.First() is var (name, innerOperand) && name is "wildcard" or "equals-ignore-case"
                && SetName(innerOperand, YamlSourceMap.Append(pointer, name)) is { } innerSet)
            {
                Mappings.Add((YamlSourceMap.Append(expandedPointer, name), innerSet.NamePointer));
                return new JsonObject { [name] = new JsonArray([.. Values(innerSet)]) };
            }

            Mappings.Add((expandedPointer, pointer));
            return operand?.DeepClone();
        }

        private void Add(JsonArray list, string expandedListPointer, JsonNode? node, string originalPointer)
        {
            Mappings.Add((YamlSourceMap.Append(expandedListPointer, list.Count), originalPointer));
            list.Add(node);
        }

        private int _expanded;
        private bool _overBound;

        private IEnumerable<JsonNode?> Values((NamedSetDefinition? Set, string NamePointer) reference)
        {
            if (reference.Set is not { } set)
            {
                return [];
            }

            _expanded += set.Values.Length;
            if (_expanded > MaxExpandedValues)
            {
                // Said once, at the reference that crossed the bound; the pattern is not built.
                if (!_overBound)
                {
                    _overBound = true;
                    diagnostics.Error(DiagnosticIds.SetExpansionLimit, map.Locate(reference.NamePointer),
                        $"the set references of this pattern expand to more than {MaxExpandedValues:N0} values (set '{set.Name}' has {set.Values.Length:N0})",
                        "name a large set once (a field's list can hold it with other values), or split the policy; each { set: } in a pattern is expanded in place");
                }

                HasErrors = true;
                return [];
            }

            return set.Values.Select(ToNode);
        }

        /// <summary>
        /// <c>{ set: name }</c> at <paramref name="pointer"/>: the set (null when unknown, reported) and where its name is
        /// written; null when the node is not a set reference.
        /// </summary>
        private (NamedSetDefinition? Set, string NamePointer)? SetName(JsonNode? node, string pointer)
        {
            if (node is not JsonObject { Count: 1 } obj || !obj.ContainsKey(SetKey))
            {
                return null;
            }

            var namePointer = YamlSourceMap.Append(pointer, SetKey);
            if (obj[SetKey] is not JsonValue value || !value.TryGetValue<string>(out var name))
            {
                HasErrors = true;
                diagnostics.Error(DiagnosticIds.BadOperatorValue, map.Locate(namePointer), "'set' needs the name of a set of the registry",
                    "write { set: name }, e.g. { set: office-networks }, with a set declared under spec.sets of a Registry document");
                return (null, namePointer);
            }

            var set = registry.FindSet(name);
            if (set is null)
            {
                HasErrors = true;
                diagnostics.Add(RegistryReferences.UnknownSet(name, map.Locate(namePointer), registry));
            }

            return (set, namePointer);
        }

        private static JsonNode? ToNode(Scalar value) => value.Kind switch
        {
            ScalarKind.String => JsonValue.Create(value.Text),
            ScalarKind.Number => JsonNode.Parse(value.Text ?? value.Number.ToString()),
            ScalarKind.True => JsonValue.Create(true),
            ScalarKind.False => JsonValue.Create(false),
            _ => null,
        };
    }

    /// <summary>
    /// The source map of an expanded pattern: a pointer into a rewritten list is sent to the original entry (or the
    /// set reference it came from); everything else is where it was.
    /// </summary>
    private sealed class ExpandedSourceMap(ISourceMap inner, List<(string Expanded, string Original)> mappings) : ISourceMap
    {
        /// <summary>
        /// Expanded pointer → original, the first mapping of each. Every node of a large expansion is located (a lookup
        /// per value): a scan of every mapping per lookup made a pattern naming a 9,000-value set in four fields take 35 s.
        /// </summary>
        private readonly Dictionary<string, string> _originals = Index(mappings);

        public SourceLocation Locate(string jsonPointer) => inner.Locate(Original(jsonPointer));

        public SourceLocation LocateKey(string jsonPointer) => inner.LocateKey(Original(jsonPointer));

        private static Dictionary<string, string> Index(List<(string Expanded, string Original)> mappings)
        {
            var index = new Dictionary<string, string>(mappings.Count, StringComparer.Ordinal);
            foreach (var (expanded, original) in mappings)
            {
                index.TryAdd(expanded, original);
            }

            return index;
        }

        /// <summary>The pointer sent through its longest mapped prefix (whole segments), or itself.</summary>
        private string Original(string pointer)
        {
            for (var end = pointer.Length; end > 0; end = pointer.LastIndexOf('/', end - 1))
            {
                if (_originals.TryGetValue(pointer[..end], out var original))
                {
                    return original + pointer[end..];
                }
            }

            return pointer;
        }
    }
}
