using System.Collections.Immutable;
using OpenEvent.Rules.Catalog;
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
    /// <param name="time">The clock conditions and waivers see (default: the system's).</param>
    public static async Task<(CompiledPolicySet? Set, int ExitCode, int Warnings)> CompileAsync(PolicyPaths policies, TextWriter stderr, CancellationToken cancellationToken,
        string? label = null, string? revision = null, TimeProvider? time = null)
    {
        if (policies.Check(stderr) is { } usage)
        {
            return (null, usage, 0);
        }

        var paths = policies.Paths;
        var snapshot = await new PolicyFolderSource(paths).LoadAsync(cancellationToken);
        if (snapshot.HasErrors)
        {
            return (null, await RefuseAsync(snapshot.Diagnostics.AddRange(CheckConditions(snapshot.Set, Conditions, paths, cancellationToken)), snapshot.Files, policies, label, stderr), 0);
        }

        var warnings = snapshot.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Warning);
        CompiledPolicySet compiled;
        try
        {
            // The one compile of this load: its condition errors are reported like the loader's.
            compiled = PolicySetCompiler.Compile(snapshot.Set, new PolicySetCompilerOptions
            {
                Revision = snapshot.Revision,
                ConditionCompiler = Conditions,
                Time = time ?? TimeProvider.System,
                CheckAdmission = true,
            });
        }
        catch (PolicyCompilationException ex)
        {
            return (null, await RefuseAsync(snapshot.Diagnostics.AddRange(ex.Diagnostics), snapshot.Files, policies, label, stderr), 0);
        }
        catch (Exception ex) when (LoadFault.IsFault(ex, cancellationToken))
        {
            // An engine fault is reported like a policy problem (OER1018), never as a stack trace.
            await stderr.WriteLineAsync(DiagnosticText.Format(LoadFault.ToDiagnostic(ex, new SourceLocation(string.Join(", ", paths), 0, 0), "compiling the policy set")));
            return (null, ExitCodes.Failure, 0);
        }

        PolicyBanner.Write(stderr, label ?? policies.Label, snapshot.Set, snapshot.Files.Length, revision ?? snapshot.Revision, warnings);
        return (compiled, ExitCodes.Success, warnings);
    }

    /// <summary>
    /// Loads the policies and compiles their C# conditions once for their diagnostics (OER2xxx, in file order with the
    /// others), whether or not the set has other errors: what `oer validate` and `oer test` report.
    /// </summary>
    public static async Task<PolicyLoadResult> LoadAsync(IReadOnlyList<string> paths, IConditionCompiler conditions, CancellationToken cancellationToken)
    {
        var result = await PolicyFolderLoader.LoadAsync(paths, EventCatalog.Default, cancellationToken);
        return result.WithDiagnostics(CheckConditions(result.Set, conditions, paths, cancellationToken));
    }

    /// <summary>The conditions' diagnostics; a fault of the compiler itself is an OER1018 at the (first) folder given.</summary>
    public static ImmutableArray<Diagnostic> CheckConditions(PolicySetDefinition set, IConditionCompiler conditions, IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        try
        {
            return PolicySetCompiler.CheckConditions(set, conditions, cancellationToken);
        }
        catch (Exception ex) when (LoadFault.IsFault(ex, cancellationToken))
        {
            return [LoadFault.ToDiagnostic(ex, new SourceLocation(paths.Count > 0 ? paths[0] : "", 0, 0), "compiling the C# conditions")];
        }
    }

    private static async Task<int> RefuseAsync(ImmutableArray<Diagnostic> diagnostics, ImmutableArray<string> files, PolicyPaths policies, string? label, TextWriter stderr)
    {
        var errors = PolicyFolderLoader.InFileOrder(diagnostics.Where(d => d.IsError), files);
        foreach (var diagnostic in errors)
        {
            await stderr.WriteLineAsync(DiagnosticText.Format(diagnostic));
        }

        await stderr.WriteLineAsync($"oer: the policies from {label ?? policies.Label} have {errors.Count} error(s); run 'oer validate' for details");
        return ExitCodes.Failure;
    }
}
