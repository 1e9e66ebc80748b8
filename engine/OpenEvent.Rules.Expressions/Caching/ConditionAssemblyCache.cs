using System.Security.Cryptography;
using System.Text;
using OpenEvent.Rules.FileSystem;

namespace OpenEvent.Rules.Expressions.Caching;

/// <summary>
/// Emitted condition assemblies on disk, one file per content hash. The file holds a magic, the HMAC-SHA256 of
/// the PE image under this user's key (<see cref="ConditionCacheKey"/>) and the image; a file whose MAC does not
/// match (truncated, overwritten, bit rot, written by anyone without the key) is treated as absent and replaced. Entries are only ever written for sets that passed the sandbox, and the
/// key covers the exact expressions and the allow-list, so a hit never admits an expression the current
/// sandbox would refuse. Writes go through a temporary file and a rename, so readers never see half a file.
/// </summary>
internal sealed class ConditionAssemblyCache
{
    private static readonly byte[] Magic = "OERC\u0002\0\0\0"u8.ToArray();
    private const int DigestLength = 32;

    /// <summary>The largest cache file read (a set of 10,000 conditions of 4,000 characters emits far less); a larger one is a miss.</summary>
    internal const long MaxFileBytes = 64L * 1024 * 1024;

    private readonly string _directory;
    private readonly byte[] _key;

    public ConditionAssemblyCache(string directory)
        : this(directory, ConditionCacheKey.Default)
    {
    }

    internal ConditionAssemblyCache(string directory, byte[] key)
    {
        _directory = directory;
        _key = key;
    }

    public string Directory => _directory;

    /// <summary>The cache key of a set: hex SHA-256 over every input that can change the emitted assembly or its admission.</summary>
    public static string Key(params string[] parts)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var part in parts)
        {
            var bytes = Encoding.UTF8.GetBytes(part);
            hash.AppendData(BitConverter.GetBytes(bytes.Length));
            hash.AppendData(bytes);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public string PathFor(string key) => Path.Combine(_directory, key + ".oerc");

    /// <summary>The cached image for <paramref name="key"/>, or null when absent or corrupt (a corrupt file is deleted).</summary>
    public byte[]? TryRead(string key)
    {
        // Bounded and regular files only: a FIFO planted under the key would block the load for good, /dev/zero never end.
        var read = BoundedFileReader.Read(PathFor(key), MaxFileBytes);
        if (read.Status is FileReadStatus.Missing or FileReadStatus.Unreadable)
        {
            return null;
        }

        var file = read.Bytes;

        if (file.Length > Magic.Length + DigestLength && file.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            var image = file.AsSpan(Magic.Length + DigestLength);
            if (CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(_key, image), file.AsSpan(Magic.Length, DigestLength)))
            {
                Touch(PathFor(key)); // the sets in use stay when older ones are pruned
                return image.ToArray();
            }
        }

        Invalidate(key);
        return null;
    }

    /// <summary>Stores an image; failures (read-only disk, full disk) only cost the next start a compile.</summary>
    public bool TryWrite(string key, ReadOnlySpan<byte> image)
    {
        var path = PathFor(key);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            CreateOwnerOnlyFolder(_directory);

            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(Magic);
                stream.Write(HMACSHA256.HashData(_key, image));
                stream.Write(image);
            }

            File.Move(temporary, path, overwrite: true);
            Prune();
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            return false;
        }
    }

    public void Invalidate(string key) => TryDelete(PathFor(key));

    /// <summary>The most entries kept: each set of conditions ever compiled (every playground edit) wrote one, and none went.</summary>
    internal const int MaxEntries = 64;

    /// <summary>Deletes the entries used least recently past <see cref="MaxEntries"/>.</summary>
    private void Prune()
    {
        try
        {
            var entries = new DirectoryInfo(_directory).GetFiles("*.oerc");
            if (entries.Length <= MaxEntries)
            {
                return;
            }

            foreach (var stale in entries.OrderByDescending(f => f.LastWriteTimeUtc).Skip(MaxEntries))
            {
                TryDelete(stale.FullName);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: the next write prunes again.
        }
    }

    private static void Touch(string path)
    {
        try
        {
            File.SetLastWriteTimeUtc(path, TimeProvider.System.GetUtcNow().UtcDateTime);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A read-only cache still serves hits.
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: the next write replaces it.
        }
    }

    /// <summary><c>$XDG_CACHE_HOME/openevent-rules/conditions</c>, else <c>~/.cache/openevent-rules/conditions</c>.</summary>
    public static string DefaultDirectory() => Path.Combine(UserFolder("XDG_CACHE_HOME", ".cache"), "openevent-rules", "conditions");

    /// <summary>Creates <paramref name="path"/> (and its parents) readable and writable by its owner only, where the system has modes.</summary>
    internal static void CreateOwnerOnlyFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(path);
        }
        else
        {
            System.IO.Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>The XDG base folder named by <paramref name="variable"/> when it is an absolute path, else <c>~/<paramref name="fallback"/></c>.</summary>
    internal static string UserFolder(string variable, string fallback)
    {
        var xdg = Environment.GetEnvironmentVariable(variable);
        return !string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), fallback);
    }
}
