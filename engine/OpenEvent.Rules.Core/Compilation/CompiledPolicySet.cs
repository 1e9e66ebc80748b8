using System.Collections.Immutable;
using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Compilation.Conditions;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Compilation;

/// <summary>
/// The runtime form of a validated policy set: immutable, thread-safe, swapped as a whole on reload.
/// Evaluates raw event bytes (any accepted input shape) into decisions.
/// </summary>
public sealed class CompiledPolicySet : IDisposable
{
    private readonly IDisposable? _lifetime;

    private readonly SinglePassEventReader? _singlePass;

    private readonly bool _checkAdmission;

    internal CompiledPolicySet(PolicySetDefinition definition, EventParser parser, SinglePassEventReader? singlePass, PolicyEvaluator evaluator,
        string revision, IDisposable? lifetime, bool checkAdmission = false)
    {
        Definition = definition;
        Parser = parser;
        _singlePass = singlePass;
        _checkAdmission = checkAdmission;
        Evaluator = evaluator;
        Revision = revision;
        _lifetime = lifetime;
    }

    public PolicySetDefinition Definition { get; }

    public EventParser Parser { get; }

    public PolicyEvaluator Evaluator { get; }

    /// <summary>A content hash or git commit that identifies the policies this set was built from.</summary>
    public string Revision { get; }

    public EventCatalog Catalog => Parser.Catalog;

    /// <summary>Evaluates every event of an input (single event, batch array or JSON Lines); bad events get an error decision.</summary>
    public IEnumerable<Decision> EvaluateInput(ReadOnlyMemory<byte> input, string file)
    {
        foreach (var slice in EventInputReader.Split(input, file))
        {
            yield return EvaluateSlice(slice);
        }
    }

    public Decision EvaluateSlice(EventSlice slice, CancellationToken cancellationToken = default)
    {
        using var e = TryRead(slice, out var error);
        return e is null ? Decision.ForError(slice.Origin, error!) : Evaluator.Evaluate(e, cancellationToken);
    }

    /// <summary>Evaluates one event, asking <paramref name="details"/> for its detail when a policy that reads it matched everything else.</summary>
    public async Task<Decision> EvaluateSliceAsync(EventSlice slice, IEventDetailSource? details, CancellationToken cancellationToken = default)
    {
        using var e = TryRead(slice, out var error);
        return e is null ? Decision.ForError(slice.Origin, error!) : await Evaluator.EvaluateAsync(e, details, cancellationToken);
    }

    /// <summary>
    /// Evaluates every event of an input, asking <paramref name="details"/> for an event's detail when a policy that
    /// reads it matched everything else; bad events get an error decision.
    /// </summary>
    public async IAsyncEnumerable<Decision> EvaluateInputAsync(ReadOnlyMemory<byte> input, string file, IEventDetailSource? details,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var slice in EventInputReader.Split(input, file))
        {
            using var e = TryRead(slice, out var error);
            yield return e is null ? Decision.ForError(slice.Origin, error!) : await Evaluator.EvaluateAsync(e, details, cancellationToken);
        }
    }

    /// <summary>
    /// Reads one event, or returns why it cannot be evaluated. With the compiled matcher this is its single pass over
    /// the bytes (the match is kept for <see cref="Evaluator"/>); with the reference matcher, a parsed document. A set
    /// built with <see cref="PolicySetCompilerOptions.CheckAdmission"/> also refuses what the host refuses at the door
    /// (<see cref="EventAdmission"/>).
    /// </summary>
    public DataWorksEvent? TryRead(EventSlice slice, out EventError? error)
    {
        var e = _singlePass is not null ? _singlePass.TryRead(slice, out error) : Parser.TryParse(slice, out error);
        if (e is not null && _checkAdmission && EventAdmission.Check(e) is { } refused)
        {
            e.Dispose();
            error = refused;
            return null;
        }

        return e;
    }

    public void Dispose() => _lifetime?.Dispose();
}

/// <summary>How a policy set is turned into a <see cref="CompiledPolicySet"/>.</summary>
public sealed record PolicySetCompilerOptions
{
    /// <summary>Use the reference (one policy at a time) matcher instead of the compiled one: for tests and comparisons.</summary>
    public bool UseReferenceMatcher { get; init; }

    public int MaxEventBytes { get; init; } = EventParser.DefaultMaxEventBytes;

    public EventCatalog Catalog { get; init; } = EventCatalog.Default;

    public string Revision { get; init; } = "";

    /// <summary>Compiles spec.condition expressions; required when a policy has one (Core carries no compiler).</summary>
    public IConditionCompiler? ConditionCompiler { get; init; }

    /// <summary>The clock conditions see (Now, NowAt).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The verdict an extension point event gets at least when a policy with <c>detailErrors: fail-mode</c> cannot have the detail (the host's DataWorks:FailMode).</summary>
    public Verdict DetailFailMode { get; init; } = Verdict.Warn;

