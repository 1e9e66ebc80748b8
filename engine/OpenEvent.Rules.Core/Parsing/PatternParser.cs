using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Parsing;

// Turns the JSON node tree of an EventBridge event pattern (read from YAML by the policy reader) into the
// immutable pattern model. It checks everything that can be decided from the pattern alone (OER3010-OER3019,
// OER3037), refusing the forms EventBridge refuses (aws/event-ruler's rule compiler is the reference where the
// documentation is silent), and reports every problem it finds, each at the pointer of the offending node, so an
// author fixes a pattern in one round. Whether a field exists in the event catalog is the validators' concern, not this one's.

/// <summary>Parses an EventBridge event pattern (as a JSON node tree) into a <see cref="PatternObject"/>.</summary>
internal static class PatternParser
{
    /// <summary>
    /// Parses <paramref name="node"/>, found at <paramref name="pointer"/> in its document. Every problem is added
    /// to <paramref name="diagnostics"/> (OER3010-OER3019, OER3037) at its exact location; returns null when the pattern has errors.
    /// </summary>
    public static PatternObject? Parse(JsonNode? node, string pointer, ISourceMap map, DiagnosticBag diagnostics)
    {
        var reader = new Reader(map, diagnostics);
        var pattern = reader.ParseRoot(node, pointer);
        return reader.HasErrors ? null : pattern;
    }

    /// <summary>The leaf operators, as written in patterns.</summary>
    public static ImmutableArray<string> OperatorNames { get; } =
        ["prefix", "suffix", "contains", "equals-ignore-case", "wildcard", "numeric", "cidr", "exists", "anything-but"];

    private static readonly ImmutableArray<string> s_anythingButOperators = ["prefix", "suffix", "wildcard", "equals-ignore-case"];

    // EventBridge refuses these as field names inside $or branches (event-ruler's RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP,
    // plus Alibaba's contains): there, {"prefix": [...]} is an operator that lost its field, not a field named prefix.
    private static readonly FrozenSet<string> s_reservedInOr = FrozenSet.ToFrozenSet(
    [
        .. OperatorNames, "exactly", "=", "<", "<=", ">", ">=", "regex", "not-wildcard", "not-equals-ignore-case",
        "date-after", "date-on-or-after", "date-before", "date-on-or-before", "in-date-range",
        "ip-address-in-range", "ip-address-not-in-range",
    ], StringComparer.Ordinal);

    // Whether name is an operator keyword (or one EventBridge reserves), so not a field name inside $or.
    private static bool IsOperatorKeyword(string name) => s_reservedInOr.Contains(name);

    // Names authors reach for from other languages; mapped to the operator they mean.
    private static readonly ImmutableDictionary<string, string> s_aliases = new Dictionary<string, string>
    {
        ["startswith"] = "prefix",
        ["endswith"] = "suffix",
        ["ignorecase"] = "equals-ignore-case",
        ["notin"] = "anything-but",
        ["not"] = "anything-but",
        ["glob"] = "wildcard",
        ["like"] = "wildcard",
    }.ToImmutableDictionary();

    private const string NumericExample = "[\">\", 0, \"<=\", 5]";

