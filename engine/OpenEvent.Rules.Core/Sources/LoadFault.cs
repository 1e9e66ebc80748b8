using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Sources;

/// <summary>
/// Turns an unexpected exception while loading policies (an engine fault: a parser or compiler bug, memory
/// exhaustion in one step) into an OER1018 diagnostic, so that it is reported like any other problem and never
/// stops the host or the CLI. The message names the exception type and an excerpt of its message, nothing more.
/// </summary>
public static class LoadFault
{
    /// <summary>The longest excerpt of an exception message a diagnostic shows.</summary>
    public const int MaxMessageExcerpt = 200;

    /// <summary>Whether <paramref name="exception"/> is to be reported as a fault: anything but the caller's own cancellation.</summary>
    public static bool IsFault(Exception exception, CancellationToken cancellationToken) =>
        !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested);

    /// <param name="stage">What was being done, e.g. "reading this file", "compiling the C# conditions".</param>
    public static Diagnostic ToDiagnostic(Exception exception, SourceLocation location, string stage) => new(
        DiagnosticIds.LoadFailed,
        DiagnosticSeverity.Error,
        location,
        $"{stage} failed unexpectedly: {exception.GetType().Name}: {TextExcerpt.Of(exception.Message, MaxMessageExcerpt)}",
        "this is an engine fault, not a mistake in the policy: the last good set keeps serving; report it with this message, and work around it by changing the part named here");
}
