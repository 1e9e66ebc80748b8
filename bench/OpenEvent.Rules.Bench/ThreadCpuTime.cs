using System.Runtime.InteropServices;

namespace OpenEvent.Rules.Bench;

/// <summary>
/// CPU time of the calling thread (Linux CLOCK_THREAD_CPUTIME_ID), in nanoseconds. On a machine shared with other
/// busy processes, wall time also counts the time the thread waited for a core; the CPU time is the work itself.
/// </summary>
internal static partial class ThreadCpuTime
{
    private const int ClockThreadCpuTimeId = 3;

    public static bool IsAvailable { get; } = OperatingSystem.IsLinux();

    public static long Nanoseconds()
    {
        if (!IsAvailable)
        {
            return 0;
        }

        _ = ClockGetTime(ClockThreadCpuTimeId, out var now);
        return (now.Seconds * 1_000_000_000L) + now.Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
