using Microsoft.Extensions.Options;
using OpenEvent.Rules.Host.Configuration;

namespace OpenEvent.Rules.Host.Actions;

/// <summary>
/// Keeps an event storm from becoming an alert storm: per channel, a token bucket (RateLimitPerMinute, refilled
/// continuously, burst = one minute's worth) and a de-duplication window (the same rendered message is sent once per
/// window). Suppressed notifications are counted; the count rides along with the channel's next notification and
/// is exported as oer_notifications_suppressed_total. In memory: a restart starts with full buckets. With a broker, each
/// action partition has its own throttle, exported to and imported from the partition's state journal
/// (<see cref="Export"/>, <see cref="Import"/>) so that the host that takes a partition over goes on where it stopped.
/// Messages are remembered by a 128-bit hash, not their text, so that the state stays small.
/// </summary>
internal sealed class NotificationThrottle(IOptions<RulesHostOptions> options, TimeProvider time)
{
    private readonly ActionOptions _options = options.Value.Actions;
    private readonly Dictionary<string, ChannelState> _channels = new(StringComparer.Ordinal);

    public enum Outcome
    {
        Allowed,
        RateLimited,
        Duplicate,
    }

    /// <summary>Decides for one notification; when allowed, <paramref name="suppressedBefore"/> is the count suppressed since the last one sent.</summary>
    public Outcome Admit(string channel, string message, out long suppressedBefore)
    {
        var limits = _options.Channels.TryGetValue(channel, out var overrides) ? overrides : null;
        var perMinute = limits?.RateLimitPerMinute ?? _options.RateLimitPerMinute;
        var window = limits?.DedupWindow ?? _options.DedupWindow;
        var now = time.GetUtcNow();
        suppressedBefore = 0;

        ChannelState state;
        lock (_channels)
        {
            if (!_channels.TryGetValue(channel, out state!))
            {
                state = new ChannelState { Tokens = perMinute, RefilledAt = now };
                _channels[channel] = state;
            }
        }

        lock (state)
        {
            if (window > TimeSpan.Zero)
            {
                if (state.Recent.Count > 1024)
                {
                    foreach (var stale in state.Recent.Where(r => now - r.Value >= window).Select(r => r.Key).ToList())
                    {
                        state.Recent.Remove(stale);
                    }
                }

                if (state.Recent.TryGetValue(MessageHash(message), out var sentAt) && now - sentAt < window)
                {
                    state.Suppressed++;
                    return Outcome.Duplicate;
                }
            }

            if (perMinute > 0)
            {
                state.Tokens = Math.Min(perMinute, state.Tokens + (now - state.RefilledAt).TotalMinutes * perMinute);
                state.RefilledAt = now;
                if (state.Tokens < 1)
                {
                    state.Suppressed++;
                    return Outcome.RateLimited;
                }

                state.Tokens -= 1;
            }

            if (window > TimeSpan.Zero)
            {
                state.Recent[MessageHash(message)] = now;
            }

            suppressedBefore = state.Suppressed;
            state.Suppressed = 0;
            return Outcome.Allowed;
        }
    }

    /// <summary>Notifications suppressed on each channel and not yet reported in a sent one.</summary>
    public IReadOnlyDictionary<string, long> Pending()
    {
        lock (_channels)
        {
            return _channels.ToDictionary(c => c.Key, c => { lock (c.Value) { return c.Value.Suppressed; } }, StringComparer.Ordinal);
        }
    }

    /// <summary>The channels this throttle has seen.</summary>
    public IReadOnlyList<string> Channels()
    {
        lock (_channels)
        {
            return [.. _channels.Keys];
        }
    }

    /// <summary>One channel's bucket, suppressed count and recent messages (those still inside the window), or null when never seen.</summary>
    public ChannelSnapshot? Export(string channel)
    {
        ChannelState? state;
        lock (_channels)
        {
            _channels.TryGetValue(channel, out state);
        }

        if (state is null)
        {
            return null;
        }

        var window = _options.Channels.TryGetValue(channel, out var overrides) && overrides.DedupWindow is { } w ? w : _options.DedupWindow;
        var now = time.GetUtcNow();
        lock (state)
        {
            return new ChannelSnapshot(channel, state.Tokens, state.RefilledAt, state.Suppressed,
                [.. state.Recent.Where(r => now - r.Value < window).Select(r => (r.Key, r.Value))]);
        }
    }

    /// <summary>Replaces a channel's state with one exported before (by this host or another).</summary>
    public void Import(ChannelSnapshot snapshot)
    {
        var state = new ChannelState { Tokens = snapshot.Tokens, RefilledAt = snapshot.RefilledAt, Suppressed = snapshot.Suppressed };
        foreach (var (hash, sentAt) in snapshot.Recent)
        {
            state.Recent[hash] = sentAt;
        }

        lock (_channels)
        {
            _channels[snapshot.Channel] = state;
        }
    }

    public static UInt128 MessageHash(string message)
    {
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(message), hash);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(hash);
    }

    /// <summary>A channel's throttle state as it travels between hosts.</summary>
    public sealed record ChannelSnapshot(string Channel, double Tokens, DateTimeOffset RefilledAt, long Suppressed, IReadOnlyList<(UInt128 Hash, DateTimeOffset SentAt)> Recent);

    private sealed class ChannelState
    {
        public double Tokens;
        public DateTimeOffset RefilledAt;
        public long Suppressed;
        public readonly Dictionary<UInt128, DateTimeOffset> Recent = [];
    }
}
