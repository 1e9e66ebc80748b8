using System.Collections.Immutable;
using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Compilation.Conditions;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Parsing;
using OpenEvent.Rules.Validation;

namespace OpenEvent.Rules.Sources;

/// <summary>The outcome of loading policy files: the parsed set (documents with errors left out), every diagnostic, the files read.</summary>
public sealed record PolicyLoadResult(PolicySetDefinition Set, IReadOnlyList<Diagnostic> Diagnostics, IReadOnlyList<string> Files)
{
    public bool HasErrors => Diagnostics.Any(d => d.IsError);
}

/// <summary>
/// Loads a policy set from files and folders: finds the policy files (deterministic order), reads, schema-checks and
/// parses every document, then runs the semantic validators over the whole set. Every problem of every file is
/// reported in one run; a document with errors is left out of the set so that later stages only see valid input.
/// Paths in diagnostics are as the caller gave them (relative stays relative).
/// </summary>
public static class PolicyFolderLoader
{
    public static Task<PolicyLoadResult> LoadAsync(IEnumerable<string> paths, CancellationToken cancellationToken = default) =>
        LoadAsync(paths, EventCatalog.Default, cancellationToken);

    public static Task<PolicyLoadResult> LoadAsync(IEnumerable<string> paths, EventCatalog catalog, CancellationToken cancellationToken = default) =>
        LoadAsync(paths, catalog, conditions: null, cancellationToken);

