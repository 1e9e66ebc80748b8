using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Host.Configuration;

namespace OpenEvent.Rules.Host.WebConsole;

/// <summary>
/// The console's sessions, without server-side state: the cookie holds an expiry and a random nonce, signed with a key
/// drawn at start (HMAC-SHA256), so a restart ends every session and nothing a client sends can make one. The cookie
/// is HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it) and limited to /console. The
/// anti-forgery token is derived from the session's nonce with the same key: the page reads it from
/// <c>/console/api/session</c> (same-origin only) and sends it back in <see cref="CsrfHeader"/> with every POST. With a
/// token configured, a session is opened by a login with that token; without one, every caller on the loopback
/// interface gets one, so that POSTs still carry the anti-forgery token.
/// </summary>
internal sealed class ConsoleSessions
{
    public const string CookieName = "oer_console";
    public const string CsrfHeader = "X-OER-CSRF";

    /// <summary>Failed logins allowed per minute from one address (an IPv6 /64), before its further attempts get 429 until the minute is over.</summary>
    public const int MaxFailedLoginsPerMinute = 10;

    /// <summary>
    /// Failed logins allowed per minute from all addresses together: guessing from many addresses is bounded too, while
    /// one address that keeps failing no longer locks everybody else out (the limit used to be host-wide at 10).
    /// </summary>
    public const int MaxFailedLoginsPerMinuteHostWide = 100;

    private const int NonceBytes = 16;
    private const int PayloadBytes = 8 + NonceBytes;

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly byte[]? _token;
    private readonly string _tokenHeader;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _time;
    private readonly Lock _failures = new();
    private readonly Dictionary<string, int> _failedByAddress = new(StringComparer.Ordinal);
    private long _failureMinute;
    private int _failedLogins;

    // Sessions ended by a logout before their expiry (nonce → expiry, Unix seconds): the cookie is signed, not stored,
    // so without this list a copied cookie stayed valid for its whole lifetime after the operator logged out.
    private readonly Lock _revocations = new();
    private readonly Dictionary<string, long> _revoked = new(StringComparer.Ordinal);
    private const int MaxRevoked = 10_000;

    public ConsoleSessions(IOptions<RulesHostOptions> options, TimeProvider time)
    {
        var token = options.Value.Auth.Token;
        _token = string.IsNullOrEmpty(token) ? null : Encoding.UTF8.GetBytes(token);
        _tokenHeader = options.Value.Auth.HeaderName;
        _lifetime = options.Value.Console.SessionLifetime;
        _time = time;
    }

    /// <summary>A token is configured: the console needs a login (or the token in a header).</summary>
    public bool TokenRequired => _token is not null;

    public TimeSpan Lifetime => _lifetime;

