using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Core.Tests.Compilation;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Bench;

/// <summary>
/// <c>scan [events] [--stages] [--patterns 10,100,...] [--mix operators|substrings] [--profile]</c>, or on a workload of one's
/// own, <c>--patterns-file F</c> (one event pattern as JSON per line; <c>--patterns N,..</c> takes the first N) and
/// <c>--events-file F</c> (one event as JSON per line): the compiled set over a large stream of events (default
/// 200,000 of <see cref="ScanWorkload"/>), against the limit a matcher cannot beat, a bare <see cref="Utf8JsonReader"/>
/// pass over the same bytes that reads every token and matches nothing, timed in the same run. Each figure is the
/// median of 3 whole passes (Stopwatch, after a warm-up pass and a settled GC); the two sides alternate pass by pass
/// so that noise from other processes on the machine hits both. Too many events to fit in cache, unlike
/// <see cref="MatchBenchmarks"/>' 256. Before timing, the set's answers are checked against the reference evaluator
/// on a sample of the events.
/// </summary>
internal static class ScanBenchmark
{
    private const int Passes = 3;
    private const int Chunk = 10_000;

    // The set's build (index and blocks, from parsed patterns) per row, printed after the table.
    private static readonly List<string> s_buildTimes = [];

    public static Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 0 && int.TryParse(args[0], CultureInfo.InvariantCulture, out var n) ? n : 200_000;
        var stages = args.Contains("--stages");
        var mix = Option(args, "--mix") switch
        {
            null => ScanMix.Default,
            "operators" => ScanMix.Operators,
            "substrings" => ScanMix.Substrings,
            var other => throw new ArgumentException($"--mix {other}: expected operators or substrings"),
        };
        // A workload of one's own: the lines of the files, as they are (a pattern that does not compile stops the run).
        var ownPatterns = Option(args, "--patterns-file") is { } patternFile ? Lines(patternFile).Select(TestPatterns.FromJson).ToList() : null;
        var sizes = Option(args, "--patterns")?.Split(',').Select(int.Parse).ToArray()
            ?? (ownPatterns is null ? [10, 100, 1_000, 10_000] : [ownPatterns.Count]);
        Func<int, IReadOnlyList<PatternObject>> patternsOf = ownPatterns is null ? size => ScanWorkload.Patterns(size, mix) : size => ownPatterns[..Math.Min(size, ownPatterns.Count)];
        var events = Option(args, "--events-file") is { } eventFile
            ? [.. Lines(eventFile).Select(System.Text.Encoding.UTF8.GetBytes)]
            : ScanWorkload.Events(count);
        if (args.Contains("--profile"))
        {
            return Task.FromResult(Profile(sizes, events, patternsOf));
        }

        Console.WriteLine(Option(args, "--events-file") is { } source
            ? $"// {events.Count} events of {source}, {events.Average(e => e.Length):F0} bytes on average"
            : $"// {events.Count} events, {events.Average(e => e.Length):F0} bytes on average, 32 types, `data` before `type`");
        Console.WriteLine(ownPatterns is null ? $"// the {mix.ToString().ToLowerInvariant()} mix of patterns" : $"// {ownPatterns.Count} patterns of {Option(args, "--patterns-file")}");
        Console.WriteLine(stages
            ? "| patterns | matches/event | verified/event | bare (ns/event) | UTF-8 check + bare | read into view | match | match / read |"
            : "| patterns | matches/event | bare (ns/event) | engine (ns/event) | engine / bare speed | same, wall clock |");
        Console.WriteLine(stages ? "|---:|---:|---:|---:|---:|---:|---:|---:|" : "|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine(ThreadCpuTime.IsAvailable ? "// ns are the thread's CPU time (median of 3 passes); the last column the ratio of wall-clock medians" : "// ns are wall clock (median of 3 passes)");
        var perEvent = new List<(double Engine, double Bare)>();
        foreach (var size in sizes)
        {
            perEvent.Add(RunSize(size, events, stages, patternsOf(size)));
        }

        if (sizes.Length > 1)
        {
            // The second figure divides each row by its own bare pass: the cores' speed drifts between rows (minutes
            // apart on a shared machine), and the bare pass, timed alongside, drifts with it.
            Console.WriteLine($"// growth of the engine's per-event cost from {sizes[0]} to {sizes[^1]} patterns: {perEvent[^1].Engine / perEvent[0].Engine:F2}x; " +
                $"in units of each row's bare pass: {perEvent[^1].Engine / perEvent[^1].Bare / (perEvent[0].Engine / perEvent[0].Bare):F2}x");
        }

        Console.WriteLine($"// set build, patterns parsed before: {string.Join(", ", s_buildTimes)}");
        return Task.FromResult(0);
    }

