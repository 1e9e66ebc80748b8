using System.Collections.Immutable;
using System.Text.Json;

namespace OpenEvent.Rules.Catalog;

/// <summary>
/// Reads the documented fields of an event family from its JSON Schema: every property under
/// <c>properties</c> (the envelope) and <c>properties.data</c>, recursively through objects and array items,
/// as dotted paths ("data.tableMapping.dstTable"). Local "#/definitions/..." references are followed.
/// </summary>
internal static class FamilySchemaFields
{
    public static ImmutableDictionary<string, FieldInfo> Read(JsonElement schema)
    {
        var fields = ImmutableDictionary.CreateBuilder<string, FieldInfo>(StringComparer.Ordinal);
        Walk(schema, schema, "", fields, depth: 0);
        return fields.ToImmutable();
    }

    private static void Walk(JsonElement root, JsonElement node, string path,
        ImmutableDictionary<string, FieldInfo>.Builder fields, int depth)
    {
        if (depth > 32)
        {
            return;
        }

        node = Resolve(root, node);
        if (path.Length > 0)
        {
            var types = TypesOf(root, node);
            var values = ValuesOf(node);
            if (fields.TryGetValue(path, out var existing))
            {
                // An empty list means "any type" (or any value): merged with anything, the field stays unconstrained.
                types = existing.JsonTypes.IsEmpty || types.IsEmpty
                    ? []
                    : existing.JsonTypes.Union(types).ToImmutableArray();
                values = existing.Values.IsEmpty || values.IsEmpty
                    ? []
                    : [.. existing.Values.Concat(values).DistinctBy(v => v.GetRawText())];
            }

            fields[path] = new FieldInfo(path, types) { Values = values };
        }

        WalkChildren(root, node, path, fields, depth);
    }

    /// <summary>
    /// Walks the members of <paramref name="node"/> as children of <paramref name="path"/>: its properties, the
    /// members of its array items, and the members of its allOf / anyOf / oneOf branches. Items and branches are
    /// walked the same way (recursively), so an array of "anyOf" objects or a "$ref" to an allOf still documents
    /// every nested field; they add no path of their own.
    /// </summary>
    private static void WalkChildren(JsonElement root, JsonElement node, string path,
        ImmutableDictionary<string, FieldInfo>.Builder fields, int depth)
    {
        if (depth > 32 || node.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        if (node.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in properties.EnumerateObject())
            {
                Walk(root, property.Value, path.Length == 0 ? property.Name : path + "." + property.Name, fields, depth + 1);
            }
        }

        if (node.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Object)
        {
            WalkChildren(root, Resolve(root, items), path, fields, depth + 1);
        }

        foreach (var keyword in (ReadOnlySpan<string>)["allOf", "anyOf", "oneOf"])
        {
            if (node.TryGetProperty(keyword, out var branches) && branches.ValueKind == JsonValueKind.Array)
            {
                foreach (var branch in branches.EnumerateArray())
                {
                    WalkChildren(root, Resolve(root, branch), path, fields, depth + 1);
                }
            }
        }
    }

    /// <summary>The field's <c>enum</c>, each value cloned out of the schema's document.</summary>
    private static ImmutableArray<JsonElement> ValuesOf(JsonElement node) =>
        node.ValueKind == JsonValueKind.Object && node.TryGetProperty("enum", out var values) && values.ValueKind == JsonValueKind.Array
            ? [.. values.EnumerateArray().Select(v => v.Clone())]
            : [];

    private static ImmutableArray<string> TypesOf(JsonElement root, JsonElement node)
    {
        if (node.TryGetProperty("type", out var type))
        {
            return type.ValueKind == JsonValueKind.Array
                ? type.EnumerateArray().Select(t => t.GetString()!).ToImmutableArray()
                : [type.GetString()!];
        }

        var union = ImmutableArray.CreateBuilder<string>();
        foreach (var keyword in (ReadOnlySpan<string>)["anyOf", "oneOf"])
        {
            if (node.TryGetProperty(keyword, out var branches) && branches.ValueKind == JsonValueKind.Array)
            {
                foreach (var branch in branches.EnumerateArray())
                {
                    union.AddRange(TypesOf(root, Resolve(root, branch)));
                }
            }
        }

        // No type constraint: anything goes, so no operator can be ruled out.
        return union.Count > 0 ? union.Distinct().ToImmutableArray() : [];
    }

    private static JsonElement Resolve(JsonElement root, JsonElement node)
    {
        for (var i = 0; i < 8 && node.ValueKind == JsonValueKind.Object && node.TryGetProperty("$ref", out var reference); i++)
        {
            var pointer = reference.GetString();
            if (pointer is null || !pointer.StartsWith("#/", StringComparison.Ordinal))
            {
                break;
            }

            var target = root;
            foreach (var segment in JsonPointer.Tokens(pointer[1..]))
            {
                if (!target.TryGetProperty(segment, out target))
                {
                    return node;
                }
            }

            node = target;
        }

        return node;
    }
}
