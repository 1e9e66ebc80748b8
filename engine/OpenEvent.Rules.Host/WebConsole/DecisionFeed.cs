using System.Collections.Immutable;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Observability;

namespace OpenEvent.Rules.Host.WebConsole;

/// <summary>
/// A decision as the console keeps it: the decision log's summary, the event's scope, and whether the feed still holds
/// its event (<see cref="DecisionFeed.EventOf"/> copies it out).
/// </summary>
internal sealed record RecentDecision(
    long Sequence,
    DateTimeOffset Time,
    Decision Decision,
    string Revision,
    double LatencySeconds,
    DecisionLogNote Note,
    EventScope Scope)
{
    private volatile bool _hasEvent;

    /// <summary>Whether the event is kept (false when the log keeps none or it was evicted); may turn false at any time.</summary>
    public bool HasEvent
    {
        get => _hasEvent;
        set => _hasEvent = value;
    }
}

/// <summary>Decisions by verdict in one minute.</summary>
internal readonly record struct VerdictCounts(long Ok, long Warn, long Fail, long None)
{
    public VerdictCounts Add(Verdict? verdict) => verdict switch
    {
        Verdict.Ok => this with { Ok = Ok + 1 },
        Verdict.Warn => this with { Warn = Warn + 1 },
        Verdict.Fail => this with { Fail = Fail + 1 },
        _ => this with { None = None + 1 },
    };

    public VerdictCounts Plus(VerdictCounts other) => new(Ok + other.Ok, Warn + other.Warn, Fail + other.Fail, None + other.None);
}

/// <summary>
/// What the console shows of the decisions made since the host started: the last <c>Console:RecentDecisions</c> with
/// their events (at most <c>Console:MaxRecentEventBytes</c> of them), counts by verdict per minute for a day, hit counts
/// per policy, and the live streams of the Decisions page. Fed by the decision log (<see cref="IDecisionObserver"/>):
/// the console sees exactly what is logged. Observing takes a lock for a copy and a few counters, never waits on a
/// reader: a stream that does not keep up loses its oldest rows (it can fetch them again by sequence).
/// The events are copied into buffers kept from one decision to the next (one per place in the ring of recent
/// decisions): a fresh array per event lived past a collection or two and was then promoted and collected again, which
/// made most collections of a busy host gen1 ones (host benchmark: 107-125 gen1 of 172-181 in 20 s with the console,
/// 29-56 without, and 3-6 % of the rate).
/// </summary>
internal sealed class DecisionFeed : IDecisionObserver
{
    private const int MinutesKept = 24 * 60;
    private const int StreamBuffer = 256;

    private readonly Lock _lock = new();
    private readonly Queue<RecentDecision> _recent = new();
    private readonly Dictionary<long, VerdictCounts> _minutes = [];
    private readonly Dictionary<string, (long Matched, long Audit)> _hits = new(StringComparer.Ordinal);
    private readonly List<Channel<RecentDecision>> _streams = [];
    private readonly ConsoleOptions _options;
    // The event of the decision with sequence s is kept in _buffers[s % RecentDecisions] (its first _lengths[...] bytes)
    // while _owners[...] is s. A buffer is reused by the decision that takes its place, and dropped when the byte bound
    // evicts its event; its capacity stays under twice its event plus 256 bytes, so what the buffers hold beyond
    // MaxRecentEventBytes is bounded too.
    private readonly byte[]?[] _buffers;
    private readonly int[] _lengths;
    private readonly long[] _owners;
    private long _sequence;
    private long _eventBytes;
    private long _total;

    public DecisionFeed(IOptions<RulesHostOptions> options)
    {
        _options = options.Value.Console;
        var slots = Math.Max(0, _options.RecentDecisions);
        (_buffers, _lengths, _owners) = (new byte[]?[slots], new int[slots], new long[slots]);
    }

    /// <summary>Decisions seen since the start.</summary>
    public long Total
    {
        get
        {
            lock (_lock)
            {
                return _total;
            }
        }
    }

    public void Observe(DateTimeOffset time, Decision decision, DataWorksEvent? e, string revision, double latencySeconds, DecisionLogNote note)
    {
        lock (_lock)
        {
            var recent = new RecentDecision(++_sequence, time, decision, revision, latencySeconds, note, e?.Scope ?? EventScope.Empty);
            _total++;
            Count(recent);
            if (_buffers.Length > 0)
            {
                // The decision whose place this one takes leaves first, so that its buffer can take this event.
                while (_recent.Count >= _buffers.Length)
                {
                    Forget(_recent.Dequeue(), dropBuffer: false);
                }

                if (e is not null && e.Utf8.Length <= _options.MaxRecentEventBytes)
                {
                    Keep(recent, e.Utf8.Span);
                }

                _recent.Enqueue(recent);
                TrimBytes();
            }

            foreach (var stream in _streams)
            {
                stream.Writer.TryWrite(recent);
            }
        }
    }

