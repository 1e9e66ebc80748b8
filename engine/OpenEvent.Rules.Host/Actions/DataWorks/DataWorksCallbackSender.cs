using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Observability;

namespace OpenEvent.Rules.Host.Actions.DataWorks;

/// <summary>
/// Answers an extension point event: one signed RPC-style POST to the DataWorks OpenAPI (UpdateIDEEventResult,
/// UpdateWorkbenchEventResult or CallbackExtension) with MessageId = the event id, the configured ExtensionCode,
/// CheckResult and the combined reasons. The AccessKey is read from the environment at each attempt.
/// Throttling and server errors are retried; other API errors are dead-lettered with the API's code and message.
/// </summary>
internal sealed class DataWorksCallbackSender(IHttpClientFactory httpClients, IOptions<RulesHostOptions> options, TimeProvider time) : IActionSender
{
    private readonly DataWorksOptions _options = options.Value.DataWorks;

    public IReadOnlyCollection<string> Types { get; } = [DataWorksAnswer.Type];

    /// <summary>The default endpoint of a region (reference 4.5): cn-qingdao and cn-huhehaote use the central one.</summary>
    public static string DefaultEndpoint(string region) =>
        region is "cn-qingdao" or "cn-huhehaote" ? "https://dataworks.aliyuncs.com" : $"https://dataworks.{region}.aliyuncs.com";

    public async Task<DeliveryResult> SendAsync(OutboxItem item, ActionPayload payload, CancellationToken cancellationToken)
    {
        var answer = ActionPayloads.As<AnswerPayload>(payload);
        if (string.IsNullOrWhiteSpace(_options.ExtensionCode))
        {
            return DeliveryResult.Permanent("OpenEventRules:DataWorks:ExtensionCode is not configured: set it, then run 'oer outbox retry'");
        }

        var accessKeyId = PayloadValues.Resolve(new PayloadValue(null, _options.AccessKeyIdVariable), "the DataWorks AccessKey id")!;
        var accessKeySecret = PayloadValues.Resolve(new PayloadValue(null, _options.AccessKeySecretVariable), "the DataWorks AccessKey secret")!;
        var securityToken = Environment.GetEnvironmentVariable(_options.SecurityTokenVariable);
        if (Endpoint(answer.Region, out var refusal) is not { } endpoint)
        {
            return DeliveryResult.Permanent(refusal!);
        }

        var api = answer.Api;
        var parameters = new List<KeyValuePair<string, string>>
        {
            new("MessageId", answer.MessageId),
            new("ExtensionCode", _options.ExtensionCode),
            new("CheckResult", answer.CheckResult),
        };
        if (answer.Message is { Length: > 0 } message)
        {
            parameters.Add(new(api == "CallbackExtension" ? "CheckMessage" : "CheckResultTip", message));
        }

        var uri = new Uri(endpoint.TrimEnd('/') + "/");
        using var request = string.Equals(_options.SignatureVersion, "V2", StringComparison.OrdinalIgnoreCase)
            ? SignedV2(uri, api, parameters, accessKeyId, accessKeySecret, securityToken)
            : SignedV3(uri, api, parameters, accessKeyId, accessKeySecret, securityToken);
        HeaderValues.Add(request, "Idempotency-Key", HeaderValues.IdempotencyKey(item.Key), "the DataWorks answer");

        using var response = await httpClients.CreateClient(Channels.ChannelSender.HttpClientName).SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        // A signature error echoes the string to sign, AccessKeyId included.
        return Interpret((int)response.StatusCode, body).Redacted([accessKeyId, accessKeySecret, securityToken]);
    }

    /// <summary>
    /// Where the answer goes: the configured endpoint, else the default endpoint of the event's region (or of the
    /// configured region when the event has none). The region comes from the event, so it names a host only when it
    /// is a region id: a value such as <c>x@attacker:9999/p#</c> would send the signed request, AccessKeyId and STS
    /// token included, wherever the event says.
    /// </summary>
    internal string? Endpoint(string? eventRegion, out string? refusal)
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

    internal HttpRequestMessage SignedV3(Uri uri, string api, List<KeyValuePair<string, string>> parameters, string accessKeyId, string secret, string? securityToken)
    {
        var body = Encoding.UTF8.GetBytes(FormBody(parameters));
        var headers = new List<KeyValuePair<string, string>>
        {
            new("host", uri.Authority),
            new("x-acs-action", api),
            new("x-acs-version", _options.Version),
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
                HeaderValues.Add(request, name, value, "the DataWorks answer");
            }
        }

        HeaderValues.Add(request, "Authorization", AcsSigner.AuthorizationV3(accessKeyId, signedHeaders, signature), "the DataWorks answer");
        return request;
    }

    internal HttpRequestMessage SignedV2(Uri uri, string api, List<KeyValuePair<string, string>> parameters, string accessKeyId, string secret, string? securityToken)
    {
        var all = new List<KeyValuePair<string, string>>(parameters)
        {
            new("Action", api),
            new("Version", _options.Version),
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

    private const string FormContentType = "application/x-www-form-urlencoded";

    private static string FormBody(IEnumerable<KeyValuePair<string, string>> parameters) =>
        string.Join('&', parameters.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => AcsSigner.PercentEncode(p.Key) + "=" + AcsSigner.PercentEncode(p.Value)));

    /// <summary>
    /// 2xx with Success absent or true (a bool or the string "true") is delivered. Throttling* codes, 5xx and
    /// Success=false are retried; any other error will not pass by retrying.
    /// </summary>
    internal static DeliveryResult Interpret(int status, string body)
    {
        string? code = null;
        string? message = null;
        bool? success = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                code = root.TryGetProperty("Code", out var c) ? c.ToString() : null;
                message = root.TryGetProperty("Message", out var m) ? m.ToString() : null;
                if (root.TryGetProperty("Success", out var s))
                {
                    success = s.ValueKind == JsonValueKind.True || (s.ValueKind == JsonValueKind.String && string.Equals(s.GetString(), "true", StringComparison.OrdinalIgnoreCase));
                }
            }
        }
        catch (JsonException)
        {
        }

        if (status is >= 200 and < 300)
        {
            return success == false ? DeliveryResult.Retry($"DataWorks answered Success=false: {DeliveryResult.Shorten(body)}") : DeliveryResult.Delivered;
        }

        var error = code is null ? $"HTTP {status}: {DeliveryResult.Shorten(body)}" : $"HTTP {status} {code}: {message}";
        var retry = status is 408 or 429 or >= 500 || (code?.StartsWith("Throttling", StringComparison.Ordinal) ?? false);
        return retry ? DeliveryResult.Retry(error) : DeliveryResult.Permanent(error);
    }
}
