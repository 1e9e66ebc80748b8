using OpenEvent.Rules.Catalog;

namespace OpenEvent.Rules.Sources;

/// <summary>
/// Policy files under folders (or single files), read, validated and revisioned on each load. The C# conditions are
/// compiled (and their diagnostics reported) by the compile step that follows, once per load.
/// </summary>
public sealed class PolicyFolderSource(IReadOnlyList<string> paths) : IPolicySource
{
    public IReadOnlyList<string> WatchedFolders => paths;

    public async Task<PolicySnapshot> LoadAsync(CancellationToken cancellationToken = default)
    {
        var result = await PolicyFolderLoader.LoadAsync(paths, EventCatalog.Default, cancellationToken);
        var folder = paths.Count == 1 ? (Directory.Exists(paths[0]) ? paths[0] : Path.GetDirectoryName(Path.GetFullPath(paths[0]))) : null;
        return new PolicySnapshot(result.Set, [.. result.Diagnostics], [.. result.Files], PolicyRevision.Compute(result.ContentHash, folder));
    }
}
