using System.Text.Encodings.Web;
using System.Text.Json;
using OpenEvent.Rules.Events;

namespace OpenEvent.Rules.Evaluation;

/// <summary>
/// The JSON form of an explanation (<c>oer explain --format json</c>, and the host console's explain view): for each
/// policy, whether it applies, the first failing clause and every clause of match, scope and exclusions with the values
/// seen. One writer for both front ends, so that the console shows what the CLI prints.
/// </summary>
public static class ExplanationJson
{
    /// <summary>What a masked value is written as (the decision log's mask).</summary>
    public const string Mask = "***";

    /// <param name="detail">Where the event's detail came from (the CLI's explain writes it, null as <c>"detail": null</c>).</param>
    public static string Serialize(DataWorksEvent e, IReadOnlyList<PolicyExplanation> explanations, DetailReport? detail)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(json, e, explanations, writeDetail: true, detail: detail);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <param name="isMasked">
    /// Takes an event path ("data.sqlText", "data.items[0].name") and says whether the values seen there must not be
    /// shown: they are written as <see cref="Mask"/>. Null: every value is shown.
    /// </param>
    public static void Write(Utf8JsonWriter json, DataWorksEvent e, IReadOnlyList<PolicyExplanation> explanations, Func<string, bool>? isMasked = null,
        bool writeDetail = false, DetailReport? detail = null)
    {
        json.WriteStartObject();
        json.WriteStartObject("event");
        json.WriteString("id", e.Id);
        json.WriteString("type", e.Type);
        json.WriteString("file", e.Origin.File);
        json.WriteNumber("index", e.Origin.Index);
        json.WriteEndObject();
        DecisionJson.WriteScope(json, e.Scope);
        if (writeDetail)
        {
            WriteDetail(json, detail);
        }

        json.WriteStartArray("policies");
        foreach (var explanation in explanations)
        {
            WritePolicy(json, explanation, isMasked);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WritePolicy(Utf8JsonWriter json, PolicyExplanation explanation, Func<string, bool>? isMasked)
    {
        json.WriteStartObject();
        json.WriteString("policy", explanation.Policy.Name);
        json.WriteString("location", explanation.Policy.Location.ToString());
        json.WriteBoolean("applies", explanation.Applies);
        DecisionJson.WriteStage(json, explanation.Stage);
        // A condition's exception message may quote any value it read (int.Parse quotes its input): where values are
        // masked, only the exception's type is shown, as the decision log shows only the count of condition errors.
        var conditionError = explanation.ConditionError is { } error && isMasked is not null ? ErrorTypeOnly(error) : explanation.ConditionError;
        if (explanation.FirstFailure is { } first)
        {
            // The first failure quotes the value seen: a masked one is not repeated here.
            var clause = explanation.Match.FirstFailure;
            json.WriteString("firstFailure", clause is not null && isMasked?.Invoke(clause.Path) == true ? MaskedFirstFailure(clause)
                : explanation.ConditionError is { } shown && conditionError != shown ? first.Replace(shown, conditionError, StringComparison.Ordinal)
                : first);
        }
        else
        {
            json.WriteNull("firstFailure");
        }

        DecisionJson.WriteWaiver(json, explanation.Waiver);
        json.WriteStartArray("clauses");
        foreach (var clause in explanation.Match.AllClauses())
        {
            WriteClause(json, "match", clause.Path, clause.Clause, clause.Passed, Seen(clause.Path, clause.Actual, isMasked), clause.Location);
        }

        foreach (var clause in explanation.Scope)
        {
            WriteClause(json, "scope", clause.Dimension, clause.AllowedText, clause.Passed,
                clause.Actual is null ? [] : [clause.Actual], clause.Location);
        }

        foreach (var exclusion in explanation.Exclusions)
        {
            foreach (var clause in exclusion.Match?.AllClauses() ?? [])
            {
                WriteClause(json, $"exclude[{exclusion.Index}]", clause.Path, clause.Clause, clause.Passed, Seen(clause.Path, clause.Actual, isMasked), clause.Location);
            }

            foreach (var clause in exclusion.Scope)
            {
                WriteClause(json, $"exclude[{exclusion.Index}]", clause.Dimension, clause.AllowedText, clause.Passed,
                    clause.Actual is null ? [] : [clause.Actual], clause.Location);
            }
        }

        json.WriteEndArray();
        json.WriteString("condition", explanation.Condition.ToString().ToLowerInvariant());
        if (conditionError is not null)
        {
            json.WriteString("conditionError", conditionError);
        }

        json.WriteEndObject();
    }

    private static void WriteDetail(Utf8JsonWriter json, DetailReport? detail)
    {
        if (detail is null)
        {
            json.WriteNull("detail");
            return;
        }

        json.WriteStartObject("detail");
        json.WriteBoolean("available", detail.Available);
        json.WriteString("source", detail.Source);
        json.WriteString("error", detail.Error);
        json.WriteEndObject();
    }

    /// <summary>
    /// "FormatException: The input string 'select ... api_key=...' was not in a correct format." becomes the type alone; a
    /// budget's message (steps, bytes, milliseconds; no event value) is kept.
    /// </summary>
    private static string ErrorTypeOnly(string error)
    {
        if (error.StartsWith(nameof(Conditions.ConditionBudgetExceededException) + ":", StringComparison.Ordinal))
        {
            return error;
        }

        var colon = error.IndexOf(": ", StringComparison.Ordinal);
        return (colon > 0 ? error[..colon] : "an exception") + " (its message is not shown: this host masks event values)";
    }

    private static string MaskedFirstFailure(ClauseTrace clause) => $"match: {clause.Path} {clause.Clause} ({clause.Location}); saw {Mask}";

    private static IEnumerable<string> Seen(string path, IEnumerable<string> actual, Func<string, bool>? isMasked) =>
        isMasked?.Invoke(path) == true && actual.Any() ? [Mask] : actual;

    private static void WriteClause(Utf8JsonWriter json, string part, string path, string clause, bool passed, IEnumerable<string> actual, SourceLocation location)
    {
        json.WriteStartObject();
        json.WriteString("part", part);
        json.WriteString("path", path);
        json.WriteString("clause", clause);
        json.WriteBoolean("passed", passed);
        json.WriteStartArray("actual");
        foreach (var value in actual)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
        json.WriteString("location", location.ToString());
        json.WriteEndObject();
    }
}
