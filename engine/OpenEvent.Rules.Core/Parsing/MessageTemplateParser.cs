using System.Collections.Immutable;
using System.Text;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Parsing;

/// <summary>
/// Parses message templates: literal text with <c>{{ path }}</c> placeholders, where a path is dotted segments,
/// each an identifier or an array index (<c>data.tableMapping.0.dstTable</c>). <c>\{{</c> writes a literal
/// <c>{{</c>. Whether a path names a real field is a semantic check (OER3033), not done here.
/// </summary>
internal static class MessageTemplateParser
{
    /// <summary>Parses <paramref name="text"/> found at <paramref name="pointer"/>; returns null when it has syntax errors (OER3034).</summary>
    public static MessageTemplate? Parse(string text, string pointer, YamlSourceMap map, DiagnosticBag diagnostics)
    {
        var parts = ImmutableArray.CreateBuilder<TemplatePart>();
        var literal = new StringBuilder();
        var ok = true;
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '\\' && At(text, i + 1, "{{"))
            {
                literal.Append("{{");
                i += 3;
                continue;
            }

            if (!At(text, i, "{{"))
            {
                literal.Append(text[i++]);
                continue;
            }

            var close = text.IndexOf("}}", i + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                diagnostics.Error(DiagnosticIds.TemplateSyntax, LocateIn(map, pointer, i, text), "unclosed placeholder: '{{' without '}}'",
                    "close it with '}}', e.g. {{ data.fileName }}, or write \\{{ for a literal {{");
                ok = false;
                break;
            }

            if (ReadPlaceholderPath(text, i, close, pointer, map, diagnostics) is not { } path)
            {
                ok = false;
            }
            else
            {
                if (literal.Length > 0)
                {
                    parts.Add(new LiteralPart(literal.ToString()));
                    literal.Clear();
                }

                parts.Add(new PlaceholderPart(path, [.. path.Split('.')], LocateIn(map, pointer, i, text)));
            }

            i = close + 2;
        }

        if (literal.Length > 0)
        {
            parts.Add(new LiteralPart(literal.ToString()));
        }

        return ok ? new MessageTemplate(text, parts.ToImmutable(), map.Locate(pointer)) : null;
    }

    /// <summary>The path of the placeholder opened at <paramref name="open"/> and closed at <paramref name="close"/>; null (reported) when it is empty or malformed.</summary>
    private static string? ReadPlaceholderPath(string text, int open, int close, string pointer, YamlSourceMap map, DiagnosticBag diagnostics)
    {
        var inner = text[(open + 2)..close];
        var path = inner.Trim();
        var pathStart = open + 2 + (inner.Length - inner.TrimStart().Length);
        if (path.Length == 0)
        {
            diagnostics.Error(DiagnosticIds.TemplateSyntax, LocateIn(map, pointer, open, text), "empty placeholder '{{ }}'",
                "write a path inside, e.g. {{ data.fileName }}, or \\{{ for a literal {{");
            return null;
        }

        if (FindPathError(path) is { } error)
        {
            diagnostics.Error(DiagnosticIds.TemplateSyntax, LocateIn(map, pointer, pathStart + error.Index, text),
                $"invalid placeholder '{{{{ {path} }}}}': {error.Message}",
                "a path is names and array indexes joined by '.', e.g. {{ data.fileName }} or {{ data.tableMapping.0.dstTable }}");
            return null;
        }

        return path;
    }

    private static bool At(string text, int index, string value) =>
        index + value.Length <= text.Length && string.CompareOrdinal(text, index, value, 0, value.Length) == 0;

    /// <summary>The first problem of a placeholder path: its index in the path and what is wrong there.</summary>
    private static (int Index, string Message)? FindPathError(string path)
    {
        var segmentStart = 0;
        for (var i = 0; i <= path.Length; i++)
        {
            if (i < path.Length && path[i] != '.')
            {
                var c = path[i];
                if (!char.IsAsciiLetterOrDigit(c) && c != '_')
                {
                    return (i, $"'{c}' is not allowed in a path");
                }

                continue;
            }

            var segment = path[segmentStart..i];
            if (segment.Length == 0)
            {
                return (i, "empty segment ('..', or '.' at the start or end)");
            }

            var isIndex = segment.All(char.IsAsciiDigit);
            if (segmentStart == 0 && isIndex)
            {
                return (0, "a path starts with a name, not a number");
            }

            if (!isIndex && char.IsAsciiDigit(segment[0]))
            {
                return (segmentStart, $"'{segment}' is neither a name nor an array index");
            }

            segmentStart = i + 1;
        }

        return null;
    }

    /// <summary>
    /// The location of character <paramref name="index"/> of the scalar's value: exact when the scalar is on one
    /// line (plain, or quoted without escapes that change lengths), else the scalar's start.
    /// </summary>
    internal static SourceLocation LocateIn(YamlSourceMap map, string pointer, int index, string value)
    {
        var start = map.Locate(pointer);
        var scalar = map.GetScalar(pointer);
        if (scalar is { Quoting: ScalarQuoting.Literal, ContentStart: { } content } && start.Line > 0)
        {
            // A literal block keeps its lines: the value's line k is the k-th content line, at the block's indentation.
            return ScalarText.Locate(value, index, content, ConditionTextStyle.Literal);
        }

        if (scalar is not { Raw: { } raw } span || start.Line == 0)
        {
            return start;
        }

        var rawIndex = span.Quoting switch
        {
            ScalarQuoting.Plain => index,
            ScalarQuoting.DoubleQuoted when ScalarText.QuotedSourceIndex(raw[1..^1], index) is var inside and >= 0 => inside + 1,
            ScalarQuoting.SingleQuoted => SingleQuotedIndex(raw, index),
            _ => -1,
        };
        return rawIndex < 0 || rawIndex >= raw.Length ? start : start with { Column = start.Column + rawIndex };
    }

    private static int SingleQuotedIndex(string raw, int valueIndex)
    {
        var r = 1;
        for (var v = 0; v < valueIndex && r < raw.Length; v++)
        {
            r += raw[r] == '\'' ? 2 : 1;
        }

        return r;
    }
}
