using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using OpenEvent.Rules.Host.Observability;

namespace OpenEvent.Rules.Host.Actions.Targets;

/// <summary>
/// type: http: POSTs the original CloudEvent in structured mode (application/cloudevents+json) with the target's
/// headers (checked, <see cref="HeaderValues.Add"/>) and the action's encoded Idempotency-Key; errors are redacted of the URL and header values.
/// </summary>
internal sealed class HttpTargetSender(IHttpClientFactory httpClients) : IActionSender
{
    public IReadOnlyCollection<string> Types { get; } = ["http"];

    public async Task<DeliveryResult> SendAsync(OutboxItem item, JsonObject payload, CancellationToken cancellationToken)
    {
        var owner = $"target '{payload["target"]!.GetValue<string>()}'";
        var url = PayloadValues.Resolve(payload["url"], $"url of {owner}") ?? throw new PayloadValues.MissingVariableException($"{owner} has no url");
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(payload["event"]!.GetValue<string>(), Encoding.UTF8,
                new MediaTypeHeaderValue("application/cloudevents+json") { CharSet = "utf-8" }),
        };
        HeaderValues.Add(request, "Idempotency-Key", HeaderValues.IdempotencyKey(item.Key), owner);
        var headerValues = PayloadValues.AddHeaders(request, payload["headers"], owner);
        using var response = await httpClients.CreateClient(Channels.ChannelSender.HttpClientName).SendAsync(request, cancellationToken);
        return DeliveryResult.FromStatus(response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken))
            .Redacted([.. SecretRedactor.OfUrl(url), .. headerValues]);
    }
}
