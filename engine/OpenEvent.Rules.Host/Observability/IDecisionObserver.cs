using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events;

namespace OpenEvent.Rules.Host.Observability;

/// <summary>
/// Sees each decision as the decision log takes it (the web console's live view). Called on the request's path: an
/// observer copies what it keeps and returns at once, and it never throws. <paramref name="e"/> is null when the log
/// keeps no event (DecisionLog:IncludeEvent false, or the decision has none); its buffer is reused after the call.
/// </summary>
internal interface IDecisionObserver
{
    void Observe(DateTimeOffset time, Decision decision, DataWorksEvent? e, string revision, double latencySeconds, DecisionLogNote note);
}
