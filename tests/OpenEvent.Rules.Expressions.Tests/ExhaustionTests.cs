using System.Diagnostics;
using System.Text;
using System.Text.Json;
using OpenEvent.Rules.Compilation.Conditions;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Evaluation.Conditions;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Expressions.Tests;

/// <summary>
/// The exhaustion table (<see cref="ExhaustionCases"/>): every admitted runaway stops at its budget as a condition
/// error, in this process, on a thread that is joined within a deadline; every refused shape is reported at load.
/// </summary>
public sealed class ExhaustionTests : IDisposable
{
    /// <summary>How long any single case may take before the test calls it a hang. Far above what each needs.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static readonly Lazy<ConditionEvent> LazyEvent = new(BuildEvent);

    private static readonly Dictionary<ConditionLimits, Lazy<IConditionSet>> Sets = ExhaustionCases.Runaways
        .GroupBy(c => c.Limits)
        .ToDictionary(g => g.Key, g => new Lazy<IConditionSet>(() => CompileAll(g.Key, g)));

    private readonly TempCache _cache = new();

    public static TheoryData<string> RunawayNames => [.. ExhaustionCases.Runaways.Select(c => c.Name)];

    public static TheoryData<string> RefusedNames => [.. ExhaustionCases.Refusals.Select(c => c.Name)];

    public void Dispose() => _cache.Dispose();

    [Fact]
    public void Cases_AreAtLeastFortyAndCoverEveryResource()
    {
        Assert.True(ExhaustionCases.Runaways.Length >= 40, $"{ExhaustionCases.Runaways.Length} runaway cases");
        Assert.Equal(Enum.GetValues<ConditionResource>().Order(), ExhaustionCases.Runaways.Select(c => c.Resource).Distinct().Order());
        Assert.Equal(ExhaustionCases.Runaways.Length + ExhaustionCases.Refusals.Length,
            ExhaustionCases.Runaways.Select(c => c.Name).Concat(ExhaustionCases.Refusals.Select(c => c.Name)).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(RunawayNames))]
    public void Evaluate_Runaway_StopsAtItsBudgetAsAConditionError(string name)
    {
        var runaway = ExhaustionCases.Runaways.Single(c => c.Name == name);
        var set = Sets[runaway.Limits].Value;

        // The stack cases run on a thread with a small stack (the guard keeps 128 KiB free), so that they reach its end
        // long before any other budget, and unwinding the exception does not take seconds.
        var (ran, error) = RunBounded(() => (set.TryEvaluate(set.IndexOf(name), LazyEvent.Value, out _, out var e), e), stackSize: 320 * 1024);

        Assert.False(ran);
        var exceeded = Assert.IsType<ConditionBudgetExceededException>(error);
        Assert.Equal(runaway.Resource, exceeded.Resource);
    }

    [Fact]
    public async Task Evaluate_IssueStackOverflowExampleWithDefaultLimits_IsAConditionError()
    {
        var runaway = ExhaustionCases.Runaways.Single(c => c.Name == "stack-reverse-chain");
        using var set = _cache.Compiler().Compile(TestEvents.Sources(runaway.Expression)).Conditions!;

        // On a thread pool thread (the host's), with the defaults (1,000,000 steps, 1 s, 64 MiB).
        var outcome = await Task.Run(() => (set.TryEvaluate(0, LazyEvent.Value, out _, out var e), e)).WaitAsync(Deadline);

        Assert.False(outcome.Item1);
        Assert.IsType<ConditionBudgetExceededException>(outcome.Item2);
    }

