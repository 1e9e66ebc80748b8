using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using OpenEvent.Rules.Evaluation.Conditions;
using OpenEvent.Rules.Expressions.Sandbox;

namespace OpenEvent.Rules.Expressions.Generation;

/// <summary>
/// Rewrites a condition that passed the sandbox into the code that is actually emitted: the same expression with
/// calls to <see cref="ConditionGuard"/> wrapped around the places where it can loop, recurse or build text, so that
/// every evaluation stays within its <see cref="ConditionLimits"/> and can never overflow the stack:
/// <list type="bullet">
/// <item>every lambda body (also the implied lambdas of query clauses) becomes <c>(Step() switch { _ =&gt; (body) })</c>,
/// a step taken before the body runs, which keeps the body's type (target typing included);</item>
/// <item>every sequence handed to a method that iterates it (an IEnumerable&lt;T&gt; argument, the receiver of a LINQ
/// call, a lambda that returns a sequence, a spread) goes through <c>Sequence(...)</c>, a step per element. Every
/// lazy iterator a condition builds therefore sits between two guarded enumerators, so the recursion of nested
/// iterators (Reverse of Reverse of ... built by Aggregate) passes a stack check at every level;</item>
/// <item>text about to be concatenated (operands of string +, interpolation holes, string.Concat/Insert arguments)
/// goes through <c>Text(...)</c>/<c>Texts(...)</c>/<c>TextSequence(...)</c>, charged before the result is allocated;
/// string.Join becomes <c>ConditionGuard.Join</c>, its twin, which charges the separators too;</item>
/// <item>the receiver of a string search, split, trim or replacement goes through <c>Hay(...)</c>, so that the call
/// binds to its twin on <see cref="GuardedString"/>, which charges the worst case first;</item>
/// <item>any other string a method reads whole (the receiver of a string method, a string argument, an operand of
/// == and !=) goes through <c>Linear(...)</c>, a step per 256 characters, so that one step cannot hide hundreds
/// of passes over a long string.</item>
/// </list>
/// The plan is made on the operation tree (what each piece of syntax binds to); the rewrite is on the syntax
/// tree. Nothing the author wrote is removed or reordered. The sandbox checks the expression as written; the
/// guard types are only ever named by this rewrite.
/// </summary>
internal sealed class ConditionGuardInjector
{
    private const string Guard = "global::OpenEvent.Rules.Evaluation.Conditions.ConditionGuard";

    private static readonly HashSet<string> GuardedStringMethods = new(StringComparer.Ordinal)
    {
        "Contains", "IndexOf", "LastIndexOf", "IndexOfAny", "LastIndexOfAny", "Trim", "TrimStart", "TrimEnd", "Replace", "Split",
    };

    /// <summary>Methods of List and Dictionary that read every element without a lambda (and so without a step).</summary>
    private static readonly HashSet<string> ScanningMethods = new(StringComparer.Ordinal)
    {
        "Contains", "IndexOf", "LastIndexOf", "ToArray", "GetRange", "Slice", "ContainsValue",
    };

    private readonly SemanticModel _model;
    private readonly INamedTypeSymbol? _guardedString;
    private readonly Dictionary<SyntaxNode, Wrap> _plan = [];

    private ConditionGuardInjector(SemanticModel model)
    {
        _model = model;
        _guardedString = model.Compilation.GetTypeByMetadataName(typeof(GuardedString).FullName!);
    }

    /// <summary>What is wrapped around one node; a node may need a value wrapper and a step.</summary>
    [Flags]
    private enum Wrap
    {
        None = 0,
        Sequence = 1,
        Text = 2,
        Texts = 4,
        Hay = 8,
        Step = 16,
        Linear = 32,
        JoinTwin = 64,
        TextSequence = 128,
    }

    /// <summary>The guarded text of <paramref name="expression"/> (a node of <paramref name="model"/>'s tree).</summary>
    public static string Rewrite(SemanticModel model, ExpressionSyntax expression, CancellationToken cancellationToken)
    {
        var injector = new ConditionGuardInjector(model);
        if (model.GetOperation(expression, cancellationToken) is { } operation)
        {
            injector.Plan(operation, expression);
        }

        return injector._plan.Count == 0 ? expression.ToFullString() : new Rewriter(injector._plan).Visit(expression)!.ToFullString();
    }

