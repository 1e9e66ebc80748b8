using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Model.Patterns.Operators;
using static OpenEvent.Rules.Parsing.PatternParser;

namespace OpenEvent.Rules.Parsing;

/// <summary>
/// A field's list of entries (OR): each a plain value or a one-key operator object, whose operand the operator's own
/// definition reads (<see cref="LeafOperators"/>). Returns null for a list with errors, after reporting them all.
/// </summary>
internal sealed class LeafListReader(PatternDiagnostics reporter)
{
    public LeafMember? Read(string key, JsonArray list, string pointer, string path)
    {
        if (list.Count == 0)
        {
            reporter.Error(DiagnosticIds.BadOperatorValue, reporter.Locate(pointer),
                $"The list for '{path}' is empty, so it can never match.",
                $"Add the values to match, e.g. \"{key}\": [\"value\"], or [{{\"exists\": true}}] to require the field, or remove '{path}'.");
            return null;
        }

        var matchers = ImmutableArray.CreateBuilder<Matcher>(list.Count);
        var ok = true;
        for (var i = 0; i < list.Count; i++)
        {
            if (ReadEntry(list[i], pointer + "/" + i.ToString(CultureInfo.InvariantCulture), path) is { } matcher)
            {
                matchers.Add(matcher);
            }
            else
            {
                ok = false;
            }
        }

        // Unsatisfiable entries (contradictory numeric ranges) are reported one by one where they are
        // written, so a leaf made only of them has already been reported; nothing else can be unsatisfiable.
        return ok ? new LeafMember(key, matchers.MoveToImmutable(), reporter.LocateKey(pointer)) : null;
    }

    private Matcher? ReadEntry(JsonNode? entry, string pointer, string path)
    {
        switch (entry)
        {
            case JsonObject op:
                return ReadOperator(op, pointer, path);

            case JsonArray nested:
                reporter.Error(DiagnosticIds.BadOperatorValue, reporter.Locate(pointer),
                    $"The list for '{path}' contains a nested list {OperandText.Json(nested)}; lists of values cannot be nested.",
                    "Write each value as its own entry of the outer list (the entries are OR'ed).");
                return null;

            default:
                return LeafOperators.Exact.Parse(entry, new OperandSite(pointer, path, reporter.Locate(pointer)), reporter);
        }
    }

    private Matcher? ReadOperator(JsonObject op, string pointer, string path)
    {
        if (op.Count != 1)
        {
            reporter.Error(DiagnosticIds.BadOperatorValue, reporter.Locate(pointer),
                op.Count == 0
                    ? $"An empty operator object {{}} in '{path}'."
                    : $"An operator object in '{path}' must have exactly one operator; found {string.Join(", ", op.Select(p => "'" + p.Key + "'"))}.",
                op.Count == 0
                    ? "Write one operator, e.g. {\"prefix\": \"acs.\"}, or remove the entry."
                    : "Write each operator as its own entry of the list, e.g. [{\"prefix\": \"a\"}, {\"suffix\": \"b\"}] (entries are OR'ed); for a numeric range use one {\"numeric\": [\">\", 0, \"<=\", 5]}.");
            return null;
        }

        var (name, operand) = op.First();
        var operandPointer = pointer + "/" + JsonPointer.Escape(name);
        if (LeafOperators.Find(name) is { } definition)
        {
            return definition.Parse(operand, new OperandSite(operandPointer, path, reporter.Locate(pointer)), reporter);
        }

        if (name == "$or")
        {
            reporter.Error(DiagnosticIds.UnknownOperator, reporter.LocateKey(operandPointer),
                $"'$or' cannot be used inside the list of '{path}'.",
                "The entries of a list are already OR'ed: list the values or operators directly, e.g. [\"a\", {\"prefix\": \"b\"}]; '$or' combines whole pattern objects and sits beside the fields.");
            return null;
        }

        // A named set ({ set: name }) is expanded before the list is read: a misspelt 'set' is suggested as well.
        reporter.UnknownOperator(name, operandPointer, path, LeafOperators.Names, "", ["set"]);
        return null;
    }
}
