using OpenEvent.Rules.Compilation.Conditions;

namespace OpenEvent.Rules.Tests.Shared;

/// <summary>A real condition compiler that counts its compiles (and the conditions they held): a load compiles once.</summary>
internal sealed class CountingConditionCompiler(IConditionCompiler inner) : IConditionCompiler
{
    private int _calls;
    private int _conditions;

    public int Calls => Volatile.Read(ref _calls);

    public int Conditions => Volatile.Read(ref _conditions);

    public ConditionCompilationResult Compile(IReadOnlyList<ConditionSource> conditions, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        Interlocked.Add(ref _conditions, conditions.Count);
        return inner.Compile(conditions, cancellationToken);
    }
}
