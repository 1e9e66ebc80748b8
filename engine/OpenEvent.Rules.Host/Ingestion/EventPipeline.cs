using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Host.Actions;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Observability;
using OpenEvent.Rules.Host.Policies;

namespace OpenEvent.Rules.Host.Ingestion;

/// <summary>
/// What POST /events does with the events it admitted: evaluate each, log the decision, store its actions (the
/// DataWorks answer included) in the outbox. A request that holds an event DataWorks waits an answer for runs this on
/// the thread pool under a timer: when DataWorks:AnswerWithin passes (from the request's arrival) before an extension point
/// event is evaluated and stored, or when its actions cannot be stored, <see cref="FallbackAnswerer"/> answers it with
/// the fail mode, the decision log records the fallback, and the request is answered; the late work goes on in the
/// background (holding the policy set's lease) and stores its other actions, without a second answer.
/// </summary>
internal sealed partial class EventPipeline(
    IActionDispatcher dispatcher,
    IActionOutbox outbox,
    DecisionLog decisionLog,
    FallbackAnswerer fallback,
    IEventDetailSource details,
    RulesMetrics metrics,
    IOptions<RulesHostOptions> options,
    TimeProvider time,
    UnknownTypeNotice unknownTypes,
    ILogger<EventPipeline> logger)
{
    private readonly DataWorksOptions _dataWorks = options.Value.DataWorks;

    /// <summary>
    /// Processes the events (in order) and returns once they are all stored, or at the deadline once every late
    /// extension point event has been answered by the fallback. Takes over the lease: it is released when the last
    /// event is done, which may be after this returns.
    /// </summary>
    public Task RunAsync(List<PendingEvent> events, LoadedPolicySet lease, long arrivedAt, CancellationToken requestAborted) =>
        AnyAnswered(events)
            ? RunUnderDeadlineAsync(events, lease, arrivedAt, requestAborted)
            : ProcessAllAsync(events, lease, requestAborted);

    private bool AnyAnswered(List<PendingEvent> events)
    {
        foreach (var pending in events)
        {
            if (fallback.Answers(pending.Event))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The events of a request that holds one DataWorks waits an answer for, on the pool under the deadline's timer.</summary>
    private async Task RunUnderDeadlineAsync(List<PendingEvent> events, LoadedPolicySet lease, long arrivedAt, CancellationToken requestAborted)
    {
        var arrival = time.GetUtcNow() - time.GetElapsedTime(arrivedAt);
        var work = Task.Run(() => ProcessAllAsync(events, lease, requestAborted), CancellationToken.None);
        ExceptionDispatchInfo? failure = null;
        try
        {
            var remaining = _dataWorks.AnswerWithin - time.GetElapsedTime(arrivedAt);
            // The deadline holds whether or not the caller is still there: DataWorks waits either way.
            await work.WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, time, CancellationToken.None);
        }
        catch (TimeoutException)
        {
            // The late work goes on; a failure of it has no request left to fail, so it is logged.
            _ = work.ContinueWith(t => LogLateWorkFailed(logger, t.Exception!), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
        catch (Exception ex)
        {
            // A regular event failed to evaluate: the extension point events of the request are answered first.
            failure = ExceptionDispatchInfo.Capture(ex);
        }

        var fallbacks = new List<Task>();
        foreach (var pending in events)
        {
            if (fallback.Answers(pending.Event) && pending.State != PendingState.Stored && pending.TryTakeFallback())
            {
                fallbacks.Add(FallBackAsync(pending, lease.Revision, arrival, arrivedAt));
            }
        }

        await Task.WhenAll(fallbacks);
        failure?.Throw();
    }

    private async Task FallBackAsync(PendingEvent pending, string revision, DateTimeOffset arrival, long arrivedAt)
    {
        var e = pending.Event;
        var storeFailed = pending.State == PendingState.StoreFailed;
        var reason = storeFailed ? FallbackAnswerer.OutboxUnavailable : FallbackAnswerer.Deadline;
        var verdict = fallback.VerdictFor(pending.Decision?.Verdict);
        pending.Fallback = reason;
        pending.FallbackVerdict = verdict;
        var decision = new Decision(new EventDescriptor(e.Id, e.Type, e.Origin.File, e.Origin.Index), verdict, [], [], [], null);
        decisionLog.Append(decision, e, revision, time.GetElapsedTime(arrivedAt).TotalSeconds, new DecisionLogNote(Fallback: reason));
        var decided = pending.Decision is { Verdict: { } known } evaluated && known == verdict && known != Verdict.Ok
            ? OutboxDispatcher.CombinedReasons(evaluated, _dataWorks.MaxMessageLength)
            : null;
        await fallback.AnswerAsync(e, verdict, reason, outboxIsLate: storeFailed || pending.Phase == PendingPhase.Storing, arrival, decided);
    }

    /// <summary>
    /// Decides every event of the input before the first is stored, then waits for the stores. A large batch's verdicts
    /// are known in a fraction of its deadline, so a fallback at the deadline answers with them (a block is never
    /// softened to the fail mode), and the stores reach the outbox together, in its group commits, instead of one
    /// flush per event (10,000 extension point events took 70 s one after the other, and 9,000 blocks went out as WARN).
    /// </summary>
    private async Task ProcessAllAsync(List<PendingEvent> events, LoadedPolicySet lease, CancellationToken requestAborted)
    {
        if (events.Count == 1)
        {
            await ProcessOneAsync(events[0], lease, requestAborted);
            return;
        }

        var stores = new List<Task>(events.Count);
        var next = 0;
        try
        {
            for (; next < events.Count; next++)
            {
                var e = events[next].Event;
                if (await StartAsync(events[next], lease, requestAborted) is { } store)
                {
                    stores.Add(DisposeAfterAsync(store, e));
                }
                else
                {
                    e.Dispose();
                }
            }
        }
        finally
        {
            // An evaluation that failed stops the input: the events not decided are let go; those being stored finish
            // before the policy set's lease is released (their actions name its channels and targets).
            for (; next < events.Count; next++)
            {
                events[next].Event.Dispose();
            }

            try
            {
                await Task.WhenAll(stores);
            }
            finally
            {
                lease.Release();
            }
        }
    }

    /// <summary>The usual input, one event: decided and stored without the list and wrappers a batch needs (the host's per-event path).</summary>
    private async Task ProcessOneAsync(PendingEvent pending, LoadedPolicySet lease, CancellationToken requestAborted)
    {
        try
        {
            if (await StartAsync(pending, lease, requestAborted) is { } store)
            {
                await store;
            }
        }
        finally
        {
            pending.Event.Dispose();
            lease.Release();
        }
    }

    /// <summary>
    /// Decides one event and starts its store; null when a regular event's caller left. That cancels the evaluation of
    /// regular events (their conditions stop at their next guard): nobody waits for the answer, and EventBridge sends the
    /// event again. Extension point events are processed anyway, since DataWorks waits for their answer whoever asked;
    /// their conditions are bounded by the condition budgets and their answer by the deadline.
    /// </summary>
    private async Task<Task?> StartAsync(PendingEvent pending, LoadedPolicySet lease, CancellationToken requestAborted)
    {
        var e = pending.Event;
        try
        {
            return await DecideAsync(pending, lease, e.IsExtensionPoint ? CancellationToken.None : requestAborted);
        }
        catch (OperationCanceledException) when (!e.IsExtensionPoint && requestAborted.IsCancellationRequested)
        {
            return null;
        }
    }

    private static async Task DisposeAfterAsync(Task store, DataWorksEvent e)
    {
        try
        {
            await store;
        }
        finally
        {
            e.Dispose();
        }
    }

    /// <summary>Evaluates one event and starts storing its actions; returns the store.</summary>
    private async Task<Task> DecideAsync(PendingEvent pending, LoadedPolicySet lease, CancellationToken cancellationToken)
    {
        var e = pending.Event;
        pending.Phase = PendingPhase.Evaluating;
        var started = Stopwatch.GetTimestamp();
        metrics.Received(RulesMetrics.TypeLabel(e));
        unknownTypes.Seen(e);
        if (e.CatalogEntry?.AlsoRegular == true && e.BlockBusiness == false)
        {
            LogAnsweringTwin(logger, e.Id, e.Type);
        }

        Decision decision;
        try
        {
            // The detail is asked for only when a policy that reads it matched everything else; its call is bounded by
            // Detail:Timeout, below AnswerWithin, so the policies decide before the fallback answers.
            decision = await lease.Compiled.Evaluator.EvaluateAsync(e, details, cancellationToken);
        }
        catch (Exception ex) when (e.IsExtensionPoint)
        {
            return FailSafe(pending, lease, ex, started);
        }

        var seconds = RulesMetrics.Seconds(started);
        metrics.Evaluated(decision, RulesMetrics.TypeLabel(e), seconds);
        pending.Decision = decision;
        pending.Phase = PendingPhase.Storing;
        decisionLog.Append(decision, e, lease.Revision, seconds, new DecisionLogNote(Late: pending.FallbackTaken));
        return StoreAsync(pending, DispatchAsync(pending, decision, lease));
    }

    /// <summary>DataWorks holds the operation until it is answered: an extension point event that failed to evaluate is answered with the configured fail mode.</summary>
    private Task FailSafe(PendingEvent pending, LoadedPolicySet lease, Exception exception, long started)
    {
        var e = pending.Event;
        pending.Phase = PendingPhase.Storing;
        var decision = new Decision(new EventDescriptor(e.Id, e.Type, e.Origin.File, e.Origin.Index), fallback.VerdictFor(null), [], [], [], null);
        pending.Decision = decision;
        decisionLog.Append(decision, e, lease.Revision, RulesMetrics.Seconds(started), new DecisionLogNote(Fallback: "evaluation-failed", Late: pending.FallbackTaken));
        return StoreAsync(pending, AnswerFailureAsync(pending, exception));
    }

    private async ValueTask AnswerFailureAsync(PendingEvent pending, Exception exception)
    {
        if (!pending.FallbackTaken && !fallback.WasSentDirectly(pending.Event.Id))
        {
            await dispatcher.DispatchEvaluationFailureAsync(pending.Event, exception, CancellationToken.None);
        }
    }

    /// <summary>
    /// The decision's actions, with the channels and targets of the set that made it. The answer is stored on its own,
    /// after the other actions, and only if the fallback has not answered in the meantime: the other actions' store is
    /// what may wait on a locked outbox while the fallback sends.
    /// </summary>
    private async ValueTask DispatchAsync(PendingEvent pending, Decision decision, LoadedPolicySet lease)
    {
        var e = pending.Event;
        if (decision.Verdict is not { } verdict)
        {
            await dispatcher.DispatchAsync(decision, e, lease.Snapshot.Set, CancellationToken.None);
            return;
        }

        await dispatcher.DispatchAsync(decision with { Verdict = null }, e, lease.Snapshot.Set, CancellationToken.None);
        if (pending.FallbackTaken || fallback.WasSentDirectly(e.Id))
        {
            return;
        }

        var reasons = OutboxDispatcher.CombinedReasons(decision, _dataWorks.MaxMessageLength);
        if (dispatcher.AnswerFor(e, verdict, reasons) is not { } answer)
        {
            return;
        }

        if (logger.IsEnabled(LogLevel.Information))
        {
            LogVerdict(logger, e.Id, e.Type, DecisionJson.VerdictText(verdict));
        }

        await outbox.EnqueueAsync([answer], CancellationToken.None);
    }

    /// <param name="store">The store, started by an async method (so that a failure is in the task, not thrown before this runs).</param>
    private async Task StoreAsync(PendingEvent pending, ValueTask store)
    {
        try
        {
            // Not cancelled with the request: once evaluated, the actions are stored whole or the request fails.
            await store;
            pending.State = PendingState.Stored;
        }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException)
        {
            // Not acknowledged, so EventBridge sends the event again; the actions stored so far are not repeated (idempotency keys).
            metrics.Rejected(FallbackAnswerer.OutboxUnavailable);
            pending.StoreFailure = ex;
            pending.State = PendingState.StoreFailed;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "processing events after their deadline failed")]
    private static partial void LogLateWorkFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "verdict for {EventId} ({Type}): {Verdict}")]
    private static partial void LogVerdict(ILogger logger, string eventId, string type, string verdict);

    [LoggerMessage(Level = LogLevel.Information, Message = "event {EventId} ({Type}) carries blockBusiness false: it is answered anyway (it may be the regular twin, for which an answer is harmless; a pre-event left unanswered would hold DataWorks)")]
    private static partial void LogAnsweringTwin(ILogger logger, string eventId, string type);
}

