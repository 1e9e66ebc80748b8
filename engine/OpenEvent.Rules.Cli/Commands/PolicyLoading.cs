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

    /// <summary>The compiled set, or null with the exit code to return (usage error or invalid policies).</summary>
    public static async Task<(CompiledPolicySet? Set, int ExitCode)> CompileAsync(string[]? paths, TextWriter stderr, CancellationToken cancellationToken)
    {
        paths = paths is { Length: > 0 } ? paths : ["policies"];
        if (paths.FirstOrDefault(p => !File.Exists(p) && !Directory.Exists(p)) is { } missing)
        {
            await stderr.WriteLineAsync($"oer: path not found: {missing}");
            return (null, ExitCodes.Usage);
        }

        var snapshot = await new PolicyFolderSource(paths, Conditions).LoadAsync(cancellationToken);
        if (snapshot.HasErrors)
        {
            foreach (var diagnostic in snapshot.Diagnostics.Where(d => d.IsError))
            {
                await stderr.WriteLineAsync(DiagnosticText.Format(diagnostic));
            }

            await stderr.WriteLineAsync($"oer: the policies have {snapshot.Diagnostics.Count(d => d.IsError)} error(s); run 'oer validate' for details");
            return (null, ExitCodes.Failure);
        }

        try
        {
            return (PolicySetCompiler.Compile(snapshot.Set, new PolicySetCompilerOptions { Revision = snapshot.Revision, ConditionCompiler = Conditions }), ExitCodes.Success);
        }
        catch (PolicyCompilationException ex)
        {
            foreach (var diagnostic in ex.Diagnostics)
            {
                await stderr.WriteLineAsync(DiagnosticText.Format(diagnostic));
            }

            return (null, ExitCodes.Failure);
        }
        catch (Exception ex) when (LoadFault.IsFault(ex, cancellationToken))
        {
            // An engine fault is reported like a policy problem (OER1018), never as a stack trace.
            await stderr.WriteLineAsync(DiagnosticText.Format(LoadFault.ToDiagnostic(ex, new SourceLocation(string.Join(", ", paths), 0, 0), "compiling the policy set")));
            return (null, ExitCodes.Failure);
        }
    }
}

/// <summary>The one-line text form of a diagnostic with its hint: `file:line:col: error OER1011: message`.</summary>
internal static class DiagnosticText
{
    public static string Format(Diagnostic diagnostic) =>
        diagnostic.Hint is null ? diagnostic.ToString() : $"{diagnostic}{Environment.NewLine}  hint: {diagnostic.Hint}";
}
