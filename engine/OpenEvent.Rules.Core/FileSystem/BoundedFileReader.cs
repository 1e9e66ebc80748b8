using Microsoft.Win32.SafeHandles;

namespace OpenEvent.Rules.FileSystem;

/// <summary>Why a read gave no bytes.</summary>
public enum FileReadStatus
{
    Read,
    Missing,

    /// <summary>A FIFO, device, socket or folder: never opened (or, if it became one after the check, never read).</summary>
    NotRegular,

    /// <summary>More bytes than the cap (from the reported size, or counted while reading).</summary>
    TooLarge,

    /// <summary>The file's real path is outside the folder it must stay in (a symbolic link leading out).</summary>
    OutsideFolder,

    Unreadable,
}

/// <summary>
/// The outcome of one bounded read. <see cref="Length"/> is the size reported or read (for <see cref="FileReadStatus.TooLarge"/>
/// at least cap + 1); <see cref="Error"/> is the system's reason for <see cref="FileReadStatus.Unreadable"/>; never any content.
/// </summary>
public sealed record FileReadResult(FileReadStatus Status, byte[] Bytes, FileKind Kind = FileKind.Regular, long Length = 0, string? Error = null, string? RealPath = null);

/// <summary>
/// Reads a whole file that an author controls, safely: only regular files are opened (a FIFO would block the reader,
/// /dev/zero would never end), at most <c>cap + 1</c> bytes are ever read whatever size the file reports (procfs files
/// report 0, a file may grow while it is read), and a file that must stay inside a folder is checked after it is
/// opened, so that swapping a symbolic link between the check and the read does not help.
/// </summary>
public static class BoundedFileReader
{
    private const int ChunkBytes = 64 * 1024;

    /// <param name="maxBytes">The cap: a file with more bytes is <see cref="FileReadStatus.TooLarge"/>.</param>
    /// <param name="containedIn">When given, the real path of the file must be inside this folder (a real, absolute path).</param>
    public static FileReadResult Read(string path, long maxBytes, string? containedIn = null) => Read(path, maxBytes, containedIn, listedRealPath: null);

    /// <param name="listedRealPath">
    /// The real path of <paramref name="path"/> as the folder walk found it (its folder's real path and its name, links
    /// resolved), inside <paramref name="containedIn"/>: on Linux it is opened as it is, without resolving every component
    /// of the path again per file; what was opened is then checked as always (a regular file, its path from /proc inside
    /// the folder), or, where /proc cannot tell, the path is resolved after opening as it would have been before.
    /// </param>
    internal static FileReadResult Read(string path, long maxBytes, string? containedIn, string? listedRealPath)
    {
        maxBytes = Math.Clamp(maxBytes, 0, Array.MaxLength - 1);
        try
        {
            var target = path;
            string? unpinned = null;
            if (containedIn is not null && listedRealPath is not null && LinuxFiles.IsAvailable)
            {
                target = listedRealPath;
                unpinned = path;
            }
            else if (containedIn is not null && Pin(path, containedIn, out target) is { } refused)
            {
                return refused;
            }

            var status = FileProbe.Status(target, followLinks: true);
            if (status is not { } before)
            {
                return Failed(FileReadStatus.Missing);
            }

            if (RefuseBeforeOpening(before, maxBytes) is { } early)
            {
                return early;
            }

            using var handle = Open(target);
            if (handle is null)
            {
                return Failed(FileReadStatus.Missing);
            }

            return RefuseOpened(handle, containedIn, unpinned) ?? ReadAll(handle, maxBytes, before.Size);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return Failed(FileReadStatus.Missing);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or System.Security.SecurityException)
        {
            return Failed(FileReadStatus.Unreadable, error: ex.Message);
        }
    }

