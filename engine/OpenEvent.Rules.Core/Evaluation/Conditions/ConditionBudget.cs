using System.Globalization;
using System.Runtime.CompilerServices;

namespace OpenEvent.Rules.Evaluation.Conditions;

/// <summary>
/// The budget of the condition evaluation running on the current thread. <see cref="Run"/> opens it around one
/// call of a compiled condition; the checks the generator injects into the condition (<see cref="ConditionGuard"/>)
/// charge it. Every check also makes sure enough stack is left, so that a condition can never overflow the stack
/// (which .NET cannot catch: it would end the process).
/// </summary>
public sealed class ConditionBudget
{
    [ThreadStatic]
    private static ConditionBudget? t_current;

    [ThreadStatic]
    private static ConditionBudget? t_spare;

    private long _maxSteps;
    private long _steps;
    private long _startTimestamp;
    private long _deadline;
    private long _startBytes;
    private long _maxBytes;
    private long _chargedBytes;
    private ConditionLimits _limits = ConditionLimits.Default;
    private CancellationToken _cancellationToken;

    private ConditionBudget()
    {
    }

    /// <summary>The budget of the evaluation running on this thread; null outside one.</summary>
    internal static ConditionBudget? Current => t_current;

    /// <summary>
    /// Runs <paramref name="condition"/> on <paramref name="e"/> within <paramref name="limits"/>. Out-of-memory and
    /// insufficient-stack failures of the runtime become <see cref="ConditionBudgetExceededException"/>; a cancelled
    /// <paramref name="cancellationToken"/> throws <see cref="OperationCanceledException"/>. Other exceptions of the
    /// condition propagate unchanged.
    /// </summary>
    public static bool Run(Func<ConditionEvent, bool> condition, ConditionEvent e, ConditionLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(limits);
        cancellationToken.ThrowIfCancellationRequested();
        var previous = t_current;

        // One budget object per thread, reused; a nested evaluation (not something conditions can do) gets its own.
        var budget = previous is null ? t_spare ??= new ConditionBudget() : new ConditionBudget();
        budget.Start(limits, cancellationToken);
        t_current = budget;

        // The machine's culture is not a policy input either: number and date texts, ToUpper, string.Compare and
        // StringComparer.CurrentCulture read the invariant culture inside a condition, whatever LANG the host has.
        var culture = CultureInfo.CurrentCulture;
        var pinCulture = !ReferenceEquals(culture, CultureInfo.InvariantCulture);
        if (pinCulture)
        {
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        }

        try
        {
            var result = condition(e);

            // Straight-line code (no lambda, no sequence) takes no step, so a single call that overran the memory or
            // the time (one the guards did not foresee) is caught here: its verdict is not used.
            budget.CheckSpent();
            return result;
        }
        catch (OutOfMemoryException ex)
        {
            throw new ConditionBudgetExceededException(ConditionResource.Memory,
                $"The condition ran out of memory ({budget.AllocatedBytes().ToString("N0", CultureInfo.InvariantCulture)} bytes allocated).", ex);
        }
        catch (InsufficientExecutionStackException ex)
        {
            throw new ConditionBudgetExceededException(ConditionResource.Stack, "The condition nests too deep for the stack.", ex);
        }
        finally
        {
            t_current = previous;
            if (pinCulture)
            {
                CultureInfo.CurrentCulture = culture;
            }
        }
    }

    private void Start(ConditionLimits limits, CancellationToken cancellationToken)
    {
        _limits = limits;
        _maxSteps = limits.MaxSteps;
        _steps = 0;
        _startTimestamp = TimeProvider.System.GetTimestamp();
        var ticks = limits.Timeout.TotalSeconds * TimeProvider.System.TimestampFrequency;
        _deadline = ticks >= long.MaxValue - _startTimestamp ? long.MaxValue : _startTimestamp + (long)ticks;
        _startBytes = GC.GetAllocatedBytesForCurrentThread();
        _maxBytes = limits.MaxBytes;
        _chargedBytes = 0;
        _cancellationToken = cancellationToken;
    }

    private long AllocatedBytes() => GC.GetAllocatedBytesForCurrentThread() - _startBytes;

    /// <summary>Takes <paramref name="steps"/> steps and checks every limit and the stack.</summary>
    internal void Charge(long steps)
    {
        _steps += steps;
        if (_steps > _maxSteps)
        {
            throw Exceeded(ConditionResource.Steps, $"The condition went over its budget of {_maxSteps.ToString("N0", CultureInfo.InvariantCulture)} steps (lambda calls and sequence elements).");
        }

        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw Exceeded(ConditionResource.Stack, "The condition nests lazy sequences too deep for the stack.");
        }

        if (_cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The evaluation was cancelled.", _cancellationToken);
        }

        CheckSpent();
    }

    /// <summary>Checks the memory and the time spent so far.</summary>
    private void CheckSpent()
    {
        if (AllocatedBytes() > _maxBytes)
        {
            throw Exceeded(ConditionResource.Memory, $"The condition allocated more than its budget of {_maxBytes.ToString("N0", CultureInfo.InvariantCulture)} bytes.");
        }

        if (TimeProvider.System.GetTimestamp() > _deadline)
        {
            throw Exceeded(ConditionResource.Time, $"The condition ran longer than its budget of {_limits.Timeout.TotalMilliseconds.ToString("N0", CultureInfo.InvariantCulture)} ms.");
        }
    }

    /// <summary>
    /// Charges work proportional to <paramref name="units"/> (characters read, elements copied) done by the event API
    /// inside a condition: a step per <paramref name="perStep"/> units, nothing for small amounts.
    /// </summary>
    internal static void ChargeWork(long units, int perStep)
    {
        if (units >= perStep && t_current is { } budget)
        {
            budget.Charge(units / perStep);
        }
    }

    /// <summary>
    /// Charges a call whose time is not proportional to its input (a regular expression: up to its 100 ms timeout on a
    /// short text): at least a step, so that the time budget is checked before each such call, not only at the end.
    /// </summary>
    internal static void ChargeCall(long units, int perStep)
    {
        if (t_current is { } budget)
        {
            budget.Charge(Math.Max(1, units / perStep));
        }
    }

    /// <summary>Charges text about to be built (<paramref name="chars"/> UTF-16 characters) before it is allocated.</summary>
    internal void ChargeText(long chars)
    {
        _chargedBytes += chars * sizeof(char);
        if (_chargedBytes > _maxBytes)
        {
            throw Exceeded(ConditionResource.Memory, $"The condition built more than its budget of {_maxBytes.ToString("N0", CultureInfo.InvariantCulture)} bytes of text.");
        }
    }

    private static ConditionBudgetExceededException Exceeded(ConditionResource resource, string message) => new(resource, message);
}
