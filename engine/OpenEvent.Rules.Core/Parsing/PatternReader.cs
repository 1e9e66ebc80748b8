using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Model.Patterns.Operators;
using static OpenEvent.Rules.Parsing.PatternParser;

namespace OpenEvent.Rules.Parsing;

/// <summary>
/// The structure of a pattern: objects of fields (AND), nested objects and <c>$or</c> branches; a field's list goes to
/// <see cref="LeafListReader"/>. Returns null for any part with errors, after reporting them all.
/// </summary>
internal sealed class PatternReader
{
    // EventBridge refuses these as field names inside $or branches (event-ruler's RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP,
    // plus Alibaba's contains): there, {"prefix": [...]} is an operator that lost its field, not a field named prefix.
    private static readonly FrozenSet<string> s_reservedInOr = FrozenSet.ToFrozenSet(
    [
        .. LeafOperators.Names, "exactly", "=", "<", "<=", ">", ">=", "regex", "not-wildcard", "not-equals-ignore-case",
        "date-after", "date-on-or-after", "date-before", "date-on-or-before", "in-date-range",
        "ip-address-in-range", "ip-address-not-in-range",
    ], StringComparer.Ordinal);

    private readonly PatternDiagnostics _reporter;
    private readonly LeafListReader _leaves;

    public PatternReader(PatternDiagnostics reporter)
    {
        _reporter = reporter;
        _leaves = new LeafListReader(reporter);
    }

    public PatternObject? ParseRoot(JsonNode? node, string pointer)
    {
        if (node is JsonObject obj)
        {
            return ParseObject(obj, pointer, "", "The event pattern", inOr: false);
        }

        _reporter.Error(DiagnosticIds.EmptyPattern, _reporter.Locate(pointer),
            $"The event pattern must be an object of event fields; found {OperandText.Describe(node)}.",
            "Write the pattern as fields with lists of values, e.g. { \"source\": [\"acs.dataworks\"], \"type\": [\"dataworks:FileChange:CommitFile\"] }.");
        return null;
    }

