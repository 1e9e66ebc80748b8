using System.Collections.Immutable;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Model.Registry;

namespace OpenEvent.Rules.Model;

public enum PolicyMode
{
    /// <summary>Matches count: blocks and warns decide the verdict, notifications and forwards are sent.</summary>
    Enforce,

    /// <summary>Matches are reported as "would" outcomes and change nothing.</summary>
    Audit,

    /// <summary>The policy is validated but never evaluated.</summary>
    Disabled,
}

/// <summary>A validated policy as its author wrote it (kind: Policy).</summary>
public sealed record PolicyDefinition(
    string Name,
    PolicyMetadata Metadata,
    PolicyMode Mode,
    int Priority,
    PatternObject Match,
    ScopeDefinition? Scope,
    ImmutableArray<ExclusionDefinition> Exclude,
    ConditionDefinition? Condition,
    ImmutableArray<ActionDefinition> Actions,
    SourceLocation Location)
{
    /// <summary>
    /// spec.allowUnknownTypes: the author states that the policy names event types newer than the catalog, so an
    /// unknown type is not reported (by default it is an error: a typo there makes the policy match nothing).
    /// </summary>
    public bool AllowUnknownTypes { get; init; }

    /// <summary>spec.detailErrors: what the policy does when the event's detail (GetIDEEventDetail) cannot be had.</summary>
    public DetailErrorMode DetailErrors { get; init; }

    /// <summary>Where spec.detailErrors was written; null when it was not.</summary>
    public SourceLocation? DetailErrorsLocation { get; init; }

    /// <summary>
    /// spec.enforceIn (staged enforcement): the policy enforces for the events of its scope that this scope also selects,
    /// and audits the others. Null: the policy's mode holds everywhere. See <see cref="Evaluation.PolicyStages"/>.
    /// </summary>
    internal ScopeDefinition? EnforceIn { get; init; }
}

public sealed record PolicyMetadata(
    string? Description,
    string? Owner,
    ImmutableSortedDictionary<string, string> Labels);

