using OpenEvent.Rules.Events.Detail;

namespace OpenEvent.Rules.Host.Enrichment;

/// <summary>
/// The details fetched lately, by event: bounded in entries and in bytes, each kept for a time-to-live, the oldest
/// dropped first. Only details are kept, never failures: a redelivered event whose call failed is asked for again.
/// </summary>
internal sealed class DetailCache(int maxEntries, long maxBytes, TimeSpan ttl, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _byKey = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _oldestFirst = new();
    private long _bytes;

    private sealed record Entry(string Key, EventDetail Detail, DateTimeOffset Expires);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _byKey.Count;
            }
        }
    }

    public bool TryGet(string key, out EventDetail? detail)
    {
        lock (_lock)
        {
            if (_byKey.TryGetValue(key, out var node))
            {
                if (node.Value.Expires > time.GetUtcNow())
                {
                    detail = node.Value.Detail;
                    return true;
                }

                Remove(node);
            }
        }

        detail = null;
        return false;
    }

    public void Add(string key, EventDetail detail)
    {
        if (maxEntries == 0 || detail.Length > maxBytes || ttl <= TimeSpan.Zero)
        {
            return;
        }

        lock (_lock)
        {
            if (_byKey.TryGetValue(key, out var existing))
            {
                Remove(existing);
            }

            while (_oldestFirst.First is { } oldest && (_byKey.Count >= maxEntries || _bytes + detail.Length > maxBytes))
            {
                Remove(oldest);
            }

            _byKey[key] = _oldestFirst.AddLast(new Entry(key, detail, time.GetUtcNow() + ttl));
            _bytes += detail.Length;
        }
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        _oldestFirst.Remove(node);
        _byKey.Remove(node.Value.Key);
        _bytes -= node.Value.Detail.Length;
    }
}
