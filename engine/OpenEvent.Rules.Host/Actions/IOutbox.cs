namespace OpenEvent.Rules.Host.Actions;

/// <summary>How many actions wait, were delivered (null where the outbox does not keep them) and were dead-lettered.</summary>
public sealed record OutboxCounts(long Pending, long? Delivered, long Dead);

/// <summary>
/// The durable outbox as an operator sees it, whatever holds it: the embedded SQLite file (<see cref="SqliteOutbox"/>, one
/// host) or the broker's queues (Host.Broker, several hosts). <c>GET /outbox</c> and <c>oer outbox list|retry|purge</c>
/// inspect and replay it through this interface, the same way in both modes; the host stores actions through
/// <see cref="IActionOutbox"/>.
/// </summary>
public interface IOutbox
{
    /// <summary>"sqlite" or "broker".</summary>
    string Mode { get; }

    /// <summary>Where it is: the SQLite file, or the broker URI (never with credentials).</summary>
    string Location { get; }

    Task<OutboxCounts> CountsAsync(CancellationToken cancellationToken);

    /// <summary>Actions by status (pending, delivered, dead, or null for all), newest first.</summary>
    Task<IReadOnlyList<OutboxItem>> ListAsync(string? status, int limit, CancellationToken cancellationToken);

    /// <summary>Dead letters back to delivery (attempts start again) and the selected pending actions due now; all dead letters when nothing is selected.</summary>
    Task<int> RetryAsync(IReadOnlyCollection<long> ids, IReadOnlyCollection<string> keys, CancellationToken cancellationToken);

    /// <summary>Deletes delivered actions older than <paramref name="deliveredBefore"/> (null: none) and, when asked, dead letters (all, or <paramref name="deadIds"/>).</summary>
    Task<(int Delivered, int Dead)> PurgeAsync(DateTimeOffset? deliveredBefore, bool dead, IReadOnlyCollection<long>? deadIds, CancellationToken cancellationToken);
}

/// <summary>The outbox as the host's pipeline uses it: storing the actions of an event, and whether it can.</summary>
internal interface IActionOutbox : IOutbox
{
    /// <summary>Why actions cannot be stored right now (the broker is unreachable), or null: /readyz reports it.</summary>
    string? Unavailable { get; }

    /// <summary>
    /// Stores the actions of one event durably; keys already stored are not stored again, and each new notification
    /// passes its channel's rate limit and de-duplication window exactly once (<see cref="NotificationGate"/>). When this
    /// returns, the actions will be delivered. Throws <see cref="OutboxUnavailableException"/> (an IOException) or the
    /// store's own I/O error when they could not be stored.
    /// </summary>
    ValueTask EnqueueAsync(IReadOnlyList<NewAction> actions, CancellationToken cancellationToken);
}

/// <summary>The outbox cannot take actions now (the broker is unreachable or did not confirm in time): the caller answers 503.</summary>
public sealed class OutboxUnavailableException(string message, Exception? inner = null) : IOException(message, inner);
