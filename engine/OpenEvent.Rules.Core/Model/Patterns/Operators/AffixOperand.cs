using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenEvent.Rules.Model.Patterns.Operators;

/// <summary>The operand prefix and suffix share: a string, or <c>{"equals-ignore-case": "..."}</c> around one.</summary>
internal static class AffixOperand
{
    private const string IgnoreCase = "equals-ignore-case";

    /// <summary>Reads <c>{"op": "text"}</c> or <c>{"op": {"equals-ignore-case": "text"}}</c> into <paramref name="make"/>(text, ignoreCase, location).</summary>
    public static Matcher? Parse(string op, JsonNode? value, OperandSite site, OperandReader reader, Func<string, bool, SourceLocation, Matcher> make)
    {
        if (value is not JsonObject inner)
        {
            var text = reader.RequireString(op, value, site.Pointer, site.Path);
            return text is null ? null : make(text, false, site.Entry);
        }

        if (inner.Count == 1 && inner.First().Key == IgnoreCase)
        {
            var text = reader.RequireString(IgnoreCase, inner.First().Value, site.Pointer + "/" + IgnoreCase, site.Path);
            return text is null ? null : make(text, true, site.Entry);
        }

        if (inner.Count == 1 && reader.Suggest(inner.First().Key, [IgnoreCase]) is not null)
        {
            reader.UnknownOperator(inner.First().Key, site.Pointer + "/" + JsonPointer.Escape(inner.First().Key), site.Path, [IgnoreCase], $" inside '{op}'");
            return null;
        }

        reader.Error(DiagnosticIds.BadOperatorValue, reader.Locate(site.Pointer),
            $"'{op}' in '{site.Path}' accepts a string or {{\"{IgnoreCase}\": \"...\"}}; found {OperandText.Json(inner)}.",
            $"Write {{\"{op}\": \"text\"}} or {{\"{op}\": {{\"{IgnoreCase}\": \"text\"}}}}.");
        return null;
    }
}
