using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace OpenEvent.Rules.Host.Observability;

/// <summary>
/// Keeps credentials out of the log and the outbox's error column. Robot URLs carry their token in the path
/// (Slack, Lark) or the query (DingTalk access_token, sign), the DataWorks API echoes the AccessKeyId in its
/// signature errors, and a receiver's error page may echo the path it was called on: every error text is passed
/// through <see cref="Redact"/> before it is stored or logged. Senders name the secrets they know (the resolved URL,
/// signing secret, header values); shapes that look like credentials (<c>access_token=</c>, <c>sign=</c>,
/// <c>Signature=</c>, <c>AccessKeyId=</c>, <c>Authorization:</c>, the path and query of any URL) are masked whatever their source.
/// </summary>
internal static partial class SecretRedactor
{
    public const string Mask = "***";

    /// <summary>Secrets shorter than this are not searched for: masking "a" everywhere would hide the error, not a secret.</summary>
    private const int MinSecretLength = 4;

    public static string Redact(string text, IEnumerable<string?>? secrets = null)
    {
        if (secrets is not null)
        {
            foreach (var secret in secrets.OfType<string>().Where(s => s.Length >= MinSecretLength).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length))
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
                var escaped = Uri.EscapeDataString(secret);
                if (escaped != secret)
                {
                    text = text.Replace(escaped, Mask, StringComparison.OrdinalIgnoreCase);
                }
            }
        }

        text = Urls().Replace(text, m => m.Groups["rest"].Length > 1 || (m.Groups["rest"].Length == 1 && m.Groups["rest"].Value != "/")
            ? $"{m.Groups["scheme"].Value}://{m.Groups["host"].Value}/{Mask}"
            : $"{m.Groups["scheme"].Value}://{m.Groups["host"].Value}{m.Groups["rest"].Value}");
        text = AuthorizationHeader().Replace(text, m => m.Groups["name"].Value + Mask);
        return Assignments().Replace(text, m => m.Groups["name"].Value + m.Groups["sep"].Value + Mask);
    }

    /// <summary>What of a URL is secret: all of it but the scheme and host (the path and query of a robot URL are its token).</summary>
    public static IEnumerable<string> OfUrl(string? url)
    {
        if (string.IsNullOrEmpty(url))
        {
            yield break;
        }

        yield return url;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            yield break;
        }

        yield return uri.AbsoluteUri;
        yield return uri.PathAndQuery;
        if (uri.UserInfo.Length > 0)
        {
            yield return uri.UserInfo;
        }

        if (uri.AbsolutePath.Length > 1)
        {
            yield return uri.AbsolutePath;
        }

        if (uri.Query.Length > 1)
        {
            yield return uri.Query;
            foreach (var pair in uri.Query.TrimStart('?').Split('&'))
            {
                if (pair.Split('=', 2) is [_, var value])
                {
                    yield return value;
                    yield return Uri.UnescapeDataString(value);
                }
            }
        }

        foreach (var segment in uri.AbsolutePath.Split('/').Where(s => s.Length >= 8))
        {
            yield return segment;
        }
    }

    /// <summary>
    /// An untrusted value (an event id, a region, a rendered message) made safe to embed in a log line or an error:
    /// control, line-separator and bidi-format characters, quotes and backslashes escaped as \uXXXX (so it cannot
    /// forge a line or hide text), cut to <paramref name="max"/> characters, in double quotes.
    /// </summary>
    public static string Quote(string? value, int max = 80)
    {
        if (value is null)
        {
            return "null";
        }

        var builder = new StringBuilder(Math.Min(value.Length, max) + 2).Append('"');
        foreach (var c in value.Length > max ? value[..max] : value)
        {
            if (char.IsControl(c) || c is '"' or '\\' or '\u2028' or '\u2029' || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format)
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.Append(value.Length > max ? "\"..." : "\"").ToString();
    }

    /// <summary>A URL: its scheme and host:port are kept (they help an operator), the rest is masked when there is one.</summary>
    [GeneratedRegex("""(?<scheme>https?)://(?:[^/\s"'<>?#@]*@)?(?<host>[^/\s"'<>?#@]+)(?<rest>[/?#][^\s"'<>]*)?""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Urls();

    /// <summary>An Authorization header's value up to the end of its line, a ';' or a quote (Bearer tokens, ACS3 credentials and signatures).</summary>
    [GeneratedRegex("""(?<name>\bauthorization\s*[:=]\s*)[^\r\n;"]+""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AuthorizationHeader();

    /// <summary>name=value, name%3Dvalue, name: value and "name":"value" for names that hold credentials.</summary>
    [GeneratedRegex("""(?<name>\b(?:access_?token|sign|signature|token|secret|password|access_?key_?id|access_?key_?secret|security_?token|x-acs-security-token|credential))(?<sep>=|%3D|:\s*|"\s*:\s*")[^&\s,"';]+""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Assignments();
}