    /// <summary>The token, compared in constant time.</summary>
    public bool IsToken(string? presented) =>
        _token is not null && !string.IsNullOrEmpty(presented) && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _token);

    /// <summary>The request carries the token itself (the configured header or Authorization: Bearer), as the host's other endpoints accept it.</summary>
    public bool HasTokenHeader(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        var bearer = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : null;
        return IsToken(request.Headers[_tokenHeader].ToString()) || IsToken(bearer);
    }

    /// <summary>
    /// Too many failed logins this minute from <paramref name="address"/>, or from all addresses: a guessing script is
    /// slowed to <see cref="MaxFailedLoginsPerMinute"/> a minute per address and <see cref="MaxFailedLoginsPerMinuteHostWide"/> in all.
    /// </summary>
    public bool LoginsBlocked(System.Net.IPAddress? address)
    {
        lock (_failures)
        {
            StartMinute();
            return _failedLogins >= MaxFailedLoginsPerMinuteHostWide
                || (_failedByAddress.TryGetValue(AddressKey(address), out var failed) && failed >= MaxFailedLoginsPerMinute);
        }
    }

    public void LoginFailed(System.Net.IPAddress? address)
    {
        lock (_failures)
        {
            StartMinute();
            _failedLogins++;
            // Bounded: past the host-wide limit every attempt is refused anyway, so no more addresses need counting.
            if (_failedLogins <= MaxFailedLoginsPerMinuteHostWide)
            {
                var key = AddressKey(address);
                _failedByAddress[key] = _failedByAddress.GetValueOrDefault(key) + 1;
            }
        }
    }

    private void StartMinute()
    {
        var minute = CurrentMinute();
        if (minute != _failureMinute)
        {
            _failureMinute = minute;
            _failedLogins = 0;
            _failedByAddress.Clear();
        }
    }

    /// <summary>An IPv4 address as itself; an IPv6 one by its /64, which one subscriber usually holds whole.</summary>
    private static string AddressKey(System.Net.IPAddress? address)
    {
        if (address is null)
        {
            return "";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? Convert.ToHexString(address.GetAddressBytes(), 0, 8) + "/64"
            : address.ToString();
    }

    private long CurrentMinute() => _time.GetUtcNow().ToUnixTimeSeconds() / 60;

    /// <summary>A new session cookie value.</summary>
    public string Issue()
    {
        var payload = new byte[PayloadBytes];
        BinaryPrimitives.WriteInt64BigEndian(payload, (_time.GetUtcNow() + _lifetime).ToUnixTimeSeconds());
        RandomNumberGenerator.Fill(payload.AsSpan(8));
        return WebEncoders.Base64UrlEncode(payload) + "." + WebEncoders.Base64UrlEncode(Sign(payload));
    }

    /// <summary>The session's nonce when <paramref name="cookie"/> is one this process issued, has not expired and was not logged out.</summary>
    public byte[]? Validate(string? cookie)
    {
        if (Read(cookie, out _) is not { } nonce)
        {
            return null;
        }

        lock (_revocations)
        {
            return _revoked.ContainsKey(Convert.ToBase64String(nonce)) ? null : nonce;
        }
    }

    /// <summary>The nonce and expiry of a session cookie this process issued that has not expired.</summary>
    private byte[]? Read(string? cookie, out long expires)
    {
        expires = 0;
        var dot = cookie?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (cookie is null || cookie.Length > 200 || dot < 0)
        {
            return null;
        }

        byte[] payload;
        byte[] signature;
        try
        {
            payload = WebEncoders.Base64UrlDecode(cookie[..dot]);
            signature = WebEncoders.Base64UrlDecode(cookie[(dot + 1)..]);
        }
        catch (FormatException)
        {
            return null;
        }

        if (payload.Length != PayloadBytes || !CryptographicOperations.FixedTimeEquals(signature, Sign(payload)))
        {
            return null;
        }

        expires = BinaryPrimitives.ReadInt64BigEndian(payload);
        return expires > _time.GetUtcNow().ToUnixTimeSeconds() ? payload[8..] : null;
    }

    /// <summary>Ends the session of <paramref name="cookie"/> (a logout): it is refused from now on, until it would have expired anyway.</summary>
    public void Revoke(string? cookie)
    {
        if (Read(cookie, out var expires) is not { } nonce)
        {
            return;
        }

        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        lock (_revocations)
        {
            if (_revoked.Count >= MaxRevoked)
            {
                foreach (var ended in _revoked.Where(r => r.Value <= now).Select(r => r.Key).ToList())
                {
                    _revoked.Remove(ended);
                }
            }

            // Only a holder of the token can make sessions, so the list stays small; past the bound the oldest goes.
            if (_revoked.Count >= MaxRevoked)
            {
                _revoked.Remove(_revoked.MinBy(r => r.Value).Key);
            }

            _revoked[Convert.ToBase64String(nonce)] = expires;
        }
    }

    /// <summary>The anti-forgery token of a session.</summary>
    public string CsrfToken(byte[] nonce) => WebEncoders.Base64UrlEncode(HMACSHA256.HashData(_key, (byte[])[.. "csrf:"u8, .. nonce]));

    public bool IsCsrfToken(byte[] nonce, string? presented) =>
        !string.IsNullOrEmpty(presented) && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(presented), Encoding.ASCII.GetBytes(CsrfToken(nonce)));

    public CookieOptions CookieOptions(HttpRequest request, bool expired = false) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = request.IsHttps,
        Path = "/console",
        MaxAge = expired ? TimeSpan.Zero : _lifetime,
        IsEssential = true,
    };

    private byte[] Sign(byte[] payload) => HMACSHA256.HashData(_key, (byte[])[.. "session:"u8, .. payload]);
}
