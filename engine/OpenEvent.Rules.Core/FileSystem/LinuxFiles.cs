using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace OpenEvent.Rules.FileSystem;

/// <summary>The status of a file system entry: what it is, its size and its identity (device and inode).</summary>
public readonly record struct FileStatus(FileKind Kind, long Size, ulong Device, ulong Inode);

/// <summary>
/// The two Linux calls .NET does not expose and the policy reader needs: the exact type of an entry without opening
/// it (statx; FileSystemInfo reports FIFOs and devices as ordinary files), and an open that cannot block on a FIFO
/// swapped in after that check (O_NONBLOCK). statx is used rather than stat because its buffer has one layout on
/// every architecture. Where these calls are missing (not Linux, an old C library, a sandbox that forbids statx)
/// <see cref="IsAvailable"/> turns false and callers use their portable fallback.
/// </summary>
internal static class LinuxFiles
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;

    // The same values on every architecture .NET runs Linux on (x64, arm64, arm, riscv64, loongarch64, s390x, ppc64le).
    private const int OpenReadOnly = 0;
    private const int OpenNonBlock = 0x800;
    private const int OpenCloseOnExec = 0x80000;

    private const int ENOENT = 2;
    private const int ENOTDIR = 20;
    private const int ENOSYS = 38;
    private const int EPERM = 1;

    private static volatile bool s_available = OperatingSystem.IsLinux();

    public static bool IsAvailable => s_available;

    /// <summary>The status of <paramref name="path"/>; null when nothing is there. Throws IOException for other failures (permissions, link loops).</summary>
    public static FileStatus? Stat(string path, bool followLinks)
    {
        if (StatxChecked(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, out var buffer) == 0)
        {
            return ToStatus(buffer);
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno is ENOENT or ENOTDIR ? null : throw new IOException($"cannot read the status of '{path}': {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    /// <summary>The status of an open file (what was really opened, whatever the path points to now).</summary>
    public static FileStatus Stat(SafeFileHandle handle)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return StatxChecked((int)handle.DangerousGetHandle(), "", AtEmptyPath, out var buffer) == 0
                ? ToStatus(buffer)
                : throw new IOException($"cannot read the status of an open file: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>Opens for reading without blocking, even when the path has become a FIFO; null when nothing is there.</summary>
    public static SafeFileHandle? OpenForReading(string path)
    {
        int descriptor;
        try
        {
            descriptor = open(CPath(path), OpenReadOnly | OpenNonBlock | OpenCloseOnExec);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            throw Unavailable(ex);
        }

        if (descriptor >= 0)
        {
            return new SafeFileHandle(descriptor, ownsHandle: true);
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno is ENOENT or ENOTDIR ? null : throw new IOException($"cannot open '{path}': {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    /// <summary>The path an open descriptor refers to (from /proc); null where /proc is not mounted.</summary>
    public static string? PathOf(SafeFileHandle handle)
    {
        try
        {
            return new FileInfo($"/proc/self/fd/{handle.DangerousGetHandle()}").LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static int StatxChecked(int directory, string path, int flags, out StatxBuffer buffer)
    {
        int result;
        try
        {
            result = statx(directory, CPath(path), flags, StatxBasicStats, out buffer);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            throw Unavailable(ex);
        }

        // An old kernel, or a seccomp profile that forbids statx: the portable fallback takes over for good.
        if (result != 0 && Marshal.GetLastPInvokeError() is ENOSYS or EPERM)
        {
            throw Unavailable(null);
        }

        return result;
    }

    private static PlatformNotSupportedException Unavailable(Exception? inner)
    {
        s_available = false;
        return new PlatformNotSupportedException("statx is not available on this system", inner);
    }

    private static FileStatus ToStatus(StatxBuffer buffer) => new(
        (buffer.Mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0xA000 => FileKind.SymbolicLink,
            0x1000 => FileKind.Fifo,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0xC000 => FileKind.Socket,
            _ => FileKind.Unknown,
        },
        buffer.Size > long.MaxValue ? long.MaxValue : (long)buffer.Size,
        ((ulong)buffer.DeviceMajor << 32) | buffer.DeviceMinor,
        buffer.Inode);

    // struct statx (linux/stat.h): only the fields read here; Size covers the whole 256-byte structure.
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(32)] public ulong Inode;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(136)] public uint DeviceMajor;
        [FieldOffset(140)] public uint DeviceMinor;
    }

    /// <summary>A path as C wants it: UTF-8, ending with a zero byte (passed as bytes, so no string marshalling is involved).</summary>
    private static byte[] CPath(string path)
    {
        var bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(path) + 1];
        System.Text.Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }

#pragma warning disable SYSLIB1054, CA5392 // LibraryImport would need unsafe code in this assembly; libc is found by the system loader.
    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int directory, byte[] path, int flags, uint mask, out StatxBuffer buffer);

    [DllImport("libc", SetLastError = true)]
    private static extern int open(byte[] path, int flags);
#pragma warning restore SYSLIB1054, CA5392
}
