namespace OpenEvent.Rules.Events;

/// <summary>
/// The event bytes are not a JSON object the matcher accepts. Thrown (rather than returned) because a bad event is
/// exceptional for the hot path and must never be mistaken for "no policy matched"; the host catches it at ingestion
/// and rejects the event with <see cref="Id"/>. The rules are independent of the policy set: an event is rejected
/// for a problem anywhere in it, even in fields no pattern reads.
/// </summary>
internal sealed class InvalidEventException : Exception
{
    /// <summary>Not well-formed JSON (syntax, trailing data, comments, a byte order mark, an empty input).</summary>
    public const string InvalidJson = "invalid-json";

    /// <summary>Bytes that are not UTF-8, or a string escape that encodes a lone UTF-16 surrogate.</summary>
    public const string InvalidUtf8 = "invalid-utf8";

    /// <summary>An object with the same property name twice (compared after unescaping).</summary>
    public const string DuplicateKey = "duplicate-key";

    /// <summary>More than <see cref="MaxDepth"/> nested objects/arrays (the root object counts as one).</summary>
    public const string TooDeep = "too-deep";

    /// <summary>Valid JSON whose root is not an object (a CloudEvent is an object).</summary>
    public const string NotAnObject = "not-an-object";

    /// <summary>The deepest nesting accepted, as System.Text.Json's default: 64 nested containers.</summary>
    public const int MaxDepth = 64;

    public InvalidEventException(string id, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Id = id;
    }

    /// <summary>A stable id: one of the constants of this class, or another id of the event readers (missing-type, too-large, ...).</summary>
    public string Id { get; }

    public EventError ToError() => new(Id, Message);
}
