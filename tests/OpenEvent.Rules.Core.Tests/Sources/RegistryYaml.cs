using System.Text;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Expressions;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Sources;

namespace OpenEvent.Rules.Core.Tests.Sources;

/// <summary>
/// The sample estate the registry tests share, and loading a set of YAML documents the way the folder loader reads a
/// policy folder (real files, the real loader, the real condition compiler).
/// </summary>
internal static class RegistryYaml
{
    public const string File = "set.yaml";

    /// <summary>Two tenants, four workspaces, sets and windows; every label is used by <see cref="LabelUser"/>.</summary>
    public const string Estate = """
        apiVersion: openevent.rules/v1
        kind: Registry
        metadata: { name: estate }
        spec:
          tenants:
            - { id: 283780000010656, name: acme, accounts: ["1234567890123456"] }
            - { id: 283780000020000, name: globex, accounts: ["2222222222222222", "3333333333333333"] }
          workspaces:
            - { id: 10001234, name: sales_prod, tenant: acme, region: cn-hangzhou, environment: PROD, labels: [core, sensitive], owners: ["200012345678901"] }
            - { id: 10001235, name: finance_prod, tenant: acme, region: cn-shanghai, environment: PROD, labels: [sensitive, finance] }
            - { id: 10001236, name: sales_dev, tenant: 283780000010656, environment: DEV, labels: [core] }
            - { id: 293624, name: globex_etl, tenant: globex, region: cn-beijing, environment: PROD }
          sets:
            platform-admins: ["200000000001", "200000000002"]
            core-workspaces: [10001234, 10001235]
            scratch-prefixes: [tmp_, test_]
            office-networks: ["10.0.0.0/8", "192.168.0.0/16"]
            local-sources: [LOCAL, DW_EXCEL]
          windows:
            weekend: { timeZone: Asia/Shanghai, weekly: { from: "Fri 18:00", to: "Mon 08:00" } }
            year-end: { timeZone: Asia/Shanghai, from: 2024-12-20, to: 2025-01-03 }
        """;

    /// <summary>A policy that uses every label of <see cref="Estate"/>, so that OER3059 stays quiet in tests about other things.</summary>
    public const string LabelUser = """
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: label-user }
        spec:
          match: { type: ["dataworks:FileChange:RunFile"] }
          scope: { workspaces: [{ labels: [core] }, { labels: [sensitive, finance] }] }
          actions: [ { forward: { target: log } } ]
        """;

    /// <summary>Writes the documents as one file (separated by ---) in <paramref name="folder"/> and loads the folder.</summary>
    public static Task<PolicyLoadResult> LoadAsync(TempFolder folder, params string[] documents)
    {
        folder.Write(File, string.Join("\n---\n", documents) + "\n");
        return PolicyFolderLoader.LoadAsync([folder.Root]);
    }

    /// <summary>The file line of line <paramref name="line"/> of the document that follows <paramref name="before"/> in a <see cref="LoadAsync"/> file.</summary>
    public static int LineAfter(int line, params string[] before) =>
        before.Sum(document => (document + "\n---\n").Count(c => c == '\n')) + line;

    /// <summary>Loads the documents and requires no error (warnings are returned to the caller).</summary>
    public static async Task<PolicyLoadResult> LoadValidAsync(TempFolder folder, params string[] documents)
    {
        var result = await LoadAsync(folder, documents);
        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        return result;
    }

    public static CompiledPolicySet Compile(PolicySetDefinition set, bool reference = false) =>
        PolicySetCompiler.Compile(set, new PolicySetCompilerOptions { UseReferenceMatcher = reference, ConditionCompiler = Conditions });

    public static Decision Evaluate(CompiledPolicySet set, string json) =>
        set.EvaluateInput(Encoding.UTF8.GetBytes(json), "event.json").Single();

    /// <summary>One compiler for the run: its disk cache makes repeated compiles of the same conditions cheap.</summary>
    public static RoslynConditionCompiler Conditions { get; } = new();

    /// <summary>The diagnostics as "OER1234 at L:C", for exact comparisons.</summary>
    public static IEnumerable<string> Located(IEnumerable<Diagnostic> diagnostics) =>
        diagnostics.Select(d => $"{d.Id} at {d.Location.Line}:{d.Location.Column}");
}
