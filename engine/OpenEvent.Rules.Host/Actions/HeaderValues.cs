using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Host.Actions;

/// <summary>
/// Every value the host puts in an outgoing header passes through here, at the point of use, whatever was checked
/// at ingest. The event id is part of the Idempotency-Key, so keys are encoded: CR/LF cannot add a header or smuggle
/// a request, and a non-ASCII id is delivered instead of failing at every attempt. Configured values (channel and
/// target headers, the STS token) are checked: one that no header can carry is a permanent error that names the
/// header and never echoes the value (it may be a secret).
/// </summary>
internal static class HeaderValues
{
    /// <summary>An encoded key longer than this is sent as <c>sha256:&lt;hex of the key's UTF-8&gt;</c>, which receivers still see as unique and stable.</summary>
    public const int MaxIdempotencyKeyLength = 256;

    /// <summary>
    /// The Idempotency-Key header of an action: visible ASCII is kept (so <c>{event id}/{policy}/{index}/{kind}:{destination}</c>
    /// reads as before), every other UTF-8 byte and '%' itself become %XY, so the encoding is reversible and two keys never meet.
    /// </summary>
    public static string IdempotencyKey(string key)
    {
        var bytes = Encoding.UTF8.GetBytes(key);
        var builder = new StringBuilder(bytes.Length + 8);
        foreach (var b in bytes)
        {
            if (b is > 0x20 and < 0x7F && b != (byte)'%')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.Length <= MaxIdempotencyKeyLength ? builder.ToString() : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary>Adds a header after checking its name (an RFC 9110 token) and value (visible ASCII, space and tab only).</summary>
    /// <exception cref="UnsafeHeaderException">The name or value cannot be sent as given.</exception>
    public static void Add(HttpRequestMessage request, string name, string value, string owner)
    {
        if (!HttpSyntax.IsHeaderName(name))
        {
            throw new UnsafeHeaderException($"a header name of {owner} is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only): fix the name");
        }

        if (!value.All(c => c == '\t' || c is >= ' ' and <= '~'))
        {
            throw new UnsafeHeaderException($"the value of header {name} of {owner} contains a control or non-ASCII character, which no header can carry (not shown: it may be a secret): fix the value");
        }

        if (!request.Headers.TryAddWithoutValidation(name, value))
        {
            request.Content?.Headers.TryAddWithoutValidation(name, value);
        }
    }
}

/// <summary>A header that cannot be sent as configured: the action is dead-lettered with this message at once.</summary>
internal sealed class UnsafeHeaderException(string message) : Exception(message);
