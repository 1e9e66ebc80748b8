using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Expressions.Sandbox;

/// <summary>
/// Size and nesting limits on the parsed expression, so that compiling it takes bounded time. The C# compiler
/// is exponential in a few shapes that fit easily in 4,000 characters: a lambda passed to an overloaded method
/// is bound once per candidate overload, so lambdas nested in Sum/Min/Max/Average multiply (Sum nested six deep
/// took 104 s); nested interpolated strings double per level; nested anonymous objects grow their types
/// quadratically. Honest conditions stay far below every limit (the documented examples reach a syntax depth of
/// 16, a lambda nesting of 1 and a binding cost of 24).
/// </summary>
internal static class ConditionComplexity
{
    /// <summary>Nesting of syntax nodes; a chain of the same binary operator (a || b || c ...) counts once.</summary>
    public const int MaxSyntaxDepth = 100;

    /// <summary>Lambdas, explicit (x => ...) and implied by query clauses (where, select, let, orderby, ...).</summary>
    public const int MaxLambdas = 32;

    /// <summary>Lambdas inside lambdas.</summary>
    public const int MaxLambdaNesting = 4;

    /// <summary>
    /// An estimate of how many times the compiler binds lambda bodies: every lambda costs the product of the
    /// overload fan-out of itself and of every lambda around it (12 for Min/Max, 11 for Sum/Average, whose
    /// selector overloads all take one argument, 2 elsewhere: inference and the final binding). Sum in Sum in
    /// Sum costs 1,463 and compiles in well under a second; a fourth level costs 16,104 and takes seconds.
    /// </summary>
    public const int MaxBindingCost = 2000;

    /// <summary>Interpolated strings inside the holes of interpolated strings.</summary>
    public const int MaxInterpolationNesting = 3;

    /// <summary>Anonymous objects (new { ... }) in one condition.</summary>
    public const int MaxAnonymousObjects = 32;

    /// <summary>Anonymous objects inside anonymous objects.</summary>
    public const int MaxAnonymousNesting = 4;

    private const string Hint =
        "Simplify the condition: fewer nested lambdas (especially inside Sum, Min, Max and Average), fewer nested interpolated strings or anonymous objects; "
        + "split it into several policies, or move what you can into spec.match. The limits are listed in docs/conditions.md.";

    /// <summary>The first limit <paramref name="expression"/> exceeds, as a problem at the node that exceeds it; null when within every limit.</summary>
    public static ConditionProblem? Check(ExpressionSyntax expression)
    {
        var lambdas = 0;
        var anonymous = 0;
        long bindingCost = 0;

        // Iterative walk: the tree of a 4,000-character expression can be thousands of nodes deep (!!!!...x).
        var stack = new Stack<(SyntaxNode Node, int Depth, int LambdaNesting, long FanOut, int Interpolations, int AnonymousNesting)>();
        stack.Push((expression, 1, 0, 1, 0, 0));
        while (stack.Count > 0)
        {
            var (node, depth, lambdaNesting, fanOut, interpolations, anonymousNesting) = stack.Pop();
            if (depth > MaxSyntaxDepth)
            {
                return Problem(node, $"The condition nests more than {MaxSyntaxDepth} levels deep.");
            }

            if (IsLambda(node))
            {
                lambdas++;
                lambdaNesting++;
                fanOut *= FanOut(node);
                bindingCost += fanOut;
                if (lambdas > MaxLambdas)
                {
                    return Problem(node, $"The condition has more than {MaxLambdas} lambdas (query clauses count as lambdas).");
                }

                if (lambdaNesting > MaxLambdaNesting)
                {
                    return Problem(node, $"The condition nests lambdas more than {MaxLambdaNesting} deep.");
                }

                if (bindingCost > MaxBindingCost)
                {
                    return Problem(node, $"The condition's lambdas are too expensive to compile: nested inside overloaded methods such as Sum, Min, Max or Average they cost {bindingCost:N0} bindings, the limit is {MaxBindingCost:N0}.");
                }
            }

            if (node is InterpolatedStringExpressionSyntax && ++interpolations > MaxInterpolationNesting)
            {
                return Problem(node, $"The condition nests interpolated strings more than {MaxInterpolationNesting} deep.");
            }

            if (node is AnonymousObjectCreationExpressionSyntax)
            {
                if (++anonymous > MaxAnonymousObjects)
                {
                    return Problem(node, $"The condition creates more than {MaxAnonymousObjects} anonymous objects.");
                }

                if (++anonymousNesting > MaxAnonymousNesting)
                {
                    return Problem(node, $"The condition nests anonymous objects more than {MaxAnonymousNesting} deep.");
                }
            }

            // Children in reverse, so that the first problem in reading order is found first.
            var children = node.ChildNodes().ToList();
            for (var i = children.Count - 1; i >= 0; i--)
            {
                var child = children[i];
                var childDepth = IsSameOperatorChain(node, child) ? depth : depth + 1;
                stack.Push((child, childDepth, lambdaNesting, fanOut, interpolations, anonymousNesting));
            }
        }

        return null;
    }

    /// <summary>
    /// A linear scan before parsing: the first bracket ((, [, {) that opens more than <see cref="MaxSyntaxDepth"/>
    /// levels deep, as a problem; null when none does. Brackets inside literals count too, which only matters for
    /// literals with a hundred unclosed brackets.
    /// </summary>
    public static ConditionProblem? BracketDepthExceeded(string text)
    {
        var depth = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(' or '[' or '{':
                    if (++depth > MaxSyntaxDepth)
                    {
                        return new(DiagnosticIds.ConditionTooComplex, i, $"The condition nests more than {MaxSyntaxDepth} levels deep.", Hint);
                    }

                    break;
                case ')' or ']' or '}':
                    depth = Math.Max(0, depth - 1);
                    break;
            }
        }

        return null;
    }

    /// <summary>The left operand of a && b && c is a && b: the compiler binds such chains without recursion.</summary>
    private static bool IsSameOperatorChain(SyntaxNode parent, SyntaxNode child) =>
        parent is BinaryExpressionSyntax binary && child is BinaryExpressionSyntax left && binary.Left == left && left.RawKind == binary.RawKind;

    /// <summary>Explicit lambdas, and the query clauses the compiler turns into lambdas (every clause but the first from).</summary>
    private static bool IsLambda(SyntaxNode node) => node switch
    {
        LambdaExpressionSyntax or AnonymousMethodExpressionSyntax => true,
        FromClauseSyntax from => from.Parent is QueryBodySyntax,
        LetClauseSyntax or WhereClauseSyntax or JoinClauseSyntax or OrderingSyntax or SelectClauseSyntax or GroupClauseSyntax => true,
        _ => false,
    };

    /// <summary>How many times the compiler may bind this lambda's body: once per overload of the method it is passed to.</summary>
    private static int FanOut(SyntaxNode lambda)
    {
        if (lambda is not LambdaExpressionSyntax || lambda.Parent is not ArgumentSyntax { Parent: ArgumentListSyntax { Parent: InvocationExpressionSyntax invocation } })
        {
            return 2;
        }

        var name = invocation.Expression switch
        {
            MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
            SimpleNameSyntax simple => simple.Identifier.ValueText,
            _ => "",
        };
        return name switch
        {
            "Min" or "Max" => 12,
            "Sum" or "Average" => 11,
            _ => 2,
        };
    }

    private static ConditionProblem Problem(SyntaxNode node, string message) =>
        new(DiagnosticIds.ConditionTooComplex, node.SpanStart, message, Hint);
}
