#:package Microsoft.CodeAnalysis.CSharp
// Lists the methods (constructors, accessors, operators, local functions) longer than a limit, longest first:
// issue #17's "no method over ~60 lines on the hot path or in the compilers" as a check anyone can run.
//
//   dotnet run tools/long-methods.cs -- 60 engine/OpenEvent.Rules.Expressions engine/OpenEvent.Rules.Host/Ingestion ...
//
// Arguments: the limit in lines (declaration through closing brace, comments above it not counted), then folders or
// .cs files. Exit code 1 when any method is longer, so the command can gate a script.
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

if (args.Length < 2 || !int.TryParse(args[0], out var limit))
{
    Console.Error.WriteLine("usage: dotnet run tools/long-methods.cs -- <max lines> <folder or .cs file>...");
    return 2;
}

var files = args.Skip(1).SelectMany(path => File.Exists(path) ? [path] : Directory.EnumerateFiles(path, "*.cs", SearchOption.AllDirectories))
    .Where(file => !file.Contains("/obj/", StringComparison.Ordinal) && !file.Contains("/bin/", StringComparison.Ordinal));
var longest = new List<(int Lines, string Where)>();
foreach (var file in files)
{
    var tree = CSharpSyntaxTree.ParseText(File.ReadAllText(file), path: file);
    foreach (var node in tree.GetRoot().DescendantNodes())
    {
        var name = node switch
        {
            MethodDeclarationSyntax method => method.Identifier.Text,
            ConstructorDeclarationSyntax constructor => constructor.Identifier.Text + " (constructor)",
            LocalFunctionStatementSyntax local => local.Identifier.Text + " (local function)",
            AccessorDeclarationSyntax accessor => accessor.Keyword.Text + " (accessor)",
            OperatorDeclarationSyntax op => "operator " + op.OperatorToken.Text,
            _ => null,
        };
        if (name is null)
        {
            continue;
        }

        var span = node.GetLocation().GetLineSpan();
        var lines = span.EndLinePosition.Line - span.StartLinePosition.Line + 1;
        if (lines > limit)
        {
            longest.Add((lines, $"{file}:{span.StartLinePosition.Line + 1} {name}"));
        }
    }
}

foreach (var (lines, where) in longest.OrderByDescending(m => m.Lines))
{
    Console.WriteLine($"{lines,5} {where}");
}

return longest.Count == 0 ? 0 : 1;