    [Theory]
    [MemberData(nameof(RefusedNames))]
    public void Compile_UnboundedShape_IsRefusedWithItsIdAndLocation(string name)
    {
        var refused = ExhaustionCases.Refusals.Single(c => c.Name == name);
        var source = ConditionSource.Plain("refused", refused.Expression, new SourceLocation("policies/runaway.yaml", 9, 14));

        var result = RunBounded(() => _cache.Compiler().Compile([source]), stackSize: 0);

        Assert.False(result.Success);
        Assert.Contains(refused.Id, result.Diagnostics.Select(d => d.Id));
        Assert.All(result.Diagnostics, d =>
        {
            Assert.Equal(new SourceLocation("policies/runaway.yaml", 9, d.Location.Column), d.Location);
            Assert.InRange(d.Location.Column, 14, 14 + refused.Expression.Length);
            Assert.False(string.IsNullOrWhiteSpace(d.Hint));
        });
    }

    [Fact]
    public void Compile_SumNestedSixDeep_IsRefusedAtTheFourthLambda()
    {
        // The issue's example took 104 s to compile; the gate refuses it from the syntax alone.
        var expression = "e.Type.Sum(c0 => e.Type.Sum(c1 => e.Type.Sum(c2 => e.Type.Sum(c3 => e.Type.Sum(c4 => e.Type.Sum(c5 => 1)))))) > 0";

        var diagnostic = Assert.Single(_cache.Compiler().Compile(TestEvents.Sources(expression)).Diagnostics);

        Assert.Equal(DiagnosticIds.ConditionTooComplex, diagnostic.Id);
        Assert.Equal(16 + expression.IndexOf("c3 =>", StringComparison.Ordinal), diagnostic.Location.Column);
        Assert.StartsWith("The condition's lambdas are too expensive to compile", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_SetSlowerThanTheCompileTimeout_ReportsOer2009AtTheSlowConditionAndReturns()
    {
        // Within every syntax limit (374 bindings of the 2,000 allowed), so whether the 1 ms runs out before the syntax gate,
        // in it or in binding, the outcome is the timeout: a Roslyn compilation alone takes far longer than 1 ms. (The
        // three-deep Sum this test used to compile costs 4,125 bindings: when the gate ran within the first millisecond
        // it was refused as OER2008, so the test depended on the thread pool's start-up delay.)
        var compiler = new RoslynConditionCompiler(new RoslynConditionCompilerOptions
        {
            UseCache = false, CompileTimeout = TimeSpan.FromMilliseconds(1), CompileTimeoutPerCondition = TimeSpan.Zero,
        });
        var sources = TestEvents.Sources("e.Type.Sum(c => e.Type.Sum(d => 1) + e.Type.Sum(d => 2) + e.Type.Sum(d => 3)) > 0");

        var result = RunBounded(() => compiler.Compile(sources), stackSize: 0);

        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticIds.ConditionCompileTimeout, diagnostic.Id);
        Assert.Equal(new SourceLocation("policies/test.yaml", 1, 16), diagnostic.Location);
        Assert.Equal("Compiling the conditions took longer than the limit of 0.001 s; this condition was being compiled when the time ran out. No condition of the set was loaded.", diagnostic.Message);
        Assert.Null(result.Conditions);
    }

    /// <summary>
    /// A large set of honest conditions that runs out of time is not blamed on whichever condition came first: the
    /// diagnostic says the set is large and how to give it more time. (Reported at 1,500 conditions on a loaded
    /// machine, pointing at the first policy with a hint about nested Sum.)
    /// </summary>
    [Fact]
    public void Compile_LargeHonestSetSlowerThanTheTimeout_SaysTheSetIsLargeNotOneConditionSlow()
    {
        var compiler = new RoslynConditionCompiler(new RoslynConditionCompilerOptions
        {
            UseCache = false, CompileTimeout = TimeSpan.FromSeconds(1), CompileTimeoutPerCondition = TimeSpan.Zero,
        });

        // The compiler warm first: on a loaded machine the first condition's cold binding alone took a quarter of a short
        // limit, and the diagnostic then blamed that one condition.
        RunBounded(() => compiler.Compile([ConditionSource.Plain("warm", "e.Data.Arr(\"t\").Any(t => t.Str(\"n\") == \"0\")", new SourceLocation("w.yaml", 1, 1))]), stackSize: 0);
        var sources = Enumerable.Range(0, 2_000).Select(i => ConditionSource.Plain("c" + i, $"e.Type.Length > {i} && e.Data.Arr(\"t\").Any(t => t.Str(\"n\") == \"{i}\")",
            new SourceLocation("policies/p" + i + ".yaml", 9, 5))).ToList();

        var result = RunBounded(() => compiler.Compile(sources), stackSize: 0);

        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticIds.ConditionCompileTimeout, diagnostic.Id);
        Assert.StartsWith("Compiling the set's 2,000 conditions took longer than the limit of 1 s, and no single one took much of it", diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains("CompileTimeout", diagnostic.Hint, StringComparison.Ordinal);
        Assert.Null(result.Conditions);
    }

    [Fact]
    public void Compile_AbsurdTimeouts_RefusedOrSaturatedNotThrownAtCompile()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RoslynConditionCompiler(new RoslynConditionCompilerOptions { CompileTimeoutPerCondition = TimeSpan.FromSeconds(-1) }));

