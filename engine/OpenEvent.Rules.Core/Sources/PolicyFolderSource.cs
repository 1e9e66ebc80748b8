using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Compilation.Conditions;

namespace OpenEvent.Rules.Sources;

/// <summary>Policy files under folders (or single files), read, validated and revisioned on each load.</summary>
public sealed class PolicyFolderSource(IReadOnlyList<string> paths, IConditionCompiler? conditions = null) : IPolicySource
{
    public IReadOnlyList<string> WatchedFolders => paths;

    public async Task<PolicySnapshot> LoadAsync(CancellationToken cancellationToken = default)
    {
        var result = await PolicyFolderLoader.LoadAsync(paths, EventCatalog.Default, conditions, cancellationToken);
        var folder = paths.Count == 1 ? (Directory.Exists(paths[0]) ? paths[0] : Path.GetDirectoryName(Path.GetFullPath(paths[0]))) : null;
        return new PolicySnapshot(result.Set, [.. result.Diagnostics], [.. result.Files], PolicyRevision.Compute(result.ContentHash, folder));
    }
}
