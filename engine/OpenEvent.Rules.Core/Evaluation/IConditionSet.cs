using OpenEvent.Rules.Evaluation.Conditions;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Evaluation;

// The runtime side of C# conditions: what the evaluator runs. Compiling them is Compilation.Conditions' job
// (IConditionCompiler, implemented by OpenEvent.Rules.Expressions), which hands back one of these.

/// <summary>
/// Compiled conditions, evaluated by index (the position in the compiled input). Evaluation never throws
/// for a condition's own failure: the error is handed back so the caller can apply the policy's
/// <see cref="ConditionErrorMode"/> and record it on the decision. Thread-safe. Disposing releases the
/// generated code (the assembly is unloaded once no evaluation still runs it).
/// </summary>
public interface IConditionSet : IDisposable
{
    int Count { get; }

    /// <summary>The keys in index order.</summary>
    IReadOnlyList<string> Keys { get; }

    /// <summary>The index of <paramref name="key"/>, or -1.</summary>
    int IndexOf(string key);

    /// <summary>
    /// Runs condition <paramref name="index"/> within the set's <see cref="ConditionLimits"/>. Returns false, with
    /// <paramref name="error"/> set, when the condition threw, went over its budget
    /// (<see cref="ConditionBudgetExceededException"/>, also for out-of-memory and insufficient stack) or the set was
    /// disposed; <paramref name="result"/> is then false. Throws <see cref="OperationCanceledException"/> only when
    /// <paramref name="cancellationToken"/> is cancelled (the caller left: there is no verdict to give).
    /// </summary>
    bool TryEvaluate(int index, ConditionEvent e, CancellationToken cancellationToken, out bool result, out Exception? error);

    /// <summary>Runs condition <paramref name="index"/> without a cancellation token; see the overload.</summary>
    bool TryEvaluate(int index, ConditionEvent e, out bool result, out Exception? error) =>
        TryEvaluate(index, e, CancellationToken.None, out result, out error);
}

/// <summary>A condition outcome after the policy's error mode is applied.</summary>
/// <param name="Matched">Whether the policy's condition holds (or is taken to hold, see <see cref="ConditionErrorMode.Match"/>).</param>
/// <param name="Error">The exception the condition threw, to record on the decision; null when it ran.</param>
internal readonly record struct ConditionOutcome(bool Matched, Exception? Error);

internal static class ConditionSetExtensions
{
    /// <summary>
    /// Evaluates condition <paramref name="index"/> and applies <paramref name="onError"/> when it throws or goes over
    /// its budget. Throws <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public static ConditionOutcome Evaluate(this IConditionSet set, int index, ConditionEvent e, ConditionErrorMode onError, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(set);
        return set.TryEvaluate(index, e, cancellationToken, out var result, out var error)
            ? new ConditionOutcome(result, null)
            : new ConditionOutcome(onError == ConditionErrorMode.Match, error);
    }
}

/// <summary>The set of a policy set without conditions: nothing to compile, nothing to load.</summary>
public sealed class EmptyConditionSet : IConditionSet
{
    public static readonly EmptyConditionSet Instance = new();

    private EmptyConditionSet()
    {
    }

    public int Count => 0;

    public IReadOnlyList<string> Keys => [];

    public int IndexOf(string key) => -1;

    public bool TryEvaluate(int index, ConditionEvent e, CancellationToken cancellationToken, out bool result, out Exception? error) =>
        throw new ArgumentOutOfRangeException(nameof(index), index, "The set has no conditions.");

    public bool TryEvaluate(int index, ConditionEvent e, out bool result, out Exception? error) =>
        TryEvaluate(index, e, CancellationToken.None, out result, out error);

    public void Dispose()
    {
    }
}
