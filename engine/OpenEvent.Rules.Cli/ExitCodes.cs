namespace OpenEvent.Rules.Cli;

/// <summary>Exit codes shared by every command, so that CI scripts can rely on them.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Invalid policies, invalid input events, failed tests.</summary>
    public const int Failure = 1;

    /// <summary>
    /// Bad command line: unknown option or command (with a did-you-mean), missing value, a path that does not exist or
    /// holds nothing the command can read (no policy file, no event file), an unknown or invalid setting of serve.
    /// </summary>
    public const int Usage = 2;

    /// <summary><c>oer impact --exit-code</c>: the change alters the outcome of at least one event.</summary>
    public const int Changed = 3;
}