internal enum PendingPhase
{
    Waiting,
    Evaluating,
    Storing,
}

internal enum PendingState
{
    Running,
    Stored,
    StoreFailed,
}

/// <summary>One admitted event of a request, shared between the work that processes it and the request's deadline.</summary>
internal sealed class PendingEvent(DataWorksEvent e)
{
    private int _phase;
    private int _state;
    private int _fallback;
    private Decision? _decision;

    public DataWorksEvent Event { get; } = e;

    public PendingPhase Phase
    {
        get => (PendingPhase)Volatile.Read(ref _phase);
        set => Volatile.Write(ref _phase, (int)value);
    }

    public PendingState State
    {
        get => (PendingState)Volatile.Read(ref _state);
        set => Volatile.Write(ref _state, (int)value);
    }

    /// <summary>The decision, once evaluated.</summary>
    public Decision? Decision
    {
        get => Volatile.Read(ref _decision);
        set => Volatile.Write(ref _decision, value);
    }

    public Exception? StoreFailure { get; set; }

    public bool FallbackTaken => Volatile.Read(ref _fallback) == 1;

    /// <summary>The fallback that answered the event (deadline, outbox-unavailable), and its verdict.</summary>
    public string? Fallback { get; set; }

    public Verdict? FallbackVerdict { get; set; }

    /// <summary>Only one fallback per event, and the work sees it before it stores its own answer.</summary>
    public bool TryTakeFallback() => Interlocked.CompareExchange(ref _fallback, 1, 0) == 0;
}
