using OpenEvent.Rules.Evaluation.Conditions;

namespace OpenEvent.Rules.Expressions;

/// <summary>Options of <see cref="RoslynConditionCompiler"/>.</summary>
public sealed record RoslynConditionCompilerOptions
{
    /// <summary>
    /// Where emitted assemblies are cached; null for the default (<c>$XDG_CACHE_HOME/openevent-rules/conditions</c>
    /// or <c>~/.cache/openevent-rules/conditions</c>).
    /// </summary>
    public string? CacheDirectory { get; init; }

    /// <summary>False to always compile (and never read or write the cache).</summary>
    public bool UseCache { get; init; } = true;

    /// <summary>
    /// Also run the semantic sandbox on a cache hit. Off by default: a hit needs the exact same expressions,
    /// references and allow-list that passed before (see docs/conditions.md), and the check costs most
    /// of a cold compile. The syntax gate runs on every call either way.
    /// </summary>
    public bool RecheckOnCacheHit { get; init; }

    /// <summary>
    /// What one evaluation of one condition may spend (steps, time, bytes); the compiled set applies it to every
    /// evaluation. Not part of the cache key: the emitted code reads it at run time.
    /// </summary>
    public ConditionLimits Limits { get; init; } = ConditionLimits.Default;

    /// <summary>
    /// How long one <see cref="RoslynConditionCompiler.Compile"/> may take before it gives up with OER2009 (default
    /// 20 s, and 20 ms more per condition of the set; the syntax limits keep honest sets far below). The compiler
    /// stops at its next cancellation check.
    /// </summary>
    public TimeSpan CompileTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>What each condition of a set adds to <see cref="CompileTimeout"/> (default 20 ms): an honest set needs time in proportion to its size.</summary>
    public TimeSpan CompileTimeoutPerCondition { get; init; } = TimeSpan.FromMilliseconds(20);
}
