namespace OpenEvent.Rules.Events;

/// <summary>
/// A matcher that reads an event in one pass over its UTF-8 bytes: it validates them (UTF-8, JSON, duplicate keys,
/// depth, an object), matches its patterns and extracts the values at <see cref="SinglePassEventReader.FieldPaths"/>
/// on the way. Defined here, implemented by the compiled matcher, so that reading an event does not depend on how
/// patterns are compiled; a <see cref="DataWorksEvent"/> read this way remembers which matcher read it, and only that
/// matcher may reuse its <see cref="DataWorksEvent.MatchedPatterns"/>.
/// </summary>
internal interface ISinglePassMatcher
{
    /// <summary>
    /// Reads one event. Throws <see cref="InvalidEventException"/> for bytes that are not a valid event. The fields and
    /// <paramref name="matchedPatterns"/> (pattern ids, ascending) live in per-thread memory: valid until the next read
    /// on this thread.
    /// </summary>
    IEventFields Read(ReadOnlySpan<byte> utf8, out ReadOnlySpan<int> matchedPatterns);
}
