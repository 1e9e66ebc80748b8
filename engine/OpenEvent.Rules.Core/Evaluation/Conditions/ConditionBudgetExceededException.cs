namespace OpenEvent.Rules.Evaluation.Conditions;

/// <summary>What a condition ran out of.</summary>
public enum ConditionResource
{
    /// <summary>Lambda calls and sequence elements (<see cref="ConditionLimits.MaxSteps"/>).</summary>
    Steps,

    /// <summary>Wall time (<see cref="ConditionLimits.Timeout"/>).</summary>
    Time,

    /// <summary>Allocated bytes or built text (<see cref="ConditionLimits.MaxBytes"/>), or the runtime ran out of memory.</summary>
    Memory,

    /// <summary>Stack: the condition nests lazy sequences deeper than the thread's stack allows.</summary>
    Stack,
}

/// <summary>
/// A condition went over its budget (<see cref="ConditionLimits"/>). Thrown inside the condition, caught by the
/// condition set and recorded like any condition error: the policy's <c>conditionErrors</c> decides.
/// </summary>
public sealed class ConditionBudgetExceededException : Exception
{
    public ConditionBudgetExceededException()
        : this(ConditionResource.Steps, "The condition went over its budget.")
    {
    }

    public ConditionBudgetExceededException(string message)
        : this(ConditionResource.Steps, message)
    {
    }

    public ConditionBudgetExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ConditionBudgetExceededException(ConditionResource resource, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Resource = resource;
    }

    public ConditionResource Resource { get; }
}
