namespace OpenEvent.Rules.FileSystem;

/// <summary>What a directory entry is, as the file system reports it without opening it.</summary>
public enum FileKind
{
    /// <summary>Nothing at the path (or a component of it is missing).</summary>
    Missing,

    Regular,
    Directory,
    SymbolicLink,

    /// <summary>A named pipe: opening it for reading blocks until a writer appears.</summary>
    Fifo,

    /// <summary>A character device such as /dev/zero: reading it may never end.</summary>
    CharacterDevice,

    BlockDevice,
    Socket,

    /// <summary>The platform cannot say (no exact file-type query there); the reader then applies its conservative rules.</summary>
    Unknown,
}

/// <summary>How the kinds read in diagnostics.</summary>
public static class FileKindText
{
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Fifo => "a named pipe (FIFO)",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Socket => "a socket",
        FileKind.Directory => "a folder",
        FileKind.SymbolicLink => "a symbolic link",
        FileKind.Missing => "missing",
        _ => "not a regular file",
    };
}
