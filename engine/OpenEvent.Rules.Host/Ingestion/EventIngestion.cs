using Microsoft.Extensions.Options;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Observability;
using OpenEvent.Rules.Host.Policies;

namespace OpenEvent.Rules.Host.Ingestion;

/// <summary>
/// The one way events come in, whatever carried them (POST /events, POST /evaluate, a queue consumer): the input's bytes
/// and content type are decoded (<see cref="EventContent"/>), each event is read once by the policy set in service and
/// checked at the door (the compiled set's admission check, <c>EventAdmission</c>), then decided and its actions stored (<see cref="IngestAsync"/>, by
/// <see cref="EventPipeline"/>) or only decided (<see cref="EvaluateAsync"/>, the dry run). Nothing here knows HTTP: a bad
/// input is a result with a problem, never an exception, and the event's bytes go on as they came.
/// </summary>
internal sealed class EventIngestion(PolicySetState state, EventPipeline pipeline, IEventDetailSource details, IOptions<RulesHostOptions> options, RulesMetrics metrics, TimeProvider time)
{
    /// <summary>The name events of an input carry as their origin (decision log, errors).</summary>
    public const string InputName = "request";

    private readonly LimitOptions _limits = options.Value.Limits;
    private readonly DataWorksOptions _dataWorks = options.Value.DataWorks;

    /// <summary>
    /// Decides the input's events and stores their actions (the DataWorks answer included) in the outbox. Returns once
    /// they are stored, or at DataWorks:AnswerWithin (from <see cref="EventContent.ReceivedAt"/>) once every late extension
    /// point event has been answered by the fallback. A problem in the result means the input must not be acknowledged.
    /// </summary>
    public async Task<IngestionResult> IngestAsync(ReadOnlyMemory<byte> body, EventContent content, CancellationToken cancellationToken)
    {
        var receivedAt = content.ReceivedAt ?? time.GetTimestamp();
        if (Admit(body, content, out var admitted) is { } problem)
        {
            return IngestionResult.Failed(problem);
        }

        var input = admitted!;
        var pending = new List<PendingEvent>(input.Events.Count);
        foreach (var item in input.Events)
        {
            if (item.Event is { } e)
            {
                pending.Add(new PendingEvent(e));
            }
        }

        await pipeline.RunAsync(pending, input.Lease, receivedAt, cancellationToken);
        return new IngestionResult(pending.ConvertAll(Outcome), Refusals(input), input.IsBatch, Unfinished(pending));
    }

