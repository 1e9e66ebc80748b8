using OpenEvent.Rules.Cli.Commands;
using OpenEvent.Rules.Compilation.Conditions;
using OpenEvent.Rules.Expressions;
using OpenEvent.Rules.FileSystem;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Sources;

namespace OpenEvent.Rules.Cli.Tests.Commands;

/// <summary>
/// Issue 17: a load compiles the C# conditions once. The loader only parses and validates; `oer validate` (and
/// `oer test` on an invalid set) get the conditions' diagnostics from one compile, commands that run the set
/// (dry-run, explain, impact) from the compile that builds it. Faults of the compiler are OER1018, not exceptions.
/// </summary>
public sealed class PolicyLoadingTests : IDisposable
{
    private const string Condition = """
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: NAME }
        spec:
          match: { type: ["dataworks:FileChange:RunFile"] }
          condition: CONDITION
          actions: [ { warn: { reason: x } } ]
        """;

    private readonly TempFolder _temp = new();

    public PolicyLoadingTests()
    {
        Policies = _temp.Path("policies");
        Directory.CreateDirectory(Policies);
    }

    private string Policies { get; }

    public void Dispose() => _temp.Dispose();

    private Task<PolicyLoadResult> LoadAsync(IConditionCompiler conditions) =>
        FolderHazards.WithinAsync(() => PolicyLoading.LoadAsync([Policies], conditions, CancellationToken.None));

    private void WritePolicy(string file, string name, string condition) =>
        File.WriteAllText(Path.Combine(Policies, file), Condition.Replace("NAME", name).Replace("CONDITION", condition));

    [Fact]
    public async Task Validate_ValidSet_ConditionsCompiledOnce()
    {
        WritePolicy("a.yaml", "a", "e.Type.Length > 0");
        WritePolicy("b.yaml", "b", "e.Type.Length > 1");
        var counting = new CountingConditionCompiler(new RoslynConditionCompiler());

        var result = await LoadAsync(counting);

        Assert.False(result.HasErrors, string.Join(Environment.NewLine, result.Diagnostics));
        Assert.Equal(1, counting.Calls);
        Assert.Equal(2, counting.Conditions);
    }

    [Fact]
    public async Task Validate_ConditionErrorBesideOtherErrors_OneCompileEveryErrorLocatedInFileOrder()
    {
        // A duplicate policy name (OER3001) and a condition that is not boolean, in a disabled policy: both reported,
        // from one compile, with the condition's error at its own line and column.
        WritePolicy("a.yaml", "same", "e.Type.Length > 0");
        File.WriteAllText(Path.Combine(Policies, "b.yaml"), """
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: same }
            spec:
              mode: disabled
              match: { type: ["dataworks:FileChange:RunFile"] }
              condition: e.Type.Length
              actions: [ { warn: { reason: x } } ]
            """);
        var counting = new CountingConditionCompiler(new RoslynConditionCompiler());

        var result = await LoadAsync(counting);

        Assert.Equal(1, counting.Calls);
        Assert.Equal(2, counting.Conditions);
        var errors = result.Diagnostics.Where(d => d.IsError).ToList();
        Assert.Equal([DiagnosticIds.DuplicateName, DiagnosticIds.ConditionNotBoolean], errors.Select(d => d.Id));
        Assert.Equal(new SourceLocation(Path.Join(Policies, "b.yaml"), 7, 14), errors[1].Location);
    }

    [Fact]
    public async Task Load_ConditionCompilerThrows_Oer1018NotAnException()
    {
        File.WriteAllText(Path.Combine(Policies, "p.yaml"), """
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: with-condition }
            spec:
              match: { type: ["dataworks:FileChange:RunFile"] }
              condition: e.Type.Length > 0
              actions: [ { warn: { reason: x } } ]
            """);

        foreach (var fault in new Exception[] { new ArgumentOutOfRangeException("position"), new OutOfMemoryException("Insufficient memory"), new InvalidOperationException("x\ny") })
        {
            var snapshot = await LoadAsync(new ThrowingCompiler(fault));

            var diagnostic = Assert.Single(snapshot.Diagnostics);
            Assert.Equal(DiagnosticIds.LoadFailed, diagnostic.Id);
            Assert.True(diagnostic.IsError);
            Assert.Equal(new SourceLocation(Policies, 0, 0), diagnostic.Location);
            Assert.Equal($"compiling the C# conditions failed unexpectedly: {fault.GetType().Name}: {TextExcerpt.Of(fault.Message, 200)}", diagnostic.Message);
            Assert.DoesNotContain('\n', diagnostic.ToString());
        }
    }

    [Fact]
    public async Task Load_StatementAsConditionWithTheRealCompiler_AnErrorNotAnException()
    {
        File.WriteAllText(Path.Combine(Policies, "loop.yaml"), """
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: loop }
            spec:
              match: { type: ["dataworks:FileChange:RunFile"] }
              condition: |
                while(true) {}
              actions: [ { warn: { reason: x } } ]
            """);

        var snapshot = await LoadAsync(new RoslynConditionCompiler());

        // A statement in a block scalar makes the syntax gate throw; until it refuses statements itself (a located
        // OER2xxx), the exception is reported as an engine fault (OER1018) instead of escaping.
        var error = Assert.Single(snapshot.Diagnostics, d => d.IsError);
        if (error.Id == DiagnosticIds.LoadFailed)
        {
            Assert.Equal(new SourceLocation(Policies, 0, 0), error.Location);
            Assert.StartsWith("compiling the C# conditions failed unexpectedly: ArgumentOutOfRangeException: ", error.Message);
        }
        else
        {
            Assert.StartsWith("OER2", error.Id);
            Assert.Equal(Path.Join(Policies, "loop.yaml"), error.Location.File);
        }
    }

    /// <summary>A condition compiler with a fault: the engine step that fails is injected, the rest of the load is real.</summary>
    private sealed class ThrowingCompiler(Exception fault) : IConditionCompiler
    {
        public ConditionCompilationResult Compile(IReadOnlyList<ConditionSource> conditions, CancellationToken cancellationToken = default) => throw fault;
    }
}
