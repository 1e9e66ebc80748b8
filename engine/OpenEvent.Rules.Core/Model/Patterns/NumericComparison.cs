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
    public bool HoldsFor(JsonNumber value) => Operator switch
    {
        NumericOperator.Equal => value == Value,
        NumericOperator.LessThan => value < Value,
        NumericOperator.LessThanOrEqual => value <= Value,
        NumericOperator.GreaterThan => value > Value,
        NumericOperator.GreaterThanOrEqual => value >= Value,
        _ => throw new ArgumentOutOfRangeException(nameof(value), Operator, "Unknown numeric operator."),
    };
}
