using System.Collections.Concurrent;

namespace OpenEvent.Rules.Host.Actions;

/// <summary>
/// The DataWorks answers this host sent directly, past the outbox (the fallback's last resort when the outbox was late),
/// remembered until DataWorks:Deadline so that the same answer is not sent again: neither the event's own answer stored
/// later, nor the fallback's own store that timed out and landed afterwards (it cannot be withdrawn once started).
/// Bounded: beyond <see cref="MaxRemembered"/> a duplicate answer becomes possible, never a lost one.
/// </summary>
internal sealed class DirectAnswers(TimeProvider time)
{
    /// <summary>Events answered directly that are remembered at once.</summary>
    public const int MaxRemembered = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _events = new(StringComparer.Ordinal);

    /// <summary>Whether the event's answer is being sent, or was sent, directly.</summary>
    public bool Contains(string eventId) => _events.TryGetValue(eventId, out var entry) && entry.Until > time.GetUtcNow();

    /// <summary>
    /// What a stored answer of this event should do: be sent (null), count as delivered (the direct send succeeded), or
    /// wait (the direct send is still under way: if it fails, the stored answer is the one that must go).
    /// </summary>
    public bool? StoredAnswerIsRedundant(string eventId) =>
        _events.TryGetValue(eventId, out var entry) && entry.Until > time.GetUtcNow() ? entry.Sent : null;

    /// <summary>Marks a direct send as under way; false when the memory is full (then nothing is remembered).</summary>
    public bool Begin(string eventId, TimeSpan keepFor)
    {
        var now = time.GetUtcNow();
        if (_events.Count >= MaxRemembered)
        {
            foreach (var (id, entry) in _events)
            {
                if (entry.Until <= now)
                {
                    _events.TryRemove(id, out _);
                }
            }

            if (_events.Count >= MaxRemembered)
            {
                return false;
            }
        }

        _events[eventId] = new Entry(now + keepFor, Sent: false);
        return true;
    }

    /// <summary>The direct send succeeded: stored copies of the answer count as delivered.</summary>
    public void Sent(string eventId)
    {
        if (_events.TryGetValue(eventId, out var entry))
        {
            _events[eventId] = entry with { Sent = true };
        }
    }

    /// <summary>The direct send failed: the stored answer, if any, is the one that goes.</summary>
    public void Failed(string eventId) => _events.TryRemove(eventId, out _);

    private readonly record struct Entry(DateTimeOffset Until, bool Sent);
}
