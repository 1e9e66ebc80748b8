using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using OpenEvent.Rules.Evaluation.Conditions;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Expressions.Sandbox;

/// <summary>
/// The sandbox proper, on the semantic model of the compiled expression: every symbol and type the
/// expression uses, including implicit ones (user-defined operators and conversions, query-expression
/// methods, lambda delegate types, inferred generic arguments, pattern types), must be on
/// <see cref="ConditionAllowList"/>. The walk is over the operation tree, which binds each method once;
/// asking the semantic model node by node costs several times more (it rebinds lambdas per query) and is
/// only done under operations that failed to bind, to name the forbidden API behind a compile error.
/// One instance checks every condition of a set, so type rules are looked up once per type.
/// Problems carry positions in the generated source.
/// </summary>
internal sealed class ConditionSemanticCheck
{
    private const string AllowedApiHint = ConditionSyntaxGate.AllowedApiHint;

    private static readonly SymbolDisplayFormat Display = SymbolDisplayFormat.CSharpErrorMessageFormat;

    private readonly SemanticModel _model;
    private readonly ConditionBoundsCheck _bounds;
    private readonly Dictionary<ISymbol, TypeRule?> _rules = new(SymbolEqualityComparer.Default);
    private readonly List<(string Id, int Position, string Message, string Hint)> _problems = [];
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);
    private CancellationToken _cancellationToken;

    public ConditionSemanticCheck(SemanticModel model)
    {
        _model = model;
        _bounds = new ConditionBoundsCheck((id, position, key, message, hint) => Report(id, position, key, message, hint));
    }

    /// <summary>Checks one condition expression; returns problems at positions of the generated tree.</summary>
    public List<(string Id, int Position, string Message, string Hint)> Run(ExpressionSyntax expression, CancellationToken cancellationToken)
    {
        _problems.Clear();
        _reported.Clear();
        _cancellationToken = cancellationToken;
        if (_model.GetOperation(expression, cancellationToken) is { } operation)
        {
            WalkOperation(operation);
        }
        else
        {
            WalkSyntax(expression);
        }

        CheckWrittenTypes(expression);
        return [.. _problems];
    }

    /// <summary>
    /// Every type the author writes in a type position (cast, is/as, typeof, default, generic argument,
    /// lambda parameter, declaration, pattern, array or nullable element) is checked as written, whether or
    /// not an operation exposes it: a second net under the operation walk.
    /// </summary>
    private void CheckWrittenTypes(ExpressionSyntax expression)
    {
        foreach (var node in expression.DescendantNodes(n => !IsNameOf(n)))
        {
            if (node is not TypeSyntax type || node.Parent is QualifiedNameSyntax or AliasQualifiedNameSyntax || !IsTypePosition(type))
            {
                continue;
            }

            if (_model.GetTypeInfo(type, _cancellationToken).Type is { } written and not IErrorTypeSymbol)
            {
                CheckType(written, Anchor(type), allowDelegate: true);
            }
        }
    }

    private static bool IsTypePosition(TypeSyntax type) =>
        SyntaxFacts.IsInTypeOnlyContext(type)
        || type.Parent is BinaryExpressionSyntax { RawKind: (int)SyntaxKind.IsExpression or (int)SyntaxKind.AsExpression } binary && binary.Right == type
        || type.Parent is TypeArgumentListSyntax or ArrayTypeSyntax or NullableTypeSyntax or TupleElementSyntax or RefTypeSyntax
            or CastExpressionSyntax or TypeOfExpressionSyntax or DefaultExpressionSyntax or ParameterSyntax or DeclarationExpressionSyntax
            or DeclarationPatternSyntax or TypePatternSyntax or RecursivePatternSyntax or BaseObjectCreationExpressionSyntax or ArrayCreationExpressionSyntax
            or ParenthesizedLambdaExpressionSyntax;

    private void WalkSyntax(SyntaxNode root)
    {
        foreach (var node in root.DescendantNodesAndSelf(n => !IsNameOf(n)))
        {
            if (node is not (SimpleNameSyntax or QualifiedNameSyntax or AliasQualifiedNameSyntax or MemberAccessExpressionSyntax
                or PredefinedTypeSyntax or BaseObjectCreationExpressionSyntax or ElementAccessExpressionSyntax or InvocationExpressionSyntax))
            {
                continue;
            }

            if (IsNameOf(node))
            {
                continue;
            }

            // The receiver of a member access (Environment in Environment.ExitCode) or the type of an object
            // creation is reported with the member or constructor that uses it: once is enough.
            if ((node.Parent is MemberAccessExpressionSyntax access && access.Expression == node)
                || (node.Parent is QualifiedNameSyntax qualified && qualified.Left == node)
                || (node.Parent is BaseObjectCreationExpressionSyntax && node is TypeSyntax))
            {
                continue;
            }

            var info = _model.GetSymbolInfo(node, _cancellationToken);
            if (info.Symbol is { } symbol)
            {
                CheckSymbol(symbol, Anchor(node), syntaxContext: true);
            }
            else
            {
                // Failed overload resolution or an ambiguity: a compile error follows anyway, but naming the
                // forbidden API is the more useful message.
                foreach (var candidate in info.CandidateSymbols)
                {
                    CheckSymbol(candidate, Anchor(node), syntaxContext: true);
                }
            }
        }
    }

    /// <summary>Where to point for a node: the member name of <c>a.b.C(...)</c>, not the start of the chain.</summary>
    private static int Anchor(SyntaxNode node) => node switch
    {
        InvocationExpressionSyntax invocation => Anchor(invocation.Expression),
        MemberAccessExpressionSyntax access => access.Name.SpanStart,
        QualifiedNameSyntax qualified => qualified.Right.SpanStart,
        ElementAccessExpressionSyntax element => element.ArgumentList.SpanStart,
        BinaryExpressionSyntax binary => binary.OperatorToken.SpanStart,
        _ => node.SpanStart,
    };

    private bool IsNameOf(SyntaxNode node) =>
        node is InvocationExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "nameof" } }
        && _model.GetOperation(node, _cancellationToken) is INameOfOperation;

    /// <summary>
    /// Every operation, in tree order: its value's type, then what its kind may use (a call, a member, an operator, a
    /// type test) or may not do at all (assign, go unsafe, go dynamic), then its children.
    /// </summary>
    private void WalkOperation(IOperation operation)
    {
        // nameof yields a constant string; what it names is never evaluated.
        if (operation is INameOfOperation)
        {
            return;
        }

        var position = Anchor(operation.Syntax);
        CheckValueType(operation, position);
        if (operation is IInvalidOperation)
        {
            // Did not bind: the compile error is reported; the syntax says whether a forbidden API was meant.
            WalkSyntax(operation.Syntax);
        }
        else
        {
            _ = CheckCall(operation, position) || CheckMemberReference(operation, position) || CheckStringBuilding(operation)
                || CheckTypeTest(operation, position) || CheckForbiddenConstruct(operation, position);
        }

        if (operation is IPatternOperation pattern)
        {
            CheckType(pattern.NarrowedType, position, allowDelegate: false);
        }

        foreach (var child in operation.ChildOperations)
        {
            WalkOperation(child);
        }
    }

    /// <summary>Methods, constructors and operators a call, a method group or an implicit use of one reaches. True when the operation is one of those.</summary>
    private bool CheckCall(IOperation operation, int position)
    {
        switch (operation)
        {
            case IInvocationOperation { IsImplicit: true, Parent: IObjectOrCollectionInitializerOperation, TargetMethod.Name: "Add" } initializerAdd:
                // A collection initializer (new List<int> { 1, 2 }) fills the object it creates: not a side effect.
                // Add itself is denied (it would let a condition mutate a collection it can see twice).
                CheckType(initializerAdd.TargetMethod.ContainingType, position, allowDelegate: false);
                return true;
            case IInvocationOperation { TargetMethod.MethodKind: MethodKind.DelegateInvoke }:
                Report(DiagnosticIds.ConditionForbiddenConstruct, position, "delegate-invoke",
                    "Invoking a delegate is not allowed in a condition; lambdas may only be passed to LINQ methods.",
                    "Write the computation inline instead of calling a lambda.");
                return true;
            case IInvocationOperation invocation:
                CheckSymbol(invocation.TargetMethod, position, syntaxContext: false);
                CheckConstantArguments(invocation, position);
                _bounds.CheckInvocation(invocation, position);
                return true;
            case IMethodReferenceOperation methodGroup when methodGroup.Parent is IDelegateCreationOperation:
                CheckSymbol(methodGroup.Method, position, syntaxContext: false);
                _bounds.CheckMethodGroup(methodGroup, position);
                return true;
            case IMethodReferenceOperation method:
                CheckSymbol(method.Method, position, syntaxContext: false);
                return true;
            case IObjectCreationOperation creation when creation.Constructor is not null:
                CheckSymbol(creation.Constructor, position, syntaxContext: false);
                return true;
            case IConversionOperation { OperatorMethod: { } conversion }:
                CheckSymbol(conversion, position, syntaxContext: false);
                return true;
            case IBinaryOperation { OperatorMethod: { } binary }:
                CheckSymbol(binary, position, syntaxContext: false);
                return true;
            case IUnaryOperation { OperatorMethod: { } unary }:
                CheckSymbol(unary, position, syntaxContext: false);
                return true;
            case IWithOperation { CloneMethod: { } clone }:
                CheckSymbol(clone, position, syntaxContext: false);
                return true;
            case IRangeOperation { Method: { } range }:
                CheckSymbol(range, position, syntaxContext: false);
                return true;
            case ICollectionExpressionOperation { ConstructMethod: { } construct }:
                CheckSymbol(construct, position, syntaxContext: false);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Properties, fields, events and the members an implicit indexer ([^1], [1..]) reads.</summary>
    private bool CheckMemberReference(IOperation operation, int position)
    {
        switch (operation)
        {
            case IPropertyReferenceOperation property:
                CheckSymbol(property.Property, position, syntaxContext: false);
                return true;
            case IFieldReferenceOperation field:
                CheckSymbol(field.Field, position, syntaxContext: false);
                return true;
            case IEventReferenceOperation ev:
                CheckSymbol(ev.Event, position, syntaxContext: false);
                return true;
            case IImplicitIndexerReferenceOperation indexer:
                CheckSymbol(indexer.IndexerSymbol, position, syntaxContext: false);
                CheckSymbol(indexer.LengthSymbol, position, syntaxContext: false);
                return true;
            default:
                return false;
        }
    }

    /// <summary>String + and interpolation holes: the size of the text they build is bounded.</summary>
    private bool CheckStringBuilding(IOperation operation)
    {
        switch (operation)
        {
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Add, OperatorMethod: null } concatenation when concatenation.Type?.SpecialType == SpecialType.System_String:
                _bounds.CheckConcatenation(concatenation);
                return true;
            case IInterpolationOperation hole:
                _bounds.CheckInterpolation(hole);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Types named by is, typeof, declarations and patterns.</summary>
    private bool CheckTypeTest(IOperation operation, int position)
    {
        switch (operation)
        {
            case IIsTypeOperation isType:
                CheckType(isType.TypeOperand, position, allowDelegate: false);
                return true;
            case IVariableDeclaratorOperation declarator:
                CheckType(declarator.Symbol.Type, position, allowDelegate: false);
                return true;
            case ITypeOfOperation typeOf:
                CheckType(typeOf.TypeOperand, position, allowDelegate: true);
                Report(DiagnosticIds.ConditionForbiddenApi, position, "typeof", "typeof (reflection) is not available in conditions.", AllowedApiHint);
                return true;
            case ITypePatternOperation typePattern:
                CheckType(typePattern.MatchedType, position, allowDelegate: false);
                return true;
            case IDeclarationPatternOperation declaration:
                CheckType(declaration.MatchedType, position, allowDelegate: false);
                return true;
            case IRecursivePatternOperation recursive:
                CheckType(recursive.MatchedType, position, allowDelegate: false);
                if (recursive.DeconstructSymbol is { } deconstruct)
                {
                    CheckSymbol(deconstruct, position, syntaxContext: false);
                }

                return true;
            default:
                return false;
        }
    }

    /// <summary>What a condition may not do whatever it names: assign, go unsafe, go dynamic, build a string handler.</summary>
    private bool CheckForbiddenConstruct(IOperation operation, int position)
    {
        switch (operation)
        {
            // new { a = 1 } is modelled as assignments to the anonymous type's properties: not a side effect.
            case IAssignmentOperation { Parent: IAnonymousObjectCreationOperation }:
                return true;
            case IIncrementOrDecrementOperation or IAssignmentOperation:
                Report(DiagnosticIds.ConditionForbiddenConstruct, position, "assignment", "Assignments are not allowed in a condition.",
                    "A condition only reads the event.");
                return true;
            case ISizeOfOperation or IAddressOfOperation:
                Report(DiagnosticIds.ConditionForbiddenConstruct, position, "unsafe", "Unsafe operations are not allowed in a condition.", "Conditions are safe code only.");
                return true;
            case IDynamicInvocationOperation or IDynamicMemberReferenceOperation or IDynamicObjectCreationOperation or IDynamicIndexerAccessOperation:
                Report(DiagnosticIds.ConditionForbiddenApi, position, "api:dynamic", "'dynamic' is not available in conditions.", AllowedApiHint);
                return true;
            case IInterpolatedStringHandlerCreationOperation:
                Report(DiagnosticIds.ConditionForbiddenApi, position, "handler", "Interpolated string handlers are not available in conditions.", AllowedApiHint);
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// The type of every value. Delegate values exist only as a lambda or method group converted for a
    /// LINQ argument; anything else that yields a delegate (a cast from object, a delegate-typed generic
    /// argument) could be invoked indirectly and is refused.
    /// </summary>
    private void CheckValueType(IOperation operation, int position)
    {
        var type = operation.Type;
        if (type is null)
        {
            return;
        }

        var isLambdaTarget = operation switch
        {
            IDelegateCreationOperation { Target: IAnonymousFunctionOperation or IMethodReferenceOperation } => true,
            IConversionOperation { Operand: IDelegateCreationOperation or IAnonymousFunctionOperation } => true,
            _ => false,
        };
        CheckType(type, position, allowDelegate: isLambdaTarget);
        _bounds.CheckValueSize(type, position);
    }

    private void CheckSymbol(ISymbol symbol, int position, bool syntaxContext)
    {
        switch (symbol)
        {
            case INamespaceSymbol or ILocalSymbol or IParameterSymbol or IRangeVariableSymbol or IDiscardSymbol or ILabelSymbol:
                return;
            case IAliasSymbol alias:
                CheckSymbol(alias.Target, position, syntaxContext);
                return;
            case ITypeSymbol type:
                // In syntax a delegate type may be named (a cast or new Func<...>(lambda)); the operation walk decides about its values.
                CheckType(type, position, allowDelegate: syntaxContext);
                return;
            case IMethodSymbol method:
                method = method.ReducedFrom ?? method;
                if (method.MethodKind is MethodKind.AnonymousFunction or MethodKind.LambdaMethod)
                {
                    return;
                }

                if (method.MethodKind == MethodKind.DelegateInvoke)
                {
                    Report(DiagnosticIds.ConditionForbiddenConstruct, position, "delegate-invoke",
                        "Invoking a delegate is not allowed in a condition; lambdas may only be passed to LINQ methods.",
                        "Write the computation inline instead of calling a lambda.");
                    return;
                }

                foreach (var argument in method.TypeArguments)
                {
                    CheckType(argument, position, allowDelegate: false);
                }

                break;
        }

        if (symbol.ContainingType is { } containing)
        {
            CheckMember(symbol, containing, position);
        }
    }

    /// <summary>A member is allowed when its type is, and the type's rule permits it.</summary>
    private void CheckMember(ISymbol symbol, INamedTypeSymbol containing, int position)
    {
        if (containing.IsAnonymousType || containing.IsTupleType)
        {
            // Their members are their values, Equals and ToString; GetHashCode combines randomized string hashes.
            if (symbol.Name == nameof(GetHashCode))
            {
                ReportForbidden(symbol, position);
                return;
            }

            CheckType(containing, position, allowDelegate: false);
            return;
        }

        if (!IsAllowedType(containing, allowDelegate: true, out _))
        {
            ReportForbidden(symbol, position);
            return;
        }

        var rule = Rule(containing.OriginalDefinition);
        if (rule is null || !rule.Permits(symbol.OriginalDefinition))
        {
            ReportForbidden(symbol, position);
        }
    }

    private void CheckType(ITypeSymbol? type, int position, bool allowDelegate)
    {
        if (type is not null && !IsAllowedType(type, allowDelegate, out var offending))
        {
            ReportForbidden(offending ?? type, position);
        }
    }

    private TypeRule? Rule(INamedTypeSymbol definition)
    {
        if (!_rules.TryGetValue(definition, out var rule))
        {
            rule = ConditionAllowList.Find(definition);
            _rules[definition] = rule;
        }

        return rule;
    }

    private bool IsAllowedType(ITypeSymbol type, bool allowDelegate, out ITypeSymbol? offending)
    {
        offending = null;
        switch (type)
        {
            case IErrorTypeSymbol or ITypeParameterSymbol:
            case { SpecialType: SpecialType.System_Void }:
                return true;
            case IDynamicTypeSymbol or IPointerTypeSymbol or IFunctionPointerTypeSymbol:
                offending = type;
                return false;
            case IArrayTypeSymbol array:
                return IsAllowedType(array.ElementType, allowDelegate: false, out offending);
            case INamedTypeSymbol named:
                if (named.IsAnonymousType)
                {
                    foreach (var property in named.GetMembers().OfType<IPropertySymbol>())
                    {
                        if (!IsAllowedType(property.Type, allowDelegate: false, out offending))
                        {
                            return false;
                        }
                    }

                    return true;
                }

                var rule = Rule(named.OriginalDefinition);
                if (rule is null || (rule.IsDelegate && !allowDelegate))
                {
                    offending = named;
                    return false;
                }

                foreach (var argument in named.TypeArguments)
                {
                    if (!IsAllowedType(argument, allowDelegate: false, out offending))
                    {
                        return false;
                    }
                }

                return true;
            default:
                offending = type;
                return false;
        }
    }

    /// <summary>Constant arguments that can never work are reported at compile time instead of failing every event.</summary>
    private void CheckConstantArguments(IInvocationOperation invocation, int position)
    {
        var method = invocation.TargetMethod;
        if (method.ContainingType?.Name != nameof(ConditionEvent) || method.ContainingType.ContainingNamespace?.ToDisplayString() != ConditionAllowList.ApiNamespace)
        {
            return;
        }

        foreach (var argument in invocation.Arguments)
        {
            if (argument.Value.ConstantValue is not { HasValue: true, Value: string text } || argument.Parameter is null)
            {
                continue;
            }

            var at = argument.Value.Syntax.SpanStart;
            switch (method.Name, argument.Parameter.Name)
            {
                case ("Matches", "pattern"):
                    try
                    {
                        ConditionRegex.Validate(text);
                    }
                    catch (ArgumentException ex)
                    {
                        Report(DiagnosticIds.ConditionInvalidArgument, at, "regex:" + text, $"Invalid regular expression \"{text}\": {ex.Message}",
                            "Fix the pattern (.NET regex syntax).");
                    }

                    break;
                case ("At" or "NowAt", "timeZoneId"):
                    try
                    {
                        _ = ConditionTime.FindZone(text);
                    }
                    catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
                    {
                        Report(DiagnosticIds.ConditionInvalidArgument, at, "zone:" + text, $"Unknown time zone \"{text}\".",
                            "Use an IANA time-zone id such as Asia/Shanghai or UTC.");
                    }

                    break;
                case ("Date", "text"):
                    if (ConditionTime.ParseLenient(text) is null)
                    {
                        Report(DiagnosticIds.ConditionInvalidArgument, at, "date:" + text, $"\"{text}\" is not a date.", "Write dates as yyyy-MM-dd.");
                    }

                    break;
            }
        }

        _ = position;
    }

    private void ReportForbidden(ISymbol symbol, int position)
    {
        var name = ConditionSymbolText.Of(symbol, Display);
        Report(DiagnosticIds.ConditionForbiddenApi, position, "api:" + name, $"'{name}' is not available in conditions.", HintFor(symbol));
    }

    private static string HintFor(ISymbol symbol)
    {
        var type = symbol as ITypeSymbol ?? symbol.ContainingType;
        var typeName = type is INamedTypeSymbol named ? ConditionAllowList.MetadataName(named.OriginalDefinition) : type is null ? "" : ConditionSymbolText.Of(type, SymbolDisplayFormat.CSharpErrorMessageFormat);
        return (typeName, symbol.Name) switch
        {
            ("System.DateTime" or "System.DateTimeOffset", "Now" or "UtcNow" or "Today") => "Time comes from the engine's clock: use e.Now, e.NowAt(\"Asia/Shanghai\") or the event's time e.At(\"Asia/Shanghai\").",
            ("System.DateTime" or "System.DateTimeOffset", "ToLocalTime" or "LocalDateTime") => "The machine's time zone is not a policy input: use e.At(instant, \"Asia/Shanghai\").",
            ("System.Linq.Enumerable", _) => "Sequences come from the event (e.Data.Arr(\"path\")); Range, Repeat and Sequence are not available.",
            ("System.Object", "GetType") => "Reflection is not available in conditions; compare values, not types.",
            ("System.String", "PadLeft" or "PadRight" or "Format") or ("System.String", ".ctor") => "Building strings of arbitrary size is not available in conditions; use string interpolation ($\"{x}\") or +.",
            _ when typeName.StartsWith("System.Text.RegularExpressions", StringComparison.Ordinal) => "Use e.Matches(input, pattern): it caches the pattern and bounds the match time.",
            _ when type is INamedTypeSymbol { TypeKind: TypeKind.Delegate } => "Lambdas may only be passed to LINQ methods; delegate values cannot be stored, cast or invoked.",
            _ => AllowedApiHint,
        };
    }

    private void Report(string id, int position, string dedupeKey, string message, string hint)
    {
        // One problem per symbol, and one per position: a forbidden member also has a forbidden type, and
        // reporting both at the same place only repeats the news.
        if (_reported.Add(id + "|" + dedupeKey) && _reported.Add("@" + position.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            _problems.Add((id, position, message, hint));
        }
    }
}
