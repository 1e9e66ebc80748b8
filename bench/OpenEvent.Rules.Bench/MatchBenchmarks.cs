using System.Text.Json;
using BenchmarkDotNet.Attributes;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Core.Tests.Compilation;

namespace OpenEvent.Rules.Bench;

/// <summary>
/// Evaluate-from-bytes throughput: the compiled set against the one-pattern-at-a-time baseline, at 10 to 10,000
/// patterns. Each operation is one event (OperationsPerInvoke), so Mean is the per-event cost.
/// Not sealed: BenchmarkDotNet derives from benchmark classes.
/// The job is ShortRun's (one launch, 3 warm-ups) with 9 measured iterations instead of 3, and a Median column:
/// on a shared 2-core machine, 3 iterations left error bars larger than the means.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 9, id: "Short9")]
[MedianColumn]
[MemoryDiagnoser]
public class MatchBenchmarks
{
    private const int EventCount = 256;

    // The reference evaluator: one pattern at a time over a parsed document (the test oracle).
    private static readonly Func<PatternObject, JsonElement, bool> Baseline = ReferencePatternEvaluator.Matches;

    private CompiledPatternSet _set = null!;
    private IReadOnlyList<PatternObject> _patterns = null!;
    private List<byte[]> _events = null!;
    private readonly MatchResult _result = new();

    [Params(10, 100, 1_000, 10_000)]
    public int Patterns { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var workload = Workload.Create(Patterns);
        _patterns = workload.Patterns;
        _events = workload.Events(EventCount);
        _set = new CompiledPatternSetBuilder().Build(_patterns);

        // Both sides must give the same answers, and the workload must match something.
        var compiledMatches = 0;
        foreach (var e in _events)
        {
            _set.Match(e, _result);
            compiledMatches += _result.Count;
            var expected = BaselineMatches(e);
            if (!expected.SequenceEqual(_result.PatternIds.ToArray()))
            {
                throw new InvalidOperationException($"Compiled and baseline disagree on {Workload.Sample(e)}");
            }
        }

        Console.WriteLine($"// Workload: {Patterns} patterns, {Workload.Describe(_events)}, {(double)compiledMatches / EventCount:F2} matches per event");
    }

    [Benchmark(OperationsPerInvoke = EventCount)]
    public int Compiled()
    {
        var matches = 0;
        foreach (var e in _events)
        {
            _set.Match(e, _result);
            matches += _result.Count;
        }

        return matches;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = EventCount)]
    public int Reference()
    {
        var matches = 0;
        foreach (var e in _events)
        {
            matches += BaselineMatches(e).Count;
        }

        return matches;
    }

    // The baseline as the engine would run it without the compiled set: parse once, then every pattern in turn.
    private List<int> BaselineMatches(byte[] cloudEvent)
    {
        using var document = JsonDocument.Parse(cloudEvent, TestPatterns.DocumentOptions);
        var root = document.RootElement;
        var matches = new List<int>();
        for (var i = 0; i < _patterns.Count; i++)
        {
            if (Baseline(_patterns[i], root))
            {
                matches.Add(i);
            }
        }

        return matches;
    }
}
