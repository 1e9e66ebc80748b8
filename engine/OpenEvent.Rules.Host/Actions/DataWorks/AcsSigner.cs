using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OpenEvent.Rules.Host.Actions.DataWorks;

/// <summary>
/// Alibaba Cloud OpenAPI request signing (reference section 4.5): V3 <c>ACS3-HMAC-SHA256</c> (recommended) and
/// V2 HMAC-SHA1 (RPC, still implemented by the official SDKs). Pure functions over their inputs, so that the
/// published test vectors can be checked exactly and the stand-in server can verify what the client sent.
/// </summary>
internal static class AcsSigner
{
    public const string V3Algorithm = "ACS3-HMAC-SHA256";

    /// <summary>The hex SHA-256 of an empty body.</summary>
    public const string EmptyBodyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <summary>RFC 3986 percent-encoding as the SDKs do it: unreserved bytes as-is, every other UTF-8 byte as %XY (uppercase).</summary>
    public static string PercentEncode(string value)
    {
        var builder = new StringBuilder(value.Length + 8);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.' or '~')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    /// <summary>Sorted (ordinal) <c>name=value</c> pairs, encoded, joined with &amp;; empty values are dropped as the SDKs do.</summary>
    public static string CanonicalQuery(IEnumerable<KeyValuePair<string, string>> parameters) =>
        string.Join('&', parameters
            .Where(p => !string.IsNullOrEmpty(p.Value))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => PercentEncode(p.Key) + "=" + PercentEncode(p.Value)));

    public static string HexSha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>The V3 canonical request; <paramref name="headers"/> are those to sign (host, content-type, x-acs-*).</summary>
    public static string CanonicalRequestV3(string method, string canonicalQuery, IEnumerable<KeyValuePair<string, string>> headers, string hashedPayload, out string signedHeaders)
    {
        var sorted = headers
            .Select(h => (Name: h.Key.Trim().ToLowerInvariant(), Value: h.Value.Trim()))
            .OrderBy(h => h.Name, StringComparer.Ordinal)
            .ToList();
        signedHeaders = string.Join(';', sorted.Select(h => h.Name));
        var builder = new StringBuilder();
        builder.Append(method).Append('\n').Append('/').Append('\n').Append(canonicalQuery).Append('\n');
        foreach (var (name, value) in sorted)
        {
            builder.Append(name).Append(':').Append(value).Append('\n');
        }

        builder.Append('\n').Append(signedHeaders).Append('\n').Append(hashedPayload);
        return builder.ToString();
    }

    /// <summary>The V3 signature (lowercase hex) of a canonical request: HMAC-SHA256 keyed with the secret itself (no "&amp;").</summary>
    public static string SignatureV3(string canonicalRequest, string accessKeySecret)
    {
        var stringToSign = V3Algorithm + "\n" + HexSha256(Encoding.UTF8.GetBytes(canonicalRequest));
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(accessKeySecret), Encoding.UTF8.GetBytes(stringToSign)));
    }

    public static string AuthorizationV3(string accessKeyId, string signedHeaders, string signature) =>
        $"{V3Algorithm} Credential={accessKeyId},SignedHeaders={signedHeaders},Signature={signature}";

    /// <summary>The V2 signature: Base64 HMAC-SHA1 keyed with "secret&amp;" over METHOD&amp;%2F&amp;encode(canonical query); every parameter but Signature is signed.</summary>
    public static string SignatureV2(string method, IEnumerable<KeyValuePair<string, string>> parameters, string accessKeySecret)
    {
        var canonical = CanonicalQuery(parameters.Where(p => p.Key != "Signature"));
        var stringToSign = method + "&" + PercentEncode("/") + "&" + PercentEncode(canonical);
        // HMAC-SHA1 is what the V2 protocol defines; V3 (SHA-256) is the default.
#pragma warning disable CA5350
        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(accessKeySecret + "&"), Encoding.UTF8.GetBytes(stringToSign)));
#pragma warning restore CA5350
    }

    /// <summary>UTC in the form both versions use: yyyy-MM-ddTHH:mm:ssZ.</summary>
    public static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