        var result = new RoslynConditionCompiler(new RoslynConditionCompilerOptions
        {
            UseCache = false, CompileTimeout = TimeSpan.MaxValue, CompileTimeoutPerCondition = TimeSpan.MaxValue,
        }).Compile(TestEvents.Sources("e.Type.Length > 1", "e.Type.Length > 2"));

        Assert.True(result.Success, string.Join(Environment.NewLine, result.Diagnostics));
        result.Conditions!.Dispose();
    }

    [Fact]
    public void Compile_DeadlineGrowsWithTheSet_PerConditionAllowance()
    {
        // 1 ms alone is far too short for any compile; 1 ms and 5 s per condition is not.
        var compiler = new RoslynConditionCompiler(new RoslynConditionCompilerOptions
        {
            UseCache = false, CompileTimeout = TimeSpan.FromMilliseconds(1), CompileTimeoutPerCondition = TimeSpan.FromSeconds(5),
        });

        var result = RunBounded(() => compiler.Compile(TestEvents.Sources("e.Type.Length > 1", "e.Type.Length > 2")), stackSize: 0);

        Assert.True(result.Success, string.Join(Environment.NewLine, result.Diagnostics));
        result.Conditions!.Dispose();
    }

    [Fact]
    public void Evaluate_CancelledWhileRunning_ThrowsOperationCanceledWithinTheDeadline()
    {
        var runaway = ExhaustionCases.Runaways.Single(c => c.Name == "time-selectmany-product");
        var generous = new ConditionLimits { MaxSteps = long.MaxValue, Timeout = TimeSpan.FromMinutes(10), MaxBytes = long.MaxValue };
        using var set = new RoslynConditionCompiler(new RoslynConditionCompilerOptions { CacheDirectory = _cache.Path, Limits = generous })
            .Compile(TestEvents.Sources(runaway.Expression)).Conditions!;
        using var caller = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        var thrown = RunBounded(() => Record.Exception(() => set.TryEvaluate(0, LazyEvent.Value, caller.Token, out _, out _)), stackSize: 0);

        Assert.IsType<OperationCanceledException>(thrown);
    }

    [Fact]
    public async Task PolicyEvaluator_CallerCancels_StopsTheRunawayWithOperationCanceled()
    {
        // The token a host passes (the HTTP request's) reaches the condition through PolicyEvaluator.Evaluate.
        var folder = Directory.CreateTempSubdirectory("oer-cancel-").FullName;
        File.WriteAllText(Path.Combine(folder, "p.yaml"), """
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: runaway }
            spec:
              match: { type: ["dataworks:FileChange:DeployFile"] }
              condition: 'e.Type.SelectMany(a => e.Type).SelectMany(a => e.Type).SelectMany(a => e.Type).SelectMany(a => e.Type).SelectMany(a => e.Type).Count() > 0'
              actions: [ { block: { reason: "x" } } ]
            """);
        var generous = new ConditionLimits { MaxSteps = long.MaxValue, Timeout = TimeSpan.FromMinutes(10), MaxBytes = long.MaxValue };
        var compiler = new RoslynConditionCompiler(new RoslynConditionCompilerOptions { CacheDirectory = _cache.Path, Limits = generous });
        var load = await OpenEvent.Rules.Sources.PolicyFolderLoader.LoadAsync([folder], OpenEvent.Rules.Catalog.EventCatalog.Default);
        Assert.False(load.HasErrors, string.Join(Environment.NewLine, load.Diagnostics));
        using var compiled = OpenEvent.Rules.Compilation.PolicySetCompiler.Compile(load.Set, new OpenEvent.Rules.Compilation.PolicySetCompilerOptions { ConditionCompiler = compiler });
        var slice = OpenEvent.Rules.Events.EventInputReader.Split(Encoding.UTF8.GetBytes(
            """{"specversion":"1.0","id":"c","source":"acs.dataworks","type":"dataworks:FileChange:DeployFile","data":{"projectId":1}}"""), "request").Single();
        using var caller = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        var thrown = RunBounded(() => Record.Exception(() => compiled.EvaluateSlice(slice, caller.Token)), stackSize: 0);

        Assert.IsType<OperationCanceledException>(thrown);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public void Evaluate_AlreadyCancelled_ThrowsBeforeRunning()
    {
        using var set = _cache.Compiler().Compile(TestEvents.Sources("true")).Conditions!;

        Assert.Throws<OperationCanceledException>(() => set.TryEvaluate(0, TestEvents.Empty(), new CancellationToken(canceled: true), out _, out _));
    }

    [Fact]
    public void Evaluate_BudgetIsPerEvaluation()
    {
        // About 70 steps per evaluation; 200 evaluations stay within a budget of 100 each.
        var small = new ConditionLimits { MaxSteps = 100 };
        using var set = new RoslynConditionCompiler(new RoslynConditionCompilerOptions { CacheDirectory = _cache.Path, Limits = small })
            .Compile(TestEvents.Sources("e.Type.Count(c => c == 'a') == 3")).Conditions!;

        for (var i = 0; i < 200; i++)
        {
            Assert.True(set.TryEvaluate(0, LazyEvent.Value, out var value, out var error), error?.Message);
            Assert.True(value);
        }
    }

    [Fact]
    public void Evaluate_HonestNestedLookupOverALargeMapping_StaysWithinTheDefaults()
    {
        // 500 tables, each looked up among the 500: about 250,000 steps (lambda calls and elements), a quarter of the default budget.
        var tables = string.Join(",", Enumerable.Range(0, 500).Select(i => $$"""{"srcTable":"t{{i}}","dstTable":"t{{(i + 1) % 500}}"}"""));
        var e = TestEvents.Parse("""{"type":"dataworks:NodeChange:StartDiJob","data":{"tableMapping":[""" + tables + "]}}");
        // The default step and memory budgets; the time budget is widened because a shared CI machine is no clock.
        var limits = ConditionLimits.Default with { Timeout = TimeSpan.FromMinutes(1) };
        using var set = new RoslynConditionCompiler(new RoslynConditionCompilerOptions { CacheDirectory = _cache.Path, Limits = limits }).Compile(TestEvents.Sources(
            "e.Data.Arr(\"tableMapping\").All(t => e.Data.Arr(\"tableMapping\").Any(u => u.Str(\"srcTable\") == t.Str(\"dstTable\")))")).Conditions!;

        Assert.True(set.TryEvaluate(0, e, out var value, out var error), error?.Message);
        Assert.True(value);
    }

    [Fact]
    public void Evaluate_HashSetLookupsOverALargeSet_AreNotChargedBySize()
    {
        // 5,000 lookups in a set of 5,000 within 200,000 steps: constant-time lookups are not charged by the size of the set.
        using var set = new RoslynConditionCompiler(new RoslynConditionCompilerOptions { CacheDirectory = _cache.Path, Limits = ExhaustionCases.StepLimits })
            .Compile(TestEvents.Sources("e.Data.Arr(\"items\").Select(x => x.Int(\"i\")).ToHashSet() is var h && e.Data.Arr(\"items\").All(x => h.Contains(x.Int(\"i\")))")).Conditions!;

        Assert.True(set.TryEvaluate(0, LazyEvent.Value, out var value, out var error), error?.Message);
        Assert.True(value);
    }

    [Fact]
    public void Run_OutOfMemoryAndInsufficientStack_BecomeBudgetErrors()
    {
        var memory = Assert.Throws<ConditionBudgetExceededException>(() => ConditionBudget.Run(_ => throw new OutOfMemoryException(), TestEvents.Empty(), ConditionLimits.Default, default));
        var stack = Assert.Throws<ConditionBudgetExceededException>(() => ConditionBudget.Run(_ => throw new InsufficientExecutionStackException(), TestEvents.Empty(), ConditionLimits.Default, default));

        Assert.Equal(ConditionResource.Memory, memory.Resource);
        Assert.IsType<OutOfMemoryException>(memory.InnerException);
        Assert.Equal(ConditionResource.Stack, stack.Resource);
    }

    /// <summary>
    /// Straight-line code takes no step: one call that allocates past the budget (one the guards did not foresee) is
    /// caught when the condition returns, and its verdict is not used.
    /// </summary>
    [Fact]
    public void Run_StraightLineOverrun_CaughtWhenTheConditionReturns()
    {
        // A timeout a preempted test thread on a loaded machine does not reach by accident (the honest runs below).
        var limits = new ConditionLimits { MaxBytes = 1024 * 1024, Timeout = TimeSpan.FromMilliseconds(500) };

        var memory = Assert.Throws<ConditionBudgetExceededException>(() => ConditionBudget.Run(_ => new byte[4 * 1024 * 1024].Length > 0, TestEvents.Empty(), limits, default));
        var time = Assert.Throws<ConditionBudgetExceededException>(() => ConditionBudget.Run(_ => { Thread.Sleep(1_000); return true; }, TestEvents.Empty(), limits, default));

        Assert.Equal(ConditionResource.Memory, memory.Resource);
        Assert.Equal(ConditionResource.Time, time.Resource);
        Assert.True(ConditionBudget.Run(_ => new byte[1024].Length > 0, TestEvents.Empty(), limits, default));
    }

    /// <summary>Each twin of string.Join charges its values and its separators before the result is allocated.</summary>
    [Fact]
    public void JoinTwins_ChargeTheSeparatorsBeforeBuilding()
    {
        var limits = new ConditionLimits { MaxBytes = 1024 * 1024 };
        var separator = new string('x', 10_000);
        var values = new string?[101];
        var cases = new (string Name, Func<string> Join)[]
        {
            ("string[]", () => ConditionGuard.Join(separator, values)),
            ("span of string", () => ConditionGuard.Join(separator, (ReadOnlySpan<string?>)values)),
            ("object[]", () => ConditionGuard.Join(separator, values.Select(v => (object?)"").ToArray())),
            ("span of object", () => ConditionGuard.Join(separator, (ReadOnlySpan<object?>)values.Select(v => (object?)"").ToArray())),
            ("IEnumerable<string>", () => ConditionGuard.Join(separator, values.AsEnumerable())),
            ("IEnumerable<T>", () => ConditionGuard.Join(separator, values.Select(v => 1))),
            ("range", () => ConditionGuard.Join(separator, values, 0, 101)),
            ("char, sequence of long text", () => ConditionGuard.Join(',', Enumerable.Repeat(separator, 101))),
            ("char, string[] of long text", () => ConditionGuard.Join(',', Enumerable.Repeat(separator, 101).ToArray())),
        };

        foreach (var (name, join) in cases)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var error = Assert.Throws<ConditionBudgetExceededException>(() => ConditionBudget.Run(_ => join().Length > 0, TestEvents.Empty(), limits, default));
            Assert.Equal(ConditionResource.Memory, error.Resource);
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1024 * 1024, $"{name}: the 2 MB result was allocated before the charge");
        }

        Assert.Equal("a, b", ConditionBudget.Run(_ => ConditionGuard.Join(", ", "a", "b") == "a, b", TestEvents.Empty(), limits, default) ? "a, b" : "");
    }

    /// <summary>A pattern built at run time longer than 1,024 characters is a condition error, before any matcher is built.</summary>
    [Fact]
    public void Matches_PatternBuiltAtRunTimeTooLong_ConditionErrorWithoutBuildingIt()
    {
        var result = _cache.Compiler().Compile(TestEvents.Sources("e.Matches(e.Type, string.Join(\"|\", e.Data.Arr(\"p\").Select(p => p.Str(\"v\"))))"));
        Assert.True(result.Success, string.Join(Environment.NewLine, result.Diagnostics));
        using var set = result.Conditions!;
        string Event(int count) => "{\"type\":\"dataworks:FileChange:DeployFile\",\"data\":{\"p\":[" + string.Join(",", Enumerable.Range(0, count).Select(i => $"{{\"v\":\"{i:D4}\"}}")) + "]}}";

        Assert.False(set.TryEvaluate(0, TestEvents.Parse(Event(300)), out _, out var error));
        Assert.Contains("limited to 1,024", error!.Message, StringComparison.Ordinal);
        Assert.True(set.TryEvaluate(0, TestEvents.Parse(Event(3)), out var value, out var none), none?.Message);
        Assert.False(value);
    }

    [Fact]
    public void Guards_OutsideAnEvaluation_DoNothing()
    {
        Assert.True(ConditionGuard.Step());
        Assert.Same("abc", ConditionGuard.Text("abc"));
        IEnumerable<char> text = "abc";
        Assert.Same(text, ConditionGuard.Sequence(text));
        Assert.True(ConditionGuard.Hay("abc")!.Contains("b"));
        Assert.Null(ConditionGuard.Hay(null));
    }

    private static IConditionSet CompileAll(ConditionLimits limits, IEnumerable<ExhaustionCases.Runaway> cases)
    {
        var sources = cases.Select((c, i) => ConditionSource.Plain(c.Name, c.Expression, new SourceLocation("runaways.yaml", i + 1, 1))).ToList();
        var result = new RoslynConditionCompiler(new RoslynConditionCompilerOptions { UseCache = false, Limits = limits }).Compile(sources);
        Assert.True(result.Success, string.Join(Environment.NewLine, result.Diagnostics));
        return result.Conditions!;
    }

    /// <summary>Runs <paramref name="work"/> on a thread of its own and fails the test if it does not end within <see cref="Deadline"/>.</summary>
    private static T RunBounded<T>(Func<T> work, int stackSize)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(
            () =>
            {
                try
                {
                    result = work();
                }
                catch (Exception ex)
                {
                    failure = ex;
                }
            },
            stackSize) { IsBackground = true };
        var started = Stopwatch.StartNew();
        thread.Start();
        Assert.True(thread.Join(Deadline), $"still running after {started.Elapsed}");
        if (failure is not null)
        {
            throw new InvalidOperationException("The work threw instead of returning.", failure);
        }

        return result;
    }

    /// <summary>A deploy event with 5,000 distinct objects (all of one kind, so they hash alike) and a 20 KB JSON string.</summary>
    private static ConditionEvent BuildEvent()
    {
        var items = string.Join(",", Enumerable.Range(0, 5000).Select(i => $$"""{"i":{{i}}}"""));
        var blob = JsonSerializer.Serialize("[" + string.Join(",", Enumerable.Range(100_000, 3000)) + "]");
        var json = new StringBuilder()
            .Append("""{"specversion":"1.0","id":"x","source":"acs.dataworks","type":"dataworks:FileChange:DeployFile","data":{"items":[""")
            .Append(items).Append("],\"blob\":").Append(blob).Append(",\"format\":\"D999999999\"}}")
            .ToString();
        return TestEvents.Parse(json);
    }
}
