using OpenEvent.Rules.Host.Actions;

namespace OpenEvent.Rules.Host.WebConsole;

/// <summary>
/// The outbox as the console's Outbox page uses it, through the host's own outbox interface (the SQLite file or the
/// broker's queues, the same way in both modes): counts, lists, and retry and purge as <c>oer outbox retry|purge</c> do
/// them.
/// </summary>
internal sealed class ConsoleOutbox(IActionOutbox outbox)
{
    public string Mode => outbox.Mode;

    public string Location => outbox.Location;

    /// <summary>Why the outbox cannot be reached now (the broker is down), or null.</summary>
    public string? Unavailable => outbox.Unavailable;

    public Task<OutboxCounts> CountsAsync(CancellationToken cancellationToken) => outbox.CountsAsync(cancellationToken);

    public Task<IReadOnlyList<OutboxItem>> ListAsync(string status, int limit, CancellationToken cancellationToken) =>
        outbox.ListAsync(status, limit, cancellationToken);

    /// <summary>The dead letters named (all when none is) back to delivery, and the named pending ones due now.</summary>
    public Task<int> RetryAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken) => outbox.RetryAsync(ids, [], cancellationToken);

    /// <summary>Deletes the dead letters named, or all of them when none is.</summary>
    public async Task<int> PurgeDeadAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken) =>
        (await outbox.PurgeAsync(null, dead: true, ids.Count == 0 ? null : ids, cancellationToken)).Dead;
}
