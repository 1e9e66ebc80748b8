using System.Diagnostics;
using System.Globalization;
using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Compilation.Conditions;
using OpenEvent.Rules.Expressions;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Parsing;
using OpenEvent.Rules.Sources;
using OpenEvent.Rules.Validation;

namespace OpenEvent.Rules.Bench;

/// <summary>
/// What the host does with a policy folder at start: <see cref="PolicyFolderLoader"/> (list, read, parse YAML, schema
/// validation, the model, semantic validation) then <see cref="PolicySetCompiler"/> (patterns, and the C# conditions with
/// Roslyn), timed whole as the host runs it, then stage by stage through the same functions. The policies are the
/// benchmark workload's patterns written as a team would write them (metadata, priority, some audit mode, a scope on a
/// third, templated notifications to declared channels, forwards to a declared target); with conditions, every tenth
/// policy also has a C# condition. <c>oer analyze</c> (Core/Analysis) is not part of a load and is not timed.
/// </summary>
internal static class CompileBenchmark
{
    private const int Runs = 3;

    public static async Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
        // The host runs with server GC and without tiered PGO (its runtimeconfig); the bench is a console app, so the
        // README's command sets both through the environment. Say which ran, so a table is never read against the wrong one.
        Console.WriteLine($"{Environment.ProcessorCount} cores; {count:N0} policies; in process: the first load (cold: JIT) then the median of {Runs} more; " +
            $"{(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC, TieredPGO {(Environment.GetEnvironmentVariable("DOTNET_TieredPGO") == "0" ? "off" : "on")} (the host: server GC, TieredPGO off)");
        // "plain": only the set without conditions (for profiling the load itself).
        foreach (var conditions in args.Length > 1 && args[1] == "plain" ? [false] : new[] { false, true })
        {
            var root = Directory.CreateTempSubdirectory("oer-compile-bench-").FullName;
            try
            {
                var folder = WritePolicies(root, count, conditions);
                await ReportAsync(folder, Path.Combine(root, "cache"), count, conditions);
            }
            finally
            {
                Directory.Delete(root, recursive: true);
            }
        }

