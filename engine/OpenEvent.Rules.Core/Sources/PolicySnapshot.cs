using System.Collections.Immutable;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Sources;

/// <summary>
/// One read of a policy source: the parsed set, every diagnostic, the files read and a revision that
/// identifies the content (the git commit of the folder when it is a clean checkout, else a content hash).
/// A snapshot with errors must never replace a running set.
/// </summary>
public sealed record PolicySnapshot(
    PolicySetDefinition Set,
    ImmutableArray<Diagnostic> Diagnostics,
    ImmutableArray<string> Files,
    string Revision)
{
    public bool HasErrors => Diagnostics.Any(d => d.IsError);
}

/// <summary>Yields policy snapshots; the host watches <see cref="WatchedFolders"/> and asks again on change.</summary>
public interface IPolicySource
{
    IReadOnlyList<string> WatchedFolders { get; }

    Task<PolicySnapshot> LoadAsync(CancellationToken cancellationToken = default);
}
