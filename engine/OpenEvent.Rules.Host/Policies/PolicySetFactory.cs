using Microsoft.Extensions.Options;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Compilation.Conditions;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Sources;

namespace OpenEvent.Rules.Host.Policies;

/// <summary>Compiles snapshots with the host's settings (event size limit, revision).</summary>
public sealed class PolicySetFactory(IOptions<RulesHostOptions> options, IConditionCompiler conditions, TimeProvider time)
{
    public CompiledPolicySet Compile(PolicySnapshot snapshot) =>
        PolicySetCompiler.Compile(snapshot.Set, new PolicySetCompilerOptions
        {
            MaxEventBytes = options.Value.Limits.MaxEventBytes,
            Revision = snapshot.Revision,
            ConditionCompiler = conditions,
            Time = time,
        });
}