        return 0;
    }

    private static async Task ReportAsync(string folder, string cache, int count, bool conditions)
    {
        var label = conditions ? $"with {count / 10:N0} C# conditions" : "without C# conditions";
        // A fresh cache folder: the first load compiles the conditions (a first start), the next ones load them from it.
        var compiler = new RoslynConditionCompiler(new RoslynConditionCompilerOptions { CacheDirectory = cache });
        var totals = new List<(double Load, double Compile, double Cpu, string Gc, string Jit)>();
        if (Environment.GetEnvironmentVariable("OER_BENCH_PROFILE") == "compile")
        {
            // For a profiler attached to this process (perf record -p, DOTNET_PerfMapEnabled=1): loads alone for 60 s.
            Console.WriteLine($"profiling: loads only, pid {Environment.ProcessId}");
            var until = Stopwatch.GetTimestamp() + (60 * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < until)
            {
                await LoadAndCompileAsync(folder, compiler);
            }

            return;
        }

        if (Environment.GetEnvironmentVariable("OER_BENCH_PROFILE") == "first")
        {
            Console.WriteLine(Row("first load (cold)", await LoadAndCompileAsync(folder, compiler)));
            return;
        }

        if (Environment.GetEnvironmentVariable("OER_BENCH_COLD_STAGES") == "1")
        {
            // The stages before any load: where a first start's extra cost falls (JIT, first use, heap growth).
            Console.WriteLine("| stage (cold, first in the process) | ms | CPU ms (this thread) | allocated MB (all threads) |");
            Console.WriteLine("|---|---:|---:|---:|");
            foreach (var (stage, ms, cpuMs, mb) in await StagesAsync(folder, null))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {stage} | {ms:N0} | {cpuMs:N0} | {mb:N0} |"));
            }
        }

        for (var run = 0; run <= Runs; run++)
        {
            totals.Add(await LoadAndCompileAsync(folder, compiler));
        }

        var warm = totals.Skip(1).OrderBy(t => t.Load + t.Compile).ElementAt(Runs / 2);
        Console.WriteLine();
        Console.WriteLine($"### {count:N0} policies, {label}");
        Console.WriteLine();
        Console.WriteLine("| | load (PolicyFolderLoader) | compile (PolicySetCompiler) | total | CPU time (all threads) | GC pauses (gen0/1/2 collections) | JIT time (methods) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine(Row("first load (cold)", totals[0]));
        Console.WriteLine(Row($"median of {Runs} next" + (conditions ? " (conditions from the cache)" : ""), warm));
        Console.WriteLine();
        Console.WriteLine("| stage (warm) | ms | CPU ms (this thread) | allocated MB (all threads) |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var (stage, ms, cpuMs, mb) in await StagesAsync(folder, conditions ? new RoslynConditionCompiler(new RoslynConditionCompilerOptions { UseCache = false }) : null))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {stage} | {ms:N0} | {cpuMs:N0} | {mb:N0} |"));
        }
    }

    private static string Row(string name, (double Load, double Compile, double Cpu, string Gc, string Jit) t) =>
        string.Create(CultureInfo.InvariantCulture, $"| {name} | {t.Load:N0} ms | {t.Compile:N0} ms | **{t.Load + t.Compile:N0} ms** | {t.Cpu:N0} ms | {t.Gc} | {t.Jit} |");

    /// <summary>The host's path: load the folder, refuse a set with errors, compile it.</summary>
    private static async Task<(double Load, double Compile, double Cpu, string Gc, string Jit)> LoadAndCompileAsync(string folder, IConditionCompiler compiler)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        // The JIT's time on all threads (tier-0 on the caller, tier-1 in the background): what a first load pays for code.
        var jit = System.Runtime.JitInfo.GetCompilationTime();
        var jitted = System.Runtime.JitInfo.GetCompiledMethodCount();
        var pauses = GC.GetTotalPauseDuration();
        int[] collections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        var started = Stopwatch.GetTimestamp();
        var result = await PolicyFolderLoader.LoadAsync([folder]);
        var loaded = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (result.HasErrors)
        {
            throw new InvalidOperationException("the generated set has errors: " + result.Diagnostics.First(d => d.IsError));
        }

        started = Stopwatch.GetTimestamp();
        using var compiled = PolicySetCompiler.Compile(result.Set, new PolicySetCompilerOptions { ConditionCompiler = compiler });
        var compiledIn = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var gc = string.Create(CultureInfo.InvariantCulture,
            $"{(GC.GetTotalPauseDuration() - pauses).TotalMilliseconds:N0} ms ({GC.CollectionCount(0) - collections[0]}/{GC.CollectionCount(1) - collections[1]}/{GC.CollectionCount(2) - collections[2]})");
        var jitTime = string.Create(CultureInfo.InvariantCulture,
            $"{(System.Runtime.JitInfo.GetCompilationTime() - jit).TotalMilliseconds:N0} ms ({System.Runtime.JitInfo.GetCompiledMethodCount() - jitted:N0})");
        return (loaded, compiledIn, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds, gc, jitTime);
    }

    /// <summary>The same work stage by stage (the loader interleaves the first four per file; here each runs over all files in turn).</summary>
    private static async Task<List<(string Stage, double Ms, double CpuMs, double AllocatedMb)>> StagesAsync(string folder, IConditionCompiler? conditions)
    {
        var stages = new List<(string, double, double, double)>();
        var clock = Stopwatch.StartNew();
        T Time<T>(string stage, Func<T> work)
        {
            // Each stage runs on this thread, so its CPU time is the thread's (the GC's background work is not in it).
            // Allocations are the process's: building the model and the field checks of semantic validation run on
            // other threads too (a big set), which this thread's count left out; nothing else runs meanwhile.
            var cpu = ThreadCpuTime.Nanoseconds();
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            clock.Restart();
            var value = work();
            stages.Add((stage, clock.Elapsed.TotalMilliseconds, (ThreadCpuTime.Nanoseconds() - cpu) / 1e6, (GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1e6));
            return value;
        }

        var bag = new DiagnosticBag();
        var validator = Time<PolicySchemaValidator>("load the policy schemas (once per process)", () => PolicySchemaValidator.GetDefaultAsync().GetAwaiter().GetResult());
        Time("load the event catalog (once per process)", () => EventCatalog.Default.EventTypes.Length);
        var files = Time("list and read the files", () => PolicyFolderLoader.FindPolicyFiles([folder], bag)
            .Select(f => (File: f, Bytes: YamlDocumentReader.ReadFileBytes(f.FullPath, bag, f.DisplayPath, f.Folder, f.RealPath)!)).ToList());
        var documents = Time("parse YAML", () => files.SelectMany(f => YamlDocumentReader.Read(f.File.DisplayPath, f.Bytes, bag).Select(d => (f.File, Document: d))).ToList());
        var valid = Time("schema validation", () => documents.Where(d => validator.Validate(d.Document, bag))
            .Select(d => new PolicyFolderLoader.CheckedDocument(d.File, d.Document, PolicySchemaValidator.KindOf(d.Document.Root)!)).ToList());
        var set = Time("build the model (PolicyDocumentParser)", () => PolicyFolderLoader.ParseDefinitions(valid, RegistryParser.Merge([]), bag, CancellationToken.None));
        Time("semantic validation (PolicySetValidator)", () =>
        {
            PolicySetValidator.Validate(set, EventCatalog.Default, bag);
            return 0;
        });
        var withoutConditions = set with { Policies = [.. set.Policies.Select(p => p with { Condition = null })] };
        Time("compile patterns (PolicySetCompiler, no conditions)", () =>
        {
            PolicySetCompiler.Compile(withoutConditions).Dispose();
            return 0;
        });
        if (conditions is not null)
        {
            var sources = set.Policies.Where(p => p.Condition is not null).Select(p => PolicySetCompiler.ToSource(p.Name, p.Condition!)).ToList();
            Time($"compile {sources.Count:N0} conditions (Roslyn, no cache, in a warm process)", () =>
            {
                conditions.Compile(sources).Conditions?.Dispose();
                return 0;
            });
        }

        stages.Add(("analysis (oer analyze)", 0, 0, 0));
        return stages;
    }

    /// <summary>One policy per file, as teams keep them, plus the channels and the target they use.</summary>
    private static string WritePolicies(string root, int count, bool conditions)
    {
        var folder = Path.Combine(root, "policies");
        Directory.CreateDirectory(folder);
        var workload = Workload.Create(count);
        for (var i = 0; i < count; i++)
        {
            File.WriteAllText(Path.Combine(folder, $"p{i:D5}.yaml"), Policy(i, workload.PatternTexts[i], conditions && i % 10 == 5));
        }

        File.WriteAllText(Path.Combine(folder, "channels.yaml"), string.Join("---\n", Enumerable.Range(0, 5).Select(t => $$"""
            apiVersion: openevent.rules/v1
            kind: Channel
            metadata: { name: team-{{t}} }
            spec: { type: webhook, url: "https://hooks.example.com/team-{{t}}" }

            """)) + """
            ---
            apiVersion: openevent.rules/v1
            kind: Target
            metadata: { name: archive }
            spec: { type: file, path: archive/events.jsonl }
            """);
        return folder;
    }

    private static string Policy(int i, string pattern, bool condition)
    {
        var team = i % 5;
        var lines = new List<string>
        {
            "apiVersion: openevent.rules/v1",
            "kind: Policy",
            "metadata:",
            $"  name: p{i:D5}",
            $"  description: Policy {i} of the compile benchmark, owned by team {team}.",
            $"  owner: team-{team}",
            $"  labels: {{ team: team-{team}, severity: {(i % 3 == 0 ? "high" : "low")} }}",
            "spec:",
            $"  priority: {i % 100}",
            $"  match: {pattern}",
        };
        if (i % 10 == 3)
        {
            lines.Add("  mode: audit");
        }

        if (i % 3 == 1)
        {
            lines.Add($"  scope: {{ environments: [{(i % 2 == 0 ? "PROD" : "DEV")}] }}");
        }

        if (condition)
        {
            lines.Add($"  condition: 'e.Data.Str(\"fileName\", \"\").StartsWith(\"tmp_{i}\", StringComparison.Ordinal)'");
        }

        lines.Add("  actions:");
        lines.Add(i % 2 == 0
            ? $"    - notify: {{ channel: team-{team}, message: \"{{{{ type }}}} in {{{{ scope.workspace }}}} by {{{{ scope.operator }}}} ({{{{ id }}}})\" }}"
            : "    - forward: { target: archive }");
        return string.Join('\n', lines) + "\n";
    }
}
