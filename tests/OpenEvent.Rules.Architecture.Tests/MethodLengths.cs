using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace OpenEvent.Rules.Architecture.Tests;

/// <summary>A unit of code longer than the limit: where it starts, what it is, and how many lines it spans.</summary>
internal sealed record LongMethod(string File, int Line, string Name, int Lines)
{
    public override string ToString() => $"{File}:{Line} {Name}: {Lines} lines";
}

/// <summary>
/// Issue #17's "no method over ~60 lines": the one definition of a method's length. Measured are methods, constructors,
/// destructors, operators and conversions, local functions, accessors, and properties and indexers written with
/// <c>=&gt;</c> (their body is an expression, not accessors); a lambda counts towards the member it is written in. A
/// unit's length is its lines from the declaration (attributes included, the comments above it not) through its
/// closing brace or semicolon: a nested local function counts both in its own length and in its container's.
/// </summary>
internal static class MethodLengths
{
    public const int Limit = 60;

    public static IEnumerable<LongMethod> Over(int limit, string source, string displayPath)
    {
        var tree = CSharpSyntaxTree.ParseText(source, path: displayPath);
        foreach (var node in tree.GetRoot().DescendantNodes())
        {
            if (NameOf(node) is not { } name)
            {
                continue;
            }

            var span = node.GetLocation().GetLineSpan();
            var lines = span.EndLinePosition.Line - span.StartLinePosition.Line + 1;
            if (lines > limit)
            {
                yield return new LongMethod(displayPath, span.StartLinePosition.Line + 1, name, lines);
            }
        }
    }

    /// <summary>"Type.Member" for a measured unit (with what kind of unit it is when not a method), null for any other node.</summary>
    private static string? NameOf(SyntaxNode node)
    {
        var member = node switch
        {
            MethodDeclarationSyntax method => method.Identifier.Text,
            ConstructorDeclarationSyntax constructor => constructor.Identifier.Text + " (constructor)",
            DestructorDeclarationSyntax destructor => "~" + destructor.Identifier.Text,
            OperatorDeclarationSyntax op => "operator " + op.OperatorToken.Text,
            ConversionOperatorDeclarationSyntax conversion => $"{conversion.ImplicitOrExplicitKeyword.Text} operator {conversion.Type}",
            LocalFunctionStatementSyntax local => local.Identifier.Text + " (local function)",
            AccessorDeclarationSyntax accessor => $"{PropertyName(accessor.Parent?.Parent)} {accessor.Keyword.Text} (accessor)",
            PropertyDeclarationSyntax { ExpressionBody: not null } property => property.Identifier.Text + " (property)",
            IndexerDeclarationSyntax { ExpressionBody: not null } => "this[] (indexer)",
            _ => null,
        };
        if (member is null)
        {
            return null;
        }

        var type = node.Ancestors().OfType<BaseTypeDeclarationSyntax>().FirstOrDefault();
        return type is null ? member : $"{type.Identifier.Text}.{member}";
    }

    private static string PropertyName(SyntaxNode? declaration) => declaration switch
    {
        PropertyDeclarationSyntax property => property.Identifier.Text,
        EventDeclarationSyntax @event => @event.Identifier.Text,
        IndexerDeclarationSyntax => "this[]",
        _ => "?",
    };
}
