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

    /// <summary>
    /// Values that pair others into one type: tuples, anonymous objects, the pairing LINQ operators (Zip, ToDictionary,
    /// ToLookup, GroupBy, Join, GroupJoin, AggregateBy) and the query clauses that become them (let, join, group). Each
    /// can hold the one before it twice (<c>(a, a) is var b</c>, <c>Select(x => (x, x))</c>), so the type doubles at
    /// every step while the text grows by a few characters, and the compiler walks such types without sharing their
    /// parts: 23 steps kept it busy for minutes, past any timeout, and the compile cannot be interrupted.
    /// </summary>
    public const int MaxPairings = 16;

    private static readonly HashSet<string> s_pairingMethods =
        new(["Zip", "ToDictionary", "ToLookup", "GroupBy", "Join", "GroupJoin", "AggregateBy"], StringComparer.Ordinal);

    private const string Hint =
        "Simplify the condition: fewer nested lambdas (especially inside Sum, Min, Max and Average), fewer nested interpolated strings or anonymous objects; "
        + "split it into several policies, or move what you can into spec.match. The limits are listed in docs/conditions.md.";

    /// <summary>The first limit <paramref name="expression"/> exceeds, as a problem at the node that exceeds it; null when within every limit.</summary>
    public static ConditionProblem? Check(ExpressionSyntax expression)
    {
        var totals = new Totals();

        // Iterative walk: the tree of a 4,000-character expression can be thousands of nodes deep (!!!!...x).
        var stack = new Stack<Frame>();
        stack.Push(new(expression, Depth: 1, LambdaNesting: 0, FanOut: 1, Interpolations: 0, AnonymousNesting: 0));
        while (stack.Count > 0)
        {
            var frame = stack.Pop();
            if (Exceeded(ref frame, ref totals) is { } problem)
            {
                return problem;
            }

            // Children in reverse, so that the first problem in reading order is found first.
            var children = frame.Node.ChildNodes().ToList();
            for (var i = children.Count - 1; i >= 0; i--)
            {
                var child = children[i];
                var childDepth = IsSameOperatorChain(frame.Node, child) ? frame.Depth : frame.Depth + 1;
                stack.Push(frame with { Node = child, Depth = childDepth });
            }
        }

        return null;
    }

    /// <summary>Counts <paramref name="frame"/>'s node into the frame (what its children inherit) and the totals; the first limit it exceeds.</summary>
    private static ConditionProblem? Exceeded(ref Frame frame, ref Totals totals)
    {
        var node = frame.Node;
        if (frame.Depth > MaxSyntaxDepth)
        {
            return Problem(node, $"The condition nests more than {MaxSyntaxDepth} levels deep.");
        }

        if (IsLambda(node) && LambdaExceeded(ref frame, ref totals) is { } lambda)
        {
            return lambda;
        }

        if (node is InterpolatedStringExpressionSyntax && ++frame.Interpolations > MaxInterpolationNesting)
        {
            return Problem(node, $"The condition nests interpolated strings more than {MaxInterpolationNesting} deep.");
        }

        if (IsPairing(node) && ++totals.Pairings > MaxPairings)
        {
            return Problem(node, $"The condition builds more than {MaxPairings} tuples, anonymous objects and pairs (Zip, ToDictionary, GroupBy, Join, let): each can hold the ones before it twice, and the compiler's time doubles with every level.");
        }

        if (node is AnonymousObjectCreationExpressionSyntax)
        {
            if (++totals.Anonymous > MaxAnonymousObjects)
            {
                return Problem(node, $"The condition creates more than {MaxAnonymousObjects} anonymous objects.");
            }

            if (++frame.AnonymousNesting > MaxAnonymousNesting)
            {
                return Problem(node, $"The condition nests anonymous objects more than {MaxAnonymousNesting} deep.");
            }
        }

        return null;
    }

    private static ConditionProblem? LambdaExceeded(ref Frame frame, ref Totals totals)
    {
        var node = frame.Node;
        totals.Lambdas++;
        frame.LambdaNesting++;
        frame.FanOut *= FanOut(node);
        totals.BindingCost += frame.FanOut;
        if (totals.Lambdas > MaxLambdas)
        {
            return Problem(node, $"The condition has more than {MaxLambdas} lambdas (query clauses count as lambdas).");
        }

        if (frame.LambdaNesting > MaxLambdaNesting)
        {
            return Problem(node, $"The condition nests lambdas more than {MaxLambdaNesting} deep.");
        }

        return totals.BindingCost > MaxBindingCost
            ? Problem(node, $"The condition's lambdas are too expensive to compile: nested inside overloaded methods such as Sum, Min, Max or Average they cost {totals.BindingCost:N0} bindings, the limit is {MaxBindingCost:N0}.")
            : null;
    }

    /// <summary>A node to visit and what it inherits from the nodes around it.</summary>
    private record struct Frame(SyntaxNode Node, int Depth, int LambdaNesting, long FanOut, int Interpolations, int AnonymousNesting);

    /// <summary>What the whole expression has used so far.</summary>
    private struct Totals
    {
        public int Lambdas;
        public int Anonymous;
        public int Pairings;
        public long BindingCost;
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

    private static bool IsPairing(SyntaxNode node) => node switch
    {
        TupleExpressionSyntax or AnonymousObjectCreationExpressionSyntax or LetClauseSyntax or JoinClauseSyntax or GroupClauseSyntax => true,
        // ValueTuple.Create(a, b) pairs like (a, b).
        InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Create", Expression: var receiver } } =>
            receiver.ToString().EndsWith("ValueTuple", StringComparison.Ordinal),
        InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: var member } } => s_pairingMethods.Contains(member),
        InvocationExpressionSyntax { Expression: SimpleNameSyntax { Identifier.ValueText: var name } } => s_pairingMethods.Contains(name),
        _ => false,
    };

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
        // A lambda in parentheses, a cast or a conditional is still bound once per overload of the method it reaches.
        var argument = lambda.Parent;
        while (argument is ParenthesizedExpressionSyntax or CastExpressionSyntax or ConditionalExpressionSyntax)
        {
            argument = argument.Parent;
        }

        if (lambda is not LambdaExpressionSyntax || argument is not ArgumentSyntax { Parent: ArgumentListSyntax { Parent: InvocationExpressionSyntax invocation } })
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
