using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Expressions.Sandbox;

/// <summary>
/// The part of the sandbox that keeps evaluation bounded where the injected budget checks cannot see: constructs
/// whose cost would hide inside one call of the runtime library. Each refusal is OER2010. Together with the
/// guards (see <c>ConditionGuardInjector</c>) this is what makes every evaluation finite in steps, memory and stack:
/// <list type="bullet">
/// <item>Aggregate is the only operator that feeds a result back into the next call, so it is the only way to build
/// a structure whose depth grows with the data. Its accumulator may not hold <c>object</c> (an anonymous object
/// wrapping the previous one, or a tuple, whose ToString, Equals and GetHashCode recurse through every level
/// without passing a guard); lazy sequences in it are fine, every level of those is guarded.</item>
/// <item>ThenBy must follow OrderBy/ThenBy in one chain: a ThenBy applied to an accumulator adds a level to a
/// comparer chain that sorting walks recursively.</item>
/// <item>Only scalars become text (operands of +, interpolation holes, ToString, string.Concat/Join values): the
/// text of an anonymous object, tuple or collection is built by the runtime, unguarded and of any size.</item>
/// <item>A numeric format (ToString("D999999999"), {x:F99999}) makes a string of the precision's length: formats of
/// numbers must be constants with a precision of at most 99.</item>
/// <item>A method group (a method passed by name) runs inside the runtime without the step a lambda takes: it may
/// only take and return scalars.</item>
/// <item>A value (a tuple, a struct) is at most <see cref="MaxValueBytes"/> bytes: values live on the stack, and a
/// tuple of tuples doubles at every step (<c>(a, a) is var b</c>), so 16 steps from a decimal made a 2 MB value whose
/// first use overflowed the stack, which ends the process; no guard runs in between.</item>
/// </list>
/// </summary>
internal sealed partial class ConditionBoundsCheck
{
    /// <summary>The largest precision of a standard numeric format (F2, D8, N99).</summary>
    public const int MaxFormatPrecision = 99;

    /// <summary>The largest value (a tuple, a struct) a condition may hold: a tuple of 16 decimals.</summary>
    public const int MaxValueBytes = 256;

    private readonly Action<string, int, string, string, string> _report;

    /// <summary>The sizes of value types met so far (the type graph is a DAG: each type is sized once).</summary>
    private readonly Dictionary<ITypeSymbol, long> _sizes = new(SymbolEqualityComparer.Default);

    /// <param name="report">Reports (id, position, dedupe key, message, hint).</param>
    public ConditionBoundsCheck(Action<string, int, string, string, string> report) => _report = report;

    public void CheckInvocation(IInvocationOperation invocation, int position)
    {
        var method = invocation.TargetMethod.ReducedFrom ?? invocation.TargetMethod;
        var container = method.ContainingType;
        if (container is null)
        {
            return;
        }

        if (IsEnumerable(container))
        {
            switch (method.Name)
            {
                case "Aggregate" or "AggregateBy":
                    CheckAccumulator(invocation, method, position);
                    break;
                case "ThenBy" or "ThenByDescending":
                    CheckThenBy(invocation, position);
                    break;
            }
        }

        if (method.Name == "ToString")
        {
            if (invocation.Instance is { } receiver)
            {
                CheckText(receiver);
            }

            CheckFormat(invocation, position);
        }

        if (container.SpecialType == SpecialType.System_String && method.Name is "Concat" or "Join")
        {
            foreach (var type in method.TypeArguments)
            {
                if (!IsTextSafe(type))
                {
                    ReportText(type, position);
                }
            }

            foreach (var argument in invocation.Arguments)
            {
                foreach (var value in TextValues(argument))
                {
                    CheckText(value);
                }
            }
        }
    }

    /// <summary>Refuses a value of a value type larger than <see cref="MaxValueBytes"/>.</summary>
    public void CheckValueSize(ITypeSymbol type, int position)
    {
        if (!type.IsValueType || SizeOf(type, 0) is var size && size <= MaxValueBytes)
        {
            return;
        }

        var bytes = size >= LargeValue ? "more than a megabyte" : $"about {size.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} bytes";
        _report(DiagnosticIds.ConditionUnbounded, position, "value-size",
            $"A value of type '{ConditionSymbolText.Of(type, SymbolDisplayFormat.CSharpErrorMessageFormat)}' takes {bytes}; a condition's values (tuples, structs) are at most {MaxValueBytes} bytes, since they live on the stack.",
            "Keep the parts you compare instead of nesting tuples in tuples, e.g. a.Item1 == b.Item1 && a.Item2 == b.Item2.");
    }

