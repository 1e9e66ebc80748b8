using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Evaluation.Conditions;

namespace OpenEvent.Rules.Expressions.Loading;

/// <summary>
/// A compiled condition set living in its own collectible load context. Delegates are bound once at load;
/// evaluation is one delegate call within a <see cref="ConditionBudget"/>, inside a try/catch. Dispose drops the
/// delegates and asks the context to unload: the runtime frees the code once the last in-flight evaluation has returned.
/// </summary>
internal sealed class LoadedConditionSet : IConditionSet
{
    private readonly string[] _keys;
    private readonly Dictionary<string, int> _indexByKey;
    private readonly ConditionLimits _limits;
    private Func<ConditionEvent, bool>[]? _delegates;
    private AssemblyLoadContext? _context;

    private LoadedConditionSet(string[] keys, Func<ConditionEvent, bool>[] delegates, AssemblyLoadContext context, ConditionLimits limits)
    {
        _keys = keys;
        _delegates = delegates;
        _context = context;
        _limits = limits;
        _indexByKey = new Dictionary<string, int>(keys.Length, StringComparer.Ordinal);
        for (var i = 0; i < keys.Length; i++)
        {
            _indexByKey[keys[i]] = i;
        }
    }

    public int Count => _keys.Length;

    public IReadOnlyList<string> Keys => _keys;

    /// <summary>The load context, for tests that check it unloads (a weak reference only).</summary>
    internal WeakReference ContextReference => new(_context);

    public int IndexOf(string key) => _indexByKey.TryGetValue(key, out var index) ? index : -1;

    /// <summary>What one evaluation may spend.</summary>
    public ConditionLimits Limits => _limits;

    public bool TryEvaluate(int index, ConditionEvent e, out bool result, out Exception? error) =>
        TryEvaluate(index, e, CancellationToken.None, out result, out error);

    public bool TryEvaluate(int index, ConditionEvent e, CancellationToken cancellationToken, out bool result, out Exception? error)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _keys.Length);
        var delegates = Volatile.Read(ref _delegates);
        if (delegates is null)
        {
            result = false;
            error = new ObjectDisposedException(nameof(IConditionSet), "The condition set was disposed (replaced by a reload).");
            return false;
        }

        try
        {
            result = ConditionBudget.Run(delegates[index], e, _limits, cancellationToken);
            error = null;
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller left: there is no verdict to record.
            throw;
        }
        catch (Exception ex)
        {
            // Anything a condition throws (null reference, division by zero, overflow, regex timeout, unknown
            // time zone, a budget exceeded, the runtime out of memory) is the caller's to record and to handle
            // per conditionErrors; it must never stop the evaluation of other policies.
            result = false;
            error = ex;
            return false;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _delegates, null) is null)
        {
            return;
        }

        Interlocked.Exchange(ref _context, null)?.Unload();
    }

    /// <summary>Loads <paramref name="image"/> and binds one delegate per key; null when the image is not the expected assembly.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static LoadedConditionSet? TryLoad(byte[] image, IReadOnlyList<string> keys, string name, ConditionLimits limits)
    {
        var context = new AssemblyLoadContext("openevent-conditions-" + name, isCollectible: true);
        try
        {
            using var stream = new MemoryStream(image, writable: false);
            var assembly = context.LoadFromStream(stream);
            var type = assembly.GetType(Generation.GeneratedConditionSource.FullClassName, throwOnError: false);

            // An image without the current guards (cached before budgets existed, or by another version) never runs.
            if (type?.GetField(Generation.GeneratedConditionSource.GuardMarker, BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() is not int version
                || version != Generation.GeneratedConditionSource.GuardVersion)
            {
                context.Unload();
                return null;
            }

            var delegates = new Func<ConditionEvent, bool>[keys.Count];
            for (var i = 0; i < delegates.Length; i++)
            {
                var method = type.GetMethod(Generation.GeneratedConditionSource.MethodName(i), BindingFlags.Public | BindingFlags.Static, [typeof(ConditionEvent)]);
                if (method is null || method.ReturnType != typeof(bool))
                {
                    context.Unload();
                    return null;
                }

                delegates[i] = method.CreateDelegate<Func<ConditionEvent, bool>>();
            }

            return new LoadedConditionSet([.. keys], delegates, context, limits);
        }
        catch (Exception ex) when (ex is BadImageFormatException or FileLoadException or TypeLoadException or MissingMethodException or ArgumentException)
        {
            context.Unload();
            return null;
        }
    }
}
