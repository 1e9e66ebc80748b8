using System.Collections.Immutable;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Observability;

namespace OpenEvent.Rules.Host.WebConsole;

/// <summary>A decision as the console keeps it: the decision log's summary, the event's scope, and (while it fits) the event.</summary>
internal sealed record RecentDecision(
    long Sequence,
    DateTimeOffset Time,
    Decision Decision,
    string Revision,
    double LatencySeconds,
    DecisionLogNote Note,
    EventScope Scope)
{
    /// <summary>The event as received (masked only when shown); null when the log keeps none or it was evicted.</summary>
    public byte[]? Event { get; set; }
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
    private long _sequence;
    private long _eventBytes;
    private long _total;

    public DecisionFeed(IOptions<RulesHostOptions> options)
    {
        _options = options.Value.Console;
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
        var keep = e is not null && _options.RecentDecisions > 0 && e.Utf8.Length <= _options.MaxRecentEventBytes ? e.Utf8.ToArray() : null;
        lock (_lock)
        {
            var recent = new RecentDecision(++_sequence, time, decision, revision, latencySeconds, note, e?.Scope ?? EventScope.Empty) { Event = keep };
            _total++;
            Count(recent);
            if (_options.RecentDecisions > 0)
            {
                _recent.Enqueue(recent);
                _eventBytes += keep?.Length ?? 0;
                Trim();
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

    /// <summary>Keeps the count bound, then the event bytes bound by dropping the oldest events (their summaries stay).</summary>
    private void Trim()
    {
        while (_recent.Count > _options.RecentDecisions)
        {
            _eventBytes -= _recent.Dequeue().Event?.Length ?? 0;
        }

        if (_eventBytes <= _options.MaxRecentEventBytes)
        {
            return;
        }

        foreach (var old in _recent)
        {
            if (old.Event is { } bytes)
            {
                old.Event = null;
                _eventBytes -= bytes.Length;
                if (_eventBytes <= _options.MaxRecentEventBytes)
                {
                    return;
                }
            }
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
