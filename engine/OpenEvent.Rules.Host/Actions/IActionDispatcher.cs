using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Host.Actions;

/// <summary>
/// The action pipeline: receives every decision of POST /events before the request is answered, and stores its
/// actions durably (<see cref="OutboxDispatcher"/>); when this returns, the actions will be delivered.
/// </summary>
internal interface IActionDispatcher
{
    /// <param name="decidedBy">The policy set that made <paramref name="decision"/> (the request's lease, not the set in
    /// service now): its channels and targets are the ones the actions are stored with.</param>
    ValueTask DispatchAsync(Decision decision, DataWorksEvent e, PolicySetDefinition decidedBy, CancellationToken cancellationToken);

    /// <summary>The event could not be evaluated: an extension point event is answered with the configured fail mode.</summary>
    ValueTask DispatchEvaluationFailureAsync(DataWorksEvent e, Exception exception, CancellationToken cancellationToken);

    /// <summary>
    /// The answer to DataWorks this event would get with this verdict and message, as it is stored (same key, payload);
    /// null when the event is not answered (no callback API, no extension code). For the deadline fallback, which stores
    /// or sends it itself.
    /// </summary>
    NewAction? AnswerFor(DataWorksEvent e, Verdict verdict, string message);
}
