namespace OpenEvent.Rules;

/// <summary>
/// RFC 6901 reference tokens, in one place: "~" is written "~0" and "/" is written "~1". Policies' diagnostics, the
/// catalog's schema references, the decision log's masks and its outcomes all name places in a document this way.
/// </summary>
public static class JsonPointer
{
    /// <summary>A property name as one reference token.</summary>
    public static string Escape(string token) =>
        token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    /// <summary>
    /// The unescaped reference tokens of a pointer ("" is the whole document: no token). "~1" is read before "~0", as
    /// the RFC asks, so that "~01" stays the name "~1".
    /// </summary>
    public static IEnumerable<string> Tokens(string pointer) =>
        pointer.Length == 0
            ? []
            : pointer[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));
}
