using OpenEvent.Rules.Host.Actions;

namespace OpenEvent.Rules.Host.WebConsole;

/// <summary>
/// The outbox as the console's Outbox page uses it: counts, lists, and retry and purge as <c>oer outbox retry|purge</c>
/// do them, on the host's own store; a retry wakes the workers so that the action goes out at once.
/// </summary>
internal sealed class ConsoleOutbox(OutboxStore store, OutboxSignal signal, TimeProvider time)
{
    public string Location => store.Path;

    public (long Pending, long? Delivered, long Dead) Counts()
    {
        var (pending, delivered, dead) = store.Counts();
        return (pending, delivered, dead);
    }

    public IReadOnlyList<OutboxItem> List(string status, int limit) => store.List(status, limit);

    /// <summary>The dead letters named (all when none is) back to delivery, and the named pending ones due now.</summary>
    public int Retry(IReadOnlyCollection<long> ids)
    {
        var count = store.Retry(ids, [], time.GetUtcNow());
        signal.Notify();
        return count;
    }

    /// <summary>Deletes the dead letters named, or all of them when none is.</summary>
    public int PurgeDead(IReadOnlyCollection<long> ids) => store.Purge(null, dead: true, ids.Count == 0 ? null : ids).Dead;
}
