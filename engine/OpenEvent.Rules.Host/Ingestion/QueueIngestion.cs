using Microsoft.Extensions.Options;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Observability;

namespace OpenEvent.Rules.Host.Ingestion;

/// <summary>What becomes of one message taken from a queue.</summary>
internal enum IngestResult
{
    /// <summary>Decided, and its actions durably stored: acknowledge it.</summary>
    Stored,

    /// <summary>Not an event the host can take (not JSON, too large, refused at the door): dead-letter it with its error.</summary>
    Invalid,

    /// <summary>Not processed now (no policy set yet, the outbox refused the actions, the deadline passed while storing): try again.</summary>
    Unavailable,
}

internal sealed record IngestOutcome(IngestResult Result, string? ErrorId = null, string? Message = null);

/// <summary>
/// One message from the events queue through the one ingestion path (<see cref="EventIngestion"/>, as POST /events): the
/// same decoding, checks at the door, pipeline and deadline. The message is acknowledged only when the ingestion had no
/// problem (every event decided and its actions stored); a problem that retrying can solve (5xx) keeps it, any other
/// problem or a refused event dead-letters it with its errorId.
/// </summary>
internal sealed class QueueIngestion(EventIngestion ingestion, IOptions<RulesHostOptions> options, RulesMetrics metrics, TimeProvider time)
{
    /// <summary>The content type of a message that names none, or names one that is not JSON (EventBridge writes the CloudEvent).</summary>
    public const string DefaultContentType = "application/cloudevents+json";

    private readonly LimitOptions _limits = options.Value.Limits;

    public async Task<IngestOutcome> IngestAsync(ReadOnlyMemory<byte> body, string? contentType, string? contentEncoding, CancellationToken cancellationToken)
    {
        if (body.Length > _limits.MaxEventBytes)
        {
            metrics.Rejected("too-large");
            return new IngestOutcome(IngestResult.Invalid, "too-large",
                $"the message is {body.Length} bytes: an event is at most {_limits.MaxEventBytes} bytes (OpenEventRules:Limits:MaxEventBytes)");
        }

        var type = contentType is not null && contentType.Contains("json", StringComparison.OrdinalIgnoreCase) ? contentType : DefaultContentType;
        var result = await ingestion.IngestAsync(body, new EventContent(type, [], time.GetTimestamp()) { ContentEncoding = contentEncoding }, cancellationToken);
        if (result.Problem is { } problem)
        {
            return new IngestOutcome(problem.Retryable ? IngestResult.Unavailable : IngestResult.Invalid, problem.Id, problem.Message);
        }

        if (result.Refused.Count > 0)
        {
            var first = result.Refused[0];
            return new IngestOutcome(IngestResult.Invalid, first.ErrorId,
                result.Total == 1 ? first.Message : $"{result.Refused.Count} of {result.Total} events are invalid; the first: {first.Message}");
        }

        return new IngestOutcome(IngestResult.Stored);
    }
}
