using OpenEvent.Rules.Compilation.Conditions;
using OpenEvent.Rules.Expressions.Sandbox;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Expressions.Tests;

/// <summary>
/// Statements and arbitrary garbage used as a condition: always a located diagnostic, never an exception. A YAML
/// block scalar (<c>|</c>, <c>&gt;</c>) keeps the final line break, and Roslyn's expression parser used to throw
/// ArgumentOutOfRangeException on a statement followed by that line break; `oer validate` then died with a stack
/// trace and a hot reload took the host down.
/// </summary>
public sealed class MalformedInputTests : IDisposable
{
    private readonly TempCache _cache = new();

    public static TheoryData<string> Statements =>
    [
        "while(true) {}", "{ }", "return true", "for(;;){}", "goto x", "if (true) true", "x: ;", ";", "using (null) {}",
        "lock (e) {}", "do {} while (true)", "foreach (var x in e.Type) {}", "switch (1) { }", "try { } finally { }",
        "yield return true", "break", "continue", "var x = 1", "int x", "checked { }", "unsafe { }", "fixed (int* p = null) {}",
        "throw null", "using var x = null", "{ return true; }", "true; false", "class C {}", "namespace N;",
        "#nullable enable\ntrue", "static bool F() => true", "e => true", "}", ")", "\"", "'", "/*", "@", "$\"{", "\"\"\"",
    ];

    public void Dispose() => _cache.Dispose();

    [Theory]
    [MemberData(nameof(Statements))]
    public void Compile_StatementInEveryScalarStyle_IsALocatedDiagnosticNeverAnException(string statement)
    {
        // The four ways a YAML scalar reaches the compiler; block scalars keep their final line break ("clip").
        var at = new SourceLocation("policies/s.yaml", 6, 14);
        var content = new SourceLocation("policies/s.yaml", 7, 5);
        ConditionSource[] sources =
        [
            ConditionSource.Plain("plain", statement, at),
            ConditionSource.Quoted("quoted", statement, at with { Line = 16 }),
            ConditionSource.Block("literal", statement + "\n", at with { Line = 26 }, content with { Line = 27 }, folded: false),
            ConditionSource.Block("folded", statement + "\n", at with { Line = 36 }, content with { Line = 37 }, folded: true),
            ConditionSource.Block("kept", statement + "\n\n\n", at with { Line = 46 }, content with { Line = 47 }, folded: false),
        ];

        var result = _cache.Compiler().Compile(sources);

        Assert.False(result.Success);
        foreach (var line in new[] { 6, 16, 27, 37, 47 })
        {
            var own = result.Diagnostics.Where(d => d.Location.Line >= line && d.Location.Line < line + 5).ToList();
            Assert.NotEmpty(own);
            Assert.All(own, d =>
            {
                Assert.StartsWith("OER20", d.Id, StringComparison.Ordinal);
                Assert.Equal("policies/s.yaml", d.Location.File);
                Assert.False(string.IsNullOrWhiteSpace(d.Hint));
            });
        }
    }

    [Theory]
    [InlineData("while(true) {}\n")]
    [InlineData("{ }\n")]
    [InlineData("return true\n")]
    [InlineData("goto x\n")]
    [InlineData("  { }  \n\n")]
    public void SyntaxGate_StatementWithTrailingLineBreak_IsOer2003AtTheStatement(string text)
    {
        var problems = ConditionSyntaxGate.Check(text, out var parsed);

        Assert.Null(parsed);
        var problem = Assert.Single(problems);
        Assert.Equal(DiagnosticIds.ConditionNotExpression, problem.Id);
        Assert.Equal(text.Length - text.TrimStart().Length, problem.Offset);
    }

    [Fact]
    public void Compile_LiteralBlockStatement_IsLocatedAtItsLineAndColumn()
    {
        var source = ConditionSource.Block("b", "e.Type == \"x\"\n  || while(true) {}\n", new SourceLocation("p.yaml", 6, 14), new SourceLocation("p.yaml", 7, 5), folded: false);

        var diagnostic = Assert.Single(_cache.Compiler().Compile([source]).Diagnostics);

        Assert.Equal("p.yaml:8:10: error OER2003: The condition is not a single C# expression: Invalid expression term 'while' (CS1525).", diagnostic.ToString());
    }

