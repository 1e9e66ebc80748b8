using System.Collections.Immutable;
using System.Text.Json;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Host.Observability;

/// <summary>
/// The part of a decision log line that is evidence for <c>oer promote-check</c>: where the event came from and who did
/// it (<c>"scope": {"workspace", "workspaceName", "operator", "environment"}</c>, the values the event resolved to), and one
/// object per matched or audited policy: <c>{"policy", "mode", "effect", "reason", "stage"}</c>. <c>effect</c> is the
/// verdict the policy gave (mode enforce) or would have given (mode audit): FAIL for a block, WARN for a warn, null for
/// notifications and forwards; <c>reason</c> the first block or warn reason, cut at <see cref="MaxReasonLength"/>
/// characters, with the values the log masks in the event (DecisionLog:Mask) masked in it too; <c>stage</c> a staged policy's <c>{"enforced", "reason"}</c> (spec.enforceIn), null otherwise.
/// </summary>
internal static class DecisionLogOutcomes
{
    /// <summary>A reason is a rendered template and may quote the event at length; the log keeps its start.</summary>
    public const int MaxReasonLength = 300;

    /// <summary>Masked values shorter than this are not searched for in reasons: masking "1" everywhere would hide the reason, not a value.</summary>
    private const int MinMaskedLength = 4;

    /// <summary>
    /// The values at the masked pointers (DecisionLog:Mask) of an event, so that a reason quoting one (a template with
    /// <c>{{ data.sqlText }}</c>) is logged with "***" in its place, as the event is. Null when no match has a reason to
    /// log (the event is then not even parsed).
    /// </summary>
    public static string[]? MaskedValues(Decision decision, DataWorksEvent? e, IReadOnlyList<string> pointers)
    {
        // Most events match nothing: ask before anything is allocated (Concat over ImmutableArrays boxes both).
        if (e is null || pointers.Count == 0 || !(HasEffect(decision.Matched) || HasEffect(decision.Audit)))
        {
            return null;
        }

        var values = new List<string>();
        foreach (var pointer in pointers)
        {
            if (Find(e.Root, pointer) is { } value)
            {
                var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
                if (text.Length >= MinMaskedLength)
                {
                    values.Add(text);
                }
            }
        }

        return values.Count == 0 ? null : [.. values.OrderByDescending(v => v.Length)];
    }

    private static bool HasEffect(ImmutableArray<PolicyMatch> matches)
    {
        foreach (var match in matches)
        {
            if (Effect(match).Effect is not null)
            {
                return true;
            }
        }

        return false;
    }

    private static JsonElement? Find(JsonElement root, string pointer)
    {
        var current = root;
        foreach (var segment in JsonPointer.Tokens(pointer))
        {
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(segment, out var child))
            {
                current = child;
            }
            else if (current.ValueKind == JsonValueKind.Array && int.TryParse(segment, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index)
                && index < current.GetArrayLength())
            {
                current = current[index];
            }
            else
            {
                return null;
            }
        }

        return current;
    }

    public static void Write(Utf8JsonWriter json, Decision decision, string[]? masked)
    {
        if (decision.Scope is { } scope)
        {
            json.WriteStartObject("scope");
            WriteIfKnown(json, "workspace", scope.Workspace);
            WriteIfKnown(json, "workspaceName", scope.WorkspaceName);
            WriteIfKnown(json, "operator", scope.Operator);
            WriteIfKnown(json, "environment", scope.Environment);
            json.WriteEndObject();
        }

        json.WriteStartArray("outcomes");
        foreach (var match in decision.Matched)
        {
            WriteOutcome(json, match, masked);
        }

        foreach (var match in decision.Audit)
        {
            WriteOutcome(json, match, masked);
        }

        json.WriteEndArray();
    }

    private static void WriteOutcome(Utf8JsonWriter json, PolicyMatch match, string[]? masked)
    {
        json.WriteStartObject();
        json.WriteString("policy", match.Policy);
        json.WriteString("mode", match.Mode == PolicyMode.Audit ? "audit" : "enforce");
        var (effect, reason) = Effect(match);
        if (effect is null)
        {
            json.WriteNull("effect");
        }
        else
        {
            json.WriteString("effect", effect);
            json.WriteString("reason", Cut(Mask(reason!, masked)));
        }

        if (match.Stage is { } stage)
        {
            json.WriteStartObject("stage");
            json.WriteBoolean("enforced", stage.Enforced);
            json.WriteString("reason", stage.Reason);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("stage");
        }

        json.WriteEndObject();
    }

    /// <summary>The strongest verdict the match's actions give, with its reason: a block before a warn.</summary>
    private static (string? Effect, string? Reason) Effect(PolicyMatch match)
    {
        (string?, string?) result = (null, null);
        foreach (var action in match.Actions)
        {
            switch (action)
            {
                case BlockOutcome block:
                    return ("FAIL", block.Reason);
                case WarnOutcome warn when result.Item1 is null:
                    result = ("WARN", warn.Reason);
                    break;
            }
        }

        return result;
    }

    private static string Mask(string reason, string[]? masked)
    {
        foreach (var value in masked ?? [])
        {
            reason = reason.Replace(value, ExplanationJson.Mask, StringComparison.Ordinal);
        }

        return reason;
    }

    // Never between the two halves of a surrogate pair: the writer refuses a lone one.
    private static string Cut(string reason)
    {
        if (reason.Length <= MaxReasonLength)
        {
            return reason;
        }

        var end = char.IsHighSurrogate(reason[MaxReasonLength - 1]) ? MaxReasonLength - 1 : MaxReasonLength;
        return reason[..end] + "...";
    }

    private static void WriteIfKnown(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }
}
