using OpenEvent.Rules.Evaluation;

namespace OpenEvent.Rules.Host.Ingestion;

/// <summary>
/// What one input came to: each admitted event's outcome, each refused event's error, and, when the input as a whole
/// got no answer, why. A transport answers from it: HTTP with the status, a queue consumer by acknowledging (no problem),
/// dead-lettering (a problem that is not <see cref="IngestionProblem.Retryable"/>, or refused events) or requeueing.
/// </summary>
internal sealed record IngestionResult(IReadOnlyList<IngestedEvent> Events, IReadOnlyList<RefusedEvent> Refused, bool IsBatch, IngestionProblem? Problem = null)
{
    public static IngestionResult Failed(IngestionProblem problem) => new([], [], IsBatch: false, problem);

    /// <summary>How many events the input held (admitted and refused).</summary>
    public int Total => Events.Count + Refused.Count;
}

/// <summary>
/// Why an input got no answer, with the HTTP status that says so and a stable id: 4xx, the input is refused and sending
/// it again cannot help (415 unsupported-media-type, 413 too-large, 400 empty, not-a-batch, invalid-json, ...); 5xx, it
/// was not decided or its actions not stored, and sending it again may (503 not-ready, outbox-unavailable, deadline-passed).
/// </summary>
internal sealed record IngestionProblem(int Status, string Id, string Message)
{
    public bool Retryable => Status >= 500;
}

/// <summary>An event the input held that was refused at the door (the compiled set's admission check, <c>EventAdmission</c>, or the event reader): its index in the input, errorId and message.</summary>
internal sealed record RefusedEvent(int Index, string ErrorId, string Message);

/// <summary>
/// An admitted event's outcome: its verdict (for an extension point event), the policies that matched, and the fallback
/// that answered it (deadline, outbox-unavailable) when its own answer was late. <see cref="Decision"/> is the full
/// decision (null when a fallback answered).
/// </summary>
internal sealed record IngestedEvent(string Id, string Type, Verdict? Verdict, IReadOnlyList<string> Matched, string? Fallback, Decision? Decision);
