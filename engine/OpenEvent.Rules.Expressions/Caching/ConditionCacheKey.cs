using System.Security.Cryptography;
using OpenEvent.Rules.FileSystem;

namespace OpenEvent.Rules.Expressions.Caching;

/// <summary>
/// The secret the condition cache signs its entries with (HMAC-SHA256), so that an image it loads is one this user's
/// processes wrote. A digest stored beside the image only caught corruption: anyone who could write the cache folder
/// (a shared <c>CacheDirectory</c>, a CI cache of <c>~/.cache</c> restored from another job) could plant an image and
/// its digest, and the host would run that code. The key is kept apart from the cache, in
/// <c>$XDG_CONFIG_HOME/openevent-rules/condition-cache.key</c> (else <c>~/.config/...</c>), readable by its owner only
/// and made on first use; where it cannot be read or made, the process uses a key of its own, so the cache serves
/// reloads within the process and a restart compiles again.
/// </summary>
internal static class ConditionCacheKey
{
    public const int Length = 32;

    private static readonly Lazy<byte[]> s_default = new(() => LoadOrCreate(DefaultPath()));

    /// <summary>This user's key (loaded or made once per process).</summary>
    public static byte[] Default => s_default.Value;

    public static string DefaultPath() =>
        Path.Combine(ConditionAssemblyCache.UserFolder("XDG_CONFIG_HOME", ".config"), "openevent-rules", "condition-cache.key");

    /// <summary>The key in <paramref name="path"/>, made there (owner-only) when absent; a process-only key when neither works.</summary>
    public static byte[] LoadOrCreate(string path)
    {
        try
        {
            if (TryRead(path) is { } existing)
            {
                return existing;
            }

            var key = RandomNumberGenerator.GetBytes(Length);
            var folder = Path.GetDirectoryName(path)!;
            var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            ConditionAssemblyCache.CreateOwnerOnlyFolder(folder);
            var created = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                created.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(temporary, created))
            {
                stream.Write(key);
            }

            try
            {
                // Two processes starting at once: the first rename wins and both use its key.
                File.Move(temporary, path, overwrite: false);
                return key;
            }
            catch (IOException)
            {
                File.Delete(temporary);
                return TryRead(path) ?? key;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return RandomNumberGenerator.GetBytes(Length);
        }
    }

    // A key others can read or change is no secret: it is not used (the process then keeps a key of its own). Read
    // bounded, regular files only: a FIFO or /dev/zero at the key's path must not hold the start.
    private static byte[]? TryRead(string path)
    {
        var read = BoundedFileReader.Read(path, Length);
        if (read.Status == FileReadStatus.Missing)
        {
            return null;
        }

        if (read.Status != FileReadStatus.Read || read.Bytes.Length != Length)
        {
            throw new IOException($"{path} is not a condition cache key ({read.Status}, {read.Length} bytes)");
        }

        if (!OperatingSystem.IsWindows()
            && (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
        {
            throw new UnauthorizedAccessException($"{path} can be read or written by other users");
        }

        return read.Bytes;
    }
}
