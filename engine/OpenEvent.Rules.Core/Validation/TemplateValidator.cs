using System.Collections.Frozen;
using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Validation;

/// <summary>
/// OER3033: a <c>{{ placeholder }}</c> in a block / warn reason or a notify message that the matched event types
/// do not have. It would render empty at runtime, usually because of a typo. Roots: <c>data.*</c> (documented
/// fields; number segments index arrays), envelope attributes, <c>scope.*</c> (with the registry's facts) and <c>policy.*</c>.
/// </summary>
internal sealed class TemplateValidator
{
    private static readonly FrozenDictionary<string, ScopeDimension> s_scopeNames = new Dictionary<string, ScopeDimension>
    {
        ["tenant"] = ScopeDimension.Tenant,
        ["workspace"] = ScopeDimension.Workspace,
        ["region"] = ScopeDimension.Region,
        ["environment"] = ScopeDimension.Environment,
        ["operator"] = ScopeDimension.Operator,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    // Facts only the registry knows: the workspace's name, labels and owners, the tenant's name.
    private static readonly FrozenSet<string> s_registryFacts = new[] { "tenantName", "workspaceName", "labels", "owners" }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> s_policyNames = new[] { "name", "priority", "mode" }.ToFrozenSet(StringComparer.Ordinal);

    public void Validate(ValidationContext context)
    {
        foreach (var policy in context.Set.Policies)
        {
            var types = context.MatchedTypes(policy);
            foreach (var action in policy.Actions)
            {
                var template = action switch
                {
                    BlockAction block => block.Reason,
                    WarnAction warn => warn.Reason,
                    NotifyAction notify => notify.Message,
                    _ => null,
                };

                foreach (var placeholder in template?.Parts.OfType<PlaceholderPart>() ?? [])
                {
                    Check(context, policy.Name, placeholder, types);
                }
            }
        }
    }

    private static void Check(ValidationContext context, string policy, PlaceholderPart placeholder, MatchedTypes types)
    {
        var segments = placeholder.Segments;
        if (segments.IsEmpty)
        {
            return; // An empty placeholder is a syntax error (OER3034), reported by the template parser.
        }

        switch (segments[0])
        {
            case "data":
                CheckData(context, policy, placeholder, types);
                return;
            case "scope":
                CheckScope(context, policy, placeholder, types);
                return;
            case DetailUse.Root:
                return; // DetailValidator checks detail placeholders against the detail schemas

            case "policy":
                if (segments.Length != 2 || !s_policyNames.Contains(segments[1]))
                {
                    Report(context, placeholder, $"Policy '{policy}': placeholder '{{{{ {placeholder.Path} }}}}' is not a policy attribute",
                        Suggestions.DidYouMean(segments.Length == 2 ? Suggest("policy.", segments[1], s_policyNames) : null)
                        + "Policy placeholders are policy.name, policy.priority and policy.mode.");
                }

                return;
        }

        if (EnvelopeAttributes.Names.Contains(segments[0]))
        {
            if (segments.Length != 1)
            {
                Report(context, placeholder, $"Policy '{policy}': placeholder '{{{{ {placeholder.Path} }}}}' reads into '{segments[0]}', which is a string",
                    $"Write {{{{ {segments[0]} }}}}; only data has nested fields.");
            }

            return;
        }

        var suggestion = segments.Length == 1 ? Suggestions.Closest(segments[0], EnvelopeAttributes.Names) : null;
        Report(context, placeholder, $"Policy '{policy}': placeholder '{{{{ {placeholder.Path} }}}}' has an unknown root '{segments[0]}'",
            Suggestions.DidYouMean(suggestion)
            + "Placeholders start with data. (payload fields), scope. (tenant, workspace, region, environment, operator), policy. (name, priority, mode) or name an envelope attribute (id, type, source, time, aliyunregionid, ...).");
    }

    private static void CheckData(ValidationContext context, string policy, PlaceholderPart placeholder, MatchedTypes types)
    {
        // Number segments index arrays ("data.tableMapping.0.dstTable"); the catalog documents element fields
        // without them ("data.tableMapping.dstTable").
        var path = string.Join('.', placeholder.Segments.Where(s => !s.All(char.IsAsciiDigit)));
        if (path == "data" || types.IsEmpty || FieldDocs.IsDocumented(types, path))
        {
            return;
        }

        Report(context, placeholder, $"Policy '{policy}': placeholder '{{{{ {placeholder.Path} }}}}' reads '{path}', which is not documented for {types.Describe()}",
            Suggestions.DidYouMean(Suggestions.Closest(path, FieldDocs.DataPaths(types)))
            + "It would render empty. Field names are case-sensitive; the documented fields are in schemas/events/<family>.schema.json.");
    }

    private static void CheckScope(ValidationContext context, string policy, PlaceholderPart placeholder, MatchedTypes types)
    {
        var segments = placeholder.Segments;
        if (segments.Length == 2 && s_registryFacts.Contains(segments[1]))
        {
            CheckRegistryFact(context, policy, placeholder, types);
            return;
        }

        if (segments.Length != 2 || !s_scopeNames.TryGetValue(segments[1], out var dimension))
        {
            Report(context, placeholder, $"Policy '{policy}': placeholder '{{{{ {placeholder.Path} }}}}' is not a scope value",
                Suggestions.DidYouMean(segments.Length == 2 ? Suggest("scope.", segments[1], s_scopeNames.Keys.Concat(s_registryFacts)) : null)
                + "Scope placeholders are scope.tenant, scope.workspace, scope.region, scope.environment, scope.operator, and from the registry scope.tenantName, scope.workspaceName, scope.labels and scope.owners.");
            return;
        }

        if (!types.IsEmpty && !RegistryScope.Resolves(context.Set.Registry, types, dimension))
        {
            Report(context, placeholder, $"Policy '{policy}': placeholder '{{{{ {placeholder.Path} }}}}' is always empty: {types.Describe()} carries no {segments[1]}",
                $"Remove the placeholder, or read a payload field that the event has (see schemas/events/<family>.schema.json).");
        }
    }

    private static void CheckRegistryFact(ValidationContext context, string policy, PlaceholderPart placeholder, MatchedTypes types)
    {
        var registry = context.Set.Registry;
        var fact = placeholder.Segments[1];
        var known = fact == "tenantName"
            ? registry.Tenants.Any(t => t.Name is not null) && (types.IsEmpty || RegistryScope.Resolves(registry, types, ScopeDimension.Tenant))
            : !registry.Workspaces.IsEmpty && (types.IsEmpty || RegistryScope.ResolvesWorkspaceFacts(registry, types));
        if (!known)
        {
            Report(context, placeholder, $"Policy '{policy}': placeholder '{{{{ {placeholder.Path} }}}}' is always empty: "
                + (registry.DescribesEstate ? $"the registry cannot give it for {types.Describe()}" : "no Registry document describes the workspaces and tenants"),
                fact == "tenantName"
                    ? "Declare the tenants (id, name, accounts) under spec.tenants of a Registry document in the policy folder."
                    : "Declare the workspaces (id, name, labels, owners) under spec.workspaces of a Registry document in the policy folder.");
        }
    }

    private static string? Suggest(string prefix, string name, IEnumerable<string> candidates) =>
        Suggestions.Closest(name, candidates) is { } found ? prefix + found : null;

    private static void Report(ValidationContext context, PlaceholderPart placeholder, string message, string hint) =>
        context.Diagnostics.Warning(DiagnosticIds.UnknownPlaceholder, placeholder.Location, message, hint);
}
