using OpenEvent.Rules.Cli.Reporting;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Compilation.Conditions;
using OpenEvent.Rules.Expressions;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Sources;

namespace OpenEvent.Rules.Cli.Commands;

/// <summary>
/// Loads and compiles the --policies of a command, printing diagnostics the way `oer validate` does. The loader's
/// guards apply (regular files inside the folder only, 10 MB per file, faults as OER1018), as in the host.
/// </summary>
internal static class PolicyLoading
{
    private static readonly Lazy<IConditionCompiler> s_conditions = new(() => new RoslynConditionCompiler());

    /// <summary>The C# condition compiler (cached on disk by content hash, so repeated runs are fast).</summary>
    public static IConditionCompiler Conditions => s_conditions.Value;

    /// <summary>
    /// The compiled set, or null with the exit code to return (usage error or invalid policies), and the number of
    /// policy warnings. Says on <paramref name="stderr"/> which set was loaded (<paramref name="label"/> and
    /// <paramref name="revision"/> replace the paths and the computed revision, e.g. for a git reference).
    /// </summary>
    public static async Task<(CompiledPolicySet? Set, int ExitCode, int Warnings)> CompileAsync(PolicyPaths policies, TextWriter stderr, CancellationToken cancellationToken,
        string? label = null, string? revision = null)
    {
        if (policies.Check(stderr) is { } usage)
        {
            return (null, usage, 0);
        }

        var paths = policies.Paths;
        var snapshot = await new PolicyFolderSource(paths, Conditions).LoadAsync(cancellationToken);
        if (snapshot.HasErrors)
        {
            foreach (var diagnostic in snapshot.Diagnostics.Where(d => d.IsError))
            {
                await stderr.WriteLineAsync(DiagnosticText.Format(diagnostic));
            }

            await stderr.WriteLineAsync($"oer: the policies from {label ?? policies.Label} have {snapshot.Diagnostics.Count(d => d.IsError)} error(s); run 'oer validate' for details");
            return (null, ExitCodes.Failure, 0);
        }

        var warnings = snapshot.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Warning);
        PolicyBanner.Write(stderr, label ?? policies.Label, snapshot.Set, snapshot.Files.Length, revision ?? snapshot.Revision, warnings);
        try
        {
            return (PolicySetCompiler.Compile(snapshot.Set, new PolicySetCompilerOptions { Revision = snapshot.Revision, ConditionCompiler = Conditions }), ExitCodes.Success, warnings);
        }
        catch (PolicyCompilationException ex)
        {
            foreach (var diagnostic in ex.Diagnostics)
            {
                await stderr.WriteLineAsync(DiagnosticText.Format(diagnostic));
            }

            return (null, ExitCodes.Failure, 0);
        }
        catch (Exception ex) when (LoadFault.IsFault(ex, cancellationToken))
        {
            // An engine fault is reported like a policy problem (OER1018), never as a stack trace.
            await stderr.WriteLineAsync(DiagnosticText.Format(LoadFault.ToDiagnostic(ex, new SourceLocation(string.Join(", ", paths), 0, 0), "compiling the policy set")));
            return (null, ExitCodes.Failure, 0);
        }
    }
}
