using System.Text;
using System.Text.Json;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Evaluation;

/// <summary>
/// Fills a message template from an event. Strings are inserted as they are, numbers and booleans as their
/// JSON text, objects and arrays as compact JSON; a missing value renders as an empty string; the registry's labels
/// and owners as a comma-separated list. Output is
/// capped so that a huge field cannot turn into a huge notification or callback.
/// </summary>
internal static class TemplateRenderer
{
    public const int MaxLength = 4000;

    public static string Render(MessageTemplate template, DataWorksEvent e, PolicyDefinition policy) => Render(template, e, policy, default);

    /// <param name="detail">The event's detail as a policy sees it (<c>{"detail": ...}</c>); undefined when there is none, and <c>{{ detail.* }}</c> renders empty.</param>
    public static string Render(MessageTemplate template, DataWorksEvent e, PolicyDefinition policy, JsonElement detail)
    {
        var builder = new StringBuilder();
        foreach (var part in template.Parts)
        {
            switch (part)
            {
                case LiteralPart literal:
                    builder.Append(literal.Text);
                    break;
                case PlaceholderPart placeholder:
                    builder.Append(Resolve(placeholder, e, policy, detail));
                    break;
            }

            if (builder.Length > MaxLength)
            {
                builder.Length = MaxLength - 1;
                builder.Append('…');
                break;
            }
        }

        return builder.ToString();
    }

    private static string Resolve(PlaceholderPart placeholder, DataWorksEvent e, PolicyDefinition policy, JsonElement detail)
    {
        var segments = placeholder.Segments;
        if (segments.Length == 2 && segments[0] == "scope")
        {
            return segments[1] switch
            {
                "tenant" => e.Scope.Tenant,
                "workspace" => e.Scope.Workspace,
                "region" => e.Scope.Region,
                "environment" => e.Scope.Environment,
                "operator" => e.Scope.Operator,
                "tenantName" => e.Scope.TenantName,
                "workspaceName" => e.Scope.WorkspaceName,
                "labels" => e.Scope.Labels.IsDefaultOrEmpty ? null : string.Join(", ", e.Scope.Labels),
                "owners" => e.Scope.Owners.IsDefaultOrEmpty ? null : string.Join(", ", e.Scope.Owners),
                _ => null,
            } ?? "";
        }

        if (segments.Length == 2 && segments[0] == "policy")
        {
            return segments[1] switch
            {
                "name" => policy.Name,
                "priority" => policy.Priority.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "mode" => policy.Mode.ToString().ToLowerInvariant(),
                _ => "",
            };
        }

        // The detail comes from its source only: a member named detail in the event itself is not the detail.
        var root = segments.Length > 0 && segments[0] == DetailUse.Root ? detail : e.Root;
        if (root.ValueKind != JsonValueKind.Object || !JsonPaths.TryGet(root, placeholder.Path, out var value))
        {
            return "";
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Null => "",
            JsonValueKind.Object or JsonValueKind.Array => JsonSerializer.Serialize(value),
            _ => value.GetRawText(),
        };
    }
}
