using System.Collections.Immutable;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Host.Policies;

/// <summary>Why the last reload was refused; the previous set keeps serving.</summary>
internal sealed record ReloadFailure(DateTimeOffset At, string Revision, ImmutableArray<Diagnostic> Diagnostics, string Summary);

/// <summary>
/// The swappable state of the host: the set in service and the last reload failure. Reads are lock-free
/// (one volatile reference); only the reload service writes.
/// </summary>
internal sealed class PolicySetState
{
    private LoadedPolicySet? _current;
    private volatile ReloadFailure? _lastFailure;

    public LoadedPolicySet? Current => Volatile.Read(ref _current);

    public ReloadFailure? LastFailure => _lastFailure;

    public bool IsReady => Current is not null;

    /// <summary>Takes a lease on the current set; null before the first set is loaded.</summary>
    public LoadedPolicySet? Acquire()
    {
        while (true)
        {
            var current = Current;
            if (current is null || current.TryAcquire())
            {
                return current;
            }
        }
    }

    internal void Swap(LoadedPolicySet next)
    {
        var previous = Interlocked.Exchange(ref _current, next);
        _lastFailure = null;
        previous?.Retire();
    }

    internal void Fail(ReloadFailure failure) => _lastFailure = failure;
}
