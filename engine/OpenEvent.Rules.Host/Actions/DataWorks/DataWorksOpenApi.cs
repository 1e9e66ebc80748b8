using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Observability;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Host.Actions.DataWorks;

/// <summary>The AccessKey the host calls DataWorks with, read from the environment at each call (so a rotated key is picked up).</summary>
internal sealed record DataWorksCredentials(string AccessKeyId, string AccessKeySecret, string? SecurityToken)
{
    /// <summary>The values an error text must never echo (a signature error repeats the string to sign, AccessKeyId included).</summary>
    public IReadOnlyList<string?> Secrets => [AccessKeyId, AccessKeySecret, SecurityToken];
}

/// <summary>
/// The one way the host calls the DataWorks OpenAPI: where (the configured endpoint, else the event's region), with
/// which AccessKey (OpenEventRules:DataWorks:*Variable), and the RPC-style POST signed V3 (ACS3-HMAC-SHA256, default)
/// or V2 (<see cref="AcsSigner"/>). The answers to extension point events (UpdateIDEEventResult, ...) and the
/// event detail (GetIDEEventDetail) go through it, so both are signed alike with the same credentials.
/// </summary>
internal sealed class DataWorksOpenApi(IOptions<RulesHostOptions> options, TimeProvider time)
{
    private const string FormContentType = "application/x-www-form-urlencoded";

    private readonly DataWorksOptions _options = options.Value.DataWorks;

    /// <summary>The default endpoint of a region (reference 4.5): cn-qingdao and cn-huhehaote use the central one.</summary>
    public static string DefaultEndpoint(string region) =>
        region is "cn-qingdao" or "cn-huhehaote" ? "https://dataworks.aliyuncs.com" : $"https://dataworks.{region}.aliyuncs.com";

    /// <summary>The AccessKey from the environment; null with the reason when a variable is not set.</summary>
    public DataWorksCredentials? ReadCredentials(out string? missing)
    {
        var id = Environment.GetEnvironmentVariable(_options.AccessKeyIdVariable);
        var secret = Environment.GetEnvironmentVariable(_options.AccessKeySecretVariable);
        missing = string.IsNullOrEmpty(id) ? $"the environment variable {_options.AccessKeyIdVariable} (the DataWorks AccessKey id) is not set"
            : string.IsNullOrEmpty(secret) ? $"the environment variable {_options.AccessKeySecretVariable} (the DataWorks AccessKey secret) is not set"
            : null;
        return missing is null ? new DataWorksCredentials(id!, secret!, Environment.GetEnvironmentVariable(_options.SecurityTokenVariable)) : null;
    }

    /// <summary>
    /// Where a call about an event goes: the configured endpoint, else the default endpoint of the event's region (or of
    /// the configured region when the event has none). The region comes from the event, so it names a host only when it
    /// is a region id: a value such as <c>x@attacker:9999/p#</c> would send the signed request, AccessKeyId and STS
    /// token included, wherever the event says.
    /// </summary>
    public string? Endpoint(string? eventRegion, out string? refusal)
    {
        refusal = null;
        if (_options.Endpoint is { Length: > 0 } configured)
        {
            return configured;
        }

        if (eventRegion is { Length: > 0 } && !RegionId.IsValid(eventRegion))
        {
            refusal = $"the event's region (aliyunregionid) {SecretRedactor.Quote(eventRegion)} is not a region id like cn-hangzhou, so it does not name an endpoint: "
                + "set OpenEventRules:DataWorks:Endpoint to answer such events";
            return null;
        }

        if ((eventRegion is { Length: > 0 } ? eventRegion : _options.Region) is { Length: > 0 } region)
        {
            return DefaultEndpoint(region);
        }

        refusal = "the event has no region (aliyunregionid) and neither OpenEventRules:DataWorks:Region nor :Endpoint is configured";
        return null;
    }