    public static TheoryData<string> Extremes =>
    [
        new string('(', 3999),
        new string('(', 1990) + "true" + new string(')', 1990),
        new string('!', 3990) + "true",
        new string('-', 3990) + "1 > 0",
        new string('[', 1990) + new string(']', 1990),
        string.Concat(Enumerable.Repeat("x => ", 790)) + "true",
        string.Concat(Enumerable.Repeat("$\"{", 1300)),
        string.Concat(Enumerable.Repeat("new { a = ", 390)) + "1" + new string('}', 390) + " != null",
        string.Concat(Enumerable.Repeat("e.Type.Select(x => ", 190)) + "x" + new string(')', 190) + " != null",
        string.Concat(Enumerable.Repeat("1 ? ", 990)) + "1",
        string.Concat(Enumerable.Repeat("e switch { _ => ", 230)) + "true" + new string('}', 230),
        string.Concat(Enumerable.Repeat("(1, ", 990)) + "1" + new string(')', 990),
        "e is " + string.Concat(Enumerable.Repeat("{ Data: ", 490)) + "{ }" + new string('}', 490),
        string.Join(" + ", Enumerable.Repeat("\"a\"", 790)) + " == \"\"",
        string.Join(" && ", Enumerable.Repeat("true", 499)),
    ];

    [Theory]
    [MemberData(nameof(Extremes))]
    public void Compile_ExtremeNesting_IsADiagnosticOrASetNeverACrash(string expression)
    {
        // Each within the 4,000 characters; compiled on a thread with a small stack, where the compiler's own
        // recursion would overflow first if it were unguarded.
        ConditionCompilationResult? result = null;
        var thread = new Thread(() => result = _cache.Compiler().Compile(TestEvents.Sources(expression)), 512 * 1024);
        thread.Start();

        Assert.True(thread.Join(TimeSpan.FromSeconds(60)));
        Assert.NotNull(result);
        Assert.True(result.Success || result.Diagnostics.All(d => d.Id.StartsWith("OER20", StringComparison.Ordinal) && d.Location.File == "policies/test.yaml"),
            string.Join(Environment.NewLine, result.Diagnostics));
        result.Conditions?.Dispose();
    }

    [Fact]
    public void Compile_ThousandsOfMalformedStrings_NeverThrow()
    {
        // Deterministic garbage: fragments of C# glued at random, cut at random, with stray line breaks and
        // characters YAML can carry. Every string goes through the gate alone, and all of them through one compile.
        var random = new Random(20240712);
        string[] fragments =
        [
            "e", ".", "Type", "Data", "(", ")", "{", "}", "[", "]", "=>", "x", "\"", "'", "$\"", "@\"", "\"\"\"", "{", "}", ";", ",", ":", "?",
            "??", "!", "&&", "||", "==", "+", "-", "*", "/", "%", "<", ">", "<<", ">>>", "is", "not", "and", "or", "switch", "with", "new",
            "while", "for", "if", "else", "return", "goto", "throw", "using", "lock", "var", "int", "string", "class", "delegate", "async",
            "await", "default", "typeof", "nameof", "sizeof", "stackalloc", "checked", "unsafe", "fixed", "#", "#line", "//", "/*", "*/",
            "\n", "\r\n", "\t", " ", "\\u0065", "\u00a0", "\u2028", "\ud800", "\0", "1", "0x", "1e", "1_", "..", "^", "::", "global",
            "Sum", "Select", "x => ", "(a, b) => ", "from", "in", "select", "let", "where", "join", "on", "equals", "group", "by", "into",
        ];
        var texts = new List<string>();
        for (var i = 0; i < 3000; i++)
        {
            var count = random.Next(1, 14);
            var text = string.Concat(Enumerable.Range(0, count).Select(_ => fragments[random.Next(fragments.Length)] + (random.Next(3) == 0 ? " " : "")));
            texts.Add(random.Next(4) == 0 ? text + "\n" : text);
        }

        foreach (var text in texts)
        {
            var problems = ConditionSyntaxGate.Check(text, out var parsed);
            Assert.True(problems.Count > 0 || parsed is not null, text);
        }

        var sources = texts.Take(600).Select((t, i) => i % 2 == 0
            ? ConditionSource.Plain("c" + i, t, new SourceLocation("g.yaml", i + 1, 3))
            : ConditionSource.Block("c" + i, t, new SourceLocation("g.yaml", i + 1, 3), new SourceLocation("g.yaml", i + 2, 5), folded: i % 4 == 1)).ToList();
        var result = _cache.Compiler().Compile(sources);
        Assert.All(result.Diagnostics, d => Assert.Equal("g.yaml", d.Location.File));
    }
}
