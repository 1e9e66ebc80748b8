using Microsoft.Extensions.Options;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Observability;
using OpenEvent.Rules.Host.Policies;

namespace OpenEvent.Rules.Host.Ingestion;

/// <summary>What became of one event taken from a queue.</summary>
internal enum IngestResult
{
    /// <summary>Decided, and its actions durably stored: acknowledge it.</summary>
    Stored,

    /// <summary>Not an event the host can take (not JSON, too large, refused at the door): dead-letter it with its error.</summary>
    Invalid,

    /// <summary>Not processed now (no policy set yet, the outbox refused the actions): give it back for later.</summary>
    Unavailable,
}

internal sealed record IngestOutcome(IngestResult Result, string? ErrorId = null, string? Message = null);

/// <summary>
/// One event from a message queue through the same path as POST /events: read with the policy set in service, the same
/// checks at the door (<see cref="EventAdmission"/>), the same pipeline (evaluate, decision log, actions stored, the
/// DataWorks answer with its deadline). It returns only when the event's actions are stored or failed to be, also when
/// the deadline's fallback answered first, so that the message is acknowledged only for an event fully handled.
/// </summary>
internal sealed class QueueIngestion(PolicySetState state, EventPipeline pipeline, IOptions<RulesHostOptions> options, RulesMetrics metrics, TimeProvider time)
{
    private const string QueueFile = "queue";

    private readonly LimitOptions _limits = options.Value.Limits;

    public async Task<IngestOutcome> IngestAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var arrivedAt = time.GetTimestamp();
        if (body.Length > _limits.MaxEventBytes)
        {
            metrics.Rejected("too-large");
            return new IngestOutcome(IngestResult.Invalid, "too-large",
                $"the message is {body.Length} bytes: an event is at most {_limits.MaxEventBytes} bytes (OpenEventRules:Limits:MaxEventBytes)");
        }

        if (state.Acquire() is not { } lease)
        {
            return new IngestOutcome(IngestResult.Unavailable, "not-ready", "the policy set is not loaded yet");
        }

        DataWorksEvent? e = null;
        EventError? error = null;
        foreach (var slice in EventInputReader.Single(body, QueueFile))
        {
            e = lease.Compiled.TryRead(slice, out error);
        }

        if (e is not null && EventAdmission.Check(e) is { } refused)
        {
            e.Dispose();
            (e, error) = (null, refused);
        }

        if (e is null)
        {
            lease.Release();
            error ??= new EventError("invalid-json", "the message holds no event");
            metrics.Rejected(error.Id);
            return new IngestOutcome(IngestResult.Invalid, error.Id, error.Message);
        }

        var pending = new PendingEvent(e);
        await pipeline.RunAsync([pending], lease, arrivedAt, cancellationToken);
        await pending.Completion;
        return pending.State == PendingState.Stored
            ? new IngestOutcome(IngestResult.Stored)
            : new IngestOutcome(IngestResult.Unavailable, FallbackAnswerer.OutboxUnavailable, pending.StoreFailure?.Message ?? "the event was not processed");
    }
}
