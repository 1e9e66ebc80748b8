using System.Text.Json;

namespace OpenEvent.Rules.Evaluation;

/// <summary>
/// Writes a decision in the stable JSON shape shared by <c>oer dry-run --format json</c> (one line per event)
/// and the host's <c>POST /evaluate</c>:
/// <c>{"event": {"id","type","file","index"}, "verdict": "OK"|"WARN"|"FAIL"|null, "matched": [...],
/// "audit": [...], "conditionErrors": [...], "error": null | {"id","message"}}</c>.
/// </summary>
public static class DecisionJson
{
    public static void Write(Utf8JsonWriter writer, Decision decision)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("event");
        WriteNullable(writer, "id", decision.Event.Id);
        WriteNullable(writer, "type", decision.Event.Type);
        writer.WriteString("file", decision.Event.File);
        writer.WriteNumber("index", decision.Event.Index);
        writer.WriteEndObject();

        if (decision.Verdict is { } verdict)
        {
            writer.WriteString("verdict", VerdictText(verdict));
        }
        else
        {
            writer.WriteNull("verdict");
        }

        WriteMatches(writer, "matched", decision.Matched);
        WriteMatches(writer, "audit", decision.Audit);

        writer.WriteStartArray("conditionErrors");
        foreach (var failure in decision.ConditionFailures)
        {
            writer.WriteStartObject();
            writer.WriteString("policy", failure.Policy);
            writer.WriteString("location", failure.Location.ToString());
            writer.WriteString("message", failure.Message);
            writer.WriteBoolean("treatedAsMatch", failure.TreatedAsMatch);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();

        // The event's detail: null when no policy that reads it got that far (so it was not asked for).
        if (decision.Detail is { } detail)
        {
            writer.WriteStartObject("detail");
            writer.WriteBoolean("available", detail.Available);
            writer.WriteString("source", detail.Source);
            writer.WriteBoolean("fromCache", detail.FromCache);
            WriteNullable(writer, "error", detail.Error);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("detail");
        }

        writer.WriteStartArray("detailErrors");
        foreach (var failure in decision.DetailFailures)
        {
            writer.WriteStartObject();
            writer.WriteString("policy", failure.Policy);
            writer.WriteString("location", failure.Location.ToString());
            writer.WriteString("message", failure.Message);
            writer.WriteString("outcome", failure.OutcomeText);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();

        if (decision.Error is { } error)
        {
            writer.WriteStartObject("error");
            writer.WriteString("id", error.Id);
            writer.WriteString("message", error.Message);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("error");
        }

        writer.WriteEndObject();
    }

    public static string Serialize(Decision decision)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(writer, decision);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public static string VerdictText(Verdict verdict) => verdict switch
    {
        Verdict.Ok => "OK",
        Verdict.Warn => "WARN",
        _ => "FAIL",
    };

    private static void WriteMatches(Utf8JsonWriter writer, string name, IEnumerable<PolicyMatch> matches)
    {
        writer.WriteStartArray(name);
        foreach (var match in matches)
        {
            writer.WriteStartObject();
            writer.WriteString("policy", match.Policy);
            writer.WriteString("mode", match.Mode.ToString().ToLowerInvariant());
            writer.WriteNumber("priority", match.Priority);
            writer.WriteString("location", match.Location.ToString());
            writer.WriteStartArray("actions");
            foreach (var action in match.Actions)
            {
                writer.WriteStartObject();
                writer.WriteString("kind", action.Kind);
                switch (action)
                {
                    case BlockOutcome block:
                        writer.WriteString("reason", block.Reason);
                        break;
                    case WarnOutcome warn:
                        writer.WriteString("reason", warn.Reason);
                        break;
                    case NotifyOutcome notify:
                        writer.WriteString("channel", notify.Channel);
                        writer.WriteString("message", notify.Message);
                        break;
                    case ForwardOutcome forward:
                        writer.WriteString("target", forward.Target);
                        break;
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
