using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenEvent.Rules.Model.Patterns.Operators;

/// <summary>
/// <c>{"anything-but": ...}</c>: the field exists and the value matches none of <see cref="Excluded"/>
/// (exact values, or one prefix / suffix / wildcard / equals-ignore-case list).
/// </summary>
internal sealed record AnythingButMatcher(ImmutableArray<Matcher> Excluded, SourceLocation Location) : Matcher(Location)
{
    internal static LeafOperator Definition { get; } = new("anything-but", AnythingButOperand.Parse) { Aliases = ["notin", "not"], OperandIsList = true };

    public override string Operator => Definition.Key;

    /// <summary>Per value: this value matches none of the excluded entries (any kind of value can be "not excluded").</summary>
    internal override bool Matches(Scalar value)
    {
        foreach (var excluded in Excluded)
        {
            if (excluded.Matches(value))
            {
                return false;
            }
        }

        return true;
    }

    // A long list of excluded values (or of equals-ignore-case values) is looked up in one set (a registry set of
    // thousands expands here too).
    internal override ValueTest Compile() => new CompiledTest(Excluded.Length < ValueSetTest.Minimum ? [.. Excluded.Select(e => e.Compile()).OfType<ValueTest>()]
        : Excluded.All(e => e is ExactMatcher) ? [new ValueSetTest(Excluded.Select(e => ((ExactMatcher)e).Value))]
        : Excluded.All(e => e is EqualsIgnoreCaseMatcher) ? [ValueSetTest.IgnoringCase(Excluded.Select(e => ((EqualsIgnoreCaseMatcher)e).Value))]
        : [.. Excluded.Select(e => e.Compile()).OfType<ValueTest>()]);

    /// <summary>
    /// What it accepts is everything but its keys, so no value keys it; but it accepts only a field that has a value, so
    /// it is keyed by presence (<see cref="IndexKeyKind.Present"/>, not exact: the value is verified): a set of such
    /// policies over different fields verifies, for an event, only those whose field the event has.
    /// </summary>
    internal override IndexKey? ToIndexKey() => IndexKey.Of(IndexKeyKind.Present);

    // The parser builds Excluded from one shape (values, one prefix, one suffix, wildcards or equals-ignore-case
    // strings), so the authored form can be rebuilt from the kinds it holds.
    internal override void WriteOperand(Utf8JsonWriter writer)
    {
        if (Excluded.Length == 1 && Excluded[0] is ExactMatcher or PrefixMatcher or SuffixMatcher)
        {
            Excluded[0].WriteJson(writer);
            return;
        }

        if (Excluded.All(e => e is ExactMatcher))
        {
            writer.WriteStartArray();
            foreach (var e in Excluded)
            {
                e.WriteJson(writer);
            }

            writer.WriteEndArray();
            return;
        }

        var name = Excluded[0] is WildcardMatcher ? WildcardMatcher.Definition.Key : EqualsIgnoreCaseMatcher.Definition.Key;
        var texts = Excluded.Select(e => e switch
        {
            WildcardMatcher w => w.Pattern,
            EqualsIgnoreCaseMatcher q => q.Value,
            _ => MatcherFormatter.Format(e),
        }).ToList();
        MatcherFormatter.WriteObject(writer, name, w =>
        {
            if (texts.Count == 1)
            {
                w.WriteStringValue(texts[0]);
                return;
            }

            w.WriteStartArray();
            foreach (var text in texts)
            {
                w.WriteStringValue(text);
            }

            w.WriteEndArray();
        });
    }

    /// <summary>It matches any value it does not exclude, of any type.</summary>
    internal override NeverMatch? NeverMatches(DocumentedField field) => null;

    private sealed class CompiledTest(ValueTest[] excluded) : ValueTest
    {
        public override bool FoldsCase { get; } = excluded.Any(e => e.FoldsCase);

        public override bool Test(in LeafValue value)
        {
            foreach (var test in excluded)
            {
                if (test.Test(value))
                {
                    return false;
                }
            }

            return true;
        }
    }
}

/// <summary>
/// Reads <c>anything-but</c>'s operand, in the shapes EventBridge accepts: a string or number, a list of strings or of
/// numbers, or one of <c>{"prefix": "p"}</c>, <c>{"suffix": "s"}</c> (non-empty), <c>{"wildcard": "w" or [..]}</c>,
/// <c>{"equals-ignore-case": "x" or [..]}</c>.
/// </summary>
internal static class AnythingButOperand
{
    private static readonly ImmutableArray<string> s_operators =
        [PrefixMatcher.Definition.Key, SuffixMatcher.Definition.Key, WildcardMatcher.Definition.Key, EqualsIgnoreCaseMatcher.Definition.Key];

