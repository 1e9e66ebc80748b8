namespace OpenEvent.Rules.Host.Actions;

/// <summary>
/// A thread of its own for work that blocks: a commit of the outbox waits for SQLite's locks and, under
/// synchronous=FULL, for the flush of the log (a millisecond or more on a disk that honours it). Run on the thread pool,
/// that wait held one of the few threads that serve requests (one of two on a 2-core machine) while their requests
/// queued behind it. Woken when there is work (<see cref="Wake"/>), it runs the work and sleeps again; started at the first
/// wake, so a process that never stores anything has no such thread. Once disposed (the host has stopped), a wake runs
/// the work on the pool instead, so that a late caller still has its work done.
/// </summary>
internal sealed class WriterThread(Action work, string name) : IDisposable
{
    private readonly object _gate = new();
    private Thread? _thread;
    private int _wakes;
    private bool _disposed;

    /// <summary>Runs the work once more, on the thread (started if it is not yet), or on the pool once disposed.</summary>
    public void Wake()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static w => w(), work, preferLocal: false);
                return;
            }

            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = name };
                _thread.Start();
            }

            _wakes++;
            Monitor.Pulse(_gate);
        }
    }

    /// <summary>Lets the thread run the work for every wake before this call, then waits for it to end.</summary>
    public void Dispose()
    {
        Thread? thread;
        lock (_gate)
        {
            _disposed = true;
            thread = _thread;
            Monitor.Pulse(_gate);
        }

        thread?.Join();
    }

    private void Run()
    {
        while (true)
        {
            lock (_gate)
            {
                while (_wakes == 0 && !_disposed)
                {
                    Monitor.Wait(_gate);
                }

                if (_wakes == 0)
                {
                    return;
                }

                _wakes--;
            }

            // Each wake runs the work once, as the caller that woke it expects: the work itself decides what is left to do.
            work();
        }
    }
}
