using System.Collections.Immutable;

namespace OpenEvent.Rules.Analysis;

/// <summary>The cost of a whole set (<see cref="PolicyCostModel.Estimate"/>): its policies, dearest first, and its total.</summary>
public sealed class PolicySetCost
{
    internal PolicySetCost(ImmutableArray<PolicyCost> policies, double total)
    {
        Policies = policies;
        Total = total;
    }

    /// <summary>Every enabled policy, dearest first (ties by name).</summary>
    public ImmutableArray<PolicyCost> Policies { get; }

    /// <summary>Cost units per event for the whole set: each field counted once, the rest summed.</summary>
    public double Total { get; }
}

/// <summary>What one policy adds per event, and the terms it is made of (dearest first).</summary>
public sealed class PolicyCost
{
    internal PolicyCost(string policy, SourceLocation location, double units, double reach, string reachText, ImmutableArray<CostTerm> terms)
    {
        Policy = policy;
        Location = location;
        Units = units;
        Reach = reach;
        ReachText = reachText;
        Terms = terms;
    }

    public string Policy { get; }

    public SourceLocation Location { get; }

    /// <summary>Cost units per event (one decimal).</summary>
    public double Units { get; }

    /// <summary>The share of events the candidate index proposes the policy for (1: every event).</summary>
    public double Reach { get; }

    /// <summary>The reach in words: "every event", "the events of 1 type in 52", ...</summary>
    public string ReachText { get; }

    public ImmutableArray<CostTerm> Terms { get; }

    /// <summary>The dearest term: what makes the policy expensive.</summary>
    public CostTerm? Dearest => Terms.IsDefaultOrEmpty ? null : Terms[0];

    /// <summary>How to make the policy cheaper, from its dearest term.</summary>
    public string Hint => Dearest switch
    {
        null => "",
        { Kind: CostTermKind.Detail } => $"Reading the detail calls DataWorks for {ReachText}: narrow spec.match (a type, a workspace, a file name) so that fewer events get that far, or test the event's own fields instead.",
        { Kind: CostTermKind.Condition } => $"The C# condition parses the event into a document for {ReachText}: move what it tests into spec.match (a type, values), which the index narrows by before any condition runs.",
        { Kind: CostTermKind.Exclusion, ForEveryEvent: true } d => $"{Capitalized(Noun(d.What))}: give the exclusion's match the policy's type, so that the index verifies it only for those events.",
        { Kind: CostTermKind.Candidate, ForEveryEvent: true } => "The policy's pattern is verified for every event: add a type (spec.match.type) so that only the events of that type are checked.",
        { ForEveryEvent: true } d => $"{Capitalized(Noun(d.What))} is evaluated for every event: add a type (spec.match.type) so that only the events of that type are checked.",
        { Kind: CostTermKind.Fields } => "The policy makes the single pass decode fields nothing else reads: match on fewer fields, or on fields other policies already read.",
        { } d => $"{Capitalized(Noun(d.What))} costs most ({PolicyCostModel.Format(d.Units)} units): use fewer values or a cheaper operator (an exact value or a prefix instead of a wildcard, contains or cidr).",
    };

    // "wildcard on data.fileName" -> "the wildcard on data.fileName"; "the scope" stays.
    private static string Noun(string what) => what.StartsWith("the ", StringComparison.Ordinal) ? what : "the " + what;

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}

/// <summary>One part of a policy's cost: a clause, the candidate check, the scope, the condition, the detail fetch, the fields read.</summary>
public sealed class CostTerm
{
    internal CostTerm(CostTermKind kind, string what, double units, SourceLocation location)
    {
        Kind = kind;
        What = what;
        Units = units;
        Location = location;
    }

    /// <summary>In words, e.g. "wildcard on data.fileName".</summary>
    public string What { get; }

    /// <summary>Cost units per event (reach included).</summary>
    public double Units { get; }

    /// <summary>Where it is written.</summary>
    public SourceLocation Location { get; }

    internal CostTermKind Kind { get; }

    /// <summary>Whether it runs for every event (nothing indexes it).</summary>
    internal bool ForEveryEvent { get; init; }
}

internal enum CostTermKind
{
    Candidate,
    Leaf,
    Fields,
    Scope,
    Exclusion,
    Condition,
    Detail,
}