    // what names the object in messages: "The event pattern", "The pattern object for 'data'", "Branch 0 of '$or'".
    // inOr: the object is a $or branch or nested inside one, where operator keywords are not field names.
    private PatternObject? ParseObject(JsonObject obj, string pointer, string path, string what, bool inOr)
    {
        if (obj.Count == 0)
        {
            _reporter.Error(DiagnosticIds.EmptyPattern, _reporter.Locate(pointer),
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
            var member = ParseMember(key, value, pointer + "/" + JsonPointer.Escape(key), path, inOr);
            if (member is null)
            {
                ok = false;
            }
            else
            {
                members.Add(member);
            }
        }

        return ok ? new PatternObject(members.MoveToImmutable(), _reporter.Locate(pointer)) : null;
    }

    private PatternMember? ParseMember(string key, JsonNode? value, string pointer, string path, bool inOr)
    {
        if (key == "$or")
        {
            return ParseOr(value, pointer, path);
        }

        if (inOr && s_reservedInOr.Contains(key))
        {
            OperatorAsFieldName(key, value, pointer, path);
            return null;
        }

        if (key.StartsWith('$'))
        {
            _reporter.Error(DiagnosticIds.UnknownOperator, _reporter.LocateKey(pointer),
                $"Unknown keyword '{key}' in the pattern{At(path)}.",
                "'$or' is the only $ keyword: write \"$or\": [{...}, {...}] to match when any branch matches; members of an object are already AND'ed.");
            return null;
        }

        return ParseField(key, value, pointer, Join(path, key), inOr);
    }

    private PatternMember? ParseField(string key, JsonNode? value, string pointer, string fieldPath, bool inOr)
    {
        switch (value)
        {
            case JsonArray list:
                return _leaves.Read(key, list, pointer, fieldPath);

            case JsonObject nested when IsOperatorObject(nested):
                MisplacedOperator(key, nested, pointer, fieldPath);
                return null;

            case JsonObject nested:
            {
                var pattern = ParseObject(nested, pointer, fieldPath, $"The pattern object for '{fieldPath}'", inOr);
                return pattern is null ? null : new NestedMember(key, pattern, _reporter.LocateKey(pointer));
            }

            default:
                _reporter.Error(DiagnosticIds.LeafNotArray, _reporter.Locate(pointer),
                    $"The value of '{fieldPath}' must be a list of values or operators; found {OperandText.Describe(value)}.",
                    $"Write a list: \"{key}\": [{OperandText.Json(value)}].");
                return null;
        }
    }

    // {"prefix": "acs."} where a nested object is expected is almost always an operator missing its list;
    // a real event field named like an operator would have to be written with a nested pattern of its own.
    // (EventBridge reads {"n": {"numeric": [">", 5]}} as a field n.numeric equal to ">" or 5: a silent trap that
    // is refused here on purpose.)
    private static bool IsOperatorObject(JsonObject obj) =>
        obj.Count == 1 && LeafOperators.Find(obj.First().Key) is not null;

    // {"exists": [true]} is an operator whose list went to the wrong level: the fix moves it out.
    private void MisplacedOperator(string key, JsonObject nested, string pointer, string fieldPath)
    {
        var (name, operand) = nested.First();
        var fixedOperator = operand is JsonArray { Count: 1 } one && !LeafOperators.Find(name)!.OperandIsList
            ? $"{{\"{name}\": {OperandText.Json(one[0])}}}"
            : OperandText.Json(nested);
        _reporter.Error(DiagnosticIds.LeafNotArray, _reporter.Locate(pointer),
            $"The value of '{fieldPath}' must be a list of values or operators; found the operator object {OperandText.Json(nested)}.",
            $"Wrap it in a list: \"{key}\": [{fixedOperator}].");
    }

    // EventBridge refuses {"$or": [{"prefix": ["x"]}, ...]}: an operator keyword is no field name inside $or. The
    // value is still read so that its own problems are reported in the same round.
    private void OperatorAsFieldName(string key, JsonNode? value, string pointer, string path)
    {
        var single = value is JsonArray { Count: 1 } list && list[0] is JsonValue ? list[0] : null;
        var hint = key switch
        {
            "=" or "<" or "<=" or ">" or ">=" =>
                $"Comparisons go inside numeric in a field's list, e.g. {{\"fieldName\": [{{\"numeric\": [\"{key}\", 5]}}]}}.",
            _ when LeafOperators.Find(key) is { } op =>
                $"Name the event field and put the operator in its list, e.g. {{\"fieldName\": [{{\"{key}\": {op.HintOperand ?? (single is null ? "\"text\"" : OperandText.Json(single))}}}]}}.",
            _ => $"EventBridge reserves '{key}' for operators; a field with that name cannot be matched inside '$or'.",
        };
        _reporter.Error(DiagnosticIds.OperatorAsFieldName, _reporter.LocateKey(pointer),
            $"'{key}' is an operator keyword, so it cannot be a field name inside '$or'{At(path)}.", hint);
        if (value is JsonArray leaf)
        {
            _leaves.Read(key, leaf, pointer, Join(path, key));
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
            _reporter.Error(DiagnosticIds.OrTooFewBranches, _reporter.Locate(pointer),
                $"'$or'{At(path)} must be a list of at least two pattern objects; found {OperandText.Describe(value)}.", Hint);
            return null;
        }

        var ok = true;
        if (branches.Count < 2)
        {
            _reporter.Error(DiagnosticIds.OrTooFewBranches, _reporter.Locate(pointer),
                $"'$or'{At(path)} must have at least two branches; found {branches.Count}.", Hint);
            ok = false;
        }

        var parsed = ImmutableArray.CreateBuilder<PatternObject>(branches.Count);
        for (var i = 0; i < branches.Count; i++)
        {
            if (ParseBranch(branches[i], i, pointer + "/" + i.ToString(CultureInfo.InvariantCulture), path) is { } branch)
            {
                parsed.Add(branch);
            }
            else
            {
                ok = false;
            }
        }

        return ok ? new OrMember(parsed.MoveToImmutable(), _reporter.LocateKey(pointer)) : null;
    }

    private PatternObject? ParseBranch(JsonNode? node, int index, string pointer, string path)
    {
        if (node is JsonObject branch)
        {
            return ParseObject(branch, pointer, path, $"Branch {index} of '$or'{At(path)}", inOr: true);
        }

        _reporter.Error(DiagnosticIds.OrTooFewBranches, _reporter.Locate(pointer),
            $"Branch {index} of '$or'{At(path)} must be a pattern object; found {OperandText.Describe(node)}.",
            "Each branch is an object of field conditions, e.g. { \"fileType\": [10] }.");
        return null;
    }
}