    /// <param name="conditions">When given, every spec.condition (disabled policies too) is compiled and its errors reported (OER2xxx).</param>
    public static async Task<PolicyLoadResult> LoadAsync(IEnumerable<string> paths, EventCatalog catalog, IConditionCompiler? conditions,
        CancellationToken cancellationToken = default)
    {
        var validator = await PolicySchemaValidator.GetDefaultAsync().WaitAsync(cancellationToken);
        var diagnostics = new DiagnosticBag();
        var files = FindPolicyFiles(paths, diagnostics);

        var policies = ImmutableArray.CreateBuilder<PolicyDefinition>();
        var channels = ImmutableArray.CreateBuilder<ChannelDefinition>();
        var targets = ImmutableArray.CreateBuilder<TargetDefinition>();
        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var document in YamlDocumentReader.ReadFile(file.FullPath, diagnostics, file.DisplayPath))
            {
                var kind = PolicySchemaValidator.KindOf(document.Root);

                // Test documents belong to the test runner, which validates them against its own schema.
                if (kind == "PolicyTest" || !validator.Validate(document, diagnostics))
                {
                    continue;
                }

                switch (kind)
                {
                    case "Policy" when PolicyDocumentParser.ParsePolicy(document, diagnostics) is { } policy:
                        policies.Add(policy);
                        break;
                    case "Channel" when PolicyDocumentParser.ParseChannel(document, diagnostics) is { } channel:
                        channels.Add(channel);
                        break;
                    case "Target" when PolicyDocumentParser.ParseTarget(document, diagnostics) is { } target:
                        targets.Add(target);
                        break;
                }
            }
        }

        var set = new PolicySetDefinition(policies.ToImmutable(), channels.ToImmutable(), targets.ToImmutable());
        PolicySetValidator.Validate(set, catalog, diagnostics);
        if (conditions is not null)
        {
            CheckConditions(set, conditions, diagnostics, cancellationToken);
        }

        var displayPaths = files.Select(f => f.DisplayPath).ToList();
        var order = displayPaths.Select((path, index) => (path, index)).ToDictionary(p => p.path, p => p.index, StringComparer.Ordinal);
        var sorted = diagnostics.Items
            .OrderBy(d => order.GetValueOrDefault(d.Location.File, -1))
            .ThenBy(d => d.Location.Line)
            .ThenBy(d => d.Location.Column)
            .ToList();
        return new PolicyLoadResult(set, sorted, displayPaths);
    }

    private static void CheckConditions(PolicySetDefinition set, IConditionCompiler compiler, DiagnosticBag diagnostics, CancellationToken cancellationToken)
    {
        // Keys only need to be unique here (the set is only checked, then dropped): two policies with the same
        // name are OER3001, and their conditions are still checked, each under its own key.
        var sources = set.Policies
            .Select((p, i) => (Policy: p, Index: i))
            .Where(x => x.Policy.Condition is not null)
            .Select(x => PolicySetCompiler.ToSource($"{x.Index}:{x.Policy.Name}", x.Policy.Condition!))
            .ToList();
        if (sources.Count == 0)
        {
            return;
        }

        var result = compiler.Compile(sources, cancellationToken);
        diagnostics.AddRange(result.Diagnostics);
        result.Conditions?.Dispose();
    }

    /// <summary>A policy file: where to read it, and how to name it in diagnostics.</summary>
    public sealed record PolicyFile(string FullPath, string DisplayPath);

    /// <summary>
    /// The policy files under <paramref name="paths"/>: each file given, and every *.yaml / *.yml below each folder
    /// (recursively, skipping hidden entries and *.tests.yaml test files), sorted per folder by path.
    /// Missing or unreadable paths are reported as OER1009.
    /// </summary>
    public static IReadOnlyList<PolicyFile> FindPolicyFiles(IEnumerable<string> paths, DiagnosticBag diagnostics) =>
        FindFiles(paths, name => !IsTestFile(name), IsPolicyFile, diagnostics, "give policy files or folders that contain *.yaml files");

    /// <summary>
    /// The files under <paramref name="paths"/>: each file given whose name <paramref name="wantedGiven"/> accepts, and
    /// every file below each folder whose name <paramref name="wanted"/> accepts (recursively, skipping hidden entries),
    /// sorted per folder by path. Missing or unreadable paths are reported as OER1009 with <paramref name="missingHint"/>.
    /// </summary>
    public static IReadOnlyList<PolicyFile> FindFiles(
        IEnumerable<string> paths, Func<string, bool> wantedGiven, Func<string, bool> wanted, DiagnosticBag diagnostics, string missingHint)
    {
        var result = new List<PolicyFile>();
        var seen = new HashSet<string>(OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        foreach (var path in paths)
        {
            if (File.Exists(path))
            {
                var fullPath = Path.GetFullPath(path);
                if (wantedGiven(Path.GetFileName(path)) && seen.Add(fullPath))
                {
                    result.Add(new PolicyFile(fullPath, path));
                }
            }
            else if (Directory.Exists(path))
            {
                var found = new List<PolicyFile>();
                Walk(path, wanted, found, seen, diagnostics);
                result.AddRange(found.OrderBy(f => f.DisplayPath, StringComparer.Ordinal));
            }
            else
            {
                diagnostics.Error(DiagnosticIds.UnreadablePath, new SourceLocation(path, 0, 0), $"path not found: {path}",
                    "check the spelling; " + missingHint);
            }
        }

        return result;
    }

    /// <summary>Policy test files (<c>*.tests.yaml</c>, <c>*.tests.yml</c>) are run by <c>oer test</c>, not loaded as policies.</summary>
    public static bool IsTestFile(string path) =>
        path.EndsWith(".tests.yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tests.yml", StringComparison.OrdinalIgnoreCase);

    private static bool IsPolicyFile(string name) =>
        (name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)) && !IsTestFile(name);

    // An explicit stack instead of recursion, and each real directory visited once, so that deep trees and
    // symbolic link loops cannot hang or overflow.
    private static void Walk(string root, Func<string, bool> wanted, List<PolicyFile> found, HashSet<string> seen, DiagnosticBag diagnostics)
    {
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<(string FullPath, string DisplayPath)>();
        pending.Push((Path.GetFullPath(root), root));
        while (pending.Count > 0)
        {
            var (fullPath, displayPath) = pending.Pop();
            try
            {
                var directory = new DirectoryInfo(fullPath);
                var real = directory.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? directory.FullName;
                if (!visited.Add(real))
                {
                    continue;
                }

                foreach (var entry in directory.EnumerateFileSystemInfos())
                {
                    if (entry.Name.StartsWith('.'))
                    {
                        continue;
                    }

                    var entryDisplay = Path.Join(displayPath, entry.Name);
                    if (entry is DirectoryInfo)
                    {
                        pending.Push((entry.FullName, entryDisplay));
                    }
                    else if (wanted(entry.Name) && seen.Add(entry.FullName))
                    {
                        found.Add(new PolicyFile(entry.FullName, entryDisplay));
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
            {
                diagnostics.Error(DiagnosticIds.UnreadablePath, new SourceLocation(displayPath, 0, 0), $"cannot read folder '{displayPath}': {ex.Message}",
                    "check that the folder exists and is readable");
            }
        }
    }
}
