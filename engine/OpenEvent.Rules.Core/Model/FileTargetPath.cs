namespace OpenEvent.Rules.Model;

/// <summary>
/// What a file target's <c>path</c> may be. A policy file is code that runs in production: a target that named
/// /etc/cron.d/x or ../data/outbox.db would let one reviewed-looking file append event text (whose fields the sender of
/// the event chooses) wherever the host can write. So the path is relative, below the host's file-target folder
/// (Actions:File:Directory), written with '/' and plain names. The host checks the resolved path again before each write.
/// </summary>
internal static class FileTargetPath
{
    /// <summary>Longest path accepted: far above any real layout, far below what file systems refuse.</summary>
    public const int MaxLength = 512;

    /// <returns>Null when the path is acceptable, else why not (for the message).</returns>
    public static string? Problem(string path)
    {
        if (path.Length > MaxLength)
        {
            return $"is longer than {MaxLength} characters";
        }

        if (path.StartsWith('/') || path.StartsWith('~') || (path.Length >= 2 && path[1] == ':'))
        {
            return "is absolute";
        }

        if (path.Any(c => c == '\\' || char.IsControl(c)))
        {
            return "holds a backslash or a control character";
        }

        var segments = path.Split('/');
        if (segments.Any(s => s is "" or "." or ".."))
        {
            return segments.Contains("..") ? "climbs out of its folder with '..'" : "has an empty or '.' segment";
        }

        return null;
    }
}