    /// <summary>
    /// Refuse, as the host does at its door, events whose id, source or region cannot be governed (<see cref="EventAdmission"/>):
    /// the host's sets and those oer dry-run, explain and impact read events with, so that they agree with POST /events.
    /// Off for policy tests, whose inline events need not carry a DataWorks envelope.
    /// </summary>
    public bool CheckAdmission { get; init; }
}

/// <summary>Builds the runtime set from a validated definition. Used once per load or reload.</summary>
public static class PolicySetCompiler
{
    public static CompiledPolicySet Compile(PolicySetDefinition definition, PolicySetCompilerOptions? options = null)
    {
        options ??= new PolicySetCompilerOptions();
        var active = definition.Policies.Where(p => p.Mode != PolicyMode.Disabled).ToImmutableArray();

        // Disabled policies' conditions are compiled too: a broken one fails the set, as `oer validate` reports it.
        var conditions = CompileConditions(definition.Policies, options);

        // The registry completes each event's scope when it is read; the event's time is read only if a window needs it.
        var readsTime = active.Any(p => new[] { p.Scope, p.EnforceIn }.Concat(p.Exclude.Select(x => x.Scope)).Any(s => s is { Windows.IsDefaultOrEmpty: false }))
            || definition.Waivers.Any(w => w.Scope is { Windows.IsDefaultOrEmpty: false });
        var parser = new EventParser(options.Catalog, options.MaxEventBytes, definition.Registry, readsTime);
        IPolicyMatcher matcher;
        SinglePassEventReader? singlePass = null;
        // The matchers see each policy without its detail clauses; the evaluator checks those once the detail is known.
        var firstStage = active.Select(DetailClauses.WithoutDetail).ToImmutableArray();
        if (options.UseReferenceMatcher)
        {
            matcher = new ReferencePolicyMatcher(firstStage);
        }
        else
        {
            var compiled = new CompiledPolicyMatcher(firstStage, SinglePassEventReader.FieldPaths(options.Catalog, readsTime));
            singlePass = new SinglePassEventReader(parser, compiled, options.MaxEventBytes);
            matcher = compiled;
        }

        var evaluator = new PolicyEvaluator(active, matcher, conditions, options.Time, new PolicyEvaluatorOptions
        {
            DetailMatcher = options.UseReferenceMatcher ? null : patterns => new CompiledDetailMatcher(patterns),
            DetailFailMode = options.DetailFailMode,
            Registry = definition.Registry,
            Waivers = definition.Waivers,
        });
        return new CompiledPolicySet(definition, parser, singlePass, evaluator, options.Revision, conditions, options.CheckAdmission);
    }

    /// <summary>All conditions of the set in one compilation; compile errors fail the whole set with located diagnostics.</summary>
    private static IConditionSet? CompileConditions(ImmutableArray<PolicyDefinition> policies, PolicySetCompilerOptions options)
    {
        var sources = policies
            .Where(p => p.Condition is not null)
            .Select(p => ToSource(p.Name, p.Condition!))
            .ToList();
        if (sources.Count == 0)
        {
            return null;
        }

        if (options.ConditionCompiler is null)
        {
            throw new PolicyCompilationException([new Diagnostic(DiagnosticIds.ConditionCompile, DiagnosticSeverity.Error, sources[0].Location,
                "this build has no C# condition compiler", "run the policies with the oer CLI or host, which include it")]);
        }

        var result = options.ConditionCompiler.Compile(sources);
        return result.Conditions ?? throw new PolicyCompilationException(result.Diagnostics);
    }

    /// <summary>
    /// Compiles every condition of a loaded set that will not be run (it has other errors, or only its diagnostics are
    /// wanted, as in <c>oer validate</c>), disabled policies too, in one compilation; returns the diagnostics (OER2xxx,
    /// located) and releases what was compiled. A set with errors may repeat a policy name (OER3001): each condition
    /// still gets a key of its own. The compiler's own faults are thrown for the caller to report.
    /// </summary>
    public static ImmutableArray<Diagnostic> CheckConditions(PolicySetDefinition definition, IConditionCompiler compiler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(compiler);
        var sources = definition.Policies
            .Select((p, i) => (Policy: p, Index: i))
            .Where(x => x.Policy.Condition is not null)
            .Select(x => ToSource($"{x.Index}:{x.Policy.Name}", x.Policy.Condition!))
            .ToList();
        if (sources.Count == 0)
        {
            return [];
        }

        var result = compiler.Compile(sources, cancellationToken);
        result.Conditions?.Dispose();
        return result.Diagnostics;
    }

    public static ConditionSource ToSource(string key, ConditionDefinition condition) =>
        new(key, condition.Expression, condition.Location) { ContentStart = condition.ContentStart, Style = condition.Style, QuotedText = condition.QuotedText };
}
