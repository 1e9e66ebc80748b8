using OpenEvent.Rules.Events;
using OpenEvent.Rules.Events.Detail;

namespace OpenEvent.Rules.Evaluation;

/// <summary>
/// Where the evaluator gets an event's detail when a policy needs it: the host asks DataWorks (GetIDEEventDetail,
/// cached by event id), the CLI reads files, tests give it inline. Asked at most once per evaluation, and only after
/// some policy that reads the detail matched everything else. Never throws for a failure of its own: the failure is the
/// result, and each policy's <c>detailErrors</c> decides what it means.
/// </summary>
public interface IEventDetailSource
{
    /// <summary>The detail of <paramref name="e"/>; throws <see cref="OperationCanceledException"/> only when <paramref name="cancellationToken"/> is cancelled.</summary>
    ValueTask<EventDetailResult> GetAsync(DataWorksEvent e, CancellationToken cancellationToken);
}

/// <summary>A source that knows the details up front, by event id (offline inputs, tests).</summary>
internal sealed class FixedDetailSource(IReadOnlyDictionary<string, EventDetailResult> details) : IEventDetailSource
{
    public ValueTask<EventDetailResult> GetAsync(DataWorksEvent e, CancellationToken cancellationToken) =>
        ValueTask.FromResult(details.TryGetValue(e.Id, out var result) ? result : EventDetailResult.NotSupplied);
}
