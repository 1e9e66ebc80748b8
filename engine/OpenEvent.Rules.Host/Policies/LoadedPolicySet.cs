using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Sources;

namespace OpenEvent.Rules.Host.Policies;

/// <summary>
/// A compiled set in service, with the snapshot it came from. Requests take a lease for the time they evaluate,
/// so a reload can swap in a new set at once while events in flight finish on this one; the set (and its
/// condition assembly) is disposed when it is retired and the last lease is returned.
/// </summary>
internal sealed class LoadedPolicySet
{
    private int _leases;
    private int _retired;

    public LoadedPolicySet(CompiledPolicySet compiled, PolicySnapshot snapshot, DateTimeOffset loadedAt)
    {
        Compiled = compiled;
        Snapshot = snapshot;
        LoadedAt = loadedAt;
    }

    public CompiledPolicySet Compiled { get; }

    public PolicySnapshot Snapshot { get; }

    public DateTimeOffset LoadedAt { get; }

    public string Revision => Snapshot.Revision;

    /// <summary>Returns false when the set was retired in between; take the current one again.</summary>
    public bool TryAcquire()
    {
        Interlocked.Increment(ref _leases);
        if (Volatile.Read(ref _retired) == 0)
        {
            return true;
        }

        Release();
        return false;
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _leases) == 0 && Volatile.Read(ref _retired) == 1)
        {
            DisposeOnce();
        }
    }

    internal void Retire()
    {
        Volatile.Write(ref _retired, 1);
        if (Volatile.Read(ref _leases) == 0)
        {
            DisposeOnce();
        }
    }

    private int _disposed;

    private void DisposeOnce()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Compiled.Dispose();
        }
    }
}