    public static AnythingButMatcher? Parse(JsonNode? operand, OperandSite site, OperandReader reader) => operand switch
    {
        JsonArray list => ParseValues(list, site, reader),
        JsonObject inner => ParseOperator(inner, site, reader),
        _ => ReadValue(operand, site.Pointer, site.Path, reader) is { } single ? new AnythingButMatcher([single], site.Entry) : null,
    };

    private static AnythingButMatcher? ParseValues(JsonArray list, OperandSite site, OperandReader reader)
    {
        if (list.Count == 0)
        {
            Empty(site, reader, "[]");
            return null;
        }

        var excluded = ImmutableArray.CreateBuilder<Matcher>(list.Count);
        var ok = true;
        for (var i = 0; i < list.Count; i++)
        {
            var itemPointer = site.Pointer + "/" + i.ToString(CultureInfo.InvariantCulture);
            if (list[i] is JsonObject or JsonArray)
            {
                reader.Error(DiagnosticIds.BadOperatorValue, reader.Locate(itemPointer),
                    $"The 'anything-but' list in '{site.Path}' may hold only strings or numbers; found {OperandText.Describe(list[i])}.",
                    "List plain values, e.g. {\"anything-but\": [\"DEV\", \"TEST\"]}; to exclude by pattern use {\"anything-but\": {\"prefix\": \"tmp_\"}} or {\"anything-but\": {\"wildcard\": [\"tmp_*\", \"*_bak\"]}}.");
                ok = false;
            }
            else if (ReadValue(list[i], itemPointer, site.Path, reader) is { } exact)
            {
                excluded.Add(exact);
            }
            else
            {
                ok = false;
            }
        }

        return ok && SameKind(excluded, list, site, reader) ? new AnythingButMatcher(excluded.MoveToImmutable(), site.Entry) : null;
    }

    // EventBridge's anything-but takes strings and numbers only: null, true and false are refused there (a boolean
    // has one other value to match instead, and "anything but null" is better said with the field's own kind).
    private static ExactMatcher? ReadValue(JsonNode? node, string pointer, string path, OperandReader reader)
    {
        var kind = node?.GetValueKind() ?? JsonValueKind.Null;
        if (kind is JsonValueKind.Null or JsonValueKind.True or JsonValueKind.False)
        {
            reader.Error(DiagnosticIds.BadOperatorValue, reader.Locate(pointer),
                $"'anything-but' in '{path}' takes strings or numbers; found {OperandText.Describe(node)}.",
                kind == JsonValueKind.Null
                    ? "To require a value that is not null, match its kind: [{\"prefix\": \"\"}] matches every string, [{\"numeric\": [\">=\", 0]}] non-negative numbers; [{\"exists\": true}] accepts null too."
                    : $"Match the other value directly: [{(kind == JsonValueKind.True ? "false" : "true")}].");
            return null;
        }

        return ExactMatcher.Read(node, pointer, path, reader);
    }

    // ["1", 1] is refused by EventBridge: an anything-but list holds only strings or only numbers.
    private static bool SameKind(ImmutableArray<Matcher>.Builder excluded, JsonArray list, OperandSite site, OperandReader reader)
    {
        var first = ((ExactMatcher)excluded[0]).Value;
        for (var i = 1; i < excluded.Count; i++)
        {
            var value = ((ExactMatcher)excluded[i]).Value;
            if (value.Kind != first.Kind)
            {
                reader.Error(DiagnosticIds.BadOperatorValue, reader.Locate(site.Pointer + "/" + i.ToString(CultureInfo.InvariantCulture)),
                    $"The 'anything-but' list in '{site.Path}' mixes strings and numbers ({OperandText.Json(list[0])} and {OperandText.Json(list[i])}).",
                    "List only strings or only numbers, the kind the field holds: a string never equals a number, so the other kind excludes nothing (quote or unquote it).");
                return false;
            }
        }

        return true;
    }

    private static AnythingButMatcher? ParseOperator(JsonObject inner, OperandSite site, OperandReader reader)
    {
        if (inner.Count == 0)
        {
            Empty(site, reader, "{}");
            return null;
        }

        if (inner.Count > 1)
        {
            reader.Error(DiagnosticIds.BadOperatorValue, reader.Locate(site.Pointer),
                $"'anything-but' in '{site.Path}' takes one operator; found {string.Join(", ", inner.Select(p => "'" + p.Key + "'"))}.",
                "Use one of prefix, suffix, wildcard or equals-ignore-case; to exclude several patterns use {\"anything-but\": {\"wildcard\": [\"a*\", \"*b\"]}}.");
            return null;
        }

        var (name, value) = inner.First();
        var valuePointer = site.Pointer + "/" + JsonPointer.Escape(name);
        switch (name)
        {
            case "prefix":
            case "suffix":
                return ParseAffix(name, value, valuePointer, site, reader);
            case "wildcard":
            case "equals-ignore-case":
                return ParseStrings(name, value, site with { Pointer = valuePointer }, reader);
            default:
                RefuseOperator(name, valuePointer, site.Path, reader);
                return null;
        }
    }

