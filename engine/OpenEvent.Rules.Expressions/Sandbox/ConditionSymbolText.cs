using Microsoft.CodeAnalysis;

namespace OpenEvent.Rules.Expressions.Sandbox;

/// <summary>
/// A symbol's name for a message, bounded. A condition can build a type whose written name doubles at every step
/// (<c>(a0, a0) is var a1 &amp;&amp; (a1, a1) is var a2 ...</c>: a tuple of 2^28 elements after 28 steps) while its
/// symbol stays small, so a message that printed it whole would build text of any size. A type with more than
/// <see cref="MaxTypeNodes"/> parts in its name is shown by its definition's name with its arguments elided.
/// </summary>
internal static class ConditionSymbolText
{
    /// <summary>The most types (the type, its type arguments, theirs...) a name is printed with.</summary>
    public const int MaxTypeNodes = 16;

    public static string Of(ISymbol symbol, SymbolDisplayFormat format) => symbol switch
    {
        ITypeSymbol type when IsLarge(type) => Elided(type),
        IMethodSymbol method when IsLarge(method.ReturnType) || method.Parameters.Any(p => IsLarge(p.Type))
            || method.TypeArguments.Any(IsLarge) || (method.ContainingType is { } container && IsLarge(container)) =>
            $"{(method.ContainingType is { } owner ? Elided(owner) + "." : "")}{method.Name}(…)",
        _ when symbol.ContainingType is { } container && IsLarge(container) => $"{Elided(container)}.{symbol.Name}",
        _ => symbol.ToDisplayString(format),
    };

    private static string Elided(ITypeSymbol type) => type switch
    {
        INamedTypeSymbol { IsTupleType: true } => "(…)",
        INamedTypeSymbol { IsGenericType: true } named => named.Name + "<…>",
        IArrayTypeSymbol => "…[]",
        _ => type.Name,
    };

    private static bool IsLarge(ITypeSymbol type)
    {
        var budget = MaxTypeNodes;
        return !Fits(type, ref budget);
    }

    /// <summary>Counts the type's parts down from <paramref name="budget"/>; stops as soon as it runs out.</summary>
    private static bool Fits(ITypeSymbol type, ref int budget)
    {
        if (--budget < 0)
        {
            return false;
        }

        switch (type)
        {
            case INamedTypeSymbol named:
                foreach (var argument in named.TypeArguments)
                {
                    if (!Fits(argument, ref budget))
                    {
                        return false;
                    }
                }

                return named.ContainingType is not { } outer || Fits(outer, ref budget);
            case IArrayTypeSymbol array:
                return Fits(array.ElementType, ref budget);
            case IPointerTypeSymbol pointer:
                return Fits(pointer.PointedAtType, ref budget);
            default:
                return true;
        }
    }
}
