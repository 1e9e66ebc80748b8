using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Host.Configuration;

namespace OpenEvent.Rules.Host.Actions.DataWorks;

/// <summary>
/// Answers an extension point event: one signed RPC-style POST to the DataWorks OpenAPI (UpdateIDEEventResult,
/// UpdateWorkbenchEventResult or CallbackExtension) with MessageId = the event id, the configured ExtensionCode,
/// CheckResult and the combined reasons. The AccessKey is read from the environment at each attempt.
/// Throttling and server errors are retried; other API errors are dead-lettered with the API's code and message.
/// </summary>
internal sealed class DataWorksCallbackSender(IHttpClientFactory httpClients, IOptions<RulesHostOptions> options, DataWorksOpenApi openApi) : IActionSender
{
    private readonly DataWorksOptions _options = options.Value.DataWorks;

    public IReadOnlyCollection<string> Types { get; } = [DataWorksAnswer.Type];

    /// <summary>The default endpoint of a region (reference 4.5): cn-qingdao and cn-huhehaote use the central one.</summary>
    public static string DefaultEndpoint(string region) => DataWorksOpenApi.DefaultEndpoint(region);

    public async Task<DeliveryResult> SendAsync(OutboxItem item, ActionPayload payload, CancellationToken cancellationToken)
    {
        var answer = ActionPayloads.As<AnswerPayload>(payload);
        if (string.IsNullOrWhiteSpace(_options.ExtensionCode))
        {
            return DeliveryResult.Permanent("OpenEventRules:DataWorks:ExtensionCode is not configured: set it, then run 'oer outbox retry'");
        }

        var accessKeyId = PayloadValues.Credential(_options.AccessKeyIdVariable, "the DataWorks AccessKey id");
        var accessKeySecret = PayloadValues.Credential(_options.AccessKeySecretVariable, "the DataWorks AccessKey secret");
        var securityToken = Environment.GetEnvironmentVariable(_options.SecurityTokenVariable);
        if (openApi.Endpoint(answer.Region, out var refusal) is not { } endpoint)
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

        using var request = openApi.CreateRequest(endpoint, api, parameters, new DataWorksCredentials(accessKeyId, accessKeySecret, securityToken));
        HeaderValues.Add(request, "Idempotency-Key", HeaderValues.IdempotencyKey(item.Key), "the DataWorks answer");

        // A signature error echoes the string to sign, AccessKeyId included.
        var (response, body) = await ResponseBody.SendAsync(httpClients.CreateClient(Channels.ChannelSender.HttpClientName), request,
            [accessKeyId, accessKeySecret, securityToken], cancellationToken);
        using var answered = response;
        return Interpret((int)response.StatusCode, body);
    }

    /// <summary>
    /// 2xx with Success absent or true (a bool or the string "true") is delivered. 408, 429, 5xx and the codes DataWorks
    /// gives for a passing fault (Throttling*, InternalError*: 400 InternalError.UserId.Missing says "try again later")
    /// are retried, and so is Success=false unless its code says the request itself is refused (Invalid*, Forbidden*,
    /// NoPermission*: Invalid.Tenant.ExtensionNotBind was retried until DataWorks:Deadline); any other error will not
    /// pass by retrying.
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
            if (success != false)
            {
                return DeliveryResult.Delivered;
            }

            var refusedError = $"DataWorks answered Success=false: {DeliveryResult.Shorten(body)}";
            return Refusal(code) ? DeliveryResult.Permanent(refusedError) : DeliveryResult.Retry(refusedError);
        }

        var error = code is null ? $"HTTP {status}: {DeliveryResult.Shorten(body)}" : $"HTTP {status} {code}: {DeliveryResult.Shorten(message ?? "")}";
        var retry = status is 408 or 429 or >= 500 || Transient(code);
        return retry ? DeliveryResult.Retry(error) : DeliveryResult.Permanent(error);
    }

    private static bool Transient(string? code) =>
        code is not null && (code.StartsWith("Throttling", StringComparison.Ordinal) || code.StartsWith("InternalError", StringComparison.Ordinal));

    private static bool Refusal(string? code) =>
        code is not null && (code.StartsWith("Invalid", StringComparison.Ordinal) || code.StartsWith("Forbidden", StringComparison.Ordinal)
            || code.StartsWith("NoPermission", StringComparison.Ordinal));
}