    /// <summary>The signed request for <paramref name="api"/> with <paramref name="parameters"/> (V3 unless DataWorks:SignatureVersion is V2).</summary>
    public HttpRequestMessage CreateRequest(string endpoint, string api, IReadOnlyList<KeyValuePair<string, string>> parameters, DataWorksCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var uri = new Uri(endpoint.TrimEnd('/') + "/");
        return string.Equals(_options.SignatureVersion, "V2", StringComparison.OrdinalIgnoreCase)
            ? SignedV2(uri, api, parameters, credentials.AccessKeyId, credentials.AccessKeySecret, credentials.SecurityToken)
            : SignedV3(uri, api, parameters, credentials.AccessKeyId, credentials.AccessKeySecret, credentials.SecurityToken);
    }

    /// <summary>
    /// DataWorks:Version for the APIs both versions have; UpdateWorkbenchEventResult and CallbackExtension exist only in
    /// 2020-05-18 (reference 4.2), so with 2024-05-18 configured every Operation Center, Data Integration, Data Quality,
    /// tenant and download answer was called at a version without them.
    /// </summary>
    internal string VersionOf(string api) => api is "UpdateWorkbenchEventResult" or "CallbackExtension" ? "2020-05-18" : _options.Version;

    internal HttpRequestMessage SignedV3(Uri uri, string api, IReadOnlyList<KeyValuePair<string, string>> parameters, string accessKeyId, string secret, string? securityToken)
    {
        var body = Encoding.UTF8.GetBytes(FormBody(parameters));
        var headers = new List<KeyValuePair<string, string>>
        {
            new("host", uri.Authority),
            new("x-acs-action", api),
            new("x-acs-version", VersionOf(api)),
            new("x-acs-date", AcsSigner.Timestamp(time.GetUtcNow())),
            new("x-acs-signature-nonce", Guid.NewGuid().ToString("N")),
            new("x-acs-content-sha256", AcsSigner.HexSha256(body)),
            new("content-type", FormContentType),
        };
        if (!string.IsNullOrEmpty(securityToken))
        {
            headers.Add(new("x-acs-security-token", securityToken));
        }

        var canonical = AcsSigner.CanonicalRequestV3("POST", "", headers, AcsSigner.HexSha256(body), out var signedHeaders);
        var signature = AcsSigner.SignatureV3(canonical, secret);
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(FormContentType);
        foreach (var (name, value) in headers)
        {
            if (name is not ("host" or "content-type"))
            {
                HeaderValues.Add(request, name, value, "the DataWorks call");
            }
        }

        HeaderValues.Add(request, "Authorization", AcsSigner.AuthorizationV3(accessKeyId, signedHeaders, signature), "the DataWorks call");
        return request;
    }

    internal HttpRequestMessage SignedV2(Uri uri, string api, IReadOnlyList<KeyValuePair<string, string>> parameters, string accessKeyId, string secret, string? securityToken)
    {
        var all = new List<KeyValuePair<string, string>>(parameters)
        {
            new("Action", api),
            new("Version", VersionOf(api)),
            new("Format", "JSON"),
            new("AccessKeyId", accessKeyId),
            new("SignatureMethod", "HMAC-SHA1"),
            new("SignatureVersion", "1.0"),
            new("SignatureNonce", Guid.NewGuid().ToString()),
            new("Timestamp", AcsSigner.Timestamp(time.GetUtcNow())),
        };
        if (!string.IsNullOrEmpty(securityToken))
        {
            all.Add(new("SecurityToken", securityToken));
        }

        all.Add(new("Signature", AcsSigner.SignatureV2("POST", all, secret)));
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(FormBody(all))) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(FormContentType);
        return request;
    }

    private static string FormBody(IEnumerable<KeyValuePair<string, string>> parameters) =>
        string.Join('&', parameters.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => AcsSigner.PercentEncode(p.Key) + "=" + AcsSigner.PercentEncode(p.Value)));
}
