using System.Text.Json;
using OpenEvent.Rules.Events;

namespace OpenEvent.Rules.Evaluation;

/// <summary>
/// Writes a decision in the stable JSON shape shared by <c>oer dry-run --format json</c> (one line per event)
/// and the host's <c>POST /evaluate</c>:
/// <c>{"event": {"id","type","file","index"}, "scope": {...} | null, "verdict": "OK"|"WARN"|"FAIL"|null, "matched": [...],
/// "audit": [...], "conditionErrors": [...], "error": null | {"id","message"}}</c>. The scope is what the event resolved to:
/// its own values and what the registry added (names, labels, owners, and in <c>fromRegistry</c> which values it filled in).
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
        WriteScope(writer, decision.Scope);

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

    /// <summary>Writes <c>"scope": {...}</c> (or null): the resolved scope of an event, as decisions and explain show it.</summary>
    internal static void WriteScope(Utf8JsonWriter writer, EventScope? scope)
    {
        if (scope is null)
        {
            writer.WriteNull("scope");
            return;
        }

        writer.WriteStartObject("scope");
        WriteNullable(writer, "tenant", scope.Tenant);
        WriteNullable(writer, "tenantName", scope.TenantName);
        WriteNullable(writer, "workspace", scope.Workspace);
        WriteNullable(writer, "workspaceName", scope.WorkspaceName);
        WriteNullable(writer, "region", scope.Region);
        WriteNullable(writer, "environment", scope.Environment);
        WriteNullable(writer, "operator", scope.Operator);
        WriteStrings(writer, "labels", scope.Labels);
        WriteStrings(writer, "owners", scope.Owners);
        writer.WriteStartObject("fromRegistry");
        foreach (var (name, value, origin) in new[] { ("tenant", scope.Tenant, scope.TenantOrigin), ("region", scope.Region, scope.RegionOrigin), ("environment", scope.Environment, scope.EnvironmentOrigin) })
        {
            if (value is not null && origin != FactOrigin.Event)
            {
                writer.WriteString(name, origin == FactOrigin.Account ? "account" : "workspace");
            }
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, System.Collections.Immutable.ImmutableArray<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values.IsDefault ? [] : values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

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
            WriteStage(writer, match.Stage);
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

    /// <summary>
    /// <c>"stage": {"enforced": true|false, "reason": "..."}</c> for a staged policy (spec.enforceIn): whether it enforced
    /// or audited this event, and why; null for a policy that is not staged.
    /// </summary>
    private static void WriteStage(Utf8JsonWriter writer, PolicyStage? stage)
    {
        if (stage is null)
        {
            writer.WriteNull("stage");
            return;
        }

        writer.WriteStartObject("stage");
        writer.WriteBoolean("enforced", stage.Enforced);
        writer.WriteString("reason", stage.Reason);
        writer.WriteEndObject();
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
