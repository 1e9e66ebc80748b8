namespace OpenEvent.Rules.Evaluation.Conditions;

/// <summary>
/// Thrown by <see cref="ConditionEvent.Detail"/> when a condition runs before the detail was asked for: the evaluator
/// runs a condition that may read the detail once without it, so that a condition false on the event alone
/// (<c>a &amp;&amp; e.Detail...</c> with <c>a</c> false) never costs a DataWorks call; when the condition reaches for the
/// detail, this stops it, and it runs again once the detail is known. Never a condition error.
/// </summary>
internal sealed class DetailPendingException : Exception
{
    public DetailPendingException()
        : base("The condition reads the event's detail, which is asked for only when needed.")
    {
    }
}