    /// <summary>
    /// The dry run: the input's events decided by the policy set in service, nothing performed (the event's detail is
    /// asked for, as for /events, when a policy that reads it matched everything else). A caller that leaves
    /// (<paramref name="cancellationToken"/>) stops it: the conditions stop at their next guard and this throws.
    /// </summary>
    public async Task<IngestionResult> EvaluateAsync(ReadOnlyMemory<byte> body, EventContent content, CancellationToken cancellationToken)
    {
        if (Admit(body, content, out var admitted) is { } problem)
        {
            return IngestionResult.Failed(problem);
        }

        var input = admitted!;
        var decided = new List<IngestedEvent>();
        try
        {
            foreach (var item in input.Events.Where(a => a.Event is not null))
            {
                using var e = item.Event!;
                var decision = await input.Lease.Compiled.Evaluator.EvaluateAsync(e, details, cancellationToken);
                decided.Add(new IngestedEvent(e.Id, e.Type, decision.Verdict, [.. decision.Matched.Select(m => m.Policy)], null, decision));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            foreach (var item in input.Events.Where(a => a.Event is not null))
            {
                item.Event!.Dispose();
            }

            throw;
        }
        finally
        {
            input.Lease.Release();
        }

        return new IngestionResult(decided, Refusals(input), input.IsBatch);
    }

    /// <summary>
    /// The input's events, each read and checked at the door, and a lease on the policy set in service (the caller
    /// releases it); a problem instead when the input as a whole is refused or no policy set is loaded yet.
    /// </summary>
    private IngestionProblem? Admit(ReadOnlyMemory<byte> body, EventContent content, out Admitted? admitted)
    {
        admitted = null;
        ReadOnlyMemory<byte> bytes;
        bool isBatch;
        try
        {
            (bytes, isBatch) = content.Decode(body, content.Classify(), _limits);
        }
        catch (RequestRejectedException rejection)
        {
            metrics.Rejected(rejection.Id);
            return new IngestionProblem(rejection.Status, rejection.Id, rejection.Message);
        }

        if (state.Acquire() is not { } lease)
        {
            return new IngestionProblem(StatusCodes.Status503ServiceUnavailable, "not-ready", "the policy set is not loaded yet");
        }

        var events = new List<AdmittedEvent>();
        try
        {
            foreach (var slice in isBatch ? EventInputReader.Split(bytes, InputName) : EventInputReader.Single(bytes, InputName))
            {
                // The host's sets check admission as they read (PolicySetFactory: CheckAdmission).
                var e = lease.Compiled.TryRead(slice, out var error);
                if (e is null)
                {
                    metrics.Rejected(error!.Id);
                }

                events.Add(new AdmittedEvent(slice.Origin, e, error));
            }
        }
        catch
        {
            // A reader fault is a defect, but it must not also keep a retired policy set alive (its lease) or the events read so far.
            events.ForEach(a => a.Event?.Dispose());
            lease.Release();
            throw;
        }

        admitted = new Admitted(events, isBatch, lease);
        return null;
    }

    private static List<RefusedEvent> Refusals(Admitted admitted) =>
        admitted.Events.TrueForAll(a => a.Error is null) ? []
            : [.. admitted.Events.Where(a => a.Error is not null).Select(a => new RefusedEvent(a.Origin.Index, a.Error!.Id, a.Error.Message))];

    private static IngestedEvent Outcome(PendingEvent pending)
    {
        var decision = pending.Fallback is null ? pending.Decision : null;
        var verdict = pending.Fallback is null ? decision?.Verdict : pending.FallbackVerdict;
        return new IngestedEvent(pending.Event.Id, pending.Event.Type, verdict, decision is null || decision.Matched.IsEmpty ? [] : [.. decision.Matched.Select(m => m.Policy)], pending.Fallback, decision);
    }

    /// <summary>
    /// Why the input must not be acknowledged although it was read: an event's actions could not be stored, or were
    /// still being stored (a regular event: not even decided) at the deadline. EventBridge (or the broker) sends it again;
    /// what was stored meanwhile is not repeated (idempotency keys).
    /// </summary>
    private IngestionProblem? Unfinished(List<PendingEvent> pending)
    {
        if (pending.FirstOrDefault(p => p.State == PendingState.StoreFailed) is { } failed)
        {
            return new IngestionProblem(StatusCodes.Status503ServiceUnavailable, FallbackAnswerer.OutboxUnavailable,
                $"the actions of event {failed.Event.Id} could not be stored: {failed.StoreFailure?.Message}{AnsweredNote(failed)}");
        }

        if (pending.FirstOrDefault(p => p.State == PendingState.Running && (p.Fallback is null || p.Phase == PendingPhase.Storing)) is not { } late)
        {
            return null;
        }

        var within = $"{_dataWorks.AnswerWithin.TotalSeconds:0.###} s (OpenEventRules:DataWorks:AnswerWithin)";
        return late.Phase == PendingPhase.Storing
            ? new IngestionProblem(StatusCodes.Status503ServiceUnavailable, FallbackAnswerer.OutboxUnavailable,
                $"the actions of event {late.Event.Id} were not stored within {within}{AnsweredNote(late)}")
            : new IngestionProblem(StatusCodes.Status503ServiceUnavailable, "deadline-passed", $"event {late.Event.Id} was not processed within {within}");
    }

    private static string AnsweredNote(PendingEvent pending) =>
        pending.Fallback is null ? "" : $"; DataWorks was answered {DecisionJson.VerdictText(pending.FallbackVerdict!.Value)} by the fallback";

    private sealed record Admitted(List<AdmittedEvent> Events, bool IsBatch, LoadedPolicySet Lease);

    /// <summary>One event of the input: read and admitted, or refused with its error.</summary>
    private sealed record AdmittedEvent(EventOrigin Origin, DataWorksEvent? Event, EventError? Error);
}
