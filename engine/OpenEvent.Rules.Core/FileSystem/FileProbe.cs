namespace OpenEvent.Rules.FileSystem;

/// <summary>
/// Looks at file system entries without opening them: their kind, the real path behind symbolic links, and whether
/// a path stays inside a folder. Exact kinds come from statx on Linux (where the host runs); elsewhere FIFOs and
/// devices cannot be told from files, which <see cref="BoundedFileReader"/> accounts for.
/// </summary>
public static class FileProbe
{
    /// <summary>Symbolic links followed while resolving one path before it is declared a loop (Linux's own limit).</summary>
    public const int MaxLinkHops = 40;

    private static readonly StringComparison s_pathComparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS()
        ? StringComparison.OrdinalIgnoreCase
        : StringComparison.Ordinal;

    /// <summary>The status of the entry at <paramref name="path"/>, null when there is none.</summary>
    public static FileStatus? Status(string path, bool followLinks)
    {
        if (LinuxFiles.IsAvailable)
        {
            try
            {
                return LinuxFiles.Stat(path, followLinks);
            }
            catch (PlatformNotSupportedException)
            {
                // Falls through to the portable answer.
            }
        }

        var info = new FileInfo(path);
        if (!followLinks && info.LinkTarget is not null)
        {
            return new FileStatus(FileKind.SymbolicLink, 0, 0, 0);
        }

        if (Directory.Exists(path))
        {
            return new FileStatus(FileKind.Directory, 0, 0, 0);
        }

        if (!info.Exists)
        {
            return null;
        }

        // Windows has no FIFOs in its file system; its devices carry the Device attribute.
        var kind = OperatingSystem.IsWindows()
            ? (info.Attributes.HasFlag(FileAttributes.Device) ? FileKind.CharacterDevice : FileKind.Regular)
            : FileKind.Unknown;
        return new FileStatus(kind, info.Length, 0, 0);
    }

    /// <summary>
    /// The absolute path with every symbolic link resolved, like realpath(3); null when a component does not exist or
    /// the links loop (more than <see cref="MaxLinkHops"/>).
    /// </summary>
    public static string? RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var current = Path.GetPathRoot(full)!;
        var pending = new Stack<string>();
        Push(pending, full[current.Length..]);
        var hops = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }

            var next = Path.Join(current, part);
            var target = new FileInfo(next).LinkTarget;
            if (target is null)
            {
                if (!File.Exists(next) && !Directory.Exists(next))
                {
                    return null;
                }

                current = next;
                continue;
            }

            if (++hops > MaxLinkHops)
            {
                return null;
            }

            // A link's target is relative to the folder that holds the link, or absolute.
            if (Path.IsPathRooted(target))
            {
                current = Path.GetPathRoot(target)!;
                target = target[current.Length..];
            }

            Push(pending, target);
        }

        return current;

        static void Push(Stack<string> pending, string relative)
        {
            var parts = relative.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            for (var i = parts.Length - 1; i >= 0; i--)
            {
                pending.Push(parts[i]);
            }
        }
    }

    /// <summary>
    /// What a folder path designates now: its real path and, on Linux, its device and inode (elsewhere its creation
    /// time). Replacing the folder by rename, or swapping a symbolic link to another release, changes it. Null when
    /// nothing is there.
    /// </summary>
    public static string? Identity(string path)
    {
        try
        {
            if (RealPath(path) is not { } real)
            {
                return null;
            }

            var status = Status(real, followLinks: true);
            if (status is null)
            {
                return null;
            }

            var stamp = status.Value.Inode != 0
                ? $"{status.Value.Device}:{status.Value.Inode}"
                : Directory.GetCreationTimeUtc(real).Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return real + "|" + stamp;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="folder"/> or below it (both real, absolute paths).</summary>
    public static bool IsInside(string path, string folder)
    {
        var root = Path.TrimEndingDirectorySeparator(folder);
        return path.Equals(root, s_pathComparison)
            || (path.StartsWith(root, s_pathComparison) && path.Length > root.Length
                && (path[root.Length] == Path.DirectorySeparatorChar || path[root.Length] == Path.AltDirectorySeparatorChar || root.EndsWith(Path.DirectorySeparatorChar)));
    }
}