    private static readonly JsonSerializerOptions s_json = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private sealed class Reader(ISourceMap map, DiagnosticBag diagnostics)
    {
        private readonly ISourceMap _map = map;
        private readonly DiagnosticBag _diagnostics = diagnostics;

        public bool HasErrors { get; private set; }

        public PatternObject? ParseRoot(JsonNode? node, string pointer)
        {
            if (node is JsonObject obj)
            {
                return ParseObject(obj, pointer, "", "The event pattern", inOr: false);
            }

            Error(DiagnosticIds.EmptyPattern, _map.Locate(pointer),
                $"The event pattern must be an object of event fields; found {Describe(node)}.",
                "Write the pattern as fields with lists of values, e.g. { \"source\": [\"acs.dataworks\"], \"type\": [\"dataworks:FileChange:CommitFile\"] }.");
            return null;
        }

        // what names the object in messages: "The event pattern", "The pattern object for 'data'", "Branch 0 of '$or'".
        // inOr: the object is a $or branch or nested inside one, where operator keywords are not field names.
        private PatternObject? ParseObject(JsonObject obj, string pointer, string path, string what, bool inOr)
        {
            if (obj.Count == 0)
            {
                Error(DiagnosticIds.EmptyPattern, _map.Locate(pointer),
                    $"{what} is empty; an empty pattern would match every event.",
                    what.StartsWith("Branch", StringComparison.Ordinal)
                        ? "Give the branch at least one field condition, or remove the branch."
                        : path.Length == 0
                            ? "Add at least one field condition, e.g. { \"source\": [\"acs.dataworks\"] }."
                            : $"Add a condition on a field inside '{path}', or remove '{path}' (use [{{\"exists\": true}}] on a leaf field to require it).");
                return null;
            }

            var members = ImmutableArray.CreateBuilder<PatternMember>(obj.Count);
            var ok = true;
            foreach (var (key, value) in obj)
            {
                var memberPointer = pointer + "/" + EscapePointer(key);
                var member = ParseMember(key, value, memberPointer, path, inOr);
                if (member is null)
                {
                    ok = false;
                }
                else
                {
                    members.Add(member);
                }
            }

            return ok ? new PatternObject(members.MoveToImmutable(), _map.Locate(pointer)) : null;
        }

        private PatternMember? ParseMember(string key, JsonNode? value, string pointer, string path, bool inOr)
        {
            if (key == "$or")
            {
                return ParseOr(value, pointer, path);
            }

            if (inOr && IsOperatorKeyword(key))
            {
                OperatorAsFieldName(key, value, pointer, path);
                return null;
            }

            var fieldPath = Join(path, key);
            if (key.StartsWith('$'))
            {
                Error(DiagnosticIds.UnknownOperator, _map.LocateKey(pointer),
                    $"Unknown keyword '{key}' in the pattern{At(path)}.",
                    "'$or' is the only $ keyword: write \"$or\": [{...}, {...}] to match when any branch matches; members of an object are already AND'ed.");
                return null;
            }

            switch (value)
            {
                case JsonArray list:
                    return ParseLeaf(key, list, pointer, fieldPath);

                case JsonObject nested when IsOperatorObject(nested):
                {
                    // {"exists": [true]} is an operator whose list went to the wrong level: the fix moves it out.
                    var (name, operand) = nested.First();
                    var fixedOperator = operand is JsonArray { Count: 1 } one && name is not ("numeric" or "anything-but")
                        ? $"{{\"{name}\": {Json(one[0])}}}"
                        : Json(nested);
                    Error(DiagnosticIds.LeafNotArray, _map.Locate(pointer),
                        $"The value of '{fieldPath}' must be a list of values or operators; found the operator object {Json(nested)}.",
                        $"Wrap it in a list: \"{key}\": [{fixedOperator}].");
                    return null;
                }

                case JsonObject nested:
                {
                    var pattern = ParseObject(nested, pointer, fieldPath, $"The pattern object for '{fieldPath}'", inOr);
                    return pattern is null ? null : new NestedMember(key, pattern, _map.LocateKey(pointer));
                }

                default:
                    Error(DiagnosticIds.LeafNotArray, _map.Locate(pointer),
                        $"The value of '{fieldPath}' must be a list of values or operators; found {Describe(value)}.",
                        $"Write a list: \"{key}\": [{Json(value)}].");
                    return null;
            }
        }

        // {"prefix": "acs."} where a nested object is expected is almost always an operator missing its list;
        // a real event field named like an operator would have to be written with a nested pattern of its own.
        // (EventBridge reads {"n": {"numeric": [">", 5]}} as a field n.numeric equal to ">" or 5: a silent trap that
        // is refused here on purpose.)
        private static bool IsOperatorObject(JsonObject obj) =>
            obj.Count == 1 && OperatorNames.Contains(obj.First().Key);

        // EventBridge refuses {"$or": [{"prefix": ["x"]}, ...]}: an operator keyword is no field name inside $or. The
        // value is still read so that its own problems are reported in the same round.
        private void OperatorAsFieldName(string key, JsonNode? value, string pointer, string path)
        {
            var single = value is JsonArray { Count: 1 } list && list[0] is JsonValue ? list[0] : null;
            var hint = key switch
            {
                "=" or "<" or "<=" or ">" or ">=" =>
                    $"Comparisons go inside numeric in a field's list, e.g. {{\"fieldName\": [{{\"numeric\": [\"{key}\", 5]}}]}}.",
                "numeric" => "Name the event field and put the operator in its list, e.g. {\"fieldName\": [{\"numeric\": [\">\", 0]}]}.",
                "exists" => "Name the event field and put the operator in its list, e.g. {\"fieldName\": [{\"exists\": true}]}.",
                _ when OperatorNames.Contains(key) =>
                    $"Name the event field and put the operator in its list, e.g. {{\"fieldName\": [{{\"{key}\": {(single is null ? "\"text\"" : Json(single))}}}]}}.",
                _ => $"EventBridge reserves '{key}' for operators; a field with that name cannot be matched inside '$or'.",
            };
            Error(DiagnosticIds.OperatorAsFieldName, _map.LocateKey(pointer),
                $"'{key}' is an operator keyword, so it cannot be a field name inside '$or'{At(path)}.", hint);
            if (value is JsonArray leaf)
            {
                ParseLeaf(key, leaf, pointer, Join(path, key));
            }
            else if (value is JsonObject nested && nested.Count > 0)
            {
                ParseObject(nested, pointer, Join(path, key), $"The pattern object for '{Join(path, key)}'", inOr: true);
            }
        }

        private OrMember? ParseOr(JsonNode? value, string pointer, string path)
        {
            const string Hint = "Write \"$or\": [{...}, {...}] with at least two pattern objects; with a single branch, move its fields up into the enclosing object.";
            if (value is not JsonArray branches)
            {
                Error(DiagnosticIds.OrTooFewBranches, _map.Locate(pointer),
                    $"'$or'{At(path)} must be a list of at least two pattern objects; found {Describe(value)}.", Hint);
                return null;
            }

            var ok = true;
            if (branches.Count < 2)
            {
                Error(DiagnosticIds.OrTooFewBranches, _map.Locate(pointer),
                    $"'$or'{At(path)} must have at least two branches; found {branches.Count}.", Hint);
                ok = false;
            }

            var parsed = ImmutableArray.CreateBuilder<PatternObject>(branches.Count);
            for (var i = 0; i < branches.Count; i++)
            {
                var branchPointer = pointer + "/" + i.ToString(CultureInfo.InvariantCulture);
                if (branches[i] is JsonObject branch)
                {
                    var pattern = ParseObject(branch, branchPointer, path, $"Branch {i} of '$or'{At(path)}", inOr: true);
                    if (pattern is null)
                    {
                        ok = false;
                    }
                    else
                    {
                        parsed.Add(pattern);
                    }
                }
                else
                {
                    Error(DiagnosticIds.OrTooFewBranches, _map.Locate(branchPointer),
                        $"Branch {i} of '$or'{At(path)} must be a pattern object; found {Describe(branches[i])}.",
                        "Each branch is an object of field conditions, e.g. { \"fileType\": [10] }.");
                    ok = false;
                }
            }

            return ok ? new OrMember(parsed.MoveToImmutable(), _map.LocateKey(pointer)) : null;
        }

        private LeafMember? ParseLeaf(string key, JsonArray list, string pointer, string path)
        {
            if (list.Count == 0)
            {
                Error(DiagnosticIds.BadOperatorValue, _map.Locate(pointer),
                    $"The list for '{path}' is empty, so it can never match.",
                    $"Add the values to match, e.g. \"{key}\": [\"value\"], or [{{\"exists\": true}}] to require the field, or remove '{path}'.");
                return null;
            }

            var matchers = ImmutableArray.CreateBuilder<Matcher>(list.Count);
            var ok = true;
            for (var i = 0; i < list.Count; i++)
            {
                var entryPointer = pointer + "/" + i.ToString(CultureInfo.InvariantCulture);
                var matcher = list[i] switch
                {
                    JsonObject op => ParseOperatorObject(op, entryPointer, path),
                    JsonArray nested => NestedList(nested, entryPointer, path),
                    var scalar => ReadExact(scalar, entryPointer, path),
                };
                if (matcher is null)
                {
                    ok = false;
                }
                else
                {
                    matchers.Add(matcher);
                }
            }

            // Unsatisfiable entries (contradictory numeric ranges) are reported one by one where they are
            // written, so a leaf made only of them has already been reported; nothing else can be unsatisfiable.
            return ok ? new LeafMember(key, matchers.MoveToImmutable(), _map.LocateKey(pointer)) : null;
        }

        private Matcher? NestedList(JsonArray nested, string pointer, string path)
        {
            Error(DiagnosticIds.BadOperatorValue, _map.Locate(pointer),
                $"The list for '{path}' contains a nested list {Json(nested)}; lists of values cannot be nested.",
                "Write each value as its own entry of the outer list (the entries are OR'ed).");
            return null;
        }

        private ExactMatcher? ReadExact(JsonNode? node, string pointer, string path) =>
            ReadScalar(node, pointer, path) is { } value ? new ExactMatcher(value, _map.Locate(pointer)) : null;

        // node is null (JSON null) or a JsonValue.
        private Scalar? ReadScalar(JsonNode? node, string pointer, string path)
        {
            if (node is null)
            {
                return Scalar.Null;
            }

            switch (node.GetValueKind())
            {
                case JsonValueKind.String:
                    return Scalar.FromString(node.GetValue<string>());
                case JsonValueKind.True:
                    return Scalar.True;
                case JsonValueKind.False:
                    return Scalar.False;
                case JsonValueKind.Null:
                    return Scalar.Null;
                case JsonValueKind.Number:
                    if (TryReadNumber(node, out var number, out var literal))
                    {
                        return Scalar.FromNumber(number, literal);
                    }

                    Error(DiagnosticIds.MalformedNumeric, _map.Locate(pointer),
                        $"The number {literal} in '{path}' is out of range.",
                        "Use a finite number no larger than about ±1.7e308 (event ids and counts are far below that).");
                    return null;
                default:
                    Error(DiagnosticIds.BadOperatorValue, _map.Locate(pointer),
                        $"'{path}' holds {Describe(node)}, which is not a value a pattern can match.",
                        "Use a string, number, true, false or null.");
                    return null;
            }
        }

        private Matcher? ParseOperatorObject(JsonObject op, string pointer, string path)
        {
            if (op.Count != 1)
            {
                Error(DiagnosticIds.BadOperatorValue, _map.Locate(pointer),
                    op.Count == 0
                        ? $"An empty operator object {{}} in '{path}'."
                        : $"An operator object in '{path}' must have exactly one operator; found {string.Join(", ", op.Select(p => "'" + p.Key + "'"))}.",
                    op.Count == 0
                        ? "Write one operator, e.g. {\"prefix\": \"acs.\"}, or remove the entry."
                        : "Write each operator as its own entry of the list, e.g. [{\"prefix\": \"a\"}, {\"suffix\": \"b\"}] (entries are OR'ed); for a numeric range use one {\"numeric\": [\">\", 0, \"<=\", 5]}.");
                return null;
            }

            var (name, value) = op.First();
            var valuePointer = pointer + "/" + EscapePointer(name);
            var location = _map.Locate(pointer);
            switch (name)
            {
                case "prefix":
                case "suffix":
                    return ParsePrefixSuffix(name, value, valuePointer, path, location);
                case "contains":
                    return RequireString(name, value, valuePointer, path) is { } contains ? new ContainsMatcher(contains, location) : null;
                case "equals-ignore-case":
                    return RequireString(name, value, valuePointer, path) is { } text ? new EqualsIgnoreCaseMatcher(text, location) : null;
                case "wildcard":
                    return ParseWildcard(value, valuePointer, path, location);
                case "numeric":
                    return ParseNumeric(value, valuePointer, path, location);
                case "cidr":
                    return ParseCidr(value, valuePointer, path, location);
                case "exists":
                    if (value is JsonValue && value.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
                    {
                        return new ExistsMatcher(value.GetValueKind() == JsonValueKind.True, location);
                    }

                    Error(DiagnosticIds.BadOperatorValue, _map.Locate(valuePointer),
                        $"'exists' in '{path}' needs true or false; found {Describe(value)}.",
                        "Write {\"exists\": true} to require the field or {\"exists\": false} to require its absence (no quotes).");
                    return null;
                case "anything-but":
                    return ParseAnythingBut(value, valuePointer, path, location);
                case "$or":
                    Error(DiagnosticIds.UnknownOperator, _map.LocateKey(valuePointer),
                        $"'$or' cannot be used inside the list of '{path}'.",
                        "The entries of a list are already OR'ed: list the values or operators directly, e.g. [\"a\", {\"prefix\": \"b\"}]; '$or' combines whole pattern objects and sits beside the fields.");
                    return null;
                default:
                    UnknownOperator(name, valuePointer, path, OperatorNames, "");
                    return null;
            }
        }

        private void UnknownOperator(string name, string keyPointer, string path, ImmutableArray<string> known, string context)
        {
            var suggestion = Suggest(name, known);
            var list = string.Join(", ", known);
            Error(DiagnosticIds.UnknownOperator, _map.LocateKey(keyPointer),
                $"Unknown operator '{name}'{context} in '{path}'.",
                suggestion is null ? $"Use one of: {list}." : $"Did you mean '{suggestion}'? Operators{context}: {list}.");
        }

        private string? RequireString(string op, JsonNode? value, string pointer, string path)
        {
            if (value is JsonValue && value.GetValueKind() == JsonValueKind.String)
            {
                return value.GetValue<string>();
            }

            Error(DiagnosticIds.BadOperatorValue, _map.Locate(pointer),
                $"'{op}' in '{path}' needs a string; found {Describe(value)}.",
                $"Write {{\"{op}\": \"{StringHint(value)}\"}}; '{op}' only matches string values.");
            return null;
        }

        private Matcher? ParsePrefixSuffix(string op, JsonNode? value, string pointer, string path, SourceLocation location)
        {
            if (value is JsonObject inner)
            {
                if (inner.Count == 1 && inner.First().Key == "equals-ignore-case")
                {
                    var text = RequireString("equals-ignore-case", inner.First().Value, pointer + "/equals-ignore-case", path);
                    return text is null ? null : MakePrefixSuffix(op, text, ignoreCase: true, location);
                }

                if (inner.Count == 1 && Suggest(inner.First().Key, ["equals-ignore-case"]) is not null)
                {
                    UnknownOperator(inner.First().Key, pointer + "/" + EscapePointer(inner.First().Key), path, ["equals-ignore-case"], $" inside '{op}'");
                    return null;
                }

                Error(DiagnosticIds.BadOperatorValue, _map.Locate(pointer),
                    $"'{op}' in '{path}' accepts a string or {{\"equals-ignore-case\": \"...\"}}; found {Json(inner)}.",
                    $"Write {{\"{op}\": \"text\"}} or {{\"{op}\": {{\"equals-ignore-case\": \"text\"}}}}.");
                return null;
            }

            var value2 = RequireString(op, value, pointer, path);
            return value2 is null ? null : MakePrefixSuffix(op, value2, ignoreCase: false, location);
        }

        private static Matcher MakePrefixSuffix(string op, string text, bool ignoreCase, SourceLocation location) =>
            op == "prefix" ? new PrefixMatcher(text, ignoreCase, location) : new SuffixMatcher(text, ignoreCase, location);

        private WildcardMatcher? ParseWildcard(JsonNode? value, string pointer, string path, SourceLocation location)
        {
            var text = RequireString("wildcard", value, pointer, path);
            return text is not null && CheckWildcard(text, pointer, path) ? new WildcardMatcher(text, location) : null;
        }

        private bool CheckWildcard(string text, string pointer, string path)
        {
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (c == '\\')
                {
                    if (i + 1 == text.Length)
                    {
                        Error(DiagnosticIds.BadWildcard, _map.Locate(pointer),
                            $"The wildcard \"{text}\" in '{path}' ends with a lone backslash.",
                            "A backslash escapes the next character: write \\\\ for a literal backslash, or remove it.");
                        return false;
                    }

                    var next = text[i + 1];
                    if (next is not ('*' or '\\'))
                    {
                        Error(DiagnosticIds.BadWildcard, _map.Locate(pointer),
                            $"The wildcard \"{text}\" in '{path}' has the escape '\\{next}' at position {i}; only \\* and \\\\ are escapes.",
                            $"Write \\\\{next} for a literal backslash followed by '{next}', or drop the backslash.");
                        return false;
                    }

                    i++;
                }
                else if (c == '*' && i + 1 < text.Length && text[i + 1] == '*')
                {
                    Error(DiagnosticIds.BadWildcard, _map.Locate(pointer),
                        $"The wildcard \"{text}\" in '{path}' has consecutive '**' at position {i}.",
                        "Use a single '*': it already matches any run of characters, including an empty one; write \\* for a literal star.");
                    return false;
                }
            }

            return true;
        }

        private NumericMatcher? ParseNumeric(JsonNode? value, string pointer, string path, SourceLocation location)
        {
            if (value is not JsonArray items)
            {
                Error(DiagnosticIds.MalformedNumeric, _map.Locate(pointer),
                    $"'numeric' in '{path}' needs a list of comparisons; found {Describe(value)}.",
                    $"Write comparison/number pairs, e.g. {{\"numeric\": {NumericExample}}} or {{\"numeric\": [\"=\", {StringHint(value, "5")}]}}.");
                return null;
            }

            if (items.Count == 0 || items.Count % 2 != 0)
            {
                Error(DiagnosticIds.MalformedNumeric, _map.Locate(pointer),
                    $"'numeric' in '{path}' needs comparison/number pairs; found {items.Count} item{(items.Count == 1 ? "" : "s")}.",
                    $"Write pairs such as [\">=\", 10] or {NumericExample}.");
                return null;
            }

            var ok = true;
            var comparisons = new List<(NumericComparison Comparison, string OperatorPointer, string Literal)>();
            for (var i = 0; i + 1 < items.Count; i += 2)
            {
                var opPointer = pointer + "/" + i.ToString(CultureInfo.InvariantCulture);
                var operandPointer = pointer + "/" + (i + 1).ToString(CultureInfo.InvariantCulture);
                var op = ReadNumericOperator(items[i], opPointer, path);
                var operand = ReadNumericOperand(items[i + 1], operandPointer, path, out var literal);
                if (op is { } o && operand is { } n)
                {
                    comparisons.Add((new NumericComparison(o, n), opPointer, literal));
                }
                else
                {
                    ok = false;
                }
            }

            if (!ok)
            {
                return null;
            }

            var equal = comparisons.Where(c => c.Comparison.Operator == NumericOperator.Equal).ToList();
            if (equal.Count > 0 && comparisons.Count > 1)
            {
                Error(DiagnosticIds.MalformedNumeric, _map.Locate(comparisons[1].OperatorPointer),
                    $"'numeric' in '{path}' combines '=' with other comparisons.",
                    $"Use [\"=\", {equal[0].Literal}] alone, or a range such as [\">=\", {equal[0].Literal}, \"<=\", {equal[0].Literal}].");
                return null;
            }

            var lower = comparisons.Where(c => c.Comparison.Operator is NumericOperator.GreaterThan or NumericOperator.GreaterThanOrEqual).ToList();
            var upper = comparisons.Where(c => c.Comparison.Operator is NumericOperator.LessThan or NumericOperator.LessThanOrEqual).ToList();
            if (lower.Count > 1)
            {
                Error(DiagnosticIds.MalformedNumeric, _map.Locate(lower[1].OperatorPointer),
                    $"'numeric' in '{path}' has more than one lower bound ('>' or '>=').",
                    $"Keep one lower bound and at most one upper bound, e.g. {NumericExample}.");
                ok = false;
            }

            if (upper.Count > 1)
            {
                Error(DiagnosticIds.MalformedNumeric, _map.Locate(upper[1].OperatorPointer),
                    $"'numeric' in '{path}' has more than one upper bound ('<' or '<=').",
                    $"Keep one upper bound and at most one lower bound, e.g. {NumericExample}.");
                ok = false;
            }

            if (ok && lower.Count == 1 && upper.Count == 1)
            {
                var low = lower[0].Comparison;
                var high = upper[0].Comparison;
                var range = $"[\"{MatcherFormatter.OperatorText(comparisons[0].Comparison.Operator)}\", {comparisons[0].Literal}, \"{MatcherFormatter.OperatorText(comparisons[1].Comparison.Operator)}\", {comparisons[1].Literal}]";
                var lowerFirst = $"[\"{MatcherFormatter.OperatorText(low.Operator)}\", {lower[0].Literal}, \"{MatcherFormatter.OperatorText(high.Operator)}\", {upper[0].Literal}]";

                // EventBridge reads a range as a lower bound, then an upper bound; ["<", 10, ">", 0] is refused there.
                if (upper[0].OperatorPointer == comparisons[0].OperatorPointer)
                {
                    Error(DiagnosticIds.MalformedNumeric, _map.Locate(lower[0].OperatorPointer),
                        $"The range {range} in '{path}' has its bounds in the wrong order: the lower bound ('>' or '>=') comes first.",
                        $"Write {lowerFirst}.");
                    ok = false;
                }

                if (low.Value > high.Value
                    || (low.Value == high.Value && (low.Operator == NumericOperator.GreaterThan || high.Operator == NumericOperator.LessThan)))
                {
                    Error(DiagnosticIds.ContradictoryRange, _map.Locate(pointer),
                        $"The range {range} in '{path}' can never match: no number is {Bound(low)} and {Bound(high)}.",
                        low.Value == high.Value
                            ? $"To match exactly {lower[0].Literal} write [\"=\", {lower[0].Literal}]; otherwise make the lower bound smaller than the upper bound."
                            : "Make the lower bound ('>' or '>=') smaller than the upper bound ('<' or '<='); were the bounds swapped?");
                    ok = false;
                }
                else if (low.Value == high.Value)
                {
                    // [">=", 5, "<=", 5] matches only 5, but EventBridge refuses a range whose bottom is not below its top.
                    Error(DiagnosticIds.MalformedNumeric, _map.Locate(pointer),
                        $"The range {range} in '{path}' has equal bounds; EventBridge requires the lower bound to be smaller than the upper bound.",
                        $"To match exactly {lower[0].Literal} write [\"=\", {lower[0].Literal}].");
                    ok = false;
                }
            }

            return ok ? new NumericMatcher([.. comparisons.Select(c => c.Comparison)], location) : null;
        }

        private static string Bound(NumericComparison c) => c.Operator switch
        {
            NumericOperator.GreaterThan => $"above {c.Value}",
            NumericOperator.GreaterThanOrEqual => $"at least {c.Value}",
            NumericOperator.LessThan => $"below {c.Value}",
            _ => $"at most {c.Value}",
        };

        private NumericOperator? ReadNumericOperator(JsonNode? node, string pointer, string path)
        {
            if (node is JsonValue && node.GetValueKind() == JsonValueKind.String)
            {
                var text = node.GetValue<string>();
                NumericOperator? op = text switch
                {
                    "=" => NumericOperator.Equal,
                    "<" => NumericOperator.LessThan,
                    "<=" => NumericOperator.LessThanOrEqual,
                    ">" => NumericOperator.GreaterThan,
                    ">=" => NumericOperator.GreaterThanOrEqual,
                    _ => null,
                };
                if (op is not null)
                {
                    return op;
                }

                var meant = text switch
                {
                    "==" or "eq" => "=",
                    "=<" or "≤" or "le" or "lte" => "<=",
                    "=>" or "≥" or "ge" or "gte" => ">=",
                    "lt" => "<",
                    "gt" => ">",
                    _ => null,
                };
                Error(DiagnosticIds.MalformedNumeric, _map.Locate(pointer),
                    $"Unknown comparison \"{text}\" in 'numeric' of '{path}'.",
                    (meant is null ? "" : $"Did you mean \"{meant}\"? ") + "Comparisons are \"=\", \"<\", \"<=\", \">\" and \">=\".");
                return null;
            }

            Error(DiagnosticIds.MalformedNumeric, _map.Locate(pointer),
                $"'numeric' in '{path}' expects a comparison here; found {Describe(node)}.",
                $"Write comparison/number pairs: the comparison (\"=\", \"<\", \"<=\", \">\", \">=\") first, e.g. {NumericExample}.");
            return null;
        }

        private JsonNumber? ReadNumericOperand(JsonNode? node, string pointer, string path, out string literal)
        {
            literal = "";
            if (node is JsonValue && node.GetValueKind() == JsonValueKind.Number)
            {
                if (TryReadNumber(node, out var number, out literal))
                {
                    return number;
                }

                Error(DiagnosticIds.MalformedNumeric, _map.Locate(pointer),
                    $"The number {literal} in 'numeric' of '{path}' is out of range.",
                    "Use a finite number no larger than about ±1.7e308.");
                return null;
            }

            if (node is JsonValue && node.GetValueKind() == JsonValueKind.String && JsonNumber.IsJsonNumberSyntax(node.GetValue<string>()))
            {
                var text = node.GetValue<string>();
                Error(DiagnosticIds.MalformedNumeric, _map.Locate(pointer),
                    $"'numeric' in '{path}' compares numbers, but \"{text}\" is a string.",
                    $"Write {text} without quotes. (A field sent as a string, like \"changeType\": \"1\", cannot be compared with numeric; match it exactly: [\"{text}\"].)");
                return null;
            }

            Error(DiagnosticIds.MalformedNumeric, _map.Locate(pointer),
                $"'numeric' in '{path}' expects a number here; found {Describe(node)}.",
                $"Write comparison/number pairs with plain numbers, e.g. {NumericExample}.");
            return null;
        }

        private CidrMatcher? ParseCidr(JsonNode? value, string pointer, string path, SourceLocation location)
        {
            const string Example = "\"10.0.0.0/8\" or \"2001:db8::/32\"";
            if (value is not JsonValue || value.GetValueKind() != JsonValueKind.String)
            {
                Error(DiagnosticIds.BadCidr, _map.Locate(pointer),
                    $"'cidr' in '{path}' needs a network as a string; found {Describe(value)}.",
                    $"Write a network in CIDR notation, e.g. {Example}.");
                return null;
            }

            var text = value.GetValue<string>();
            var slash = text.LastIndexOf('/');
            if (slash < 0 && !MatcherSemantics.TryParseIpAddress(text, out _))
            {
                Error(DiagnosticIds.BadCidr, _map.Locate(pointer),
                    $"The cidr \"{text}\" in '{path}' is not a network in CIDR notation.",
                    $"Write an IP address and a prefix length, e.g. {Example}.");
                return null;
            }

            if (slash < 0)
            {
                var single = MatcherSemantics.TryParseIpAddress(text, out var one)
                    ? $"\"{text}/{(one.AddressFamily == AddressFamily.InterNetwork ? 32 : 128)}\""
                    : Example;
                Error(DiagnosticIds.BadCidr, _map.Locate(pointer),
                    $"The cidr \"{text}\" in '{path}' has no prefix length.",
                    $"Write a network with its prefix length, e.g. {single}.");
                return null;
            }

            var addressText = text[..slash];
            var prefixText = text[(slash + 1)..];
            if (!MatcherSemantics.TryParseIpAddress(addressText, out var address))
            {
                Error(DiagnosticIds.BadCidr, _map.Locate(pointer),
                    $"The cidr \"{text}\" in '{path}' does not start with an IP address (\"{addressText}\").",
                    $"Write an IPv4 address as four decimal numbers 0-255 or an IPv6 address, then the prefix length, e.g. {Example}.");
                return null;
            }

            var maxPrefix = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
            if (prefixText.Length is 0 or > 3
                || !prefixText.All(char.IsAsciiDigit)
                || (prefixText.Length > 1 && prefixText[0] == '0')
                || int.Parse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture) > maxPrefix)
            {
                Error(DiagnosticIds.BadCidr, _map.Locate(pointer),
                    $"The cidr \"{text}\" in '{path}' has the prefix length \"{prefixText}\"; it must be a whole number from 0 to {maxPrefix}.",
                    $"Write the number of network bits after the slash, e.g. {Example}.");
                return null;
            }

            var prefix = int.Parse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture);
            var network = new IPNetwork(Mask(address, prefix), prefix);
            if (!network.BaseAddress.Equals(address))
            {
                var canonical = network.BaseAddress + "/" + prefixText;
                Error(DiagnosticIds.BadCidr, _map.Locate(pointer),
                    $"The cidr \"{text}\" in '{path}' has host bits set; the network it names is {canonical}.",
                    $"Write \"{canonical}\" (or \"{addressText}/{maxPrefix}\" to match that single address).");
                return null;
            }

            return new CidrMatcher(text, network, location);
        }

        private static IPAddress Mask(IPAddress address, int prefix)
        {
            var bytes = address.GetAddressBytes();
            for (var i = 0; i < bytes.Length; i++)
            {
                var bits = Math.Clamp(prefix - (i * 8), 0, 8);
                bytes[i] &= (byte)(0xFF << (8 - bits));
            }

            return new IPAddress(bytes);
        }

        private AnythingButMatcher? ParseAnythingBut(JsonNode? value, string pointer, string path, SourceLocation location)
        {
            switch (value)
            {
                case JsonArray list:
                {
                    if (list.Count == 0)
                    {
                        EmptyAnythingBut(pointer, path, "[]");
                        return null;
                    }

                    var excluded = ImmutableArray.CreateBuilder<Matcher>(list.Count);
                    var ok = true;
                    for (var i = 0; i < list.Count; i++)
                    {
                        var itemPointer = pointer + "/" + i.ToString(CultureInfo.InvariantCulture);
                        if (list[i] is JsonObject or JsonArray)
                        {
                            Error(DiagnosticIds.BadOperatorValue, _map.Locate(itemPointer),
                                $"The 'anything-but' list in '{path}' may hold only strings or numbers; found {Describe(list[i])}.",
                                "List plain values, e.g. {\"anything-but\": [\"DEV\", \"TEST\"]}; to exclude by pattern use {\"anything-but\": {\"prefix\": \"tmp_\"}} or {\"anything-but\": {\"wildcard\": [\"tmp_*\", \"*_bak\"]}}.");
                            ok = false;
                        }
                        else if (ReadAnythingButValue(list[i], itemPointer, path) is { } exact)
                        {
                            excluded.Add(exact);
                        }
                        else
                        {
                            ok = false;
                        }
                    }

                    return ok && SameKind(excluded, list, pointer, path) ? new AnythingButMatcher(excluded.MoveToImmutable(), location) : null;
                }

                case JsonObject inner:
                    return ParseAnythingButOperator(inner, pointer, path, location);

                default:
                    return ReadAnythingButValue(value, pointer, path) is { } single ? new AnythingButMatcher([single], location) : null;
            }
        }

        // EventBridge's anything-but takes strings and numbers only: null, true and false are refused there (a boolean
        // has one other value to match instead, and "anything but null" is better said with the field's own kind).
        private ExactMatcher? ReadAnythingButValue(JsonNode? node, string pointer, string path)
        {
            var kind = node?.GetValueKind() ?? JsonValueKind.Null;
            if (kind is JsonValueKind.Null or JsonValueKind.True or JsonValueKind.False)
            {
                Error(DiagnosticIds.BadOperatorValue, _map.Locate(pointer),
                    $"'anything-but' in '{path}' takes strings or numbers; found {Describe(node)}.",
                    kind == JsonValueKind.Null
                        ? "To require a value that is not null, match its kind: [{\"prefix\": \"\"}] matches every string, [{\"numeric\": [\">=\", 0]}] non-negative numbers; [{\"exists\": true}] accepts null too."
                        : $"Match the other value directly: [{(kind == JsonValueKind.True ? "false" : "true")}].");
                return null;
            }

            return ReadExact(node, pointer, path);
        }

        // ["1", 1] is refused by EventBridge: an anything-but list holds only strings or only numbers.
        private bool SameKind(ImmutableArray<Matcher>.Builder excluded, JsonArray list, string pointer, string path)
        {
            var first = ((ExactMatcher)excluded[0]).Value;
            for (var i = 1; i < excluded.Count; i++)
            {
                var value = ((ExactMatcher)excluded[i]).Value;
                if (value.Kind != first.Kind)
                {
                    Error(DiagnosticIds.BadOperatorValue, _map.Locate(pointer + "/" + i.ToString(CultureInfo.InvariantCulture)),
                        $"The 'anything-but' list in '{path}' mixes strings and numbers ({Json(list[0])} and {Json(list[i])}).",
                        "List only strings or only numbers, the kind the field holds: a string never equals a number, so the other kind excludes nothing (quote or unquote it).");
                    return false;
                }
            }

            return true;
        }

        private AnythingButMatcher? ParseAnythingButOperator(JsonObject inner, string pointer, string path, SourceLocation location)
        {
            if (inner.Count == 0)
            {
                EmptyAnythingBut(pointer, path, "{}");
                return null;
            }

            if (inner.Count > 1)
            {
                Error(DiagnosticIds.BadOperatorValue, _map.Locate(pointer),
                    $"'anything-but' in '{path}' takes one operator; found {string.Join(", ", inner.Select(p => "'" + p.Key + "'"))}.",
                    "Use one of prefix, suffix, wildcard or equals-ignore-case; to exclude several patterns use {\"anything-but\": {\"wildcard\": [\"a*\", \"*b\"]}}.");
                return null;
            }

            var (name, value) = inner.First();
            var valuePointer = pointer + "/" + EscapePointer(name);
            switch (name)
            {
                case "prefix":
                case "suffix":
                {
                    if (value is JsonObject)
                    {
                        Error(DiagnosticIds.BadOperatorValue, _map.Locate(valuePointer),
                            $"'anything-but' in '{path}' accepts '{name}' with a plain string only; found {Json(value)}.",
                            $"Write {{\"anything-but\": {{\"{name}\": \"text\"}}}} (case-insensitive exclusion is available as {{\"anything-but\": {{\"equals-ignore-case\": [..]}}}} or a wildcard).");
                        return null;
                    }

                    var text = RequireString(name, value, valuePointer, path);
                    if (text is "")
                    {
                        // EventBridge refuses it ("Null prefix/suffix not allowed"): it would exclude every string.
                        Error(DiagnosticIds.BadOperatorValue, _map.Locate(valuePointer),
                            $"'anything-but' in '{path}' has an empty {name}, which would exclude every string.",
                            $"Write the text to exclude, e.g. {{\"anything-but\": {{\"{name}\": \"{(name == "prefix" ? "tmp_" : "_bak")}\"}}}}; to match only numbers use numeric.");
                        return null;
                    }

                    return text is null ? null : new AnythingButMatcher([MakePrefixSuffix(name, text, ignoreCase: false, _map.Locate(valuePointer))], location);
                }

                case "wildcard":
                case "equals-ignore-case":
                    return ParseAnythingButStrings(name, value, valuePointer, path, location);

                default:
                    if (OperatorNames.Contains(name))
                    {
                        Error(DiagnosticIds.BadOperatorValue, _map.LocateKey(valuePointer),
                            $"'anything-but' in '{path}' does not accept '{name}'.",
                            name == "numeric"
                                ? "To match numbers outside a range, use two entries: [{\"numeric\": [\"<\", 0]}, {\"numeric\": [\">\", 5]}]."
                                : "'anything-but' takes values, or one of prefix, suffix, wildcard or equals-ignore-case.");
                    }
                    else
                    {
                        UnknownOperator(name, valuePointer, path, s_anythingButOperators, " inside 'anything-but'");
                    }

                    return null;
            }
        }

        private AnythingButMatcher? ParseAnythingButStrings(string op, JsonNode? value, string pointer, string path, SourceLocation location)
        {
            Matcher? Make(JsonNode? node, string itemPointer)
            {
                var text = RequireString(op, node, itemPointer, path);
                if (text is null)
                {
                    return null;
                }

                if (op == "wildcard")
                {
                    return CheckWildcard(text, itemPointer, path) ? new WildcardMatcher(text, _map.Locate(itemPointer)) : null;
                }

                return new EqualsIgnoreCaseMatcher(text, _map.Locate(itemPointer));
            }

            if (value is not JsonArray list)
            {
                return Make(value, pointer) is { } single ? new AnythingButMatcher([single], location) : null;
            }

            if (list.Count == 0)
            {
                EmptyAnythingBut(pointer, path, $"{{\"{op}\": []}}");
                return null;
            }

            var excluded = ImmutableArray.CreateBuilder<Matcher>(list.Count);
            var ok = true;
            for (var i = 0; i < list.Count; i++)
            {
                if (Make(list[i], pointer + "/" + i.ToString(CultureInfo.InvariantCulture)) is { } matcher)
                {
                    excluded.Add(matcher);
                }
                else
                {
                    ok = false;
                }
            }

            return ok ? new AnythingButMatcher(excluded.MoveToImmutable(), location) : null;
        }

        private void EmptyAnythingBut(string pointer, string path, string written) =>
            Error(DiagnosticIds.EmptyAnythingBut, _map.Locate(pointer),
                $"'anything-but' in '{path}' excludes nothing ({written}).",
                "List what to exclude, e.g. {\"anything-but\": [\"DEV\"]}; to require only that the field exists, use {\"exists\": true}.");

        private void Error(string id, SourceLocation location, string message, string hint)
        {
            HasErrors = true;
            _diagnostics.Error(id, location, message, hint);
        }
    }

    // ---- Helpers ---------------------------------------------------------------------------------------

    private static string At(string path) => path.Length == 0 ? "" : $" of '{path}'";

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

    /// <summary>RFC 6901: "~" is written "~0" and "/" is written "~1".</summary>
    public static string EscapePointer(string key) => key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    private static bool TryReadNumber(JsonNode node, out JsonNumber number, out string literal)
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

    private static string Json(JsonNode? node)
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

    private static string NonFiniteText(JsonNode node) =>
        node is JsonValue value && value.TryGetValue<double>(out var d) ? d.ToString(CultureInfo.InvariantCulture)
        : node is JsonValue single && single.TryGetValue<float>(out var f) ? f.ToString(CultureInfo.InvariantCulture)
        : "(not writable as JSON)";

    private static string Describe(JsonNode? node) => node switch
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

    private static string Truncate(string text) => text.Length <= 60 ? text : text[..57] + "...";

    // The text to put inside quotes in a hint: the author's own value when it is a plain scalar.
    private static string StringHint(JsonNode? value, string fallback = "text") =>
        value is JsonValue && value.GetValueKind() is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False
            ? Json(value)
            : fallback;

    /// <summary>The closest name to <paramref name="name"/> (case, '-', '_' and spaces ignored), when it is close enough to be a typo.</summary>
    internal static string? Suggest(string name, IEnumerable<string> candidates)
    {
        var normalized = Normalize(name);
        if (s_aliases.TryGetValue(normalized, out var alias) && candidates.Contains(alias))
        {
            return alias;
        }

        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = Suggestions.Distance(normalized, Normalize(candidate));
            var allowed = Math.Max(1, Normalize(candidate).Length / 3);
            if (distance <= allowed && distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    private static string Normalize(string name) =>
        new([.. name.ToLowerInvariant().Where(c => c is not ('-' or '_' or ' '))]);
}
