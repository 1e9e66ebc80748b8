using System.Net.Http.Headers;
using OpenEvent.Rules.Host.Observability;

namespace OpenEvent.Rules.Host.Actions.Targets;

/// <summary>
/// type: http: POSTs the original CloudEvent in structured mode (application/cloudevents+json) with the target's
/// headers (checked, <see cref="HeaderValues.Add"/>) and the action's encoded Idempotency-Key; errors are redacted of the URL and header values.
/// </summary>
internal sealed class HttpTargetSender(IHttpClientFactory httpClients) : IActionSender
{
    public IReadOnlyCollection<string> Types { get; } = ["http"];

    public async Task<DeliveryResult> SendAsync(OutboxItem item, ActionPayload payload, CancellationToken cancellationToken)
    {
        var forward = ActionPayloads.As<ForwardPayload>(payload);
        var owner = $"target '{forward.Target}'";
        var url = PayloadValues.ResolveUrl(forward.Url, owner);
        // The event's bytes as they were received (or as a binary-mode request was turned into its structured form).
        using var content = new ReadOnlyMemoryContent(ActionPayloads.EventOf(item, forward));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/cloudevents+json") { CharSet = "utf-8" };
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        HeaderValues.Add(request, "Idempotency-Key", HeaderValues.IdempotencyKey(item.Key), owner);
        var headerValues = PayloadValues.AddHeaders(request, forward.Headers, owner);
        var (response, body) = await ResponseBody.SendAsync(httpClients.CreateClient(Channels.ChannelSender.HttpClientName), request,
            [.. SecretRedactor.OfUrl(url), .. headerValues], cancellationToken);
        using var answered = response;
        return DeliveryResult.FromStatus(response.StatusCode, body);
    }
}
