namespace OpenEvent.Rules.Sources;

/// <summary>Policy files under folders (or single files), read, validated and revisioned on each load.</summary>
public sealed class PolicyFolderSource(IReadOnlyList<string> paths) : IPolicySource
{
    public IReadOnlyList<string> WatchedFolders => paths;

    public PolicySnapshot Load() => throw new NotImplementedException("wired to the policy loader after the parsing merge");
}
