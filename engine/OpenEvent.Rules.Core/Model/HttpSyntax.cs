namespace OpenEvent.Rules.Model;

/// <summary>
/// What a channel's or target's URL and header names may be, checked where a policy is loaded and again where the host
/// sends (a URL read from the environment is only known there): one definition for both, so the two cannot drift.
/// </summary>
public static class HttpSyntax
{
    /// <summary>An absolute http or https URL with a host and no control characters (CR/LF would split the request).</summary>
    public static bool IsHttpUrl(string text, out Uri? uri)
    {
        uri = null;
        return !text.Any(char.IsControl) && Uri.TryCreate(text, UriKind.Absolute, out uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0;
    }

    /// <summary>An HTTP field name: RFC 9110's token (letters, digits and <c>!#$%&amp;'*+-.^_`|~</c>), not empty.</summary>
    public static bool IsHeaderName(string name) => name.Length > 0 && name.All(IsTokenChar);

    private static bool IsTokenChar(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
            or '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';
}
