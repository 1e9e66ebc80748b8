using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Expressions.Sandbox;

/// <summary>A problem found before compilation, at an offset of the expression text.</summary>
internal sealed record ConditionProblem(string Id, int Offset, string Message, string Hint);

/// <summary>
/// The first gate, on the expression alone: it must parse as exactly one C# expression, with no directives,
/// no escaped identifiers and none of the constructs that make an expression run statements, touch memory
/// or hide code. Only text that passes is pasted into the generated source, so an expression can never
/// close the method and open members of its own (<c>true); } static void X() { ... } //</c>).
/// </summary>
internal static class ConditionSyntaxGate
{
    /// <summary>Long enough for any honest condition; a bound on what the compiler and the sandbox walk.</summary>
    public const int MaxLength = 4000;

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.None, SourceCodeKind.Regular);

    // Namespaces whose types are never available. The semantic check refuses these too; naming them here also
    // catches types from assemblies the compilation does not reference (System.Net.Http.HttpClient), which
    // would otherwise surface as a plain "type not found" compile error.
    private static readonly string[] ForbiddenNamespaces =
    [
        "System.IO", "System.Net", "System.Diagnostics", "System.Reflection", "System.Runtime", "System.Threading",
        "System.Security", "System.Text.RegularExpressions", "System.Data", "System.Xml", "System.Web", "System.Linq.Expressions",
        "System.CodeDom", "System.Resources", "System.Buffers", "System.Management", "System.Timers", "System.Media",
        "System.Drawing", "System.ComponentModel", "System.Configuration", "System.Transactions", "System.Console",
        "System.Environment", "System.AppDomain", "System.AppContext", "System.Activator", "System.GC", "System.Type",
        "System.Text.Json", "System.Text.StringBuilder", "System.Net.Http", "System.IntPtr", "System.UIntPtr", "Microsoft", "Internal",
        "OpenEvent.Rules.Expressions",
    ];

    public const string AllowedApiHint =
        "Conditions may use the event view (e.Data, e.Scope, e.At, e.Matches, ...), string, char, Math, numbers, DateTimeOffset/DateTime/TimeSpan/DayOfWeek and LINQ over event data; see docs/conditions.md.";

    // Well-known types from assemblies the compilation does not reference: an unresolved name that is one
    // of these is reported as a forbidden API rather than as a typo.
    private static readonly HashSet<string> ForbiddenSimpleNames = new(StringComparer.Ordinal)
    {
        "Console", "Process", "ProcessStartInfo", "HttpClient", "WebClient", "WebRequest", "Socket", "TcpClient", "Dns", "Regex",
        "Registry", "FileSystemWatcher", "Interaction", "Debugger", "Stopwatch", "Trace", "EventLog", "XmlDocument", "JsonDocument", "JsonSerializer",
    };

    public static bool IsForbiddenSimpleName(string name) => ForbiddenSimpleNames.Contains(name);

    public static List<ConditionProblem> Check(string expression, out ExpressionSyntax? parsed)
    {
        try
        {
            return CheckText(expression, out parsed);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Roslyn's parser is not meant for arbitrary text on its own and has thrown on some (a statement
            // followed by a line break); whatever it throws, the author gets a located diagnostic.
            parsed = null;
            return [new(DiagnosticIds.ConditionNotExpression, 0, $"The condition could not be parsed as a C# expression ({ex.GetType().Name}).", NotExpressionHint)];
        }
    }

    private const string NotExpressionHint = "A condition is one boolean expression: no ';', no statements, no braces closing the expression; combine tests with && and ||.";

    /// <summary>
    /// The passes: checks on the text (each one final), the parse and checks on its shape (each one final), then
    /// every forbidden token and node, then the complexity limits.
    /// </summary>
    private static List<ConditionProblem> CheckText(string expression, out ExpressionSyntax? parsed)
    {
        parsed = null;
        if ((OutOfBounds(expression) ?? DirectiveLine(expression) ?? ConditionComplexity.BracketDepthExceeded(expression)) is { } refused)
        {
            return [refused];
        }

        // Trailing white space (the line break a YAML block scalar keeps) is not part of the expression: Roslyn's
        // expression parser throws ArgumentOutOfRangeException on a statement followed by a line break.
        var text = expression.TrimEnd();
        var expr = SyntaxFactory.ParseExpression(text, 0, ParseOptions, consumeFullText: true);
        if ((DirectiveTrivia(expr) ?? NotOneExpression(expr, text)) is { } malformed)
        {
            return [malformed];
        }

        var problems = new List<ConditionProblem>();
        AddEscapedIdentifiers(expr, problems);
        AddForbiddenNodes(expr, problems);
        if (problems.Count == 0 && ConditionComplexity.Check(expr) is { } tooComplex)
        {
            problems.Add(tooComplex);
        }

        parsed = problems.Count == 0 ? expr : null;
        return problems;
    }

    private static ConditionProblem? OutOfBounds(string expression)
    {
        if (string.IsNullOrWhiteSpace(expression))
        {
            return new(DiagnosticIds.ConditionNotExpression, 0, "The condition is empty.", "Write a C# boolean expression, e.g. e.Data.Count(\"tableMapping\") > 50.");
        }

        return expression.Length > MaxLength
            ? new(DiagnosticIds.ConditionTooLong, MaxLength, $"The condition is {expression.Length} characters long; the limit is {MaxLength}.",
                "Split the rule into several policies, or move the logic into a pattern (spec.match).")
            : null;
    }

    /// <summary>
    /// Directives first: `#line` could move every later diagnostic, `#pragma` hide warnings, `#if` hide code. Checked
    /// on the text because the expression parser leaves a directive after the expression out of the node altogether;
    /// a '#' that starts a line can only be a directive in C#.
    /// </summary>
    private static ConditionProblem? DirectiveLine(string expression)
    {
        var lineStart = 0;
        foreach (var line in expression.Split('\n'))
        {
            var trimmed = line.TrimStart();
            if (trimmed.StartsWith('#'))
            {
                return new(DiagnosticIds.ConditionForbiddenConstruct, lineStart + (line.Length - trimmed.Length),
                    "Preprocessor directives (#line, #pragma, #if, ...) are not allowed in a condition.", "Remove the line that starts with '#'.");
            }

            lineStart += line.Length + 1;
        }

        return null;
    }

    /// <summary>A directive the parser kept as trivia (the text check above is the first net).</summary>
    private static ConditionProblem? DirectiveTrivia(ExpressionSyntax expr)
    {
        foreach (var trivia in expr.DescendantTrivia(descendIntoTrivia: true))
        {
            if (trivia.IsDirective || trivia.IsKind(SyntaxKind.DisabledTextTrivia) || trivia.IsKind(SyntaxKind.BadDirectiveTrivia))
            {
                return new(DiagnosticIds.ConditionForbiddenConstruct, trivia.SpanStart, "Preprocessor directives (#line, #pragma, #if, ...) are not allowed in a condition.",
                    "Remove the line that starts with '#'.");
            }
        }

        return null;
    }

    /// <summary>A parse error, or text after the expression.</summary>
    private static ConditionProblem? NotOneExpression(ExpressionSyntax expr, string text)
    {
        // "Unexpected token" (CS1073) spans everything parsed before the token; the error that names the token is more precise.
        var first = expr.GetDiagnostics()
            .Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error)
            .OrderBy(d => d.Id == "CS1073" ? 1 : 0)
            .ThenBy(d => d.Location.SourceSpan.Start)
            .FirstOrDefault();
        if (first is not null)
        {
            return new(DiagnosticIds.ConditionNotExpression, first.Location.SourceSpan.Start,
                $"The condition is not a single C# expression: {first.GetMessage(System.Globalization.CultureInfo.InvariantCulture)} ({first.Id}).",
                NotExpressionHint);
        }

        return expr.FullSpan.Length != text.Length
            ? new(DiagnosticIds.ConditionNotExpression, expr.FullSpan.End, "The condition is not a single C# expression: text follows the expression.", NotExpressionHint)
            : null;
    }

    private static void AddEscapedIdentifiers(ExpressionSyntax expr, List<ConditionProblem> problems)
    {
        foreach (var token in expr.DescendantTokens(descendIntoTrivia: true))
        {
            if (token.IsKind(SyntaxKind.IdentifierToken) && token.Text.Contains('\\', StringComparison.Ordinal))
            {
                problems.Add(new(DiagnosticIds.ConditionForbiddenConstruct, token.SpanStart, $"Unicode escapes in identifiers ('{token.Text}') are not allowed in a condition.",
                    $"Write the name plainly: {token.ValueText}."));
            }
        }
    }

    private static void AddForbiddenNodes(ExpressionSyntax expr, List<ConditionProblem> problems)
    {
        // nameof(...) only produces a string; what it names is never evaluated.
        foreach (var node in expr.DescendantNodesAndSelf(n => n is not InvocationExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "nameof" } }))
        {
            var construct = ForbiddenConstruct(node);
            if (construct is not null)
            {
                problems.Add(new(DiagnosticIds.ConditionForbiddenConstruct, node.SpanStart, construct.Value.Message, construct.Value.Hint));
                continue;
            }

            var ns = ForbiddenNamespace(node);
            if (ns is not null)
            {
                problems.Add(new(DiagnosticIds.ConditionForbiddenApi, node.SpanStart, $"'{ns}' is not available in conditions.", AllowedApiHint));
            }
        }
    }

    private static (string Message, string Hint)? ForbiddenConstruct(SyntaxNode node)
    {
        const string noSideEffects = "A condition only reads the event: compute values inline, e.g. with LINQ (Select, Where, Count).";
        switch (node)
        {
            case LambdaExpressionSyntax { Block: not null }:
                return ("Lambdas with a block body ({ ... }) are not allowed; only expression lambdas (x => ...).", "Write the lambda as x => expression.");
            case LambdaExpressionSyntax lambda when lambda.AsyncKeyword.IsKind(SyntaxKind.AsyncKeyword):
                return ("async lambdas are not allowed in a condition.", "Conditions are synchronous; remove 'async'.");
            case AnonymousMethodExpressionSyntax:
                return ("Anonymous methods (delegate { ... }) are not allowed in a condition.", "Use an expression lambda (x => ...) inside a LINQ call.");
            case ThrowExpressionSyntax:
                return ("throw is not allowed in a condition.", "A condition is true or false; for a value that must be there, use a fallback: e.Data.Str(\"x\", \"\").");
            case AttributeListSyntax:
                return ("Attributes are not allowed in a condition.", "Remove the [ ... ] attribute.");
            case AssignmentExpressionSyntax:
                return ("Assignments are not allowed in a condition.", noSideEffects);
            case PrefixUnaryExpressionSyntax p when p.IsKind(SyntaxKind.PreIncrementExpression) || p.IsKind(SyntaxKind.PreDecrementExpression):
            case PostfixUnaryExpressionSyntax q when q.IsKind(SyntaxKind.PostIncrementExpression) || q.IsKind(SyntaxKind.PostDecrementExpression):
                return ("Increment and decrement (++, --) are not allowed in a condition.", noSideEffects);
            case PrefixUnaryExpressionSyntax p when p.IsKind(SyntaxKind.AddressOfExpression) || p.IsKind(SyntaxKind.PointerIndirectionExpression):
            case PointerTypeSyntax or FunctionPointerTypeSyntax:
            case MemberAccessExpressionSyntax m when m.IsKind(SyntaxKind.PointerMemberAccessExpression):
                return ("Pointers are not allowed in a condition.", "Conditions are safe code only.");
            case StackAllocArrayCreationExpressionSyntax or ImplicitStackAllocArrayCreationExpressionSyntax:
                return ("stackalloc is not allowed in a condition.", "Conditions are safe code only.");
            case SizeOfExpressionSyntax:
                return ("sizeof is not allowed in a condition.", "Conditions are safe code only.");
            case MakeRefExpressionSyntax or RefTypeExpressionSyntax or RefValueExpressionSyntax:
                return ("__makeref, __reftype and __refvalue are not allowed in a condition.", "Conditions are safe code only.");
            case LiteralExpressionSyntax l when l.IsKind(SyntaxKind.ArgListExpression):
                return ("__arglist is not allowed in a condition.", "Conditions are safe code only.");
            case AwaitExpressionSyntax:
                return ("await is not allowed in a condition.", "Conditions are synchronous.");
            case ArrayCreationExpressionSyntax { Initializer: null }:
                return ("Arrays with a size (new T[n]) are not allowed in a condition.", "Use an initializer (new[] { a, b }) or LINQ over event data.");
            case RefExpressionSyntax:
                return ("ref expressions are not allowed in a condition.", "Conditions are safe code only.");
            case InterpolationAlignmentClauseSyntax:
                return ("Alignment in an interpolated string ({x,n}) is not allowed: it builds strings of any size.", "Interpolate the value alone: $\"{x}\".");
            default:
                return null;
        }
    }

    /// <summary>The dotted name a chain starts with, when it names a forbidden namespace or type (System.IO.File, global::System.Net.Http).</summary>
    private static string? ForbiddenNamespace(SyntaxNode node)
    {
        // Only the outermost name of a chain is examined, once.
        if (node is not (QualifiedNameSyntax or MemberAccessExpressionSyntax or AliasQualifiedNameSyntax) || node.Parent is QualifiedNameSyntax
            || (node.Parent is MemberAccessExpressionSyntax parentAccess && parentAccess.Expression == node))
        {
            return null;
        }

        var dotted = Dotted(node);
        if (dotted is null)
        {
            return null;
        }

        foreach (var ns in ForbiddenNamespaces)
        {
            if (dotted.Equals(ns, StringComparison.Ordinal) || dotted.StartsWith(ns + ".", StringComparison.Ordinal))
            {
                return dotted;
            }
        }

        return null;
    }

    private static string? Dotted(SyntaxNode node) => node switch
    {
        IdentifierNameSyntax id => id.Identifier.ValueText,
        GenericNameSyntax generic => generic.Identifier.ValueText,
        AliasQualifiedNameSyntax alias => Dotted(alias.Name),
        QualifiedNameSyntax q => Dotted(q.Left) is { } left && Dotted(q.Right) is { } right ? left + "." + right : null,
        MemberAccessExpressionSyntax m when m.IsKind(SyntaxKind.SimpleMemberAccessExpression) =>
            Dotted(m.Expression) is { } left && Dotted(m.Name) is { } right ? left + "." + right : null,
        _ => null,
    };
}
