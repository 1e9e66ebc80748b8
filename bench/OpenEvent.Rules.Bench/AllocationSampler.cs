using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace OpenEvent.Rules.Bench;

/// <summary>
/// The runtime's allocation samples (GCAllocationTick: one per ~100 KB allocated, with the type of the object that
/// crossed the mark), summed by type: where the bytes per event come from, without a trace file. Started by
/// <c>OER_BENCH_ALLOCATIONS=1</c> in the host benchmark's profile mode.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private readonly ConcurrentDictionary<string, long> _bytes = new(StringComparer.Ordinal);

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword: AllocationTick is verbose
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.Payload is null || e.PayloadNames is null)
        {
            return;
        }

        var type = e.PayloadNames.IndexOf("TypeName") is >= 0 and var t ? e.Payload[t] as string ?? "?" : "?";
        var amount = e.PayloadNames.IndexOf("AllocationAmount64") is >= 0 and var a ? Convert.ToInt64(e.Payload[a], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        _bytes.AddOrUpdate(type, amount, (_, sum) => sum + amount);
    }

    /// <summary>The types that drew the most samples, with their share of the sampled bytes.</summary>
    public void Print(int top = 30)
    {
        var total = (double)Math.Max(1, _bytes.Values.Sum());
        foreach (var (type, bytes) in _bytes.OrderByDescending(p => p.Value).Take(top))
        {
            Console.WriteLine($"{bytes / total * 100,6:F1} %  {type}");
        }
    }
}
