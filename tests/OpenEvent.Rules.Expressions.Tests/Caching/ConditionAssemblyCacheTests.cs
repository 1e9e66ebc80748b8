using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Expressions.Tests.Caching;

public sealed class ConditionAssemblyCacheTests : IDisposable
{
    private readonly TempCache _cache = new();

    public void Dispose() => _cache.Dispose();

    [Fact]
    public void Compile_SameSetTwice_SecondComesFromCache()
    {
        var sources = TestEvents.Sources("e.Data.Count(\"tableMapping\") > 50", "e.Type.StartsWith(\"dataworks:\")");

        var first = _cache.Compiler().Compile(sources);
        var second = new RoslynConditionCompiler(new RoslynConditionCompilerOptions { CacheDirectory = _cache.Path }).Compile(sources);

        Assert.False(first.FromCache);
        Assert.True(second.FromCache);
        Assert.Single(Directory.GetFiles(_cache.Path, "*.oerc"));
        using var set = second.Conditions!;
        Assert.True(set.TryEvaluate(1, TestEvents.Load("di-many-tables.json"), out var value, out _));
        Assert.True(value);
        first.Conditions!.Dispose();
    }

    [Fact]
    public void Compile_ChangedExpression_MissesTheCache()
    {
        _cache.Compiler().Compile(TestEvents.Sources("1 == 1")).Conditions!.Dispose();

        var changed = _cache.Compiler().Compile(TestEvents.Sources("1 == 2"));

        Assert.False(changed.FromCache);
        Assert.Equal(2, Directory.GetFiles(_cache.Path, "*.oerc").Length);
        changed.Conditions!.Dispose();
    }

    [Theory]
    [InlineData("truncate")]
    [InlineData("flip")]
    [InlineData("garbage")]
    [InlineData("empty")]
    public void Compile_CorruptedCacheFile_IsIgnoredAndRewritten(string damage)
    {
        var sources = TestEvents.Sources("e.Data.Long(\"jobId\") == 5777");
        _cache.Compiler().Compile(sources).Conditions!.Dispose();
        var file = Assert.Single(Directory.GetFiles(_cache.Path, "*.oerc"));
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, damage switch
        {
            "truncate" => bytes[..(bytes.Length / 2)],
            "flip" => [.. bytes[..^10], (byte)(bytes[^10] ^ 0xFF), .. bytes[^9..]],
            "garbage" => "MZ this is not an assembly"u8.ToArray(),
            _ => [],
        });

        var again = _cache.Compiler().Compile(sources);

        Assert.False(again.FromCache);
        using var set = again.Conditions!;
        Assert.True(set.TryEvaluate(0, TestEvents.Load("di-many-tables.json"), out var value, out _));
        Assert.True(value);
        Assert.Equal(bytes, File.ReadAllBytes(file));
        Assert.True(_cache.Compiler().Compile(sources).FromCache);
    }

    [Fact]
    public void Compile_CachedImageWithoutGuards_IsNeverLoaded()
    {
        // A runaway condition, emitted without the budget guards (as before they existed) and planted under the
        // current key: the loader must refuse it, recompile, and the recompiled set must stop at its budget.
        var limits = new OpenEvent.Rules.Evaluation.Conditions.ConditionLimits { MaxSteps = 10_000 };
        const string runaway = "e.Type.SelectMany(a => e.Type).SelectMany(a => e.Type).SelectMany(a => e.Type).Count() > 0";
        var compiler = new RoslynConditionCompiler(new RoslynConditionCompilerOptions { CacheDirectory = _cache.Path, Limits = limits });
        compiler.Compile(TestEvents.Sources(runaway)).Conditions!.Dispose();
        var file = Assert.Single(Directory.GetFiles(_cache.Path, "*.oerc"));
        var key = Path.GetFileNameWithoutExtension(file);
        var unguarded = OpenEvent.Rules.Expressions.Generation.ConditionSourceGenerator.Generate([runaway]);
        var tree = Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(unguarded.Text, OpenEvent.Rules.Expressions.Sandbox.ConditionSyntaxGate.ParseOptions);
        var compilation = Microsoft.CodeAnalysis.CSharp.CSharpCompilation.Create("OerConditions_" + key[..16], [tree], ConditionReferences.References,
            new Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions(Microsoft.CodeAnalysis.OutputKind.DynamicallyLinkedLibrary));
        using var image = new MemoryStream();
        Assert.True(compilation.Emit(image).Success);
        Assert.True(new OpenEvent.Rules.Expressions.Caching.ConditionAssemblyCache(_cache.Path).TryWrite(key, image.ToArray()));

        var again = compiler.Compile(TestEvents.Sources(runaway));

        Assert.False(again.FromCache);
        using var set = again.Conditions!;
        Assert.False(set.TryEvaluate(0, TestEvents.Load("di-many-tables.json"), out _, out var error));
        Assert.Equal(OpenEvent.Rules.Evaluation.Conditions.ConditionResource.Steps,
            Assert.IsType<OpenEvent.Rules.Evaluation.Conditions.ConditionBudgetExceededException>(error).Resource);
    }

    [Fact]
    public void Compile_RefusedSet_WritesNothing()
    {
        var result = _cache.Compiler().Compile(TestEvents.Sources("true", "System.IO.File.Exists(\"x\")"));

        Assert.Contains(result.Diagnostics, d => d.Id == DiagnosticIds.ConditionForbiddenApi);
        Assert.Empty(Directory.GetFiles(_cache.Path));
    }

    [Fact]
    public void Compile_RecheckOnCacheHit_RunsTheSandboxAndCompiles()
    {
        var sources = TestEvents.Sources("1 == 1");
        _cache.Compiler().Compile(sources).Conditions!.Dispose();

        var rechecked = _cache.Compiler(recheck: true).Compile(sources);

        Assert.False(rechecked.FromCache);
        Assert.True(rechecked.Success);
        rechecked.Conditions!.Dispose();
    }

    [Fact]
    public void Compile_CacheDisabled_NeverTouchesTheFolder()
    {
        var compiler = new RoslynConditionCompiler(new RoslynConditionCompilerOptions { CacheDirectory = _cache.Path, UseCache = false });

        compiler.Compile(TestEvents.Sources("true")).Conditions!.Dispose();

        Assert.Null(compiler.CacheDirectory);
        Assert.Empty(Directory.GetFiles(_cache.Path));
    }

    [Fact]
    public void Compile_UnwritableCacheFolder_StillCompiles()
    {
        var blocked = Path.Combine(_cache.Path, "blocked");
        File.WriteAllText(blocked, "a file where the folder should be");
        var compiler = new RoslynConditionCompiler(new RoslynConditionCompilerOptions { CacheDirectory = blocked });

        var result = compiler.Compile(TestEvents.Sources("true"));

        Assert.True(result.Success);
        result.Conditions!.Dispose();
    }
}
