using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenEvent.Rules.Model.Patterns.Operators;

/// <summary>How pattern nodes are shown in messages and hints, and how a number node is read.</summary>
internal static class OperandText
{
    private static readonly JsonSerializerOptions s_json = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The node as compact JSON (non-ASCII kept readable).</summary>
    public static string Json(JsonNode? node)
    {
        if (node is null)
        {
            return "null";
        }

        try
        {
            return node.ToJsonString(s_json);
        }
        catch (ArgumentException)
        {
            return NonFiniteText(node);
        }
    }

    /// <summary>What the node is, for "found ..." in messages: "the string \"x\"", "an empty list []", "true".</summary>
    public static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject o => o.Count == 0 ? "an empty object {}" : $"the object {Truncate(Json(o))}",
        JsonArray a => a.Count == 0 ? "an empty list []" : $"the list {Truncate(Json(a))}",
        _ => node.GetValueKind() switch
        {
            JsonValueKind.String => $"the string {Truncate(Json(node))}",
            JsonValueKind.Number => $"the number {Json(node)}",
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => Json(node),
        },
    };

    /// <summary>The text to put inside quotes in a hint: the author's own value when it is a plain scalar.</summary>
    public static string StringHint(JsonNode? value, string fallback = "text") =>
        value is JsonValue && value.GetValueKind() is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False
            ? Json(value)
            : fallback;

    /// <summary>Reads a number node; false (with its text in <paramref name="literal"/>) when it is out of range.</summary>
    public static bool TryReadNumber(JsonNode node, out JsonNumber number, out string literal)
    {
        // A YAML reader may hand over .nan / .inf as a double, which System.Text.Json refuses to write.
        number = default;
        try
        {
            literal = node.ToJsonString();
        }
        catch (ArgumentException)
        {
            literal = NonFiniteText(node);
            return false;
        }

        return JsonNumber.TryParse(literal, out number);
    }

    private static string Truncate(string text) => text.Length <= 60 ? text : text[..57] + "...";

    private static string NonFiniteText(JsonNode node) =>
        node is JsonValue value && value.TryGetValue<double>(out var d) ? d.ToString(CultureInfo.InvariantCulture)
        : node is JsonValue single && single.TryGetValue<float>(out var f) ? f.ToString(CultureInfo.InvariantCulture)
        : "(not writable as JSON)";
}
