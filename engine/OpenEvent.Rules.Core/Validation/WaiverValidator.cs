using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Validation;

/// <summary>
/// The waivers against the set: every policy a waiver names exists (OER3100, with a did-you-mean), and can be relaxed
/// at all (OER3105: a policy that neither blocks nor warns, or that is not enforced, has no verdict to waive; a policy
/// named twice relaxes nothing the first entry did not). Names
/// are unique among waivers (OER3001, <see cref="NameValidator"/>). Whether a waiver has expired depends on the clock,
/// not on the files: that is <see cref="WaiverReview"/>'s, run by <c>oer validate</c>, <c>oer waivers</c> and the host.
/// </summary>
internal sealed class WaiverValidator
{
    public void Validate(ValidationContext context)
    {
        var policies = context.Set.Policies.DistinctBy(p => p.Name, StringComparer.Ordinal).ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var waiver in context.Set.Waivers)
        {
            var named = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < waiver.Policies.Length; i++)
            {
                var name = waiver.Policies[i];
                var location = i < waiver.PolicyLocations.Length ? waiver.PolicyLocations[i] : waiver.Location;
                if (!named.Add(name))
                {
                    // Harmless to the decision, but the report lists the policy twice and a reviewer reads two entries.
                    context.Diagnostics.Warning(DiagnosticIds.WaiverRelaxesNothing, location, $"waiver '{waiver.Name}' names policy '{name}' twice",
                        "remove the second entry");
                }
                else if (!policies.TryGetValue(name, out var policy))
                {
                    context.Diagnostics.Error(DiagnosticIds.UnknownWaivedPolicy, location, $"waiver '{waiver.Name}' names policy '{name}', which the set does not have",
                        Suggestions.DidYouMean(Suggestions.Closest(name, policies.Keys)) + "name a policy of the set exactly (waivers take no patterns), or remove the entry");
                }
                else if (WhyNothingToRelax(policy) is { } why)
                {
                    context.Diagnostics.Warning(DiagnosticIds.WaiverRelaxesNothing, location, $"waiver '{waiver.Name}' relaxes policy '{name}', which {why}",
                        "a waiver relaxes a block or warn of an enforced policy: remove the entry, or waive the policy that blocks");
                }
            }
        }
    }

    private static string? WhyNothingToRelax(PolicyDefinition policy) =>
        policy.Mode != PolicyMode.Enforce ? $"is in {policy.Mode.ToString().ToLowerInvariant()} mode (it decides no verdict)"
        : !policy.Actions.Any(a => a is BlockAction or WarnAction) ? "neither blocks nor warns (its notifications and forwards are never waived)"
        : null;
}
