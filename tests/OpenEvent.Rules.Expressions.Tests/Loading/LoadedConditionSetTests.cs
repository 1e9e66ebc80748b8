using System.Runtime.CompilerServices;
using OpenEvent.Rules.Expressions.Loading;

namespace OpenEvent.Rules.Expressions.Tests.Loading;

public sealed class LoadedConditionSetTests : IDisposable
{
    private readonly TempCache _cache = new();

    public void Dispose() => _cache.Dispose();

    [Fact]
    public void Dispose_UnloadsTheLoadContext()
    {
        var context = CompileEvaluateAndDispose();

        for (var i = 0; i < 20 && context.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.False(context.IsAlive);
    }

    [Fact]
    public void Dispose_Twice_IsHarmless()
    {
        var set = _cache.Compiler().Compile(TestEvents.Sources("true")).Conditions!;

        set.Dispose();
        set.Dispose();
    }

    // Kept out of line so that no local of the caller's frame keeps the set (and so the context) alive.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private WeakReference CompileEvaluateAndDispose()
    {
        var set = (LoadedConditionSet)_cache.Compiler().Compile(TestEvents.Sources("e.Data.Arr(\"tableMapping\").Any(t => t.Str(\"dstTable\") == \"ods_orders_001\")")).Conditions!;
        Assert.True(set.TryEvaluate(0, TestEvents.Load("di-many-tables.json"), out var value, out _));
        Assert.True(value);
        var context = set.ContextReference;
        set.Dispose();
        return context;
    }
}
