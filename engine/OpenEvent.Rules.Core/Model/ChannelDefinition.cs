using System.Collections.Immutable;
using OpenEvent.Rules.Model.Registry;

namespace OpenEvent.Rules.Model;

/// <summary>Where a secret comes from. Secrets are never written in policy files, only the name of an environment variable.</summary>
public sealed record SecretReference(string EnvironmentVariable, SourceLocation Location);

/// <summary>A value that is either written inline (not secret) or read from an environment variable.</summary>
public sealed record ConfigValue(string? Value, SecretReference? FromEnvironment);

public enum ChannelType
{
    Log,
    Webhook,
    DingTalk,
    Lark,
    Slack,
}

/// <summary>kind: Channel: a destination for notify actions. The built-in channel "log" needs no declaration.</summary>
public sealed record ChannelDefinition(
    string Name,
    ChannelType Type,
    ConfigValue? Url,
    SecretReference? Secret,
    ImmutableSortedDictionary<string, ConfigValue> Headers,
    SourceLocation Location);

public enum TargetType
{
    Log,
    Http,
    File,
}

/// <summary>kind: Target: a destination for forward actions. The built-in target "log" needs no declaration.</summary>
public sealed record TargetDefinition(
    string Name,
    TargetType Type,
    ConfigValue? Url,
    string? Path,
    ImmutableSortedDictionary<string, ConfigValue> Headers,
    SourceLocation Location)
{
    /// <summary>
    /// spec.receivesBlocked: the target records blocked operations too (an audit trail), so forwarding an event that
    /// another policy blocks is intended; without it the set's analysis reports such a pair (OER3093). The built-in
    /// "log" target counts as one.
    /// </summary>
    internal bool ReceivesBlocked { get; init; }
}

/// <summary>A whole validated policy folder: the unit that is compiled, swapped and reported.</summary>
public sealed record PolicySetDefinition(
    ImmutableArray<PolicyDefinition> Policies,
    ImmutableArray<ChannelDefinition> Channels,
    ImmutableArray<TargetDefinition> Targets)
{
    public const string BuiltInLog = "log";

    public static PolicySetDefinition Empty { get; } = new([], [], []);

    /// <summary>The registry of the estate (kind: Registry documents of the folder); empty when the folder has none.</summary>
    internal RegistryDefinition Registry { get; init; } = RegistryDefinition.Empty;

    /// <summary>The cost budget (the folder's kind: Budget document), checked by the set's analysis; null when there is none.</summary>
    public CostBudget? Budget { get; init; }

    /// <summary>The waivers (kind: Waiver documents of the folder): exceptions to policies, each with an owner and an expiry.</summary>
    public ImmutableArray<WaiverDefinition> Waivers { get; init; } = [];
}