    /// <summary>A size past every limit, where a type is too deep to be worth sizing further.</summary>
    private const long LargeValue = 1L << 20;

    /// <summary>
    /// An estimate of a value's size in bytes, at least what it holds: its fields that the compiler can see, or the value
    /// types among its type arguments (a generic struct holds its arguments: KeyValuePair's fields are private).
    /// </summary>
    private long SizeOf(ITypeSymbol type, int depth)
    {
        if (!type.IsValueType || type is ITypeParameterSymbol)
        {
            return 8;
        }

        if (depth > 64)
        {
            return LargeValue;
        }

        if (_sizes.TryGetValue(type, out var known))
        {
            return known;
        }

        var size = type.SpecialType switch
        {
            SpecialType.System_Boolean or SpecialType.System_Byte or SpecialType.System_SByte => 1L,
            SpecialType.System_Char or SpecialType.System_Int16 or SpecialType.System_UInt16 => 2L,
            SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Single => 4L,
            SpecialType.System_Decimal => 16L,
            _ when type.TypeKind == TypeKind.Enum || type.SpecialType != SpecialType.None => 8L,
            _ => ComposedSize(type, depth),
        };
        _sizes[type] = size;
        return size;
    }

    private long ComposedSize(ITypeSymbol type, int depth)
    {
        if (type is not INamedTypeSymbol named)
        {
            return 8;
        }

        long fields = 0;
        if (!named.IsTupleType)
        {
            foreach (var member in named.GetMembers())
            {
                if (member is IFieldSymbol { IsStatic: false } field)
                {
                    fields = Math.Min(fields + SizeOf(field.Type, depth + 1), LargeValue);
                }
            }
        }

        long arguments = 0;
        foreach (var argument in (named.TupleUnderlyingType ?? named).TypeArguments)
        {
            if (argument.IsValueType)
            {
                arguments = Math.Min(arguments + SizeOf(argument, depth + 1), LargeValue);
            }
        }

        return Math.Max(8, Math.Max(fields, arguments));
    }

    public void CheckMethodGroup(IMethodReferenceOperation methodGroup, int position)
    {
        var method = methodGroup.Method;
        if (!IsTextSafe(method.ReturnType) || method.Parameters.Any(p => !IsTextSafe(p.Type)))
        {
            var name = ConditionSymbolText.Of(method, SymbolDisplayFormat.CSharpErrorMessageFormat);
            _report(DiagnosticIds.ConditionUnbounded, position, "method-group:" + name,
                $"The method group '{name}' works on more than simple values; inside the runtime its work cannot be budgeted.",
                "Write a lambda instead, e.g. x => char.IsDigit(x); method groups may only take and return simple values (numbers, strings, dates).");
        }
    }

    public void CheckConcatenation(IBinaryOperation concatenation)
    {
        CheckText(concatenation.LeftOperand);
        CheckText(concatenation.RightOperand);
    }

    public void CheckInterpolation(IInterpolationOperation hole)
    {
        CheckText(hole.Expression);
        if (hole.FormatString is { ConstantValue: { HasValue: true, Value: string format } } && IsNumber(Unwrap(hole.Expression).Type))
        {
            CheckPrecision(format, hole.FormatString.Syntax.SpanStart);
        }

        if (hole.FormatString is { } dateFormat && IsDateTime(Unwrap(hole.Expression).Type))
        {
            CheckDateFormat(dateFormat.ConstantValue is { HasValue: true, Value: string text } ? text : null, dateFormat.Syntax.SpanStart);
        }
    }

