using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Model.Patterns.Operators;

namespace OpenEvent.Rules.Analysis;

// A witness is built from the patterns, never guessed at random: each conjunction of one policy is paired with
// each of the other's, every field gets a value drawn from the operands (an exact value, a prefix, a number inside
// the range, the network's address...) and checked against every clause on that field, and the scopes get a value
// both list. The event is then parsed by the engine's own EventParser and matched by the reference matcher (match,
// scope, exclusions): only an event both policies really apply to is returned, so a reported overlap is never wrong.

/// <summary>Builds a CloudEvent that two policies both apply to, verified by the engine, or finds none.</summary>
internal sealed class WitnessBuilder(EventCatalog catalog)
{
    /// <summary>Catalog types tried per pair of conjunctions: enough to get past a type whose scope paths differ.</summary>
    private const int TypesTried = 4;

    /// <summary>
    /// Events built and verified per pair at most (conjunction pairs × types): keeps `oer analyze` quadratic in the
    /// policies, not in their $or branches; a pair whose overlap needs more tries is not reported (sound).
    /// </summary>
    public const int MaxAttemptsPerPair = 256;

    private const string Filler = "oer-witness";

    private readonly EventParser _parser = new(catalog);

    /// <summary>A compact JSON event both policies apply to, or null when none was constructed.</summary>
    public string? Build(PolicyDefinition a, PolicyDefinition b)
    {
        var (left, _) = Conjunctions.Of(a.Match);
        var (right, _) = Conjunctions.Of(b.Match);
        var attempts = MaxAttemptsPerPair;
        foreach (var l in left)
        {
            foreach (var r in right)
            {
                if (TryConjunctions(a, b, [.. l, .. r], ref attempts) is { } witness)
                {
                    return witness;
                }

                if (attempts <= 0)
                {
                    return null;
                }
            }
        }

        return null;
    }

    private string? TryConjunctions(PolicyDefinition a, PolicyDefinition b, ImmutableArray<PatternMember> members, ref int attempts)
    {
        var node = Node.Of(members);
        if (Intersect(a.Scope, b.Scope) is not { } scope)
        {
            return null;
        }

        node.Leaves.TryGetValue("type", out var typeLeaves);
        var types = catalog.EventTypes
            .Where(t => typeLeaves is null || typeLeaves.All(leaf => Accepts(leaf, Scalar.FromString(t.Type))))
            .Take(TypesTried);
        foreach (var type in types)
        {
            if (--attempts < 0)
            {
                return null;
            }

            var root = new JsonObject
            {
                ["specversion"] = "1.0",
                ["id"] = Filler,
                ["source"] = "acs.dataworks",
                ["type"] = type.Type,
            };
            if (!Fill(root, node, type, ""))
            {
                continue;
            }

            SetScope(root, type, scope);
            var text = root.ToJsonString();
            if (Verify(text, a, b))
            {
                return text;
            }
        }

        return null;
    }

    /// <summary>Whether the engine, reading <paramref name="json"/> as an event, applies both policies to it.</summary>
    public bool Verify(string json, PolicyDefinition a, PolicyDefinition b)
    {
        try
        {
            using var e = _parser.Parse(Encoding.UTF8.GetBytes(json), new EventOrigin("analysis", 0));
            return ReferencePolicyMatcher.Applies(a, e) && ReferencePolicyMatcher.Applies(b, e);
        }
        catch (InvalidEventException)
        {
            return false;
        }
    }

    // ---- fields ----------------------------------------------------------------------------------------

    // A field the catalog documents as one scalar for the type gets one value, never the array fallback: the witness
    // must be an event DataWorks could send, not only one the matcher accepts.
    private static bool Fill(JsonObject target, Node node, EventTypeInfo type, string path)
    {
        var topLevel = path.Length == 0;
        foreach (var (name, leaves) in node.Leaves)
        {
            if (topLevel && name is "type" or "specversion" or "id")
            {
                // The envelope's own attributes are set from the catalog type; the verification judges them.
                continue;
            }

            var arrayAllowed = !(type.Fields.TryGetValue(path + name, out var field) && !field.JsonTypes.IsEmpty && !field.JsonTypes.Contains("array"))
                && !topLevel;
            if (!ChooseValue(leaves, name == "source" ? ["acs.dataworks"] : [], arrayAllowed, out var absent, out var value))
            {
                return false;
            }

            if (absent)
            {
                target.Remove(name);
            }
            else
            {
                target[name] = value;
            }
        }

        foreach (var (name, patterns) in node.Nested)
        {
            var members = patterns.SelectMany(p => Conjunctions.Of(p).Items.FirstOrDefault(ImmutableArray<PatternMember>.Empty));
            var child = target[name] as JsonObject ?? new JsonObject();
            if (!Fill(child, Node.Of([.. members]), type, path + name + "."))
            {
                return false;
            }

            target[name] = child;
        }

        if (topLevel && target["data"] is null)
        {
            target["data"] = new JsonObject();
        }

        return true;
    }

