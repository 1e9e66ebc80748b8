using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Compilation.Conditions;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Sources;

namespace OpenEvent.Rules.Host.Policies;

/// <summary>
/// Compiles snapshots with the host's settings (event size limit, revision). Each load compiles the C# conditions
/// once: with the set (<see cref="Compile"/>), or only for their diagnostics when the set has other errors.
/// </summary>
internal sealed class PolicySetFactory(IOptions<RulesHostOptions> options, IConditionCompiler conditions, TimeProvider time)
{
    public CompiledPolicySet Compile(PolicySnapshot snapshot) =>
        PolicySetCompiler.Compile(snapshot.Set, new PolicySetCompilerOptions
        {
            MaxEventBytes = options.Value.Limits.MaxEventBytes,
            Revision = snapshot.Revision,
            ConditionCompiler = conditions,
            Time = time,
            DetailFailMode = RulesHostOptionsValidator.ParseVerdict(options.Value.DataWorks.FailMode) ?? Evaluation.Verdict.Warn,
            CheckAdmission = true,
        });

    /// <summary>The diagnostics of the conditions of a snapshot that has other errors (it is not compiled).</summary>
    public ImmutableArray<Diagnostic> CheckConditions(PolicySnapshot snapshot, CancellationToken cancellationToken) =>
        PolicySetCompiler.CheckConditions(snapshot.Set, conditions, cancellationToken);
}
