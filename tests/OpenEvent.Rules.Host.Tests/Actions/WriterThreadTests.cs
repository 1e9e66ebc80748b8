using OpenEvent.Rules.Host.Actions;

namespace OpenEvent.Rules.Host.Tests.Actions;

/// <summary>
/// The outbox's writer runs its commits on a thread of its own, not on the pool that serves requests; stopping it loses
/// no wake, and a store after the stop is still carried out (on the pool).
/// </summary>
public sealed class WriterThreadTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void Wake_RunsTheWorkOnItsOwnNamedThread_NotThePool()
    {
        using var ran = new ManualResetEventSlim();
        (bool Pool, string? Name) seen = default;
        using var writer = new WriterThread(() => { seen = (Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.Name); ran.Set(); }, "test writer");

        writer.Wake();

        Assert.True(ran.Wait(Patience));
        Assert.Equal((false, "test writer"), seen);
    }

    [Fact]
    public async Task Dispose_RunsTheWorkOfEveryEarlierWake_ThenLaterWakesRunOnThePool()
    {
        using var release = new ManualResetEventSlim();
        var runs = 0;
        var writer = new WriterThread(() =>
        {
            release.Wait(Patience);
            Interlocked.Increment(ref runs);
        }, "test writer");

        // The first run blocks; two more wakes wait behind it when Dispose is called.
        writer.Wake();
        writer.Wake();
        writer.Wake();
        var disposed = Task.Run(writer.Dispose);
        await Task.WhenAny(disposed, Task.Delay(TimeSpan.FromMilliseconds(200)));
        Assert.False(disposed.IsCompleted);
        release.Set();
        await disposed.WaitAsync(Patience);
        Assert.Equal(3, Volatile.Read(ref runs));

        var onPool = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var late = new WriterThread(() => onPool.TrySetResult(Thread.CurrentThread.IsThreadPoolThread), "late");
        late.Dispose();
        late.Wake();
        Assert.True(await onPool.Task.WaitAsync(Patience));
    }

    [Fact]
    public void Dispose_NeverWoken_RunsNothingAndReturns()
    {
        var runs = 0;
        var writer = new WriterThread(() => runs++, "idle");

        writer.Dispose();
        writer.Dispose();

        Assert.Equal(0, runs);
    }

    [Fact]
    public async Task SqliteOutbox_EnqueueAfterDispose_IsStillStored()
    {
        using var folder = new TempFolder();
        var store = new OutboxStore(folder.Path("outbox.db"));
        store.Initialize();
        var outbox = new SqliteOutbox(store, null, null, TimeProvider.System, commitDelay: TimeSpan.FromMilliseconds(1));

        await ((IActionOutbox)outbox).EnqueueAsync([Forward("before")], CancellationToken.None);
        outbox.Dispose();
        await ((IActionOutbox)outbox).EnqueueAsync([Forward("after")], CancellationToken.None).AsTask().WaitAsync(Patience);

        Assert.Equal(["after/p/0/forward:audit", "before/p/0/forward:audit"], store.List(null, 10).Select(i => i.Key).Order());
    }

    internal static NewAction Forward(string id) =>
        new($"{id}/p/0/forward:audit", id, "dataworks:FileChange:DeployFile", "p", "forward", "audit",
            new ForwardPayload("file", "audit", new PayloadValue("audit.jsonl", null), null, null), "{}"u8.ToArray());
}
