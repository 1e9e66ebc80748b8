using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using OpenEvent.Rules.Compilation.Conditions;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Expressions.Caching;
using OpenEvent.Rules.Expressions.Generation;
using OpenEvent.Rules.Expressions.Loading;
using OpenEvent.Rules.Expressions.Sandbox;
using OpenEvent.Rules.Model;
using Diagnostic = OpenEvent.Rules.Model.Diagnostic;
using DiagnosticSeverity = OpenEvent.Rules.Model.DiagnosticSeverity;
using RoslynSeverity = Microsoft.CodeAnalysis.DiagnosticSeverity;

namespace OpenEvent.Rules.Expressions;

/// <summary>
/// Compiles the C# conditions of a policy set with Roslyn: syntax gate per expression, one generated file,
/// one compilation, the semantic sandbox on every expression, emit to memory, load into a collectible
/// context, bind delegates. The emitted image is cached on disk by content hash. Stateless and thread-safe.
/// </summary>
public sealed class RoslynConditionCompiler : IConditionCompiler
{
    /// <summary>Part of the cache key: raise it when the generated code's shape or the compile options change.</summary>
    /// <remarks>2: the emitted code carries budget guards (ConditionGuardInjector); images of version 1 have none.</remarks>
    // Raised with the sandbox's own rules (sizes, pairings): a cached assembly is loaded without the sandbox running again.
    private const string GeneratorVersion = "oer-conditions-generator/3";

    private static readonly CSharpCompilationOptions CompilationOptions = new(
        OutputKind.DynamicallyLinkedLibrary,
        optimizationLevel: OptimizationLevel.Release,
        // Arithmetic overflow throws (and so becomes a condition error) instead of silently wrapping a sum
        // of sizes into a negative number that makes a guard pass.
        checkOverflow: true,
        allowUnsafe: false,
        nullableContextOptions: NullableContextOptions.Disable,
        deterministic: true,
        concurrentBuild: true,
        metadataImportOptions: MetadataImportOptions.Public);

    private static readonly HashSet<string> ConversionErrors = new(StringComparer.Ordinal) { "CS0029", "CS0266", "CS1662" };

    private readonly RoslynConditionCompilerOptions _options;
    private readonly ConditionAssemblyCache? _cache;