    private void Count(RecentDecision recent)
    {
        var minute = recent.Time.ToUnixTimeSeconds() / 60;
        _minutes[minute] = _minutes.GetValueOrDefault(minute).Add(recent.Decision.Verdict);
        if (_minutes.Count > MinutesKept + 60)
        {
            foreach (var old in _minutes.Keys.Where(m => m <= minute - MinutesKept).ToList())
            {
                _minutes.Remove(old);
            }
        }

        foreach (var match in recent.Decision.Matched)
        {
            var (matched, audit) = _hits.GetValueOrDefault(match.Policy);
            _hits[match.Policy] = (matched + 1, audit);
        }

        foreach (var match in recent.Decision.Audit)
        {
            var (matched, audit) = _hits.GetValueOrDefault(match.Policy);
            _hits[match.Policy] = (matched, audit + 1);
        }
    }

    /// <summary>Copies the event into the buffer of the decision's place, reused when it fits and is not much too big.</summary>
    private void Keep(RecentDecision recent, ReadOnlySpan<byte> utf8)
    {
        var slot = (int)(recent.Sequence % _buffers.Length);
        if (_buffers[slot] is not { } buffer || buffer.Length < utf8.Length || buffer.Length > (2 * utf8.Length) + 256)
        {
            buffer = _buffers[slot] = new byte[utf8.Length + (utf8.Length / 4) + 64];
        }

        utf8.CopyTo(buffer);
        (_lengths[slot], _owners[slot]) = (utf8.Length, recent.Sequence);
        _eventBytes += utf8.Length;
        recent.HasEvent = true;
    }

    /// <summary>The event bytes bound: the oldest events go (their summaries stay), and their buffers with them.</summary>
    private void TrimBytes()
    {
        foreach (var old in _recent)
        {
            if (_eventBytes <= _options.MaxRecentEventBytes)
            {
                return;
            }

            Forget(old, dropBuffer: true);
        }
    }

    private void Forget(RecentDecision recent, bool dropBuffer)
    {
        if (!recent.HasEvent)
        {
            return;
        }

        var slot = (int)(recent.Sequence % _buffers.Length);
        recent.HasEvent = false;
        _eventBytes -= _lengths[slot];
        (_lengths[slot], _owners[slot]) = (0, 0);
        if (dropBuffer)
        {
            _buffers[slot] = null;
        }
    }

    /// <summary>A copy of the decision's event as received; null when it is not kept (any more).</summary>
    public byte[]? EventOf(RecentDecision recent)
    {
        lock (_lock)
        {
            if (!recent.HasEvent)
            {
                return null;
            }

            var slot = (int)(recent.Sequence % _buffers.Length);
            return _owners[slot] == recent.Sequence ? _buffers[slot].AsSpan(0, _lengths[slot]).ToArray() : null;
        }
    }

    /// <summary>The recent decisions after <paramref name="after"/>, oldest first, at most <paramref name="limit"/> (the newest ones).</summary>
    public IReadOnlyList<RecentDecision> Recent(long after, int limit)
    {
        lock (_lock)
        {
            var list = _recent.Where(r => r.Sequence > after).ToList();
            return list.Count > limit ? list[^limit..] : list;
        }
    }

    public RecentDecision? Find(long sequence)
    {
        lock (_lock)
        {
            return _recent.FirstOrDefault(r => r.Sequence == sequence);
        }
    }

    /// <summary>Counts by verdict for each of the <paramref name="buckets"/> periods of <paramref name="minutesPerBucket"/> minutes up to now, oldest first.</summary>
    public ImmutableArray<VerdictCounts> Verdicts(DateTimeOffset now, int buckets, int minutesPerBucket)
    {
        var current = now.ToUnixTimeSeconds() / 60;
        var result = new VerdictCounts[buckets];
        lock (_lock)
        {
            foreach (var (minute, counts) in _minutes)
            {
                var age = current - minute;
                var bucket = buckets - 1 - (int)(age / minutesPerBucket);
                if (age >= 0 && bucket >= 0)
                {
                    result[bucket] = result[bucket].Plus(counts);
                }
            }
        }

        return [.. result];
    }

    /// <summary>How often each policy matched (enforce) and would have (audit) since the start.</summary>
    public IReadOnlyDictionary<string, (long Matched, long Audit)> Hits()
    {
        lock (_lock)
        {
            return new Dictionary<string, (long, long)>(_hits, StringComparer.Ordinal);
        }
    }

    /// <summary>A live stream of the decisions from now on; null when <c>Console:MaxStreams</c> are open already. Dispose to close it.</summary>
    public Subscription? Subscribe()
    {
        var channel = Channel.CreateBounded<RecentDecision>(new BoundedChannelOptions(StreamBuffer)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropOldest,
        });
        lock (_lock)
        {
            if (_streams.Count >= _options.MaxStreams)
            {
                return null;
            }

            _streams.Add(channel);
            return new Subscription(this, channel, _sequence);
        }
    }

    private void Unsubscribe(Channel<RecentDecision> channel)
    {
        lock (_lock)
        {
            _streams.Remove(channel);
        }
    }

    /// <summary>One open stream: <see cref="StartedAfter"/> is the last sequence before it opened.</summary>
    internal sealed class Subscription(DecisionFeed feed, Channel<RecentDecision> channel, long startedAfter) : IDisposable
    {
        public long StartedAfter { get; } = startedAfter;

        public ChannelReader<RecentDecision> Reader => channel.Reader;

        public void Dispose() => feed.Unsubscribe(channel);
    }
}
