using System.Collections.Immutable;
using System.Text.Json;
using OpenEvent.Rules.Events;

namespace OpenEvent.Rules.Evaluation;

/// <summary>
/// Writes a decision in the stable JSON shape shared by <c>oer dry-run --format json</c> (one line per event)
/// and the host's <c>POST /evaluate</c>:
/// <c>{"event": {"id","type","file","index"}, "scope": {...} | null, "verdict": "OK"|"WARN"|"FAIL"|null, "matched": [...],
/// "audit": [...], "conditionErrors": [...], "error": null | {"id","message"}}</c>; each match has <c>"waiver"</c>, null or the
/// waiver that let the event through it. The scope is what the event resolved to:
/// its own values and what the registry added (names, labels, owners, and in <c>fromRegistry</c> which values it filled in).
/// </summary>
public static class DecisionJson
{
    public static void Write(Utf8JsonWriter writer, Decision decision)
    {
        writer.WriteStartObject();
        WriteEvent(writer, decision.Event);
        WriteScope(writer, decision.Scope);
        WriteVerdict(writer, decision.Verdict);
        WriteMatches(writer, "matched", decision.Matched);
        WriteMatches(writer, "audit", decision.Audit);
        WriteConditionErrors(writer, decision.ConditionFailures);
        WriteDetail(writer, decision.Detail);
        WriteDetailErrors(writer, decision.DetailFailures);
        WriteError(writer, decision.Error);
        writer.WriteEndObject();
    }

    private static void WriteEvent(Utf8JsonWriter writer, EventDescriptor evaluated)
    {
        writer.WriteStartObject("event");
        WriteNullable(writer, "id", evaluated.Id);
        WriteNullable(writer, "type", evaluated.Type);
        writer.WriteString("file", evaluated.File);
        writer.WriteNumber("index", evaluated.Index);
        writer.WriteEndObject();
    }

    private static void WriteVerdict(Utf8JsonWriter writer, Verdict? verdict)
    {
        if (verdict is { } value)
        {
            writer.WriteString("verdict", VerdictText(value));
        }
        else
        {
            writer.WriteNull("verdict");
        }
    }

    private static void WriteConditionErrors(Utf8JsonWriter writer, ImmutableArray<ConditionFailure> failures)
    {
        writer.WriteStartArray("conditionErrors");
        foreach (var failure in failures)
        {
            writer.WriteStartObject();
            writer.WriteString("policy", failure.Policy);
            writer.WriteString("location", failure.Location.ToString());
            writer.WriteString("message", failure.Message);
            writer.WriteBoolean("treatedAsMatch", failure.TreatedAsMatch);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>The event's detail: null when no policy that reads it got that far (so it was not asked for).</summary>
    private static void WriteDetail(Utf8JsonWriter writer, DetailReport? detail)
    {
        if (detail is { } value)
        {
            writer.WriteStartObject("detail");
            writer.WriteBoolean("available", value.Available);
            writer.WriteString("source", value.Source);
            writer.WriteBoolean("fromCache", value.FromCache);
            WriteNullable(writer, "error", value.Error);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("detail");
        }
    }

    private static void WriteDetailErrors(Utf8JsonWriter writer, ImmutableArray<DetailFailure> failures)
    {
        writer.WriteStartArray("detailErrors");
        foreach (var failure in failures)
        {
            writer.WriteStartObject();
            writer.WriteString("policy", failure.Policy);
            writer.WriteString("location", failure.Location.ToString());
            writer.WriteString("message", failure.Message);
            writer.WriteString("outcome", failure.OutcomeText);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteError(Utf8JsonWriter writer, EventError? error)
    {
        if (error is { } value)
        {
            writer.WriteStartObject("error");
            writer.WriteString("id", value.Id);
            writer.WriteString("message", value.Message);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("error");
        }
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

    private static void WriteStrings(Utf8JsonWriter writer, string name, ImmutableArray<string> values)
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
            WriteWaiver(writer, match.Waiver);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>
    /// <c>"stage": {"enforced": true|false, "reason": "..."}</c> for a staged policy (spec.enforceIn): whether it enforced
    /// or audited this event, and why; null for a policy that is not staged. Explain writes it the same way.
    /// </summary>
    internal static void WriteStage(Utf8JsonWriter writer, PolicyStage? stage)
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

    /// <summary>
    /// Writes <c>"waiver": null | {"name","owner","ticket","reason","expires","endsAt","location"}</c>: the waiver that let
    /// the event through a match (<c>expires</c> as written, <c>endsAt</c> the instant it stops applying, in UTC).
    /// </summary>
    internal static void WriteWaiver(Utf8JsonWriter writer, Model.WaiverDefinition? waiver)
    {
        if (waiver is null)
        {
            writer.WriteNull("waiver");
            return;
        }

        writer.WriteStartObject("waiver");
        writer.WriteString("name", waiver.Name);
        writer.WriteString("owner", waiver.Owner);
        writer.WriteString("ticket", waiver.Ticket);
        writer.WriteString("reason", waiver.Reason);
        writer.WriteString("expires", waiver.Expires.Text);
        writer.WriteString("endsAt", waiver.Expires.End.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
        writer.WriteString("location", waiver.Location.ToString());
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