    public RoslynConditionCompiler(RoslynConditionCompilerOptions? options = null)
    {
        _options = options ?? new RoslynConditionCompilerOptions();
        ArgumentNullException.ThrowIfNull(_options.Limits);
        _options.Limits.Validated();
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_options.CompileTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.CompileTimeoutPerCondition, TimeSpan.Zero);
        _cache = _options.UseCache ? new ConditionAssemblyCache(_options.CacheDirectory ?? ConditionAssemblyCache.DefaultDirectory()) : null;
    }

    /// <summary>The cache folder in use, or null when caching is off.</summary>
    public string? CacheDirectory => _cache?.Directory;

    public ConditionCompilationResult Compile(IReadOnlyList<ConditionSource> conditions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        var stopwatch = Stopwatch.StartNew();
        var keys = DistinctKeys(conditions);
        if (conditions.Count == 0)
        {
            return new([], EmptyConditionSet.Instance, FromCache: false, stopwatch.Elapsed);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return CompileWithinDeadline(conditions, keys, stopwatch, cancellationToken);
    }

    private static string[] DistinctKeys(IReadOnlyList<ConditionSource> conditions)
    {
        var keys = conditions.Select(c => c.Key).ToArray();
        var duplicate = keys.GroupBy(k => k, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Condition key '{duplicate.Key}' appears more than once.", nameof(conditions));
        }

        return keys;
    }

    /// <summary>
    /// The work runs on a thread of its own, so that the caller gets an answer when the timeout strikes even if the
    /// compiler is deep inside one method body (it only looks at the token between bodies).
    /// </summary>
    private ConditionCompilationResult CompileWithinDeadline(IReadOnlyList<ConditionSource> conditions, string[] keys, Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        var progress = new CompileProgress(conditions.Count);
        var deadline = Deadline(conditions.Count);
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(deadline);
        var work = Task.Factory.StartNew(
            () => CompileCore(conditions, keys, progress, stopwatch, timeout.Token),
            CancellationToken.None,
            TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach,
            TaskScheduler.Default);
        bool finished;
        try
        {
            finished = work.Wait(deadline, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Abandon(work, timeout);
            throw;
        }
        catch (AggregateException)
        {
            finished = true; // the work failed; looked at below
        }

        if (!finished)
        {
            Abandon(work, timeout);
            return TimedOut(conditions, progress, stopwatch);
        }

        timeout.Dispose();
        return Finished(work, conditions, progress, stopwatch, cancellationToken);
    }

    /// <summary>
    /// CompileTimeout, and CompileTimeoutPerCondition more for each condition: the limit is there to stop one condition
    /// that makes the compiler work for minutes, and an honest set needs time in proportion to its size (1,500
    /// conditions with lambdas took 23 s on a loaded 2-core machine).
    /// </summary>
    private TimeSpan Deadline(int count) =>
        // Saturated where a timer and a wait take it (about 24 days): TimeSpan.MaxValue per condition must not overflow.
        TimeSpan.FromMilliseconds(Math.Min(_options.CompileTimeout.TotalMilliseconds + (_options.CompileTimeoutPerCondition.TotalMilliseconds * count), int.MaxValue - 1));

    /// <summary>The result of a compile that ended before its deadline: its answer, a timeout, or a crash located at a condition.</summary>
    private ConditionCompilationResult Finished(Task<ConditionCompilationResult> work, IReadOnlyList<ConditionSource> conditions, CompileProgress progress,
        Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        if (work.IsCompletedSuccessfully)
        {
#pragma warning disable RS0030 // completed: Result does not block here
            return work.Result;
#pragma warning restore RS0030
        }

        var error = work.Exception?.GetBaseException();
        if (error is OperationCanceledException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return TimedOut(conditions, progress, stopwatch);
        }

        // A compiler crash on some input must not take the caller (a validation, a hot reload) down with it.
        return new([Located(conditions[progress.Blame().Index], DiagnosticIds.ConditionCompile, 0,
            $"The C# compiler failed on this set of conditions ({error?.GetType().Name}: {error?.Message}); none was loaded.",
            "This is a bug in OpenEvent.Rules: please report it with the condition. Meanwhile, rewrite the condition that is pointed at.")],
            null, FromCache: false, stopwatch.Elapsed);
    }

    /// <summary>
    /// The guarded text the compiler would emit for <paramref name="expression"/> (which must pass the sandbox), for
    /// tests and for maintainers who want to see the injected checks.
    /// </summary>
    internal static string GuardedText(string expression)
    {
        var generated = ConditionSourceGenerator.Generate([expression]);
        var tree = CSharpSyntaxTree.ParseText(generated.Text, ConditionSyntaxGate.ParseOptions, path: "");
        var expressions = LocateExpressions(tree, generated, guarded: false, CancellationToken.None);
        var model = CSharpCompilation.Create("OerConditionsPreview", [tree], ConditionReferences.References, CompilationOptions).GetSemanticModel(tree);
        return ConditionGuardInjector.Rewrite(model, expressions[0], CancellationToken.None).Trim();
    }

    /// <summary>The compile went on past its deadline: its result (if it ever comes) is dropped.</summary>
    private static void Abandon(Task<ConditionCompilationResult> work, CancellationTokenSource timeout) =>
        work.ContinueWith(
            t =>
            {
                if (t.IsCompletedSuccessfully)
                {
#pragma warning disable RS0030 // a continuation of a completed task: Result does not block here
                    t.Result.Conditions?.Dispose();
#pragma warning restore RS0030
                }

                _ = t.Exception;
                timeout.Dispose();
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    private ConditionCompilationResult TimedOut(IReadOnlyList<ConditionSource> conditions, CompileProgress progress, Stopwatch stopwatch)
    {
        var deadline = Deadline(conditions.Count);
        var seconds = deadline.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        var (blamed, spent) = progress.Blame();

        // One condition that had much of the time is the cause; otherwise the set is large, not one condition slow.
        var diagnostic = conditions.Count == 1 || spent >= deadline / 4
            ? Located(conditions[blamed], DiagnosticIds.ConditionCompileTimeout, 0,
                $"Compiling the conditions took longer than the limit of {seconds} s; this condition was being compiled when the time ran out. No condition of the set was loaded.",
                "Simplify this condition: fewer lambdas nested in Sum, Min, Max or Average, fewer nested interpolated strings or anonymous objects (see docs/conditions.md, limits).")
            : Located(conditions[blamed], DiagnosticIds.ConditionCompileTimeout, 0,
                $"Compiling the set's {conditions.Count.ToString("N0", CultureInfo.InvariantCulture)} conditions took longer than the limit of {seconds} s, and no single one took much of it (the slowest so far, this one, {spent.TotalMilliseconds.ToString("N0", CultureInfo.InvariantCulture)} ms). No condition of the set was loaded.",
                "Raise OpenEventRules:Conditions:CompileTimeout (the limit is that plus CompileTimeoutPerCondition, 20 ms, per condition), or check more in match patterns and less in C# conditions; a busy machine compiles more slowly.");
        return new([diagnostic], null, FromCache: false, stopwatch.Elapsed);
    }

    /// <summary>
    /// The passes: syntax gate, cache, one binding of the set as written, the sandbox (and the guards) on every
    /// expression, the verdicts as diagnostics, emit of the guarded text, load.
    /// </summary>
    private ConditionCompilationResult CompileCore(IReadOnlyList<ConditionSource> conditions, string[] keys, CompileProgress progress, Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        var diagnostics = new List<Diagnostic>();
        var admitted = GateSyntax(conditions, diagnostics, cancellationToken);
        var generated = ConditionSourceGenerator.Generate(admitted);
        var key = ConditionAssemblyCache.Key(GeneratorVersion, ConditionAllowList.Fingerprint, ConditionReferences.Fingerprint, generated.Text);
        var assemblyName = "OerConditions_" + key[..16];
        if (diagnostics.Count == 0 && TryLoadCached(key, keys, assemblyName) is { } cachedSet)
        {
            return new([], cachedSet, FromCache: true, stopwatch.Elapsed);
        }

        progress.Phase = CompilePhase.Sandbox;
        var written = BindAsWritten(generated, assemblyName, cancellationToken);
        var verdicts = RunSandbox(written, admitted, progress, cancellationToken);
        var notBoolean = ReportVerdicts(conditions, written.Generated, verdicts, diagnostics);

        // A set the gate or the sandbox refused is never emitted: its compile errors are collected as written.
        if (diagnostics.Count > 0 || verdicts.Any(v => v is { Refused.Count: > 0 }))
        {
            AddCompileErrors(diagnostics, written.Model.GetDiagnostics(cancellationToken: cancellationToken), conditions, generated, admitted, notBoolean);
            return new(Ordered(diagnostics), null, FromCache: false, stopwatch.Elapsed);
        }

        progress.Phase = CompilePhase.Emit;
        var guarded = ConditionSourceGenerator.Generate([.. verdicts.Select(v => v!.GuardedText)], guarded: true);
        var emitted = EmitGuarded(guarded, assemblyName, cancellationToken);
        if (emitted.Image is not { } bytes)
        {
            AddCompileErrors(diagnostics, written.Model.GetDiagnostics(cancellationToken: cancellationToken), conditions, generated, admitted, notBoolean);
            AddGuardErrors(diagnostics, emitted.Errors, conditions, guarded);
            return new(Ordered(diagnostics), null, FromCache: false, stopwatch.Elapsed);
        }

        progress.Phase = CompilePhase.Load;
        var set = LoadedConditionSet.TryLoad(bytes, keys, assemblyName, _options.Limits)
            ?? throw new InvalidOperationException("The freshly emitted condition assembly could not be loaded.");
        _cache?.TryWrite(key, bytes);
        return new([], set, FromCache: false, stopwatch.Elapsed);
    }

    /// <summary>Pass 1, per expression: an expression the gate refuses is never pasted into the generated file (its slot is null).</summary>
    private static string?[] GateSyntax(IReadOnlyList<ConditionSource> conditions, List<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var admitted = new string?[conditions.Count];
        for (var i = 0; i < conditions.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var source = conditions[i];
            var problems = ConditionSyntaxGate.Check(source.Expression, out _);
            foreach (var problem in problems)
            {
                diagnostics.Add(Located(source, problem.Id, problem.Offset, problem.Message, problem.Hint));
            }

            admitted[i] = problems.Count == 0 ? source.Expression : null;
        }

        return admitted;
    }

    /// <summary>Pass 2: a cache hit stands for this exact text having passed this exact sandbox, and been guarded, before.</summary>
    private LoadedConditionSet? TryLoadCached(string key, string[] keys, string assemblyName)
    {
        if (_cache is null || _options.RecheckOnCacheHit || _cache.TryRead(key) is not { } cachedImage)
        {
            return null;
        }

        var cachedSet = LoadedConditionSet.TryLoad(cachedImage, keys, assemblyName, _options.Limits);
        if (cachedSet is null)
        {
            _cache.Invalidate(key);
        }

        return cachedSet;
    }

    /// <summary>Pass 3: one compilation for the whole set, as written, and each condition's expression in it.</summary>
    private static WrittenSet BindAsWritten(GeneratedConditionSource generated, string assemblyName, CancellationToken cancellationToken)
    {
        var tree = CSharpSyntaxTree.ParseText(generated.Text, ConditionSyntaxGate.ParseOptions, path: "", cancellationToken: cancellationToken);
        var expressions = LocateExpressions(tree, generated, guarded: false, cancellationToken);
        var compilation = CSharpCompilation.Create(assemblyName, [tree], ConditionReferences.References, CompilationOptions);
        return new(generated, compilation.GetSemanticModel(tree, ignoreAccessibility: false), expressions);
    }

    /// <summary>
    /// Pass 4: the sandbox binds every method body once; the bodies are independent and SemanticModel is thread-safe,
    /// so the work is spread over the cores (one checker, with its own caches, per worker). A condition the sandbox
    /// admits is rewritten with its budget guards on the same binding. A condition the gate refused has no verdict.
    /// </summary>
    private static SandboxVerdict?[] RunSandbox(WrittenSet written, string?[] admitted, CompileProgress progress, CancellationToken cancellationToken)
    {
        var verdicts = new SandboxVerdict?[admitted.Length];
        Parallel.ForEach(
            Partitioner.Create(0, admitted.Length, Math.Max(16, admitted.Length / (Environment.ProcessorCount * 4))),
            new ParallelOptions { CancellationToken = cancellationToken },
            () => new ConditionSemanticCheck(written.Model),
            (range, _, sandbox) =>
            {
                for (var i = range.Item1; i < range.Item2; i++)
                {
                    if (admitted[i] is not null)
                    {
                        var started = Stopwatch.GetTimestamp();
                        progress.Checking(i);
                        verdicts[i] = Judge(sandbox, written.Model, written.Expressions[i], cancellationToken);
                        progress.Checked(i, Stopwatch.GetElapsedTime(started));
                    }
                }

                return sandbox;
            },
            _ => { });
        return verdicts;
    }

    private static SandboxVerdict Judge(ConditionSemanticCheck sandbox, SemanticModel model, ExpressionSyntax expression, CancellationToken cancellationToken)
    {
        var refused = sandbox.Run(expression, cancellationToken);
        var type = model.GetTypeInfo(expression, cancellationToken).Type;
        var guardedText = refused.Count == 0 ? ConditionGuardInjector.Rewrite(model, expression, cancellationToken) : null;
        return new(refused, type, guardedText);
    }

    /// <summary>Pass 5: the sandbox's refusals as diagnostics, and the admitted conditions that are not boolean (flagged in the result).</summary>
    private static bool[] ReportVerdicts(IReadOnlyList<ConditionSource> conditions, GeneratedConditionSource generated, SandboxVerdict?[] verdicts, List<Diagnostic> diagnostics)
    {
        var notBoolean = new bool[conditions.Count];
        for (var i = 0; i < conditions.Count; i++)
        {
            if (verdicts[i] is not { } verdict)
            {
                continue;
            }

            foreach (var (id, position, message, hint) in verdict.Refused)
            {
                diagnostics.Add(Located(conditions[i], id, position - generated.Spans[i].Start, message, hint));
            }

            // A refused expression's type (dynamic, Type, ...) is beside the point.
            var type = verdict.Type;
            if (verdict.Refused.Count == 0 && type is not null and not IErrorTypeSymbol && type.SpecialType != SpecialType.System_Boolean)
            {
                notBoolean[i] = true;
                diagnostics.Add(Located(conditions[i], DiagnosticIds.ConditionNotBoolean, 0,
                    $"The condition is of type '{ConditionSymbolText.Of(type, SymbolDisplayFormat.CSharpErrorMessageFormat)}', not bool.",
                    type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T
                        ? "Compare explicitly, e.g. (...) == true, to decide what a missing value means."
                        : "A condition must be true or false: compare the value, e.g. e.Data.Count(\"tableMapping\") > 50."));
            }
        }

        return notBoolean;
    }

    /// <summary>
    /// Pass 6: the admitted set is emitted with its guards. Compile errors are those of the text as written (the guards
    /// keep every type as it was): only when the guarded text fails is the text as written asked.
    /// </summary>
    private static (byte[]? Image, IReadOnlyList<Microsoft.CodeAnalysis.Diagnostic> Errors) EmitGuarded(GeneratedConditionSource guarded, string assemblyName, CancellationToken cancellationToken)
    {
        var guardedTree = CSharpSyntaxTree.ParseText(guarded.Text, ConditionSyntaxGate.ParseOptions, path: "", cancellationToken: cancellationToken);
        _ = LocateExpressions(guardedTree, guarded, guarded: true, cancellationToken);
        var guardedCompilation = CSharpCompilation.Create(assemblyName, [guardedTree], ConditionReferences.References, CompilationOptions);
        using var image = new MemoryStream();
        var emit = guardedCompilation.Emit(image, cancellationToken: cancellationToken);
        return emit.Success
            ? (image.ToArray(), [])
            : (null, [.. emit.Diagnostics.Where(d => d.Severity == RoslynSeverity.Error)]);
    }

    /// <summary>
    /// The guarded text failed to emit. When the text as written compiles (no diagnostic yet) the guards are to blame:
    /// an injector bug, reported where it is.
    /// </summary>
    private static void AddGuardErrors(List<Diagnostic> diagnostics, IReadOnlyList<Microsoft.CodeAnalysis.Diagnostic> emitErrors, IReadOnlyList<ConditionSource> conditions,
        GeneratedConditionSource guarded)
    {
        if (diagnostics.Count > 0)
        {
            return;
        }

        foreach (var error in emitErrors.Take(10))
        {
            var index = guarded.IndexAt(error.Location.SourceSpan.Start);
            diagnostics.Add(Located(conditions[index], DiagnosticIds.ConditionCompile, 0,
                $"The condition compiles but not with its budget checks: {error.GetMessage(CultureInfo.InvariantCulture)} ({error.Id}).",
                "This is a bug in OpenEvent.Rules: please report it with the condition. Meanwhile, rewrite the condition."));
        }

        if (diagnostics.Count == 0)
        {
            throw new InvalidOperationException("The condition compilation failed without an error to report.");
        }
    }

    private static void AddCompileErrors(List<Diagnostic> diagnostics, IEnumerable<Microsoft.CodeAnalysis.Diagnostic> compileDiagnostics, IReadOnlyList<ConditionSource> conditions,
        GeneratedConditionSource generated, string?[] admitted, bool[] notBoolean)
    {
        foreach (var error in compileDiagnostics.Where(d => d.Severity == RoslynSeverity.Error))
        {
            var index = generated.IndexAt(error.Location.SourceSpan.Start);
            if (admitted[index] is null || (notBoolean[index] && ConversionErrors.Contains(error.Id)))
            {
                continue;
            }

            var offset = error.Location.SourceSpan.Start - generated.Spans[index].Start;
            var name = generated.Text.Substring(error.Location.SourceSpan.Start, error.Location.SourceSpan.Length);
            if (error.Id is "CS0103" or "CS0246" && ConditionSyntaxGate.IsForbiddenSimpleName(name))
            {
                // Console, Process, HttpClient, ... live in assemblies the compilation does not reference; say why.
                diagnostics.Add(Located(conditions[index], DiagnosticIds.ConditionForbiddenApi, offset, $"'{name}' is not available in conditions.", ConditionSyntaxGate.AllowedApiHint));
                continue;
            }

            diagnostics.Add(Located(conditions[index], DiagnosticIds.ConditionCompile, offset,
                $"{error.GetMessage(CultureInfo.InvariantCulture)} ({error.Id})", CompileHint(error.Id)));
        }
    }

    /// <summary>
    /// Finds each condition's expression in the generated tree and checks the file has exactly the expected
    /// shape (one class, one method per condition, each expression inside its own parentheses, no directives).
    /// The syntax gate makes a mismatch impossible; this makes it impossible to miss.
    /// </summary>
    private static ExpressionSyntax[] LocateExpressions(SyntaxTree tree, GeneratedConditionSource generated, bool guarded, CancellationToken cancellationToken)
    {
        var root = (CompilationUnitSyntax)tree.GetRoot(cancellationToken);
        if (root.ContainsDirectives || root.Members.Count != 1 || root.Members[0] is not FileScopedNamespaceDeclarationSyntax ns
            || ns.Members.Count != 1 || ns.Members[0] is not ClassDeclarationSyntax type || type.Members.Count != generated.Spans.Length + (guarded ? 1 : 0)
            || (guarded && type.Members[^1] is not FieldDeclarationSyntax { Declaration.Variables: [{ Identifier.ValueText: GeneratedConditionSource.GuardMarker }] }))
        {
            throw new InvalidOperationException("The generated condition source does not have the expected shape.");
        }

        var expressions = new ExpressionSyntax[generated.Spans.Length];
        for (var i = 0; i < expressions.Length; i++)
        {
            var span = generated.Spans[i];
            if (type.Members[i] is not MethodDeclarationSyntax { ExpressionBody.Expression: ParenthesizedExpressionSyntax body } method
                || method.Identifier.ValueText != GeneratedConditionSource.MethodName(i)
                || body.OpenParenToken.Span.End > span.Start || body.CloseParenToken.SpanStart < span.End
                || body.Expression.SpanStart < span.Start || body.Expression.Span.End > span.End)
            {
                throw new InvalidOperationException($"The generated condition source does not have the expected shape at condition {i}.");
            }

            expressions[i] = body.Expression;
        }

        return expressions;
    }

    private static Diagnostic Located(ConditionSource source, string id, int offset, string message, string hint)
    {
        var location = source.Map(offset);
        if (source.Style == ConditionTextStyle.Folded && offset > 0)
        {
            message += $" (at character {offset + 1} of the condition)";
        }

        return new Diagnostic(id, DiagnosticSeverity.Error, location, message, hint);
    }

    private static ImmutableArray<Diagnostic> Ordered(List<Diagnostic> diagnostics) =>
        [.. diagnostics
            .Select((d, i) => (d, i))
            .OrderBy(x => x.d.Location.File, StringComparer.Ordinal)
            .ThenBy(x => x.d.Location.Line)
            .ThenBy(x => x.d.Location.Column)
            .ThenBy(x => x.i)
            .Select(x => x.d)];

    /// <summary>The set as written, bound once: what the sandbox checks and compile errors are reported against.</summary>
    private sealed record WrittenSet(GeneratedConditionSource Generated, SemanticModel Model, ExpressionSyntax[] Expressions);

    /// <summary>What the sandbox said about one condition: its refusals, its type, and its guarded text when admitted.</summary>
    private sealed record SandboxVerdict(List<(string Id, int Position, string Message, string Hint)> Refused, ITypeSymbol? Type, string? GuardedText);

    private enum CompilePhase
    {
        Gate,
        Sandbox,
        Emit,
        Load,
    }

    /// <summary>Where a compile is, so that a timeout can name the condition it was stuck in.</summary>
    private sealed class CompileProgress(int count)
    {
        private readonly int[] _state = new int[count];
        private readonly long[] _ticks = new long[count];
        private readonly long[] _started = new long[count];

        public volatile CompilePhase Phase;

        public void Checking(int index)
        {
            Volatile.Write(ref _started[index], Stopwatch.GetTimestamp());
            Volatile.Write(ref _state[index], 1);
        }

        public void Checked(int index, TimeSpan elapsed)
        {
            Volatile.Write(ref _ticks[index], elapsed.Ticks);
            Volatile.Write(ref _state[index], 2);
        }

        /// <summary>
        /// The condition to point at and how long it took: the one whose check has taken longest, counting those still
        /// being checked when the time ran out (emitting binds every body again, and the slow body is slow again).
        /// </summary>
        public (int Index, TimeSpan Spent) Blame()
        {
            var now = Stopwatch.GetTimestamp();
            var slowest = 0;
            var longest = TimeSpan.Zero;
            for (var i = 0; i < _state.Length; i++)
            {
                var spent = Volatile.Read(ref _state[i]) switch
                {
                    1 when Phase == CompilePhase.Sandbox => Stopwatch.GetElapsedTime(Volatile.Read(ref _started[i]), now),
                    2 => TimeSpan.FromTicks(Volatile.Read(ref _ticks[i])),
                    _ => TimeSpan.Zero,
                };
                if (spent > longest)
                {
                    (slowest, longest) = (i, spent);
                }
            }

            return (slowest, longest);
        }
    }

    private static string CompileHint(string id) => id switch
    {
        "CS0103" => "Unknown name: the event is 'e' (e.Data, e.Scope, e.Type, e.At(...)); string values need quotes.",
        "CS0234" or "CS0246" => "That type is not available in conditions; see docs/conditions.md for the allowed API.",
        "CS1061" => "No such member: see docs/conditions.md for the members of e, e.Data (ConditionNode) and e.Scope.",
        "CS0136" => "'e' is the event: name lambda parameters differently (x => ...).",
        "CS0019" => "The operands have different types: convert one side, e.g. e.Data.Long(\"jobId\") == 5777 or e.Data.Str(\"jobId\") == \"5777\".",
        "CS0220" => "The constant expression overflows: conditions are compiled with overflow checking.",
        _ => "Fix the C# expression; the condition receives the event as 'e' (ConditionEvent).",
    };
}
