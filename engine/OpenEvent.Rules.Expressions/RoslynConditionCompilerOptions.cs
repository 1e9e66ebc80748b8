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
}
