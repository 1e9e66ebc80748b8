using OpenEvent.Rules.Compilation.Conditions;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Expressions.Tests;

public sealed class RoslynConditionCompilerTests : IDisposable
{
    private readonly TempCache _cache = new();

    public void Dispose() => _cache.Dispose();

    [Fact]
    public void Compile_Arithmetic_EvaluatesTrueAndFalse()
    {
        var result = _cache.Compiler().Compile(TestEvents.Sources("1 + 1 == 2", "1 + 1 == 3"));

        Assert.Empty(result.Diagnostics);
        using var set = result.Conditions!;
        Assert.True(set.TryEvaluate(0, TestEvents.Empty(), out var first, out var error0));
        Assert.True(first);
        Assert.Null(error0);
        Assert.True(set.TryEvaluate(1, TestEvents.Empty(), out var second, out _));
        Assert.False(second);
    }

    [Fact]
    public void Compile_NoConditions_ReturnsEmptySet()
    {
        var result = _cache.Compiler().Compile([]);

        Assert.True(result.Success);
        Assert.Equal(0, result.Conditions!.Count);
    }

    [Fact]
    public void Compile_DuplicateKeys_Throws()
    {
        var sources = new[] { ConditionSource.Plain("p", "true", SourceLocation.None), ConditionSource.Plain("p", "false", SourceLocation.None) };

        var ex = Assert.Throws<ArgumentException>(() => _cache.Compiler().Compile(sources));
        Assert.StartsWith("Condition key 'p' appears more than once.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_Keys_AreIndexedInInputOrder()
    {
        var sources = new[]
        {
            ConditionSource.Plain("policy-a", "true", SourceLocation.None),
            ConditionSource.Plain("policy-b", "false", SourceLocation.None),
        };

        using var set = _cache.Compiler().Compile(sources).Conditions!;
        Assert.Equal(["policy-a", "policy-b"], set.Keys);
        Assert.Equal(1, set.IndexOf("policy-b"));
        Assert.Equal(-1, set.IndexOf("nope"));
    }

    [Fact]
    public void Compile_ManyBadConditions_ReportsEveryOneInOneRun()
    {
        var result = _cache.Compiler().Compile(TestEvents.Sources("true", "foo > 1", "1 + 1", "System.IO.File.Exists(\"x\")", "true;", "e.Data.Nope()"));

        Assert.False(result.Success);
        Assert.Equal(
            [(2, DiagnosticIds.ConditionCompile), (3, DiagnosticIds.ConditionNotBoolean), (4, DiagnosticIds.ConditionForbiddenApi), (5, DiagnosticIds.ConditionNotExpression), (6, DiagnosticIds.ConditionCompile)],
            result.Diagnostics.Select(d => (d.Location.Line, d.Id)));
        Assert.All(result.Diagnostics, d => Assert.Equal("policies/test.yaml", d.Location.File));
        Assert.All(result.Diagnostics, d => Assert.False(string.IsNullOrEmpty(d.Hint)));
    }

    [Fact]
    public void Compile_UnknownName_ReportsMessageAndColumn()
    {
        var result = _cache.Compiler().Compile(TestEvents.Sources("e.Data.Count(\"a\") > limit"));

        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("policies/test.yaml:1:36: error OER2001: The name 'limit' does not exist in the current context (CS0103)", diagnostic.ToString());
    }

    [Fact]
    public void Compile_ForbiddenMember_PointsAtTheMemberName()
    {
        var result = _cache.Compiler().Compile(TestEvents.Sources("true && DateTime.Now.Hour > 18"));

        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("policies/test.yaml:1:33: error OER2002: 'System.DateTime.Now' is not available in conditions.", diagnostic.ToString());
        Assert.Equal("Time comes from the engine's clock: use e.Now, e.NowAt(\"Asia/Shanghai\") or the event's time e.At(\"Asia/Shanghai\").", diagnostic.Hint);
    }

    [Fact]
    public void Compile_QuotedScalar_ColumnsStartAfterTheQuote()
    {
        var source = ConditionSource.Quoted("q", "e.Data.Count(\"a\") > limit", new SourceLocation("p.yaml", 4, 14));

        var diagnostic = Assert.Single(_cache.Compiler().Compile([source]).Diagnostics);
        Assert.Equal(new SourceLocation("p.yaml", 4, 15 + 20), diagnostic.Location);
    }

    [Fact]
    public void Compile_LiteralBlock_MapsLinesAndColumns()
    {
        // spec:
        //   condition: |        <- line 7, the indicator at column 14
        //     e.Data.Has("a")   <- line 8, block indent 5
        //       && nope > 1     <- line 9
        var source = ConditionSource.Block("b", "e.Data.Has(\"a\")\n  && nope > 1\n", new SourceLocation("p.yaml", 7, 14), new SourceLocation("p.yaml", 8, 5), folded: false);

        var diagnostic = Assert.Single(_cache.Compiler().Compile([source]).Diagnostics);
        Assert.Equal(DiagnosticIds.ConditionCompile, diagnostic.Id);
        Assert.Equal(new SourceLocation("p.yaml", 9, 5 + 5), diagnostic.Location);
    }

    [Fact]
    public void Compile_FoldedBlock_PointsAtTheStartAndNamesTheOffset()
    {
        var source = ConditionSource.Block("f", "e.Data.Has(\"a\") && nope > 1", new SourceLocation("p.yaml", 7, 14), new SourceLocation("p.yaml", 8, 5), folded: true);

        var diagnostic = Assert.Single(_cache.Compiler().Compile([source]).Diagnostics);
        Assert.Equal(new SourceLocation("p.yaml", 8, 5), diagnostic.Location);
        Assert.Equal("The name 'nope' does not exist in the current context (CS0103) (at character 20 of the condition)", diagnostic.Message);
    }

    [Theory]
    [InlineData("1 + 1", "The condition is of type 'int', not bool.")]
    [InlineData("e.Data.Str(\"a\")", "The condition is of type 'string', not bool.")]
    [InlineData("e.Data.Has(\"a\") ? (bool?)true : null", "The condition is of type 'bool?', not bool.")]
    public void Compile_NotBoolean_ReportsOer2004Only(string expression, string message)
    {
        var diagnostic = Assert.Single(_cache.Compiler().Compile(TestEvents.Sources(expression)).Diagnostics);

        Assert.Equal(DiagnosticIds.ConditionNotBoolean, diagnostic.Id);
        Assert.Equal(message, diagnostic.Message);
        Assert.Equal(new SourceLocation("policies/test.yaml", 1, 16), diagnostic.Location);
    }

    [Fact]
    public void Compile_EmptyOrTooLong_IsRefused()
    {
        var result = _cache.Compiler().Compile(TestEvents.Sources("   ", "true || " + string.Join(" || ", Enumerable.Repeat("true", 1000))));

        Assert.Equal([DiagnosticIds.ConditionNotExpression, DiagnosticIds.ConditionTooLong], result.Diagnostics.Select(d => d.Id));
        Assert.Equal("The condition is 8004 characters long; the limit is 4000.", result.Diagnostics[1].Message);
    }

    [Theory]
    [InlineData("e.Matches(e.Type, \"(unclosed\")", "Invalid regular expression \"(unclosed\"")]
    [InlineData("e.At(\"Mars/Olympus_Mons\").Hour > 1", "Unknown time zone \"Mars/Olympus_Mons\".")]
    [InlineData("e.Date(\"2024-13-45\") < e.Now", "\"2024-13-45\" is not a date.")]
    public void Compile_InvalidConstantArgument_ReportsOer2007(string expression, string messageStart)
    {
        var diagnostic = Assert.Single(_cache.Compiler().Compile(TestEvents.Sources(expression)).Diagnostics);

        Assert.Equal(DiagnosticIds.ConditionInvalidArgument, diagnostic.Id);
        Assert.StartsWith(messageStart, diagnostic.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nameof(System.IO.File) == \"File\"")]
    [InlineData("new { a = 1, b = \"x\" }.a == 1")]
    [InlineData("(a: 1, b: \"x\").a == 1 && (1, 2).Item2 == 2")]
    [InlineData("e.Data.Count(\"a\") switch { 0 => true, _ => false }")]
    [InlineData("$\"{e.Type}-{e.Data.Count(\"a\")}\" == \"-0\"")]
    [InlineData("true // a trailing comment cannot swallow the closing parenthesis")]
    [InlineData("checked(e.Data.Int(\"a\") + 1) == 1 && unchecked(int.MaxValue + 1) < 0")]
    [InlineData("Math.Max(1, 2) == 2 && char.IsDigit(\"1\"[0]) && \"abc\"[1..] == \"bc\"")]
    [InlineData("new[] { 3, 1, 2 }.Order().ToArray().Length == 3 && new List<int> { 1 }.Count == 1")]
    [InlineData("TimeSpan.FromHours(1) < TimeSpan.FromDays(1) && new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).Year == 2024")]
    [InlineData("string.Join(\",\", \"a\", \"b\", \"c\") == \"a,b,c\" && string.Concat(\"a\", \"b\") == \"ab\"")]
    [InlineData("e.Data.Arr(\"a\").GroupBy(x => x.Str(\"k\")).ToDictionary(g => g.Key, g => g.Count()).Count == 0")]
    [InlineData("\"Abc\".Equals(\"aBC\", StringComparison.OrdinalIgnoreCase) && e.Scope.Workspace.Length == 0")]
    [InlineData("e.Data.Arr(\"a\").Where(new Func<ConditionNode, bool>(x => x.Has(\"b\"))).Count() == 0 && \"a1\".Any(char.IsDigit)")]
    public void Compile_AllowedConstructs_CompileAndRunTrue(string expression)
    {
        var result = _cache.Compiler().Compile(TestEvents.Sources(expression));

        Assert.Empty(result.Diagnostics);
        using var set = result.Conditions!;
        Assert.True(set.TryEvaluate(0, TestEvents.Empty(), out var value, out var error), error?.ToString());
        Assert.True(value);
    }

    [Fact]
    public void TryEvaluate_ThrowingCondition_ReturnsTheErrorInsteadOfThrowing()
    {
        using var set = _cache.Compiler().Compile(TestEvents.Sources("e.Data.Str(\"x\")!.Length > 0", "1 / e.Data.Int(\"zero\") == 0", "true")).Conditions!;
        var e = TestEvents.Parse("""{ "data": { "zero": 0 } }""");

        Assert.False(set.TryEvaluate(0, e, out var r0, out var error0));
        Assert.False(r0);
        Assert.IsType<NullReferenceException>(error0);
        Assert.False(set.TryEvaluate(1, e, out _, out var error1));
        Assert.IsType<DivideByZeroException>(error1);
        Assert.True(set.TryEvaluate(2, e, out var r2, out _));
        Assert.True(r2);
    }

    [Theory]
    [InlineData(ConditionErrorMode.NoMatch, false)]
    [InlineData(ConditionErrorMode.Match, true)]
    public void Evaluate_ThrowingCondition_AppliesTheErrorMode(ConditionErrorMode mode, bool matched)
    {
        using var set = _cache.Compiler().Compile(TestEvents.Sources("e.Data.Str(\"x\")!.Length > 0")).Conditions!;

        var outcome = set.Evaluate(0, TestEvents.Empty(), mode);

        Assert.Equal(matched, outcome.Matched);
        Assert.IsType<NullReferenceException>(outcome.Error);
    }

    [Fact]
    public void TryEvaluate_AfterDispose_ReportsObjectDisposed()
    {
        var set = _cache.Compiler().Compile(TestEvents.Sources("true")).Conditions!;
        set.Dispose();

        Assert.False(set.TryEvaluate(0, TestEvents.Empty(), out _, out var error));
        Assert.IsType<ObjectDisposedException>(error);
    }
}
