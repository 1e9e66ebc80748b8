namespace OpenEvent.Rules.Parsing;

/// <summary>
/// Maps a JSON pointer into a parsed YAML document (e.g. "/spec/match/data/fileName/0") back to the
/// file, line and column where that node starts. Pointers are RFC 6901 ("~1" for "/", "~0" for "~").
/// </summary>
internal interface ISourceMap
{
    /// <summary>The location of the node at <paramref name="jsonPointer"/>, or of its nearest ancestor that exists.</summary>
    SourceLocation Locate(string jsonPointer);

    /// <summary>The location of the key (property name) of the member at <paramref name="jsonPointer"/>; its value's location when it has no key.</summary>
    SourceLocation LocateKey(string jsonPointer);
}
