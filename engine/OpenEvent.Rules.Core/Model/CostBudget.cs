namespace OpenEvent.Rules.Model;

/// <summary>
/// The cost budget of a policy set (a <c>kind: Budget</c> document of the folder, or <c>oer analyze</c>'s
/// <c>--max-policy-cost</c> / <c>--max-set-cost</c>): the most matcher work, in cost units per event, one policy and
/// the whole set may add (Analysis/PolicyCostModel prices them). A limit left out is not checked.
/// </summary>
public sealed class CostBudget
{
    /// <summary>The most one policy may cost (spec.maxPolicyCost); null: not checked.</summary>
    public long? MaxPolicyCost { get; init; }

    /// <summary>The most the whole set may cost (spec.maxSetCost); null: not checked.</summary>
    public long? MaxSetCost { get; init; }

    /// <summary>Where the budget was written (the document), or where it came from (a command-line option).</summary>
    public SourceLocation Location { get; init; } = SourceLocation.None;

    /// <summary>Where spec.maxPolicyCost was written, else <see cref="Location"/>.</summary>
    public SourceLocation MaxPolicyCostLocation { get; init; } = SourceLocation.None;

    /// <summary>Where spec.maxSetCost was written, else <see cref="Location"/>.</summary>
    public SourceLocation MaxSetCostLocation { get; init; } = SourceLocation.None;
}
