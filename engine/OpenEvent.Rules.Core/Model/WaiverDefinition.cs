using System.Collections.Immutable;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Model;

// A waiver (kind: Waiver) is an exception with somebody answering for it and an end: it names the policies it relaxes
// (exactly, never by pattern, so that a policy added later is never waived by accident and a typo is an error), the
// events it covers (a scope and a payload pattern, in the policies' own vocabulary), an owner, a ticket, a reason and
// an expiry. It relaxes the verdict only: a waived block or warn does not decide the answer to DataWorks, while the
// policy's notifications and forwards still go out and the decision names the waiver. It stops applying at its expiry
// by the engine's clock, without a reload.

/// <summary>A validated waiver as its author wrote it (<c>kind: Waiver</c>).</summary>
public sealed record WaiverDefinition(
    string Name,
    ImmutableArray<string> Policies,
    string Owner,
    string Ticket,
    string Reason,
    WaiverExpiry Expires,
    SourceLocation Location)
{
    /// <summary>spec.scope: the events the waiver covers by tenant, workspace, region, environment, operator and time; null: every scope.</summary>
    internal ScopeDefinition? Scope { get; init; }

    /// <summary>spec.match: a pattern the event must also match (e.g. a file name); null: every event of the scope.</summary>
    internal PatternObject? Match { get; init; }

    /// <summary>Where each name of <see cref="Policies"/> was written, in list order.</summary>
    internal ImmutableArray<SourceLocation> PolicyLocations { get; init; } = [];

    /// <summary>Whether the waiver still applies at <paramref name="now"/> (its end is exclusive).</summary>
    public bool IsActiveAt(DateTimeOffset now) => now < Expires.End;
}

/// <summary>
/// When a waiver stops applying. A date (<c>2026-12-31</c>) lasts to the end of that day in UTC: <see cref="End"/> is
/// the next midnight UTC. A date and time carries its own offset (<c>2026-12-31T18:00:00+08:00</c>) and ends at that
/// instant. <see cref="Text"/> is what the author wrote, as reports show it.
/// </summary>
public sealed record WaiverExpiry(string Text, DateTimeOffset End, SourceLocation Location)
{
    /// <summary>
    /// Whole days from <paramref name="now"/> to the end: 0 on its last day; once expired, minus the whole days since it
    /// ended (0 on the day it ended), so that oer waivers and oer validate ("expired 339 days ago") give the same count.
    /// </summary>
    public int DaysLeftAt(DateTimeOffset now) =>
        now < End ? (int)Math.Floor((End - now).TotalDays) : -(int)Math.Floor((now - End).TotalDays);
}
