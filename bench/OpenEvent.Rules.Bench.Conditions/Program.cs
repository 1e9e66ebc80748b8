using System.Diagnostics;
using System.Globalization;
using OpenEvent.Rules;
using OpenEvent.Rules.Compilation.Conditions;
using OpenEvent.Rules.Expressions;

// Startup cost of C# conditions: compile time for 10, 100 and 1,000 conditions, cold (empty cache folder) and
// from the cache. BenchmarkDotNet's many-iterations model does not fit a cold compile (the first call is the
// measurement), so this is a plain Stopwatch workload: every sample runs in a fresh child process, as a
// service start would, and the parent reports the median of the samples.
//
//   dotnet run -c Release --project bench/OpenEvent.Rules.Bench.Conditions -- [--samples 5]
//   (child mode, used by the parent: --child <count> <cacheDir> cold|warm)
// Columns: cold = fresh process, empty cache folder (a first start); TieredPGO=0 = the same with the
// runtime's tier-0 PGO instrumentation off (DOTNET_TieredPGO=0 / <TieredPGO>false</TieredPGO>), which
// roughly halves the JIT overhead of a one-shot compile burst; warm reload = a second, different set compiled
// in a process that already compiled one (a policy reload in a running host); from cache = fresh process,
// the set's assembly already in the cache folder.

if (args is ["--child", var countText, var cacheDir, var mode])
{
    var count = int.Parse(countText, CultureInfo.InvariantCulture);
    var compiler = new RoslynConditionCompiler(new RoslynConditionCompilerOptions { CacheDirectory = cacheDir });
    if (mode == "warm")
    {
        // A reload in a running host: the compiler is already jitted by an earlier (different) set.
        var warmup = new RoslynConditionCompiler(new RoslynConditionCompilerOptions { UseCache = false }).Compile(Workload.Conditions(count, offset: 1_000_000));
        warmup.Conditions!.Dispose();
    }

    var sources = Workload.Conditions(count);
    var stopwatch = Stopwatch.StartNew();
    var result = compiler.Compile(sources);
    stopwatch.Stop();
    if (!result.Success)
    {
        Console.Error.WriteLine(string.Join(Environment.NewLine, result.Diagnostics.Take(5)));
        return 2;
    }

    result.Conditions!.Dispose();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{stopwatch.Elapsed.TotalMilliseconds:F1} {result.FromCache}"));
    return 0;
}

var samples = args is ["--samples", var s] ? int.Parse(s, CultureInfo.InvariantCulture) : 5;
Console.WriteLine($"C# conditions, compile time per set; median of {samples} fresh processes each; {Environment.ProcessorCount} cores, .NET {Environment.Version}");
Console.WriteLine();
Console.WriteLine("| conditions | cold | cold, TieredPGO=0 | warm reload (in-process) | from cache | from cache, TieredPGO=0 |");
Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
foreach (var count in new[] { 10, 100, 1000 })
{
    var cold = new List<double>();
    var coldNoPgo = new List<double>();
    var warm = new List<double>();
    var cached = new List<double>();
    var cachedNoPgo = new List<double>();
    for (var i = 0; i < samples; i++)
    {
        var folder = NewFolder();
        var folderNoPgo = NewFolder();
        var folderWarm = NewFolder();
        try
        {
            cold.Add(Child(count, folder, "cold", expectCache: false, pgo: true));
            cached.Add(Child(count, folder, "cold", expectCache: true, pgo: true));
            coldNoPgo.Add(Child(count, folderNoPgo, "cold", expectCache: false, pgo: false));
            cachedNoPgo.Add(Child(count, folderNoPgo, "cold", expectCache: true, pgo: false));
            warm.Add(Child(count, folderWarm, "warm", expectCache: false, pgo: true));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
            Directory.Delete(folderNoPgo, recursive: true);
            Directory.Delete(folderWarm, recursive: true);
        }
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {count:N0} | {Median(cold):F0} ms | {Median(coldNoPgo):F0} ms | {Median(warm):F0} ms | {Median(cached):F0} ms | {Median(cachedNoPgo):F0} ms |"));
}

return 0;

static string NewFolder() => Path.Combine(Path.GetTempPath(), "oer-bench-conditions-" + Guid.NewGuid().ToString("N"));

static double Child(int count, string folder, string mode, bool expectCache, bool pgo)
{
    var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    if (!pgo)
    {
        start.Environment["DOTNET_TieredPGO"] = "0";
    }

    if (!Environment.ProcessPath!.EndsWith("OpenEvent.Rules.Bench.Conditions", StringComparison.Ordinal))
    {
        start.ArgumentList.Add(typeof(Workload).Assembly.Location);
    }

    foreach (var arg in new[] { "--child", count.ToString(CultureInfo.InvariantCulture), folder, mode })
    {
        start.ArgumentList.Add(arg);
    }

    using var process = Process.Start(start)!;
    var output = process.StandardOutput.ReadToEnd();
    var error = process.StandardError.ReadToEnd();
    process.WaitForExit();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"child failed ({process.ExitCode}): {error}");
    }

    var parts = output.Trim().Split(' ');
    if (bool.Parse(parts[1]) != expectCache)
    {
        throw new InvalidOperationException($"expected FromCache={expectCache}, got {parts[1]}");
    }

    return double.Parse(parts[0], CultureInfo.InvariantCulture);
}

static double Median(List<double> values)
{
    values.Sort();
    return values[values.Count / 2];
}

internal static class Workload
{
    // Realistic shapes (the motivating examples and simpler field tests), each made unique by its constants
    // so that no two conditions are textually equal.
    private static readonly string[] Templates =
    [
        "e.At(\"Asia/Shanghai\") is {{ DayOfWeek: DayOfWeek.Friday, Hour: >= {0} }}",
        "e.Data.Json(\"multipleTimePeriods\").Arr() is var periods && periods.Count > 0 && e.DaysBetween(periods.Min(p => e.Date(p.Str(\"bizBeginTime\"))), periods.Max(p => e.Date(p.Str(\"bizEndTime\")))) > {0}",
        "e.Data.Arr(\"tableMapping\").Select(t => t.Str(\"dstDatasourceName\") + \".\" + t.Str(\"dstTable\")).Distinct().Count() > {0}",
        "e.Scope.Environment == \"PROD\" && e.Data.Str(\"fileName\", \"\").StartsWith(\"tmp_{0}\", StringComparison.Ordinal)",
        "e.Matches(e.Data.Str(\"fileName\"), \"^(dws|ads)_[a-z]+_{0}$\")",
        "e.Data.Long(\"jobId\") == {0} || e.Data.Int(\"fileType\") == {0}",
    ];

    public static List<ConditionSource> Conditions(int count, int offset = 0) =>
        [.. Enumerable.Range(0, count).Select(i => ConditionSource.Plain(
            "policy-" + i.ToString(CultureInfo.InvariantCulture),
            string.Format(CultureInfo.InvariantCulture, Templates[i % Templates.Length], 10 + i + offset),
            new SourceLocation("policies/bench-" + i.ToString(CultureInfo.InvariantCulture) + ".yaml", 8, 16)))];
}