/// <summary>
/// Filters on the normalized scope values the catalog resolves per event type. Each non-empty list must
/// contain the event's value (AND across dimensions, OR within one); an empty list does not filter.
/// Values are compared as strings (ids are written as in the event, e.g. "10001234").
/// Environments are normalized to DEV / PROD. Registry references (workspace and tenant names, <c>{ set: name }</c>,
/// workspace selectors) are expanded into these lists when the policy is parsed; <see cref="Windows"/> adds a time filter.
/// </summary>
public sealed record ScopeDefinition(
    ImmutableArray<string> Tenants,
    ImmutableArray<string> Workspaces,
    ImmutableArray<string> Regions,
    ImmutableArray<string> Environments,
    ImmutableArray<string> Operators,
    SourceLocation Location)
{
    public bool IsEmpty => Tenants.IsEmpty && Workspaces.IsEmpty && Regions.IsEmpty && Environments.IsEmpty && Operators.IsEmpty && Windows.IsDefaultOrEmpty
        && !SelectsNothing;

    /// <summary>
    /// True when a list the author wrote named registry entries that expanded to no value at all (a selector that
    /// selects no workspace): such a scope matches no event. (An empty list written as <c>[]</c> does not filter.)
    /// </summary>
    internal bool SelectsNothing { get; init; }

    /// <summary>scope.windows: the event's time must fall inside one of them (an event without a time never does).</summary>
    internal ImmutableArray<TimeWindowDefinition> Windows { get; init; } = [];

    /// <summary>The workspace selectors written in <c>workspaces</c> (already expanded into <see cref="Workspaces"/>).</summary>
    internal ImmutableArray<WorkspaceSelector> Selectors { get; init; } = [];

    /// <summary>
    /// What the author wrote, by YAML key, for the lists that named registry entries (names, sets, selectors), e.g.
    /// <c>workspaces</c> → <c>[{ labels: [sensitive] }]</c>: explain shows it beside the expanded values.
    /// </summary>
    internal ImmutableDictionary<string, string> Written { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>
    /// Where each value was written, by YAML key ("tenants", "workspaces", "regions", "environments", "operators"),
    /// in list order. Set by the policy parser so that diagnostics can point at the value; empty when a scope is
    /// built in code, and then <see cref="LocationOf"/> falls back to <see cref="Location"/>.
    /// </summary>
    public ImmutableDictionary<string, ImmutableArray<SourceLocation>> ValueLocations { get; init; } =
        ImmutableDictionary<string, ImmutableArray<SourceLocation>>.Empty;

    /// <summary>The location of value <paramref name="index"/> of the list under <paramref name="key"/>, else of the scope.</summary>
    public SourceLocation LocationOf(string key, int index) =>
        ValueLocations.TryGetValue(key, out var locations) && index < locations.Length ? locations[index] : Location;
}

/// <summary>One exception: the policy does not apply when the match and the scope given here both hold.</summary>
public sealed record ExclusionDefinition(PatternObject? Match, ScopeDefinition? Scope, SourceLocation Location);

/// <summary>What a C# condition (spec.condition) does when it throws at runtime.</summary>
public enum ConditionErrorMode
{
    /// <summary>The policy does not match; the error is recorded on the decision (default: never blocks silently).</summary>
    NoMatch,

    /// <summary>The policy matches as if the condition were true (fail closed for guard policies).</summary>
    Match,
}

/// <summary>
/// What a policy that reads the event's detail does when the detail cannot be had (the DataWorks call failed, timed
/// out, was refused, or answered a detail of another shape; offline: no detail was supplied).
/// </summary>
public enum DetailErrorMode
{
    /// <summary>The policy does not match; the failure is recorded on the decision (default).</summary>
    NoMatch,

    /// <summary>The policy matches as if its detail clauses held (fail closed for guard policies).</summary>
    Match,

    /// <summary>The policy does not match, and an extension point event is answered with the host's fail mode (DataWorks:FailMode) at least.</summary>
    FailMode,
}

/// <summary>
/// spec.condition: a C# boolean expression. <see cref="Location"/> is where the YAML scalar starts;
/// <see cref="ContentStart"/> and <see cref="Style"/> say where its text starts, so that compile errors map back
/// to the exact line and column.
/// </summary>
public sealed record ConditionDefinition(string Expression, ConditionErrorMode OnError, SourceLocation Location)
{
    public SourceLocation ContentStart { get; init; } = Location;

    public ConditionTextStyle Style { get; init; } = ConditionTextStyle.Inline;

    /// <summary>
    /// The text between the quotes as written, for a one-line double-quoted scalar with escapes (<c>\"</c>): its
    /// offsets differ from the expression's. Null otherwise.
    /// </summary>
    public string? QuotedText { get; init; }

    /// <summary>Where character <paramref name="offset"/> of <see cref="Expression"/> is in the file (its start, for a folded scalar).</summary>
    public SourceLocation Locate(int offset) => ScalarText.Locate(Expression, offset, ContentStart, Style, QuotedText);
}

/// <summary>How the expression text was written in YAML, which decides how its offsets map back to the file.</summary>
public enum ConditionTextStyle
{
    /// <summary>A plain or quoted scalar on one line: character k is at column <c>ContentStart.Column + k</c>.</summary>
    Inline,

    /// <summary>
    /// A literal block scalar (<c>|</c>): line i of the text is file line <c>ContentStart.Line + i</c>, and
    /// its column is <c>ContentStart.Column</c> (the block indent) plus the column inside the text line.
    /// </summary>
    Literal,

    /// <summary>
    /// A folded block scalar (<c>&gt;</c>) or a multi-line flow scalar: line breaks were folded into spaces,
    /// so positions are not recoverable; diagnostics point at <c>ContentStart</c> and name the offset.
    /// </summary>
    Folded,
}


public abstract record ActionDefinition(SourceLocation Location)
{
    /// <summary>block | warn | notify | forward, as written in YAML and in decisions.</summary>
    public abstract string Kind { get; }
}

/// <summary>Answers an extension point event with FAIL (in enforce mode).</summary>
internal sealed record BlockAction(MessageTemplate Reason, SourceLocation Location) : ActionDefinition(Location)
{
    public override string Kind => "block";
}

/// <summary>Answers an extension point event with WARN.</summary>
internal sealed record WarnAction(MessageTemplate Reason, SourceLocation Location) : ActionDefinition(Location)
{
    public override string Kind => "warn";
}

internal sealed record NotifyAction(string Channel, MessageTemplate Message, SourceLocation Location) : ActionDefinition(Location)
{
    public override string Kind => "notify";
}

internal sealed record ForwardAction(string Target, SourceLocation Location) : ActionDefinition(Location)
{
    public override string Kind => "forward";
}

/// <summary>
/// A text with <c>{{ path }}</c> placeholders. Paths: envelope attributes (<c>id</c>, <c>type</c>, <c>source</c>,
/// <c>time</c>, <c>aliyunregionid</c>, ...), <c>data.a.b</c> (a number segment indexes an array),
/// <c>scope.tenant|workspace|region|environment|operator</c> and <c>policy.name</c>.
/// </summary>
internal sealed record MessageTemplate(string Source, ImmutableArray<TemplatePart> Parts, SourceLocation Location);

internal abstract record TemplatePart;

internal sealed record LiteralPart(string Text) : TemplatePart;

/// <summary>A placeholder; <see cref="Segments"/> is the dotted path split (e.g. ["data", "fileName"]).</summary>
internal sealed record PlaceholderPart(string Path, ImmutableArray<string> Segments, SourceLocation Location) : TemplatePart;
