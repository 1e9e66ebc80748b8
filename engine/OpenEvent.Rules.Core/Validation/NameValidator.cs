using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Validation;

/// <summary>
/// OER3001: policy, channel, target, waiver and registry names must be unique in the set (each kind has its own namespace), and
/// no channel or target may take the built-in name "log". Names are compared ignoring case, because they end
/// up in decision logs, metrics labels and file names where "Deploy-Freeze" and "deploy-freeze" would collide.
/// </summary>
internal sealed class NameValidator
{
    public void Validate(ValidationContext context)
    {
        CheckUnique(context, "Policy", context.Set.Policies.Select(p => (p.Name, p.Location)), builtIn: false);
        CheckUnique(context, "Channel", context.Set.Channels.Select(c => (c.Name, c.Location)), builtIn: true);
        CheckUnique(context, "Target", context.Set.Targets.Select(t => (t.Name, t.Location)), builtIn: true);
        CheckUnique(context, "Waiver", context.Set.Waivers.Select(w => (w.Name, w.Location)), builtIn: false);
        // Registries merge their entries, but two of one name are one copied.
        CheckUnique(context, "Registry", context.Set.Registry.Documents, builtIn: false);
    }

    private static void CheckUnique(ValidationContext context, string kind,
        IEnumerable<(string Name, SourceLocation Location)> entries, bool builtIn)
    {
        var first = new Dictionary<string, SourceLocation>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, location) in entries)
        {
            if (builtIn && string.Equals(name, PolicySetDefinition.BuiltInLog, StringComparison.OrdinalIgnoreCase))
            {
                context.Diagnostics.Error(DiagnosticIds.DuplicateName, location,
                    $"{kind} '{name}' uses the name of the built-in {kind.ToLowerInvariant()} 'log'",
                    $"Rename the {kind.ToLowerInvariant()}; 'log' (the decision log) needs no declaration.");
                continue;
            }

            if (first.TryGetValue(name, out var firstLocation))
            {
                context.Diagnostics.Error(DiagnosticIds.DuplicateName, location,
                    $"{kind} '{name}' is already defined at {Where(firstLocation)}",
                    $"Give each {kind.ToLowerInvariant()} a unique metadata.name, or delete one of the two definitions.");
                continue;
            }

            first[name] = location;
        }
    }

    // file:line is enough to find the other definition; the column adds nothing for a reader.
    private static string Where(SourceLocation location) =>
        location.Line > 0 ? $"{location.File}:{location.Line}" : location.File;
}
