using System.Collections.Immutable;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Compilation.Conditions;

/// <summary>
/// Compiles every C# condition of a policy set in one go (one compilation, not one per expression) into an
/// <see cref="IConditionSet"/>. Core defines the contract; the Roslyn implementation lives in
/// OpenEvent.Rules.Expressions so that Core never loads the compiler.
/// </summary>
public interface IConditionCompiler
{
    /// <summary>
    /// Checks and compiles <paramref name="conditions"/>. Reports every problem of every condition (ids OER2xxx,
    /// located in the YAML file); returns a set only when there is no error. Keys must be unique.
    /// </summary>
    ConditionCompilationResult Compile(IReadOnlyList<ConditionSource> conditions, CancellationToken cancellationToken = default);
}

/// <summary>The outcome of compiling a set of conditions.</summary>
/// <param name="Diagnostics">Every error found, in condition order.</param>
/// <param name="Conditions">The compiled set (same order as the input); null when there is any error.</param>
/// <param name="FromCache">True when the emitted assembly came from the on-disk cache.</param>
/// <param name="Elapsed">Wall time of the compile call.</param>
public sealed record ConditionCompilationResult(
    ImmutableArray<Diagnostic> Diagnostics,
    IConditionSet? Conditions,
    bool FromCache,
    TimeSpan Elapsed)
{
    public bool Success => Conditions is not null;
}
