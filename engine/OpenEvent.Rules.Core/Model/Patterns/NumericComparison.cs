namespace OpenEvent.Rules.Model.Patterns;

internal enum NumericOperator
{
    Equal,
    LessThan,
    LessThanOrEqual,
    GreaterThan,
    GreaterThanOrEqual,
}

/// <summary>One comparison of <c>numeric</c> (<c>["&gt;", 0]</c>): the operator and the number it compares with.</summary>
internal readonly record struct NumericComparison(NumericOperator Operator, JsonNumber Value)
{
    public bool HoldsFor(JsonNumber value) => Holds(Operator, value.CompareTo(Value));

    /// <summary>Whether <paramref name="op"/> holds for a value that compares with the bound as <paramref name="order"/> (&lt; 0, 0, &gt; 0).</summary>
    public static bool Holds(NumericOperator op, int order) => op switch
    {
        NumericOperator.Equal => order == 0,
        NumericOperator.LessThan => order < 0,
        NumericOperator.LessThanOrEqual => order <= 0,
        NumericOperator.GreaterThan => order > 0,
        NumericOperator.GreaterThanOrEqual => order >= 0,
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown numeric operator."),
    };
}
