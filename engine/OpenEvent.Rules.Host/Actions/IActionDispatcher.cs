using OpenEvent.Rules.Evaluation;

namespace OpenEvent.Rules.Host.Actions;

/// <summary>
/// The action pipeline: receives every decision of POST /events before the request is answered. The durable
/// outbox (notify, forward, answering DataWorks) plugs in here.
/// </summary>
public interface IActionDispatcher
{
    ValueTask DispatchAsync(Decision decision, DataWorksEvent e, CancellationToken cancellationToken);
}