    /// <summary>One value every leaf accepts; else an array with one value per leaf (fields are transparent to arrays).</summary>
    private static bool ChooseValue(List<LeafMember> leaves, string[] extra, bool arrayAllowed, out bool absent, out JsonNode? value)
    {
        value = null;
        absent = leaves.All(leaf => leaf.Matchers.Any(MatcherSemantics.MatchesMissing));
        if (absent)
        {
            return true;
        }

        if (leaves.Any(leaf => leaf.Matchers.All(MatcherSemantics.MatchesMissing)))
        {
            // One clause wants the field absent, another wants a value.
            return false;
        }

        var candidates = Candidates(leaves.SelectMany(leaf => leaf.Matchers), extra);
        foreach (var candidate in candidates)
        {
            if (leaves.All(leaf => Accepts(leaf, candidate)))
            {
                value = ToNode(candidate);
                return true;
            }
        }

        if (!arrayAllowed)
        {
            return false;
        }

        var array = new JsonArray();
        foreach (var leaf in leaves)
        {
            var index = candidates.FindIndex(c => Accepts(leaf, c));
            if (index < 0)
            {
                return false;
            }

            array.Add(ToNode(candidates[index]));
        }

        value = array;
        return true;
    }

    private static bool Accepts(LeafMember leaf, Scalar value) => leaf.Matchers.Any(m => MatcherSemantics.MatchesField(m, [value]));

    private static List<Scalar> Candidates(IEnumerable<Matcher> matchers, string[] extra)
    {
        var strings = new List<string>(extra);
        var others = new List<Scalar>();
        foreach (var matcher in matchers)
        {
            switch (matcher)
            {
                case ExactMatcher { Value.IsString: true } m: strings.Add(m.Value.Text!); break;
                case ExactMatcher m: others.Add(m.Value); break;
                case PrefixMatcher m: strings.Add(m.Value); strings.Add(m.Value + "x"); break;
                case SuffixMatcher m: strings.Add(m.Value); strings.Add("x" + m.Value); break;
                case ContainsMatcher m: strings.Add(m.Value); break;
                case EqualsIgnoreCaseMatcher m: strings.Add(m.Value); break;
                case WildcardMatcher m: strings.Add(WildcardText(m.Pattern, "")); strings.Add(WildcardText(m.Pattern, "x")); break;
                case NumericMatcher m: others.Add(Scalar.FromNumber(Inside(NumericRange.Of(m.Comparisons)))); break;
                case CidrMatcher m: strings.Add(m.Network.BaseAddress.ToString()); break;
                case AnythingButMatcher: others.Add(Scalar.FromNumber(JsonNumber.FromDecimal(0))); break;
                default: break;
            }
        }

        strings.Add(Filler);
        var distinct = strings.Distinct(StringComparer.Ordinal).Take(32).ToList();

        // Two operands on one field (a prefix and a suffix, a prefix and a contains) meet in their concatenation.
        var joined = distinct.SelectMany(x => distinct.Select(y => x + y));
        return [.. distinct.Concat(joined).Distinct(StringComparer.Ordinal).Select(Scalar.FromString), .. others];
    }

