using System.Collections.Immutable;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Compilation;

/// <summary>A validated set that still cannot be compiled (e.g. C# conditions that fail to compile).</summary>
public sealed class PolicyCompilationException(ImmutableArray<Diagnostic> diagnostics)
    : Exception($"{diagnostics.Count(d => d.IsError)} error(s) while compiling the policy set")
{
    public ImmutableArray<Diagnostic> Diagnostics { get; } = diagnostics;
}