    private static string? Option(string[] args, string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

    private static IEnumerable<string> Lines(string path) => File.ReadLines(path).Where(line => !string.IsNullOrWhiteSpace(line));

    // For a sampling profiler (dotnet-trace): nothing but the engine's passes, long enough to dominate the trace.
    private static int Profile(int[] sizes, List<byte[]> events, Func<int, IReadOnlyList<PatternObject>> patternsOf)
    {
        foreach (var size in sizes)
        {
            var set = new CompiledPatternSetBuilder().Build(patternsOf(size));
            var result = new MatchResult();
            for (var pass = 0; pass < 10; pass++)
            {
                GC.KeepAlive(Engine(set, events, 0, events.Count, result));
            }
        }

        return 0;
    }

    private static (double Engine, double Bare) RunSize(int size, List<byte[]> events, bool stages, IReadOnlyList<PatternObject> patterns)
    {
        size = patterns.Count;
        var (built, buildCpu, allocated) = (Stopwatch.GetTimestamp(), ThreadCpuTime.Nanoseconds(), GC.GetAllocatedBytesForCurrentThread());
        var set = new CompiledPatternSetBuilder().Build(patterns);
        // Thread CPU and bytes allocated beside the wall time: they move less with the machine's other work.
        s_buildTimes.Add($"{size:N0}: {Stopwatch.GetElapsedTime(built).TotalMilliseconds:N0} ms ({(ThreadCpuTime.Nanoseconds() - buildCpu) / 1e6:N0} ms CPU, " +
            $"{(GC.GetAllocatedBytesForCurrentThread() - allocated) / 1e6:N0} MB)");
        var result = new MatchResult();
        Check(set, patterns, events, result, size >= 10_000 ? 500 : 2_000);
        var (matches, verified) = Count(set, events, result);
        var timers = new List<Func<int, int, long>> { (s, e) => Bare(events, s, e), (s, e) => Engine(set, events, s, e, result) };
        if (stages)
        {
            timers.Insert(1, (s, e) => ValidateAndBare(events, s, e));
            timers.Insert(2, (s, e) => ReadOnly(set, events, s, e, result));
        }

        var (wall, cpu) = Measure(timers, events.Count);
        var ns = ThreadCpuTime.IsAvailable ? cpu : wall;
        var line = stages
            ? $"| {size:N0} | {matches:F2} | {verified:F2} | {ns[0]:F0} | {ns[1]:F0} | {ns[2]:F0} | {ns[3]:F0} | {ns[3] / ns[2]:F2} |"
            : $"| {size:N0} | {matches:F2} | {ns[0]:F0} | {ns[1]:F0} | **{ns[0] / ns[1]:F2}x** | {wall[0] / wall[1]:F2}x |";
        Console.WriteLine(line);
        return (ns[^1], ns[0]);
    }

    // Median ns per event of each timer over `Passes` passes (after a warm-up pass). Within a pass the timers take turns
    // chunk by chunk, each chunk too big to stay in cache, so that load from other processes falls on all of them alike.
    // Returns wall-clock medians, then thread-CPU-time medians (ns per event).
    private static (double[] Wall, double[] Cpu) Measure(List<Func<int, int, long>> timers, int eventCount)
    {
        var samples = timers.Select(_ => new List<double>()).ToArray();
        var cpuSamples = timers.Select(_ => new List<double>()).ToArray();
        for (var pass = 0; pass <= Passes; pass++)
        {
            var elapsed = new long[timers.Count];
            var cpu = new long[timers.Count];
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            for (var start = 0; start < eventCount; start += Chunk)
            {
                var end = Math.Min(eventCount, start + Chunk);
                for (var t = 0; t < timers.Count; t++)
                {
                    var started = Stopwatch.GetTimestamp();
                    var cpuStarted = ThreadCpuTime.Nanoseconds();
                    GC.KeepAlive(timers[t](start, end));
                    cpu[t] += ThreadCpuTime.Nanoseconds() - cpuStarted;
                    elapsed[t] += Stopwatch.GetTimestamp() - started;
                }
            }

            for (var t = 0; pass > 0 && t < timers.Count; t++)
            {
                samples[t].Add(Stopwatch.GetElapsedTime(0, elapsed[t]).TotalNanoseconds / eventCount);
                cpuSamples[t].Add((double)cpu[t] / eventCount);
            }
        }

        return (Median(samples), Median(cpuSamples));
    }

    private static double[] Median(List<double>[] samples) => [.. samples.Select(s => s.Order().ElementAt(s.Count / 2))];

    // The limit: every token read by Utf8JsonReader, nothing matched or kept.
    private static long Bare(List<byte[]> events, int start, int end)
    {
        long tokens = 0;
        for (var i = start; i < end; i++)
        {
            var reader = new Utf8JsonReader(events[i]);
            while (reader.Read())
            {
                tokens += (int)reader.TokenType;
            }
        }

        return tokens;
    }

    private static long ValidateAndBare(List<byte[]> events, int start, int end)
    {
        long valid = 0;
        for (var i = start; i < end; i++)
        {
            valid += Utf8.IsValid(events[i]) ? 1 : 0;
        }

        return valid + Bare(events, start, end);
    }

    private static long ReadOnly(CompiledPatternSet set, List<byte[]> events, int start, int end, MatchResult result)
    {
        long values = 0;
        for (var i = start; i < end; i++)
        {
            set.ReadOnly(events[i], result);
            values += result.View.ValueCount;
        }

        return values;
    }

    private static long Engine(CompiledPatternSet set, List<byte[]> events, int start, int end, MatchResult result)
    {
        long matches = 0;
        for (var i = start; i < end; i++)
        {
            set.Match(events[i], result);
            matches += result.Count;
        }

        return matches;
    }

    private static (double Matches, double Verified) Count(CompiledPatternSet set, List<byte[]> events, MatchResult result)
    {
        long matches = 0;
        long verified = 0;
        foreach (var e in events)
        {
            set.Match(e, result);
            matches += result.Count;
            verified += result.VerifiedCount;
        }

        return ((double)matches / events.Count, (double)verified / events.Count);
    }

    // The compiled set must give the reference evaluator's answer (one pattern at a time over a parsed document).
    private static void Check(CompiledPatternSet set, IReadOnlyList<PatternObject> patterns, List<byte[]> events, MatchResult result, int sample)
    {
        var step = Math.Max(1, events.Count / sample);
        for (var i = 0; i < events.Count; i += step)
        {
            set.Match(events[i], result);
            using var document = JsonDocument.Parse(events[i], TestPatterns.DocumentOptions);
            var expected = Enumerable.Range(0, patterns.Count).Where(p => ReferencePatternEvaluator.Matches(patterns[p], document.RootElement));
            if (!expected.SequenceEqual(result.PatternIds.ToArray()))
            {
                throw new InvalidOperationException($"Compiled set and reference evaluator disagree on {Workload.Sample(events[i])}");
            }
        }
    }
}