    private static IEnumerable<IOperation> TextValues(IArgumentOperation argument)
    {
        var value = Unwrap(argument.Value);
        switch (value)
        {
            case IArrayCreationOperation { Initializer: { } initializer }:
                return initializer.ElementValues;
            case ICollectionExpressionOperation collection:
                return collection.Elements;
            default:
                // Sequences are iterated (and their element type checked through the type arguments); arrays and
                // separators are what they are.
                return value.Type is IArrayTypeSymbol or INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Collections_Generic_IEnumerable_T } ? [] : [argument.Value];
        }
    }

    private void CheckAccumulator(IInvocationOperation invocation, IMethodSymbol method, int position)
    {
        // Aggregate<TSource>(source, func), Aggregate<TSource, TAccumulate>(source, seed, func[, resultSelector]),
        // AggregateBy<TSource, TKey, TAccumulate>(...): the accumulator is the last type argument but the result's.
        var arguments = method.TypeArguments;
        var accumulator = method.Name == "AggregateBy" || arguments.Length == 1 ? arguments[^1] : arguments[1];
        if (MentionsObject(accumulator, 0))
        {
            _report(DiagnosticIds.ConditionUnbounded, position, "aggregate:" + invocation.Syntax.SpanStart,
                $"The accumulator of {method.Name} is of type '{ConditionSymbolText.Of(accumulator, SymbolDisplayFormat.CSharpErrorMessageFormat)}', which can hold the previous accumulator: each element would nest it one level deeper, without bound.",
                "Give the accumulator a concrete type (a number, a string, a tuple of those, a list of those) instead of object.");
        }
    }

    private void CheckThenBy(IInvocationOperation invocation, int position)
    {
        var source = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0)?.Value;
        if (source is not null && Unwrap(source) is IInvocationOperation { TargetMethod: var previous }
            && IsEnumerable(previous.ContainingType) && previous.Name is "OrderBy" or "OrderByDescending" or "ThenBy" or "ThenByDescending")
        {
            return;
        }

        _report(DiagnosticIds.ConditionUnbounded, position, "thenby:" + invocation.Syntax.SpanStart,
            "ThenBy must follow OrderBy (or ThenBy) in the same chain: applied to a value computed elsewhere, it could chain comparers without bound.",
            "Write the ordering in one chain: x.OrderBy(a => a.Name).ThenBy(a => a.Size).");
    }

    private void CheckFormat(IInvocationOperation invocation, int position)
    {
        var receiverType = invocation.Instance is { } receiver ? Unwrap(receiver).Type : null;
        if (IsDateTime(receiverType))
        {
            CheckDateFormat(invocation);
            return;
        }

        if (!IsNumber(receiverType))
        {
            return;
        }

        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter?.Name != "format" || argument.ArgumentKind == ArgumentKind.DefaultValue)
            {
                continue;
            }

            if (argument.Value.ConstantValue is { HasValue: true, Value: var constant })
            {
                if (constant is string format)
                {
                    CheckPrecision(format, argument.Value.Syntax.SpanStart);
                }
            }
            else
            {
                _report(DiagnosticIds.ConditionUnbounded, argument.Value.Syntax.SpanStart, "format:" + argument.Value.Syntax.SpanStart,
                    "The format of a number must be a constant: a format such as \"D999999999\" builds a string of a billion digits.",
                    "Write the format as a string literal, e.g. n.ToString(\"N2\").");
            }
        }
    }

    /// <summary>A DateTime's "z" formats print the machine's offset and "U" converts through it: its format must be a constant without them.</summary>
    private void CheckDateFormat(IInvocationOperation invocation)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter?.Name == "format" && argument.ArgumentKind != ArgumentKind.DefaultValue)
            {
                CheckDateFormat(argument.Value.ConstantValue is { HasValue: true, Value: var constant } ? constant as string ?? "" : null, argument.Value.Syntax.SpanStart);
            }
        }
    }

    /// <summary>DateTime, or DateTime? (a hole or a conditional access formats the value inside).</summary>
    private static bool IsDateTime(ITypeSymbol? type) =>
        type?.SpecialType == SpecialType.System_DateTime
        || type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable && nullable.TypeArguments[0].SpecialType == SpecialType.System_DateTime;

    /// <param name="format">The constant format; null when it is not a constant.</param>
    private void CheckDateFormat(string? format, int position)
    {
        // "z" prints the machine's offset; the standard format "U" converts to UTC through the machine's zone.
        if (format is not null && !format.Contains('z', StringComparison.Ordinal) && format != "U")
        {
            return;
        }

        _report(DiagnosticIds.ConditionForbiddenApi, position, "zone:" + position,
            "A DateTime's format may not print an offset (\"z\", \"zz\", \"zzz\") and must be a constant: for a DateTime it is the machine's time zone, which is not a policy input.",
            "Format a DateTimeOffset (its own offset), e.g. e.At(\"Asia/Shanghai\").ToString(\"yyyy-MM-dd HH:mm zzz\"), or leave the offset out.");
    }

    private void CheckPrecision(string format, int position)
    {
        var match = StandardFormat().Match(format);
        if (match.Success && (match.Groups[1].Length > 2 || int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > MaxFormatPrecision))
        {
            _report(DiagnosticIds.ConditionUnbounded, position, "precision:" + position,
                $"The numeric format \"{format}\" asks for a precision above {MaxFormatPrecision}: it builds a string of that many digits.",
                $"Use a precision of at most {MaxFormatPrecision}, e.g. \"N2\" or \"D8\".");
        }
    }

    /// <summary>Refuses turning <paramref name="operand"/> into text unless it is a scalar; reported where the operand is.</summary>
    private void CheckText(IOperation operand)
    {
        var type = Unwrap(operand).Type;
        if (type is not null && !IsTextSafe(type))
        {
            ReportText(type, operand.Syntax.SpanStart);
        }
    }

    private void ReportText(ITypeSymbol type, int position)
    {
        var name = ConditionSymbolText.Of(type, SymbolDisplayFormat.CSharpErrorMessageFormat);
        _report(DiagnosticIds.ConditionUnbounded, position, "text:" + position,
            $"A value of type '{name}' cannot be turned into text in a condition: only strings, characters, numbers, booleans, dates, times, enums and event values (ConditionNode) can.",
            "Build the text from the parts you need, e.g. $\"{x.Name}/{x.Size}\" instead of the text of an anonymous object, a tuple or a collection.");
    }

    /// <summary>Types whose text is short or already bounded (event values): what may become text or pass through a method group.</summary>
    private static bool IsTextSafe(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            return IsTextSafe(nullable.TypeArguments[0]);
        }

        if (type.TypeKind == TypeKind.Enum || type is ITypeParameterSymbol || type is IErrorTypeSymbol)
        {
            return true;
        }

        switch (type.SpecialType)
        {
            case SpecialType.System_Boolean or SpecialType.System_Char or SpecialType.System_String or SpecialType.System_Decimal
                or SpecialType.System_SByte or SpecialType.System_Byte or SpecialType.System_Int16 or SpecialType.System_UInt16
                or SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64 or SpecialType.System_UInt64
                or SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_DateTime:
                return true;
        }

        return type is INamedTypeSymbol named && ConditionAllowList.MetadataName(named.OriginalDefinition) is
            "System.DateTimeOffset" or "System.DateOnly" or "System.TimeOnly" or "System.TimeSpan" or "System.Index" or "System.Range"
            or "OpenEvent.Rules.Evaluation.Conditions.ConditionNode";
    }

    private static bool IsNumber(ITypeSymbol? type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }

        return type?.SpecialType is SpecialType.System_SByte or SpecialType.System_Byte or SpecialType.System_Int16 or SpecialType.System_UInt16
            or SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64 or SpecialType.System_UInt64
            or SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Decimal;
    }

    /// <summary>True when <paramref name="type"/> is, or contains, object (or ValueType/Enum): a slot that can hold the value it is part of.</summary>
    private static bool MentionsObject(ITypeSymbol type, int depth)
    {
        if (depth > 32)
        {
            return true;
        }

        switch (type)
        {
            case { SpecialType: SpecialType.System_Object or SpecialType.System_ValueType or SpecialType.System_Enum }:
            case IDynamicTypeSymbol:
                return true;
            case IArrayTypeSymbol array:
                return MentionsObject(array.ElementType, depth + 1);
            case INamedTypeSymbol { IsAnonymousType: true } anonymous:
                return anonymous.GetMembers().OfType<IPropertySymbol>().Any(p => MentionsObject(p.Type, depth + 1));
            case INamedTypeSymbol { TypeKind: TypeKind.Interface } face when face.TypeArguments.Length == 0:
                // A non-generic interface (IComparable, IEnumerable) holds anything.
                return true;
            case INamedTypeSymbol named:
                return named.TypeArguments.Any(t => MentionsObject(t, depth + 1));
            default:
                return false;
        }
    }

    private static bool IsEnumerable(INamedTypeSymbol? type) =>
        type is { Name: "Enumerable", ContainingNamespace: var ns } && ns.ToDisplayString() == "System.Linq";

    private static IOperation Unwrap(IOperation operation)
    {
        while (operation is IConversionOperation { IsImplicit: true } conversion)
        {
            operation = conversion.Operand;
        }

        return operation;
    }

    /// <summary>A standard numeric format: one letter and a precision.</summary>
    [GeneratedRegex(@"^\s*[A-Za-z]\s*(\d+)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex StandardFormat();
}