    /// <summary>The text a wildcard matches when each star stands for <paramref name="star"/>.</summary>
    private static string WildcardText(string pattern, string star)
    {
        var text = new StringBuilder();
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == '\\' && i + 1 < pattern.Length && pattern[i + 1] is '*' or '\\')
            {
                text.Append(pattern[++i]);
            }
            else
            {
                text.Append(pattern[i] == '*' ? star : pattern[i].ToString());
            }
        }

        return text.ToString();
    }

    /// <summary>A number inside the range (its inclusive bound, else a point between the bounds, else one past the bound).</summary>
    private static JsonNumber Inside(NumericRange range) => range switch
    {
        { Low: { } low, LowInclusive: true } => low,
        { High: { } high, HighInclusive: true, Low: null } => high,
        { Low: { } low, High: { } high } => JsonNumber.FromDouble((low.AsDouble + high.AsDouble) / 2),
        { Low: { } low } => JsonNumber.FromDouble(Math.Floor(low.AsDouble) + 1),
        { High: { } high } => JsonNumber.FromDouble(Math.Ceiling(high.AsDouble) - 1),
        _ => JsonNumber.FromDecimal(0),
    };

    private static JsonNode? ToNode(Scalar value) => value.Kind switch
    {
        ScalarKind.String => JsonValue.Create(value.Text),
        ScalarKind.Number => JsonNode.Parse(value.Number.ToString()),
        ScalarKind.True => JsonValue.Create(true),
        ScalarKind.False => JsonValue.Create(false),
        _ => null,
    };

    // ---- scope -----------------------------------------------------------------------------------------

    private sealed record ScopeChoice(ImmutableDictionary<ScopeDimension, string> Values);

    /// <summary>One value per filtered dimension that both scopes accept; null when a dimension has none.</summary>
    private static ScopeChoice? Intersect(ScopeDefinition? a, ScopeDefinition? b)
    {
        var values = ImmutableDictionary.CreateBuilder<ScopeDimension, string>();
        (ScopeDimension Dimension, Func<ScopeDefinition, ImmutableArray<string>> List)[] dimensions =
        [
            (ScopeDimension.Tenant, s => s.Tenants), (ScopeDimension.Workspace, s => s.Workspaces),
            (ScopeDimension.Region, s => s.Regions), (ScopeDimension.Environment, s => s.Environments),
            (ScopeDimension.Operator, s => s.Operators),
        ];
        foreach (var (dimension, list) in dimensions)
        {
            var left = a is null ? [] : list(a);
            var right = b is null ? [] : list(b);
            var both = (left.IsDefaultOrEmpty, right.IsDefaultOrEmpty) switch
            {
                (true, true) => null,
                (false, true) => left.FirstOrDefault(),
                (true, false) => right.FirstOrDefault(),
                _ => left.FirstOrDefault(v => right.Contains(v, StringComparer.Ordinal)) ?? "",
            };
            if (both is "")
            {
                return null;
            }

            if (both is not null)
            {
                values[dimension] = both;
            }
        }

        return new ScopeChoice(values.ToImmutable());
    }

    private static void SetScope(JsonObject root, EventTypeInfo type, ScopeChoice scope)
    {
        foreach (var (dimension, value) in scope.Values)
        {
            if (!type.Scope.TryGetValue(dimension, out var source) || source.Paths.IsDefaultOrEmpty)
            {
                continue;
            }

            var path = source.Paths[0];
            var numeric = type.Fields.TryGetValue(path, out var field) && field.JsonTypes.Contains("integer")
                && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _);
            SetPath(root, path, numeric ? JsonNode.Parse(value) : JsonValue.Create(value));
        }
    }

    private static void SetPath(JsonObject root, string path, JsonNode? value)
    {
        var segments = path.Split('.');
        var current = root;
        foreach (var segment in segments[..^1])
        {
            if (current[segment] is not JsonObject next)
            {
                next = new JsonObject();
                current[segment] = next;
            }

            current = next;
        }

        // A value the patterns already chose wins; the verification tells whether the scope still holds.
        if (!current.ContainsKey(segments[^1]))
        {
            current[segments[^1]] = value;
        }
    }

    /// <summary>The members of one conjunction grouped by field name (leaves with leaves, nested with nested).</summary>
    private sealed class Node
    {
        public Dictionary<string, List<LeafMember>> Leaves { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, List<PatternObject>> Nested { get; } = new(StringComparer.Ordinal);

        public static Node Of(ImmutableArray<PatternMember> members)
        {
            var node = new Node();
            foreach (var member in members)
            {
                switch (member)
                {
                    case LeafMember leaf:
                        node.Leaves.TryAdd(leaf.Name, []);
                        node.Leaves[leaf.Name].Add(leaf);
                        break;
                    case NestedMember nested:
                        node.Nested.TryAdd(nested.Name, []);
                        node.Nested[nested.Name].Add(nested.Pattern);
                        break;
                    default:
                        break;
                }
            }

            return node;
        }
    }
}
