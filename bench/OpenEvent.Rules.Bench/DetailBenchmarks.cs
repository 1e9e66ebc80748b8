using BenchmarkDotNet.Attributes;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Events.Detail;
using OpenEvent.Rules.Expressions;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Sources;

namespace OpenEvent.Rules.Bench;

/// <summary>
/// Issue 14: events that no policy reading the detail reaches cost what they cost without such policies. The shipped
/// library is evaluated twice over the sample events of the types no detail policy matches: as it is (with its five
/// detail policies) and without them. The detail source throws if it is ever asked. Each operation is one event.
/// Not sealed: BenchmarkDotNet derives from benchmark classes.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 9, id: "Short9")]
[MedianColumn]
[MemoryDiagnoser]
public class DetailBenchmarks
{
    private CompiledPolicySet _with = null!;
    private CompiledPolicySet _without = null!;
    private List<byte[]> _events = null!;
    private readonly NeverAsked _source = new();

    [GlobalSetup]
    public void Setup()
    {
        var load = PolicyFolderLoader.LoadAsync([Path.Combine(Root(), "policies")]).GetAwaiter().GetResult();
        var compiler = new RoslynConditionCompiler();
        _with = PolicySetCompiler.Compile(load.Set, new PolicySetCompilerOptions { ConditionCompiler = compiler });
        _without = PolicySetCompiler.Compile(load.Set with { Policies = [.. load.Set.Policies.Where(p => !DetailUse.Reads(p))] },
            new PolicySetCompilerOptions { ConditionCompiler = compiler });
        _events = [.. Directory.EnumerateFiles(Path.Combine(Root(), "samples", "events"), "*.json")
            .Where(f => !Path.GetFileName(f).StartsWith("FileChange-", StringComparison.Ordinal) && !Path.GetFileName(f).StartsWith("TableChange-", StringComparison.Ordinal))
            .Where(f => !Path.GetFileName(f).StartsWith("batch", StringComparison.Ordinal) && !Path.GetFileName(f).StartsWith("fc-", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(File.ReadAllBytes)];
        Console.WriteLine($"// {_events.Count} events; {_with.Evaluator.Policies.Length} policies with detail, {_without.Evaluator.Policies.Length} without");
    }

    [Benchmark(Baseline = true)]
    public Task<int> WithoutDetailPolicies() => RunAsync(_without);

    [Benchmark]
    public Task<int> WithDetailPolicies() => RunAsync(_with);

    private async Task<int> RunAsync(CompiledPolicySet set)
    {
        var matched = 0;
        foreach (var bytes in _events)
        {
            using var e = set.TryRead(new EventSlice(new EventOrigin("bench", 0), bytes, null), out _)!;
            matched += (await set.Evaluator.EvaluateAsync(e, _source)).Matched.Length;
        }

        return matched;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _with.Dispose();
        _without.Dispose();
    }

    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OpenEvent.Rules.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("OpenEvent.Rules.sln not found");
    }

    private sealed class NeverAsked : IEventDetailSource
    {
        public ValueTask<EventDetailResult> GetAsync(DataWorksEvent e, CancellationToken cancellationToken) =>
            throw new InvalidOperationException($"the detail of {e.Type} was asked for");
    }
}
