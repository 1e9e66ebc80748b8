namespace OpenEvent.Rules.Evaluation.Conditions;

/// <summary>
/// What one evaluation of one C# condition may spend. A condition that goes over any of them stops with a
/// <see cref="ConditionBudgetExceededException"/>, a condition error handled by the policy's
/// <c>conditionErrors</c> like any other. A step is one lambda call or one element taken from a sequence, and
/// string searches cost one step per 256 character comparisons they may need (see docs/conditions.md).
/// </summary>
public sealed record ConditionLimits
{
    /// <summary>The defaults: 1,000,000 steps, 1 s, 64 MiB.</summary>
    public static ConditionLimits Default { get; } = new();

    /// <summary>
    /// Steps per evaluation. An honest condition over a 500-table mapping that looks every table up among the
    /// others takes about 250,000 (25 ms warm); a million steps run in 30 to 100 ms, so this is what stops a
    /// runaway first.
    /// </summary>
    public long MaxSteps { get; init; } = 1_000_000;

    /// <summary>
    /// Wall time per evaluation, checked at every step: the backstop for steps that are slow themselves (a regex
    /// match may take up to its own 100 ms timeout). Not lower: the first evaluation of a freshly loaded condition
    /// includes compiling it to machine code, which takes up to a few hundred milliseconds on a busy machine.
    /// </summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

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