    private void Plan(IOperation root, ExpressionSyntax expression)
    {
        var pending = new Stack<IOperation>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var operation = pending.Pop();
            if (operation is INameOfOperation)
            {
                continue; // never evaluated
            }

            PlanOperation(operation);
            foreach (var child in operation.ChildOperations)
            {
                if (expression.FullSpan.Contains(child.Syntax.Span))
                {
                    pending.Push(child);
                }
            }
        }
    }

    /// <summary>The guards one operation needs on its operands (its children are planned on their own).</summary>
    private void PlanOperation(IOperation operation)
    {
        switch (operation)
        {
            case IAnonymousFunctionOperation lambda:
                PlanLambda(lambda);
                break;
            case IArgumentOperation argument:
                PlanArgument(argument);
                break;
            case ISpreadOperation spread:
                Add(spread.Operand, Wrap.Sequence);
                break;
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Add, OperatorMethod: null } binary when IsString(binary.Type):
                PlanConcatOperand(binary.LeftOperand);
                PlanConcatOperand(binary.RightOperand);
                break;
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } comparison
                when IsString(Unwrap(comparison.LeftOperand).Type) && IsString(Unwrap(comparison.RightOperand).Type):
                PlanLinear(comparison.LeftOperand);
                PlanLinear(comparison.RightOperand);
                break;
            case IInterpolationOperation hole:
                PlanText(hole.Expression);
                break;
            case IInvocationOperation invocation:
                PlanInvocation(invocation);
                break;
            case IImplicitIndexerReferenceOperation { Argument.Type: { } index } slice when IsRange(index):
                PlanLinear(slice.Instance);
                break;
            case IArrayElementReferenceOperation element when element.Indices.Any(i => IsRange(i.Type)):
                PlanLinear(element.ArrayReference);
                break;
            case IIsPatternOperation match:
                // A string switch hashes the whole string; a slice pattern ([_, .. var rest]) copies it.
                PlanLinear(match.Value);
                break;
            case ISwitchExpressionOperation switchExpression:
                PlanLinear(switchExpression.Value);
                break;
        }
    }

    private void PlanLambda(IAnonymousFunctionOperation lambda)
    {
        // An expression lambda's body is a block holding one return; the returns of lambdas nested in it are theirs.
        var returnsSequence = IsSequence(lambda.Symbol.ReturnType);
        foreach (var returned in lambda.Body.Operations.OfType<IReturnOperation>())
        {
            if (returned.ReturnedValue is not { } value || returned.ReturnedValue.Syntax is not ExpressionSyntax)
            {
                continue;
            }

            // A lambda that returns a sequence hands it to the method that called it, which iterates it; one that
            // returns a string hands over text the method may compare or hash many times (a sort key).
            var unwrapped = Unwrap(value);
            Add(value, returnsSequence ? Wrap.Step | Wrap.Sequence
                : IsString(unwrapped.Type) && !unwrapped.ConstantValue.HasValue ? Wrap.Step | Wrap.Linear
                : Wrap.Step);
        }
    }

    private void PlanArgument(IArgumentOperation argument)
    {
        if (argument.ArgumentKind == ArgumentKind.ParamArray || argument.Parameter is not { } parameter)
        {
            return;
        }

        // The parameter as declared: a seed of type TAccumulate that happens to be a sequence is not iterated by the method.
        if (IsSequence(parameter.OriginalDefinition.Type))
        {
            Add(argument.Value, Wrap.Sequence);
        }
        else if (IsString(parameter.OriginalDefinition.Type) || parameter.OriginalDefinition.Type is IArrayTypeSymbol)
        {
            // A string or an array the method reads whole (new string(chars), string.Join over an array, int.Parse).
            PlanLinear(argument.Value);
        }
    }

    /// <summary>A string, array or collection a method will read whole: charged by its length unless it is a constant.</summary>
    private void PlanLinear(IOperation operand)
    {
        var value = Unwrap(operand);
        if (!value.ConstantValue.HasValue && (IsString(value.Type) || value.Type is IArrayTypeSymbol || IsCollection(value.Type)))
        {
            Add(value, Wrap.Linear);
        }
    }

    private static bool IsCollection(ITypeSymbol? type) =>
        type is INamedTypeSymbol named && ConditionAllowList.MetadataName(named.OriginalDefinition)
            is "System.Collections.Generic.List`1" or "System.Collections.Generic.HashSet`1" or "System.Collections.Generic.Dictionary`2";

    private void PlanInvocation(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        // HashSet.Contains and the dictionary lookups are constant time: only List and Dictionary scans are charged.
        if (invocation.Instance is { } scanned && ScanningMethods.Contains(method.Name) && method.ContainingType is { } owner
            && ConditionAllowList.MetadataName(owner.OriginalDefinition) is "System.Collections.Generic.List`1" or "System.Collections.Generic.Dictionary`2")
        {
            PlanLinear(scanned);
            return;
        }

        if (method.ContainingType?.SpecialType != SpecialType.System_String)
        {
            return;
        }

        if (invocation.Instance is { } receiver && GuardedStringMethods.Contains(method.Name) && HasGuardedTwin(method))
        {
            Add(receiver, Wrap.Hay);
            return;
        }

        if (invocation.Instance is { } read)
        {
            PlanLinear(read);
        }

        if (method.Name == "Join" && invocation.Syntax is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax } join)
        {
            // Its result is its values and a separator between each two: the twin charges the whole before building it.
            _plan[join] = _plan.GetValueOrDefault(join) | Wrap.JoinTwin;
        }
        else if (method.Name is "Concat" or "Insert")
        {
            PlanBuiltText(invocation);
        }
    }

    /// <summary>string.Concat and Insert: every piece of text they put together is charged.</summary>
    private void PlanBuiltText(IInvocationOperation invocation)
    {
        if (invocation.Instance is { } inserted)
        {
            PlanText(inserted);
        }

        foreach (var argument in invocation.Arguments)
        {
            if (argument.ArgumentKind == ArgumentKind.ParamArray)
            {
                foreach (var element in Elements(argument.Value))
                {
                    PlanText(element);
                }
            }
            else if (argument.Value.Type is IArrayTypeSymbol)
            {
                Add(argument.Value, Wrap.Texts);
            }
            else if (IsSequence(argument.Parameter?.OriginalDefinition.Type))
            {
                Add(argument.Value, Wrap.TextSequence);
            }
            else if (argument.Value is ICollectionExpressionOperation collection)
            {
                foreach (var element in collection.Elements)
                {
                    PlanText(element);
                }
            }
            else
            {
                PlanText(argument.Value);
            }
        }
    }

    private static IEnumerable<IOperation> Elements(IOperation value) => Unwrap(value) switch
    {
        IArrayCreationOperation { Initializer: { } initializer } => initializer.ElementValues,
        ICollectionExpressionOperation collection => collection.Elements,
        _ => [],
    };

    /// <summary>An operand of string +: charged unless it is itself a concatenation (the compiler flattens those into one call), an interpolation or a constant.</summary>
    private void PlanConcatOperand(IOperation operand)
    {
        var value = Unwrap(operand);
        if (value is IBinaryOperation { OperatorKind: BinaryOperatorKind.Add, OperatorMethod: null } inner && IsString(inner.Type))
        {
            return;
        }

        PlanText(value);
    }

    /// <summary>Text about to be concatenated: strings and event nodes are charged; scalars are short, and the sandbox refuses the rest.</summary>
    private void PlanText(IOperation operand)
    {
        var value = Unwrap(operand);
        if (value.ConstantValue.HasValue || value is IInterpolatedStringOperation || value.Type is null)
        {
            return;
        }

        if (IsString(value.Type) || IsConditionNode(value.Type))
        {
            Add(value, Wrap.Text);
        }
        else if (value.Type is IArrayTypeSymbol)
        {
            Add(value, Wrap.Texts);
        }
    }

    /// <summary>True when GuardedString has a method with the same name and parameter types as <paramref name="method"/>.</summary>
    private bool HasGuardedTwin(IMethodSymbol method) =>
        _guardedString is not null && _guardedString.GetMembers(method.Name).OfType<IMethodSymbol>().Any(twin =>
            twin.DeclaredAccessibility == Accessibility.Public && !twin.IsStatic && twin.Parameters.Length == method.Parameters.Length
            && twin.Parameters.Zip(method.Parameters).All(p => SymbolEqualityComparer.Default.Equals(p.First.Type, p.Second.Type) && p.First.Name == p.Second.Name));

    private void Add(IOperation operation, Wrap wrap)
    {
        var value = Unwrap(operation);

        // An implied query call has a clause, not an expression, as its syntax: nothing to wrap there.
        if (value.Syntax is not ExpressionSyntax syntax || IsTypeName(syntax))
        {
            return;
        }

        // A typeless value (null, default, a target-typed new) cannot be handed to a generic guard; a step still fits
        // around it (the switch expression is target-typed too).
        if (value.Type is null)
        {
            wrap &= Wrap.Step;
        }

        if (wrap != Wrap.None)
        {
            _plan[syntax] = _plan.GetValueOrDefault(syntax) | wrap;
        }
    }

    private bool IsTypeName(ExpressionSyntax syntax) => syntax is TypeSyntax && _model.GetSymbolInfo(syntax).Symbol is ITypeSymbol or INamespaceSymbol;

    /// <summary>The value under implicit conversions (boxing to object, string to IEnumerable&lt;char&gt;), which share its syntax.</summary>
    private static IOperation Unwrap(IOperation operation)
    {
        while (operation is IConversionOperation { IsImplicit: true } conversion)
        {
            operation = conversion.Operand;
        }

        return operation;
    }

    private static bool IsSequence(ITypeSymbol? type) =>
        type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Collections_Generic_IEnumerable_T };

    private static bool IsString(ITypeSymbol? type) => type?.SpecialType == SpecialType.System_String;

    private static bool IsRange(ITypeSymbol? type) => type is INamedTypeSymbol { Name: "Range", ContainingNamespace.Name: "System", ContainingNamespace.ContainingNamespace.IsGlobalNamespace: true };

    private static bool IsConditionNode(ITypeSymbol? type) =>
        type is INamedTypeSymbol { Name: nameof(ConditionNode), ContainingNamespace: var ns } && ns.ToDisplayString() == typeof(ConditionNode).Namespace;

    /// <summary>Applies the plan bottom-up, so that a wrapped node's children are already wrapped.</summary>
    private sealed class Rewriter(Dictionary<SyntaxNode, Wrap> plan) : CSharpSyntaxRewriter
    {
        public override SyntaxNode? Visit(SyntaxNode? node)
        {
            var rewritten = base.Visit(node);
            if (node is null || rewritten is not ExpressionSyntax expression || !plan.TryGetValue(node, out var wrap))
            {
                return rewritten;
            }

            var inner = expression.WithoutTrivia();
            if ((wrap & Wrap.JoinTwin) != 0 && inner is InvocationExpressionSyntax join)
            {
                // string.Join(...) → (global::...ConditionGuard.Join(...)): the same arguments, already guarded.
                inner = SyntaxFactory.ParenthesizedExpression(join.WithExpression(SyntaxFactory.ParseExpression(Guard + ".Join")));
            }

            if ((wrap & Wrap.Hay) != 0)
            {
                inner = Call("Hay", inner);
            }
            else if ((wrap & Wrap.Texts) != 0)
            {
                inner = Call("Texts", inner);
            }
            else if ((wrap & Wrap.Text) != 0)
            {
                inner = Call("Text", inner);
            }
            else if ((wrap & Wrap.Linear) != 0)
            {
                inner = Call("Linear", inner);
            }
            else if ((wrap & Wrap.TextSequence) != 0)
            {
                inner = Call("TextSequence", inner);
            }

            if ((wrap & Wrap.Sequence) != 0)
            {
                inner = Call("Sequence", inner);
            }

            if ((wrap & Wrap.Step) != 0)
            {
                // (Step() switch { _ => (body) }): the step runs first and the body keeps its type, target typing included.
                inner = SyntaxFactory.ParenthesizedExpression(SyntaxFactory.SwitchExpression(
                    Call("Step"),
                    SyntaxFactory.SingletonSeparatedList(SyntaxFactory.SwitchExpressionArm(SyntaxFactory.DiscardPattern(), SyntaxFactory.ParenthesizedExpression(inner)))));
            }

            return inner.WithTriviaFrom(expression);
        }

        /// <summary>(global::...ConditionGuard.Method(arguments)): parenthesized, because in an interpolation hole a bare '::' would start a format.</summary>
        private static ExpressionSyntax Call(string method, params ExpressionSyntax[] arguments) =>
            SyntaxFactory.ParenthesizedExpression(SyntaxFactory.InvocationExpression(
                SyntaxFactory.ParseExpression(Guard + "." + method),
                SyntaxFactory.ArgumentList(SyntaxFactory.SeparatedList(arguments.Select(SyntaxFactory.Argument)))));
    }
}
