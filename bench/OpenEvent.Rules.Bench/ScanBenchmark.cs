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
/// <c>scan [events] [--stages] [--patterns 10,100,...]</c>: the compiled set over a large stream of events (default
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

    public static Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 0 && int.TryParse(args[0], CultureInfo.InvariantCulture, out var n) ? n : 200_000;
        var stages = args.Contains("--stages");
        var sizes = args.SkipWhile(a => a != "--patterns").Skip(1).FirstOrDefault()?.Split(',').Select(int.Parse).ToArray()
            ?? [10, 100, 1_000, 10_000];
        var events = ScanWorkload.Events(count);
        Console.WriteLine($"// {events.Count} events, {events.Average(e => e.Length):F0} bytes on average, 32 types, `data` before `type`");
        Console.WriteLine(stages
            ? "| patterns | matches/event | verified/event | bare (ns/event) | UTF-8 check + bare | read into view | match | match / read |"
            : "| patterns | matches/event | bare (ns/event) | engine (ns/event) | engine / bare speed |");
        Console.WriteLine(stages ? "|---:|---:|---:|---:|---:|---:|---:|---:|" : "|---:|---:|---:|---:|---:|");
        var perEvent = new List<double>();
        foreach (var size in sizes)
        {
            perEvent.Add(RunSize(size, events, stages));
        }

        if (sizes.Length > 1)
        {
            Console.WriteLine($"// growth of the engine's per-event cost from {sizes[0]} to {sizes[^1]} patterns: {perEvent[^1] / perEvent[0]:F2}x");
        }

        return Task.FromResult(0);
    }

    private static double RunSize(int size, List<byte[]> events, bool stages)
    {
        var patterns = ScanWorkload.Patterns(size);
        var set = new CompiledPatternSetBuilder().Build(patterns);
        var result = new MatchResult();
        Check(set, patterns, events, result, size >= 10_000 ? 500 : 2_000);
        var (matches, verified) = Count(set, events, result);
        var timers = new List<Func<long>> { () => Bare(events), () => Engine(set, events, result) };
        if (stages)
        {
            timers.Insert(1, () => ValidateAndBare(events));
            timers.Insert(2, () => ReadOnly(set, events, result));
        }

        var ns = Measure(timers, events.Count);
        var line = stages
            ? $"| {size:N0} | {matches:F2} | {verified:F2} | {ns[0]:F0} | {ns[1]:F0} | {ns[2]:F0} | {ns[3]:F0} | {ns[3] / ns[2]:F2} |"
            : $"| {size:N0} | {matches:F2} | {ns[0]:F0} | {ns[1]:F0} | **{ns[0] / ns[1]:F2}x** |";
        Console.WriteLine(line);
        return ns[^1];
    }

    // Median ns per event of each timer, over `Passes` rounds that run every timer once in turn (after one warm-up round).
    private static double[] Measure(List<Func<long>> timers, int eventCount)
    {
        var samples = timers.Select(_ => new List<double>()).ToArray();
        for (var round = 0; round <= Passes; round++)
        {
            for (var t = 0; t < timers.Count; t++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
                var started = Stopwatch.GetTimestamp();
                var checksum = timers[t]();
                var elapsed = Stopwatch.GetElapsedTime(started);
                GC.KeepAlive(checksum);
                if (round > 0)
                {
                    samples[t].Add(elapsed.TotalNanoseconds / eventCount);
                }
            }
        }

        return [.. samples.Select(s => s.Order().ElementAt(s.Count / 2))];
    }

    // The limit: every token read by Utf8JsonReader, nothing matched or kept.
    private static long Bare(List<byte[]> events)
    {
        long tokens = 0;
        foreach (var e in events)
        {
            var reader = new Utf8JsonReader(e);
            while (reader.Read())
            {
                tokens += (int)reader.TokenType;
            }
        }

        return tokens;
    }

    private static long ValidateAndBare(List<byte[]> events)
    {
        long valid = 0;
        foreach (var e in events)
        {
            valid += Utf8.IsValid(e) ? 1 : 0;
        }

        return valid + Bare(events);
    }

    private static long ReadOnly(CompiledPatternSet set, List<byte[]> events, MatchResult result)
    {
        long values = 0;
        foreach (var e in events)
        {
            set.ReadOnly(e, result);
            values += result.View.ValueCount;
        }

        return values;
    }

    private static long Engine(CompiledPatternSet set, List<byte[]> events, MatchResult result)
    {
        long matches = 0;
        foreach (var e in events)
        {
            set.Match(e, result);
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
