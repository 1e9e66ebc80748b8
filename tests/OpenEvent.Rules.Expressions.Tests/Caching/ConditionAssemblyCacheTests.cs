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
    public void TryWrite_PastTheMostEntries_TheLeastRecentlyUsedGo_AndOneReadStays()
    {
        // Every set of conditions ever compiled wrote an entry (every playground edit), and none went.
        var cache = new OpenEvent.Rules.Expressions.Caching.ConditionAssemblyCache(_cache.Path);
        var max = OpenEvent.Rules.Expressions.Caching.ConditionAssemblyCache.MaxEntries;
        Assert.True(cache.TryWrite("kept", [1, 2, 3]));
        for (var i = 0; i < max + 10; i++)
        {
            Assert.True(cache.TryWrite($"k{i:D3}", [(byte)i]));
            File.SetLastWriteTimeUtc(cache.PathFor($"k{i:D3}"), new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(i));
            if (i % 8 == 0)
            {
                Assert.NotNull(cache.TryRead("kept")); // in use: read now and then
            }
        }

        var left = Directory.GetFiles(_cache.Path, "*.oerc").Select(Path.GetFileNameWithoutExtension).ToList();
        Assert.InRange(left.Count, max, max + 1); // pruned at each write; the last write may leave one more
        Assert.Contains("kept", left);
        Assert.DoesNotContain("k000", left);
        Assert.Contains($"k{max + 9:D3}", left);
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

    /// <summary>
    /// Someone who can write the cache folder but does not hold this user's key (a shared folder, a CI cache restored
    /// from another job) plants an image under the current key, signed the only way they can: it is never loaded.
    /// </summary>
    [Theory]
    [InlineData("sha256")]
    [InlineData("other key")]
    public void Compile_ImagePlantedWithoutTheKey_IsNeverLoaded(string signature)
    {
        const string honest = "e.Data.Long(\"jobId\") == 5777";
        _cache.Compiler().Compile(TestEvents.Sources(honest)).Conditions!.Dispose();
        var file = Assert.Single(Directory.GetFiles(_cache.Path, "*.oerc"));

        // The planted image: a guarded set whose condition says the opposite, as this build emits it (in a cache of its own).
        using var elsewhere = new TempCache();
        elsewhere.Compiler().Compile(TestEvents.Sources("e.Data.Long(\"jobId\") != 5777")).Conditions!.Dispose();
        var planted = File.ReadAllBytes(Assert.Single(Directory.GetFiles(elsewhere.Path, "*.oerc")))[40..];
        var attackerKey = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var mac = signature == "sha256" ? System.Security.Cryptography.SHA256.HashData(planted) : System.Security.Cryptography.HMACSHA256.HashData(attackerKey, planted);
        File.WriteAllBytes(file, [.. File.ReadAllBytes(file)[..8], .. mac, .. planted]);

        var again = _cache.Compiler().Compile(TestEvents.Sources(honest));

        Assert.False(again.FromCache);
        using var set = again.Conditions!;
        Assert.True(set.TryEvaluate(0, TestEvents.Load("di-many-tables.json"), out var value, out _));
        Assert.True(value);
        Assert.True(_cache.Compiler().Compile(TestEvents.Sources(honest)).FromCache);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Key_MadeOnFirstUseForItsOwnerOnly_ThenReused_AndIgnoredWhenOthersCanReadIt()
    {
        var path = Path.Combine(_cache.Path, "config", "openevent-rules", "condition-cache.key");

        var made = OpenEvent.Rules.Expressions.Caching.ConditionCacheKey.LoadOrCreate(path);
        var again = OpenEvent.Rules.Expressions.Caching.ConditionCacheKey.LoadOrCreate(path);

        Assert.Equal(32, made.Length);
        Assert.Equal(made, again);
        Assert.Equal(made, File.ReadAllBytes(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var loose = OpenEvent.Rules.Expressions.Caching.ConditionCacheKey.LoadOrCreate(path);
        Assert.NotEqual(made, loose);
        Assert.Equal(32, loose.Length);
    }

    /// <summary>
    /// Whoever can write the cache folder may put a FIFO, or a file of gigabytes, where an entry belongs: reading it whole
    /// would hold the load for good. It is a miss (never opened, or read no further than the bound), and it is replaced.
    /// </summary>
    [Theory]
    [InlineData("fifo")]
    [InlineData("huge")]
    public async Task Compile_FifoOrHugeFileInPlaceOfAnEntry_IsAMissNotAHang(string hazard)
    {
        var sources = TestEvents.Sources("e.Data.Long(\"jobId\") == 5777");
        _cache.Compiler().Compile(sources).Conditions!.Dispose();
        var file = Assert.Single(Directory.GetFiles(_cache.Path, "*.oerc"));
        File.Delete(file);
        if (hazard == "fifo")
        {
            OpenEvent.Rules.Tests.Shared.FolderHazards.MakeFifo(file);
        }
        else
        {
            using var stream = File.Create(file);
            stream.SetLength(OpenEvent.Rules.Expressions.Caching.ConditionAssemblyCache.MaxFileBytes + 1);
        }

        // A hang fails the test (TimeoutException) instead of holding the run.
        var again = await Task.Run(() => _cache.Compiler().Compile(sources)).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.False(again.FromCache);
        again.Conditions!.Dispose();
        Assert.True(_cache.Compiler().Compile(sources).FromCache);
    }

    /// <summary>A FIFO where the key belongs is not read (the start would block); the process keeps a key of its own.</summary>
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Key_FifoAtItsPath_NotReadAProcessKeyInstead()
    {
        var path = Path.Combine(_cache.Path, "config", "condition-cache.key");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        OpenEvent.Rules.Tests.Shared.FolderHazards.MakeFifo(path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite); // owner-only, as a real key is

        var key = await Task.Run(() => OpenEvent.Rules.Expressions.Caching.ConditionCacheKey.LoadOrCreate(path)).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(32, key.Length);
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
