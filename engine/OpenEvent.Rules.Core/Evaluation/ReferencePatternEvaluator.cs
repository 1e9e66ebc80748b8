using System.Collections.Immutable;
using System.Text.Json;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Evaluation;

// The oracle: docs/matching-semantics.md read literally, one pattern at a time, recursive, with no caching
// and no indexing. The compiled matcher must agree with it on every conformance case; when the two disagree,
// this one is right unless the semantics document says otherwise.

/// <summary>Evaluates a <see cref="PatternObject"/> against a CloudEvent the plain way, and explains the outcome.</summary>
internal static class ReferencePatternEvaluator
{
    /// <summary>Whether the event (the whole CloudEvent: envelope attributes and data) matches the pattern.</summary>
    public static bool Matches(PatternObject pattern, JsonElement cloudEvent) =>
        MatchObject(pattern, AsObject(cloudEvent));

    /// <summary>The outcome of every member of the pattern, with the values seen; <see cref="PatternTrace.Matched"/> equals <see cref="Matches"/>.</summary>
    public static PatternTrace Explain(PatternObject pattern, JsonElement cloudEvent) =>
        ExplainObject(pattern, AsObject(cloudEvent), "");

    // A non-object event has no fields; it is matched like an empty object.
    private static JsonElement? AsObject(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object ? element : null;

    private static JsonElement? Field(JsonElement? obj, string name) =>
        obj is { } o && o.TryGetProperty(name, out var value) ? value : null;

    private static bool MatchObject(PatternObject pattern, JsonElement? obj)
    {
        foreach (var member in pattern.Members)
        {
            if (!MatchMember(member, obj))
            {
                return false;
            }
        }

        return true;
    }

    private static bool MatchMember(PatternMember member, JsonElement? obj) => member switch
    {
        LeafMember leaf => MatchLeaf(leaf, LeafValues(Field(obj, leaf.Name))),
        NestedMember nested => MatchNested(nested, Field(obj, nested.Name)),
        OrMember or => or.Branches.Any(branch => MatchObject(branch, obj)),
        _ => throw new ArgumentOutOfRangeException(nameof(member), member.GetType().Name, "Unknown pattern member."),
    };

    private static bool MatchLeaf(LeafMember leaf, List<Scalar> values) =>
        leaf.Matchers.Any(matcher => MatcherSemantics.MatchesField(matcher, values));

    private static bool MatchNested(NestedMember nested, JsonElement? field)
    {
        var objects = ObjectElements(field);
        if (objects.Count == 0)
        {
            return MatchObject(nested.Pattern, null);
        }

        return objects.Any(o => MatchObject(nested.Pattern, o.Element));
    }

    private static List<Scalar> LeafValues(JsonElement? field) =>
        LeafElements(field).Select(ReadScalar).ToList();

    private static List<JsonElement> LeafElements(JsonElement? field)
    {
        var elements = new List<JsonElement>();
        if (field is { } f)
        {
            MatcherSemantics.CollectLeafElements(f, elements);
        }

        return elements;
    }

    private static Scalar ReadScalar(JsonElement element) =>
        MatcherSemantics.TryReadScalar(element, out var value) ? value : throw new InvalidOperationException("Not a leaf.");

    // The objects a nested pattern is tried on, each with its path suffix ("" for the field itself, "[2]" for an
    // array element, "[2][0]" inside nested arrays).
    private static List<(JsonElement Element, string Suffix)> ObjectElements(JsonElement? field)
    {
        var objects = new List<(JsonElement, string)>();
        if (field is { } f)
        {
            CollectObjects(f, "", objects);
        }

        return objects;
    }

    private static void CollectObjects(JsonElement element, string suffix, List<(JsonElement, string)> into)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            into.Add((element, suffix));
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            var index = 0;
            foreach (var item in element.EnumerateArray())
            {
                CollectObjects(item, $"{suffix}[{index++}]", into);
            }
        }
    }

    // ---- Explain ---------------------------------------------------------------------------------------

    private static PatternTrace ExplainObject(PatternObject pattern, JsonElement? obj, string path)
    {
        var members = pattern.Members.Select(m => ExplainMember(m, obj, path)).ToImmutableArray();
        return new PatternTrace(path, members.All(m => m.Passed), members, pattern.Location);
    }

    private static MemberTrace ExplainMember(PatternMember member, JsonElement? obj, string path)
    {
        switch (member)
        {
            case LeafMember leaf:
            {
                var fieldPath = Join(path, leaf.Name);
                var elements = LeafElements(Field(obj, leaf.Name));
                var values = elements.Select(ReadScalar).ToList();
                var actual = elements.Select(e => e.GetRawText()).ToImmutableArray();
                var clauses = leaf.Matchers
                    .Select(m => new ClauseTrace(fieldPath, MatcherFormatter.Format(m), MatcherSemantics.MatchesField(m, values), actual, m.Location))
                    .ToImmutableArray();
                return new LeafTrace(fieldPath, clauses.Any(c => c.Passed), actual, clauses, leaf.Location);
            }

            case NestedMember nested:
            {
                var fieldPath = Join(path, nested.Name);
                var objects = ObjectElements(Field(obj, nested.Name));
                var candidates = objects.Count == 0
                    ? [ExplainObject(nested.Pattern, null, fieldPath)]
                    : objects.Select(o => ExplainObject(nested.Pattern, o.Element, fieldPath + o.Suffix)).ToImmutableArray();
                return new NestedTrace(fieldPath, candidates.Any(c => c.Matched), candidates, nested.Location);
            }

            case OrMember or:
            {
                var branches = or.Branches.Select(b => ExplainObject(b, obj, path)).ToImmutableArray();
                return new OrTrace(Join(path, "$or"), branches.Any(b => b.Matched), branches, or.Location);
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(member), member.GetType().Name, "Unknown pattern member.");
        }
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;
}
