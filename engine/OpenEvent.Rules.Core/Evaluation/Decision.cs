using System.Collections.Immutable;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Evaluation;

/// <summary>The answer DataWorks gets for an extension point event.</summary>
public enum Verdict
{
    Ok,
    Warn,
    Fail,
}

/// <summary>An action rendered for one event: what would be sent, with templates filled in.</summary>
public abstract record ActionOutcome
{
    /// <summary>block | warn | notify | forward.</summary>
    public abstract string Kind { get; }
}

public sealed record BlockOutcome(string Reason) : ActionOutcome
{
    public override string Kind => "block";
}

public sealed record WarnOutcome(string Reason) : ActionOutcome
{
    public override string Kind => "warn";
}

public sealed record NotifyOutcome(string Channel, string Message) : ActionOutcome
{
    public override string Kind => "notify";
}

public sealed record ForwardOutcome(string Target) : ActionOutcome
{
    public override string Kind => "forward";
}

/// <summary>A policy that matched the event, with its rendered actions.</summary>
public sealed record PolicyMatch(
    string Policy,
    PolicyMode Mode,
    int Priority,
    SourceLocation Location,
    ImmutableArray<ActionOutcome> Actions)
{
    /// <summary>For a staged policy (spec.enforceIn), whether it enforced or audited this event and why; null otherwise.</summary>
    public PolicyStage? Stage { get; init; }

    /// <summary>
    /// The waiver that lets the event through this policy: its block or warn does not decide the verdict (its
    /// notifications and forwards still go out). Null when the match is not waived.
    /// </summary>
    public WaiverDefinition? Waiver { get; init; }
}

/// <summary>A condition that threw while evaluating this event, and what the policy did about it.</summary>
public sealed record ConditionFailure(string Policy, SourceLocation Location, string Message, bool TreatedAsMatch);

/// <summary>
/// A policy that reads the event's detail could not have it (the DataWorks call failed, timed out or was refused, or
/// answered another shape; offline, no detail was supplied), and what its <c>detailErrors</c> made of it.
/// </summary>
public sealed record DetailFailure(string Policy, SourceLocation Location, string Message, DetailErrorMode Outcome)
{
    /// <summary>no-match, match or fail-mode, as written in policies and in decisions.</summary>
    public string OutcomeText => DetailErrorText(Outcome);

    public static string DetailErrorText(DetailErrorMode mode) => mode switch
    {
        DetailErrorMode.Match => "match",
        DetailErrorMode.FailMode => "fail-mode",
        _ => "no-match",
    };
}

/// <summary>
/// Whether the event's detail was used for this decision: asked for (some policy reading it matched everything else),
/// and then found (<see cref="Error"/> null) or not. <see cref="Source"/>: dataworks, file, test, none.
/// </summary>
public sealed record DetailReport(string Source, string? Error, bool FromCache)
{
    public bool Available => Error is null;
}

/// <summary>Identifies the evaluated event in outputs: its id and type when readable, and where it came from.</summary>
public sealed record EventDescriptor(string? Id, string? Type, string File, int Index);

/// <summary>
/// The outcome for one event: matched enforce-mode policies in priority order, audit-mode matches apart
/// ("would" outcomes), and for extension point events the verdict (FAIL if an enforce-mode block matched,
/// else WARN if a warn matched, else OK). Regular events have no verdict. An unreadable event has only <see cref="Error"/>.
/// </summary>
public sealed record Decision(
    EventDescriptor Event,
    Verdict? Verdict,
    ImmutableArray<PolicyMatch> Matched,
    ImmutableArray<PolicyMatch> Audit,
    ImmutableArray<ConditionFailure> ConditionFailures,
    EventError? Error)
{
    /// <summary>The event's resolved scope (its own values and what the registry added); null for an unreadable event.</summary>
    public EventScope? Scope { get; init; }

    /// <summary>The event's detail, when a policy needed it (null: no policy that reads the detail got that far, so none was asked for).</summary>
    public DetailReport? Detail { get; init; }

    /// <summary>Policies whose detail could not be had, with what each made of it.</summary>
    public ImmutableArray<DetailFailure> DetailFailures { get; init; } = [];

    public static Decision ForError(EventOrigin origin, EventError error) =>
        new(new EventDescriptor(null, null, origin.File, origin.Index), null, [], [], [], error);
}
