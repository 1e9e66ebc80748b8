using System.Diagnostics;
using System.Threading.Channels;

namespace OpenEvent.Rules.Host.Actions;

/// <summary>
/// Wakes the outbox workers when actions were stored or a delivery slot became free (signals coalesce), and keeps what
/// the worker needs to let new batchable forwards gather (<see cref="HoldBeforeClaim"/>): how many were stored since
/// the last claim, since when, and whether anything that must not wait came with them.
/// </summary>
internal sealed class OutboxSignal
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Lock _lock = new();
    private int _gathering;
    private long _firstStoredAt;
    private bool _urgent;

    public void Notify() => _channel.Writer.TryWrite(true);

    /// <summary>
    /// Actions were committed: <paramref name="batchable"/> of them go in batches (they may wait for companions);
    /// <paramref name="urgent"/> when any other was among them (the next claim does not wait).
    /// </summary>
    public void Stored(int batchable, bool urgent)
    {
        lock (_lock)
        {
            if (batchable > 0 && _gathering == 0)
            {
                _firstStoredAt = Stopwatch.GetTimestamp();
            }

            _gathering += batchable;
            _urgent |= urgent;
        }

        Notify();
    }

    /// <summary>
    /// How much longer the worker lets the batchable forwards stored since its last claim gather before it claims:
    /// zero when none are waiting, when something urgent was stored, when <paramref name="full"/> are waiting, or when
    /// the first of them has waited <paramref name="delay"/>. Real time, as <see cref="WaitAsync"/> waits.
    /// </summary>
    public TimeSpan HoldBeforeClaim(TimeSpan delay, int full)
    {
        lock (_lock)
        {
            if (_urgent || _gathering == 0 || _gathering >= full || delay <= TimeSpan.Zero)
            {
                return TimeSpan.Zero;
            }

            var left = delay - Stopwatch.GetElapsedTime(_firstStoredAt);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>A claim starts: what was stored before it is its to find (a store that commits meanwhile counts for the next).</summary>
    public void Claiming()
    {
        lock (_lock)
        {
            _gathering = 0;
            _urgent = false;
        }
    }

    /// <summary>Waits for a signal or the timeout; true when signalled.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_channel.Reader.TryRead(out _))
        {
            return true;
        }

        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            await _channel.Reader.WaitToReadAsync(timer.Token);
            return _channel.Reader.TryRead(out _);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
