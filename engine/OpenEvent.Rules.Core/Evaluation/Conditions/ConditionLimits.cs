namespace OpenEvent.Rules.Evaluation.Conditions;

/// <summary>
/// What one evaluation of one C# condition may spend. A condition that goes over any of them stops with a
/// <see cref="ConditionBudgetExceededException"/>, a condition error handled by the policy's
/// <c>conditionErrors</c> like any other. A step is one lambda call or one element taken from a sequence, and
/// string searches cost one step per 4,096 character comparisons they may need (see docs/conditions.md).
/// </summary>
public sealed record ConditionLimits
{
    /// <summary>The defaults: 1,000,000 steps, 100 ms, 64 MiB.</summary>
    public static ConditionLimits Default { get; } = new();

    /// <summary>
    /// Steps per evaluation. An honest condition over a 500-table mapping with a nested lookup takes about
    /// 250,000; a million steps run in 30 to 100 ms, in line with <see cref="Timeout"/>.
    /// </summary>
    public long MaxSteps { get; init; } = 1_000_000;

    /// <summary>Wall time per evaluation, checked at every step. DataWorks waits seconds for an answer; one condition gets a tenth of one.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Bytes one evaluation may allocate (measured on its thread at every step), and separately the bytes of
    /// text it may build with +, interpolation, string.Concat/Join and Replace (charged before they are built).
    /// Honest conditions allocate kilobytes.
    /// </summary>
    public long MaxBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Throws ArgumentOutOfRangeException when a limit is not positive.</summary>
    public ConditionLimits Validated()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxSteps);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Timeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxBytes);
        return this;
    }
}
