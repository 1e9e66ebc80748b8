using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Analysis;

/// <summary>
/// The set's cost against its budget: a policy over maxPolicyCost (OER3120, at its dearest clause, the hint naming what
/// makes it expensive) and a set over maxSetCost (OER3121, at the budget, naming the dearest policies). Errors: a budget
/// is the repository's own limit, so going over it fails <c>oer analyze</c> and <c>oer validate</c> (not the host, which
/// never prices its set).
/// </summary>
internal static class CostBudgetCheck
{
    /// <summary>How many of the dearest policies the set's diagnostic names.</summary>
    private const int NamedInSetDiagnostic = 3;

    public static IEnumerable<Diagnostic> Check(PolicySetCost cost, CostBudget budget)
    {
        if (budget.MaxPolicyCost is { } maxPolicy)
        {
            foreach (var policy in cost.Policies.Where(p => p.Units > maxPolicy))
            {
                var dearest = policy.Dearest!;
                yield return new Diagnostic(DiagnosticIds.PolicyOverCostBudget, DiagnosticSeverity.Error,
                    dearest.Location.Line > 0 ? dearest.Location : policy.Location,
                    $"policy '{policy.Policy}' costs {PolicyCostModel.Format(policy.Units)} units per event, over the budget of {maxPolicy} ({Source(budget.MaxPolicyCostLocation, "maxPolicyCost")}); "
                    + $"dearest: {dearest.What} ({PolicyCostModel.Format(dearest.Units)})",
                    policy.Hint);
            }
        }

        if (budget.MaxSetCost is { } maxSet && cost.Total > maxSet)
        {
            var dearest = string.Join(", ", cost.Policies.Take(NamedInSetDiagnostic).Select(p => $"'{p.Policy}' {PolicyCostModel.Format(p.Units)}"));
            yield return new Diagnostic(DiagnosticIds.SetOverCostBudget, DiagnosticSeverity.Error, budget.MaxSetCostLocation,
                $"the policy set costs {PolicyCostModel.Format(cost.Total)} units per event, over the budget of {maxSet} ({Source(budget.MaxSetCostLocation, "maxSetCost")}); dearest: {dearest}",
                $"Make the dearest policies cheaper (oer analyze lists them with what each costs), or raise maxSetCost in review if the set needs it.");
        }
    }

    /// <summary>Where the limit comes from: the budget document's key, or the command-line option.</summary>
    private static string Source(SourceLocation location, string key) =>
        location.Line > 0 ? $"spec.{key} at {location}" : "--" + string.Concat(key.Select(c => char.IsUpper(c) ? "-" + char.ToLowerInvariant(c) : c.ToString()));
}