    /// <summary>Pins the target before opening: every link along the path is resolved once, here, and must stay inside the folder.</summary>
    private static FileReadResult? Pin(string path, string containedIn, out string target)
    {
        target = path;
        var real = FileProbe.RealPath(path);
        if (real is null)
        {
            return Failed(FileReadStatus.Missing);
        }

        if (!FileProbe.IsInside(real, containedIn))
        {
            return Failed(FileReadStatus.OutsideFolder, real: real);
        }

        target = real;
        return null;
    }

    /// <summary>What the file's status already refuses (not a regular file, too large), or the empty result; null to open it.</summary>
    private static FileReadResult? RefuseBeforeOpening(FileStatus before, long maxBytes)
    {
        if (before.Kind is not (FileKind.Regular or FileKind.Unknown))
        {
            return Failed(FileReadStatus.NotRegular, before.Kind);
        }

        if (before.Size > maxBytes)
        {
            return Failed(FileReadStatus.TooLarge, length: before.Size);
        }

        // Where the kind is unknown (no statx), a FIFO or device cannot be told from an empty file: neither is
        // opened, and an empty file has nothing to read anyway.
        if (before.Kind == FileKind.Unknown && before.Size == 0)
        {
            return new FileReadResult(FileReadStatus.Read, [], FileKind.Unknown);
        }

        return null;
    }

    /// <summary>
    /// Checks what was actually opened (a link swapped since the check): a regular file, still inside the folder. Null when
    /// it may be read. <paramref name="unpinned"/> is the path of a file opened at its listed real path without
    /// <see cref="Pin"/>: when /proc cannot tell where the opened file is, that path is pinned now instead.
    /// </summary>
    private static FileReadResult? RefuseOpened(SafeFileHandle handle, string? containedIn, string? unpinned)
    {
        string? openedPath = null;
        if (LinuxFiles.IsAvailable)
        {
            var opened = LinuxFiles.Stat(handle);
            if (opened.Kind != FileKind.Regular)
            {
                return Failed(FileReadStatus.NotRegular, opened.Kind);
            }

            openedPath = containedIn is null ? null : LinuxFiles.PathOf(handle);
            if (openedPath is not null && !FileProbe.IsInside(openedPath, containedIn!))
            {
                return Failed(FileReadStatus.OutsideFolder, real: openedPath);
            }
        }

        return unpinned is not null && openedPath is null ? Pin(unpinned, containedIn!, out _) : null;
    }

    private static SafeFileHandle? Open(string path)
    {
        if (LinuxFiles.IsAvailable)
        {
            try
            {
                return LinuxFiles.OpenForReading(path);
            }
            catch (PlatformNotSupportedException)
            {
                // Falls through to the portable open.
            }
        }

        return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
    }

    /// <summary>Reads to the end or to cap + 1 bytes, whichever comes first; the reported size only sizes the first buffer.</summary>
    private static FileReadResult ReadAll(SafeFileHandle handle, long maxBytes, long reportedSize)
    {
        var limit = maxBytes + 1;
        // Sized from the reported size (plus the byte that tells the end was reached), so that a 1 KB policy file does
        // not cost a zeroed 64 KB buffer; a file that reports no size (procfs) or grows starts at or doubles from a chunk.
        var buffer = new byte[(int)Math.Min(limit, reportedSize > 0 ? reportedSize + 1 : ChunkBytes)];
        long total = 0;
        while (true)
        {
            if (total == buffer.Length)
            {
                if (total >= limit)
                {
                    return Failed(FileReadStatus.TooLarge, length: total);
                }

                Array.Resize(ref buffer, (int)Math.Min(limit, (long)buffer.Length * 2));
            }

            var read = RandomAccess.Read(handle, buffer.AsSpan((int)total), total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        if (total > maxBytes)
        {
            return Failed(FileReadStatus.TooLarge, length: total);
        }

        Array.Resize(ref buffer, (int)total);
        return new FileReadResult(FileReadStatus.Read, buffer, FileKind.Regular, total);
    }

    private static FileReadResult Failed(FileReadStatus status, FileKind kind = FileKind.Regular, long length = 0, string? error = null, string? real = null) =>
        new(status, [], kind, length, error, real);
}
