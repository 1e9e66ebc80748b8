using Microsoft.Extensions.Options;
using OpenEvent.Rules.Host.Configuration;

namespace OpenEvent.Rules.Host.Actions;

/// <summary>
/// Keeps an event storm from becoming an alert storm: per channel, a token bucket (RateLimitPerMinute, refilled
/// continuously, burst = one minute's worth) and a de-duplication window (the same rendered message is sent once per
/// window). Suppressed notifications are counted; the count rides along with the channel's next notification and
/// is exported as oer_notifications_suppressed_total. In memory: a restart starts with full buckets.
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

                if (state.Recent.TryGetValue(message, out var sentAt) && now - sentAt < window)
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
                state.Recent[message] = now;
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

    private sealed class ChannelState
    {
        public double Tokens;
        public DateTimeOffset RefilledAt;
        public long Suppressed;
        public readonly Dictionary<string, DateTimeOffset> Recent = new(StringComparer.Ordinal);
    }
}
