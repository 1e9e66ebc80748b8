using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Model.Patterns.Operators;

namespace OpenEvent.Rules.Validation;

/// <summary>
/// OER3065 (a warning): <c>exists</c> on a field the catalog documents as an object or an array of objects. exists sees
/// leaf values only (as in EventBridge: "exists matching only works on leaf nodes"), and such a field has none, so
/// <c>exists: false</c> holds for every event and <c>exists: true</c> for none: <c>tableMapping: [{exists: false}]</c>
/// did not tell a StartDiJob without its mappings from one with two. The hint names a leaf that answers the question.
/// </summary>
internal static class ContainerExists
{
    // Leaves DataWorks sends to say whether it left a container out, by the container's path: showTableMapping is false
    // when a solution has more than 500 tables, and tableMapping is then absent (reference section 3.4).
    private static readonly Dictionary<string, string> s_presenceFlags = new(StringComparer.Ordinal)
    {
        ["data.tableMapping"] = "showTableMapping",
    };

    public static void Check(ValidationContext context, string policy, LeafMember leaf, string path, MatchedTypes types)
    {
        var exists = leaf.Matchers.OfType<ExistsMatcher>().ToList();
        if (exists.Count == 0 || Describe(types, path) is not { } shape)
        {
            return;
        }

        var child = FirstLeafChild(types, path);
        var flag = s_presenceFlags.TryGetValue(path, out var name) && FieldDocs.IsDocumented(types, ParentOf(path) + name) ? name : null;
        foreach (var matcher in exists)
        {
            var effect = matcher.Exists ? "true never holds for '" + path + "', even when" : "false always holds for '" + path + "', also when";
            context.Diagnostics.Warning(DiagnosticIds.ExistsOnContainer, matcher.Location,
                $"Policy '{policy}': exists: {effect} an event carries it: it is documented as {shape}, and exists sees leaf values only (strings, numbers, booleans, null)",
                Hint(leaf.Name, matcher.Exists, shape != "an object", child, flag));
        }
    }

    /// <summary>"an object", "an array of objects" or both; null when the field may hold a leaf value (or its elements are not documented as objects).</summary>
    private static string? Describe(MatchedTypes types, string path)
    {
        var documented = FieldDocs.JsonTypes(types, path);
        if (documented.IsEmpty || documented.Any(t => t is not ("object" or "array")))
        {
            return null;
        }

        // The catalog does not record an array's element type; the fields documented below it are those of object
        // elements (nodeIds, an array of numbers, has none, and exists on it sees the numbers).
        var array = documented.Contains("array");
        if (array && FirstChild(types, path, leafOnly: false) is null)
        {
            return null;
        }

        return !array ? "an object" : documented.Contains("object") ? "an object or an array of objects" : "an array of objects";
    }

    private static string Hint(string name, bool exists, bool array, string? child, string? flag)
    {
        var hint = "Test a leaf instead. ";
        if (flag is not null)
        {
            hint += $"DataWorks says whether it sent {name} in {flag}: {flag}: [{(exists ? "true" : "false")}]. ";
        }

        var element = array ? $"some element of {name}" : name;
        if (child is null)
        {
            return hint + $"Inside it, {name}: {{ field: [{{ exists: true }}] }} holds when {element} has that field.";
        }

        return exists
            ? hint + $"{name}: {{ {child}: [{{ exists: true }}] }} holds when {element} has a {child}."
            : hint + $"{name}: {{ {child}: [{{ exists: false }}] }} holds when {name} is absent{(array ? " or empty" : "")}, but also when {(array ? "one of its elements" : "it")} has no {child}.";
    }

    private static string? FirstLeafChild(MatchedTypes types, string path) => FirstChild(types, path, leafOnly: true);

    /// <summary>The ordinally first field documented directly below <paramref name="path"/> (with a leaf type when <paramref name="leafOnly"/>), by its name.</summary>
    private static string? FirstChild(MatchedTypes types, string path, bool leafOnly)
    {
        var prefix = path + ".";
        string? first = null;
        foreach (var type in types.Types)
        {
            if (!type.Fields.ContainsKey(path))
            {
                continue;
            }

            foreach (var (childPath, field) in type.Fields)
            {
                if (!childPath.StartsWith(prefix, StringComparison.Ordinal) || childPath.IndexOf('.', prefix.Length) >= 0
                    || (leafOnly && (field.JsonTypes.IsEmpty || field.JsonTypes.Any(t => t is "object" or "array"))))
                {
                    continue;
                }

                var child = childPath[prefix.Length..];
                if (first is null || string.CompareOrdinal(child, first) < 0)
                {
                    first = child;
                }
            }
        }

        return first;
    }

    private static string ParentOf(string path) => path.LastIndexOf('.') is var dot and >= 0 ? path[..(dot + 1)] : "";
}
