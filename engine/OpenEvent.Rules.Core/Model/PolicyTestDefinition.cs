using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace OpenEvent.Rules.Model;

// A policy test as its author wrote it (kind: PolicyTest in a *.tests.yaml file). The runner
// (Testing/PolicyTestRunner) turns each case into an event, evaluates it and compares the decision
// with the expectation. policy-guide.md ("Testing policies") documents every key.

/// <summary>A name written in a test, with where it was written (for OER4001).</summary>
public sealed record NameReference(string Name, SourceLocation Location);

/// <summary>One PolicyTest document.</summary>
/// <param name="Policies">spec.policies: when not empty, cases are evaluated against these policies only.</param>
public sealed record PolicyTestDefinition(
    string Name,
    string File,
    ImmutableArray<NameReference> Policies,
    ImmutableArray<TestCaseDefinition> Cases,
    SourceLocation Location);

/// <summary>One case: an event (file or inline), an optional patch, and the expected outcome.</summary>
/// <param name="EventPath">The event file as written (relative to the test file); null for an inline event.</param>
/// <param name="InlineEvent">The inline event; null for a file. Never mutated: the runner works on a copy.</param>
/// <param name="Patch">Deep-merged into the event; null values remove keys. Never mutated.</param>
public sealed record TestCaseDefinition(
    string Name,
    int Index,
    string? EventPath,
    JsonObject? InlineEvent,
    JsonObject? Patch,
    TestExpectation Expect,
    SourceLocation Location,
    SourceLocation EventLocation)
{
    /// <summary>The event's detail as a file (relative to the test file), as the DataWorks answer, its EventDetail or <c>{"detail": ...}</c>; null when none or inline.</summary>
    public string? DetailPath { get; init; }

    /// <summary>The event's detail written inline (an EventDetail, e.g. <c>{ CommittedFile: { Content: "..." } }</c>); null when none or a file. Never mutated.</summary>
    public JsonObject? InlineDetail { get; init; }

    /// <summary>Where <c>detail</c> was written (for its diagnostics).</summary>
    public SourceLocation DetailLocation { get; init; }
}

/// <summary>What a regular or extension point event is expected to get (none = regular event, no verdict).</summary>
public enum ExpectedVerdict
{
    Ok,
    Warn,
    Fail,
    None,
}

/// <summary>The expected outcome; only the parts given are checked.</summary>
/// <param name="MatchedExactly">Null when not given; an empty list means "no policy matches".</param>
public sealed record TestExpectation(
    ExpectedVerdict? Verdict,
    ImmutableArray<NameReference> Matched,
    ImmutableArray<NameReference> NotMatched,
    ImmutableArray<NameReference>? MatchedExactly,
    string? ReasonContains,
    ImmutableArray<ExpectedActionDefinition> Actions,
    SourceLocation Location)
{
    /// <summary>
    /// The policies whose condition must fail on the event (a test of <c>conditionErrors: match</c>). A condition error
    /// of any other policy fails the case: it would otherwise pass for the wrong reason.
    /// </summary>
    public ImmutableArray<NameReference> ConditionErrors { get; init; } = [];

    /// <summary>Every policy name the expectation refers to, for the existence check.</summary>
    public IEnumerable<NameReference> PolicyReferences =>
        Matched.Concat(NotMatched).Concat(MatchedExactly ?? []).Concat(ConditionErrors).Concat(Actions.Select(a => a.Policy).OfType<NameReference>());
}

/// <summary>An action that must be among the rendered actions; null parts are not checked.</summary>
public sealed record ExpectedActionDefinition(
    string Kind,
    NameReference? Policy,
    string? Channel,
    string? Target,
    string? ReasonContains,
    string? MessageContains,
    SourceLocation Location);