    private static AnythingButMatcher? ParseAffix(string name, JsonNode? value, string valuePointer, OperandSite site, OperandReader reader)
    {
        if (value is JsonObject)
        {
            reader.Error(DiagnosticIds.BadOperatorValue, reader.Locate(valuePointer),
                $"'anything-but' in '{site.Path}' accepts '{name}' with a plain string only; found {OperandText.Json(value)}.",
                $"Write {{\"anything-but\": {{\"{name}\": \"text\"}}}} (case-insensitive exclusion is available as {{\"anything-but\": {{\"equals-ignore-case\": [..]}}}} or a wildcard).");
            return null;
        }

        var text = reader.RequireString(name, value, valuePointer, site.Path);
        if (text is "")
        {
            // EventBridge refuses it ("Null prefix/suffix not allowed"): it would exclude every string.
            reader.Error(DiagnosticIds.BadOperatorValue, reader.Locate(valuePointer),
                $"'anything-but' in '{site.Path}' has an empty {name}, which would exclude every string.",
                $"Write the text to exclude, e.g. {{\"anything-but\": {{\"{name}\": \"{(name == "prefix" ? "tmp_" : "_bak")}\"}}}}; to match only numbers use numeric.");
            return null;
        }

        if (text is null)
        {
            return null;
        }

        var location = reader.Locate(valuePointer);
        Matcher affix = name == "prefix" ? new PrefixMatcher(text, false, location) : new SuffixMatcher(text, false, location);
        return new AnythingButMatcher([affix], site.Entry);
    }

    private static void RefuseOperator(string name, string valuePointer, string path, OperandReader reader)
    {
        if (!LeafOperators.Names.Contains(name))
        {
            reader.UnknownOperator(name, valuePointer, path, s_operators, " inside 'anything-but'");
            return;
        }

        reader.Error(DiagnosticIds.BadOperatorValue, reader.LocateKey(valuePointer),
            $"'anything-but' in '{path}' does not accept '{name}'.",
            name == NumericMatcher.Definition.Key
                ? "To match numbers outside a range, use two entries: [{\"numeric\": [\"<\", 0]}, {\"numeric\": [\">\", 5]}]."
                : "'anything-but' takes values, or one of prefix, suffix, wildcard or equals-ignore-case.");
    }

    /// <summary><c>{"wildcard": ...}</c> or <c>{"equals-ignore-case": ...}</c>: one string or a non-empty list; <paramref name="site"/> points at it.</summary>
    private static AnythingButMatcher? ParseStrings(string op, JsonNode? value, OperandSite site, OperandReader reader)
    {
        if (value is not JsonArray list)
        {
            return ReadString(op, value, site.Pointer, site.Path, reader) is { } single ? new AnythingButMatcher([single], site.Entry) : null;
        }

        if (list.Count == 0)
        {
            Empty(site, reader, $"{{\"{op}\": []}}");
            return null;
        }

        var excluded = ImmutableArray.CreateBuilder<Matcher>(list.Count);
        var ok = true;
        for (var i = 0; i < list.Count; i++)
        {
            if (ReadString(op, list[i], site.Pointer + "/" + i.ToString(CultureInfo.InvariantCulture), site.Path, reader) is { } matcher)
            {
                excluded.Add(matcher);
            }
            else
            {
                ok = false;
            }
        }

        return ok ? new AnythingButMatcher(excluded.MoveToImmutable(), site.Entry) : null;
    }

    private static Matcher? ReadString(string op, JsonNode? node, string pointer, string path, OperandReader reader)
    {
        var text = reader.RequireString(op, node, pointer, path);
        if (text is null)
        {
            return null;
        }

        if (op == WildcardMatcher.Definition.Key)
        {
            return WildcardMatcher.Check(text, pointer, path, reader) ? new WildcardMatcher(text, reader.Locate(pointer)) : null;
        }

        return new EqualsIgnoreCaseMatcher(text, reader.Locate(pointer));
    }

    private static void Empty(OperandSite site, OperandReader reader, string written) =>
        reader.Error(DiagnosticIds.EmptyAnythingBut, reader.Locate(site.Pointer),
            $"'anything-but' in '{site.Path}' excludes nothing ({written}).",
            "List what to exclude, e.g. {\"anything-but\": [\"DEV\"]}; to require only that the field exists, use {\"exists\": true}.");
}
