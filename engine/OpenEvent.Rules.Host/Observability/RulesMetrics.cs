using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events;

namespace OpenEvent.Rules.Host.Observability;

/// <summary>
/// The host's instruments (System.Diagnostics.Metrics, exported in Prometheus text format on /metrics).
/// Label values are bounded: event types outside the catalog are reported as "unknown".
/// </summary>
internal sealed class RulesMetrics : IDisposable
{
    public const string MeterName = "OpenEvent.Rules";

    private readonly Meter _meter;

    /// <summary>
    /// The two counts every event adds to, kept here and reported when the exporter collects (observable counters):
    /// a Counter.Add with tags looks its tag set up in the SDK's aggregator on each call, ~0.6 µs twice per event in
    /// the host benchmark's profile (bench/README.md), where an increment here costs a dictionary lookup.
    /// </summary>
    private readonly ConcurrentDictionary<string, StrongBox<long>> _received = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Type, string Verdict), StrongBox<long>> _evaluated = new();
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _matches;
    private readonly Counter<long> _waived;
    private readonly Histogram<double> _latency;
    private readonly Counter<long> _reloads;
    private readonly Counter<long> _reloadsAbandoned;
    private readonly Counter<long> _actions;
    private readonly Counter<long> _deliveries;
    private readonly Counter<long> _suppressed;
    private readonly Counter<long> _decisionLogDropped;
    private readonly Counter<long> _fallbacks;
    private readonly Counter<long> _brokerDisconnects;
    private readonly Counter<long> _brokerConfirms;
    private readonly Counter<long> _brokerRedeliveries;
    private readonly Counter<long> _brokerDeadLetters;
    private readonly Counter<long> _partitionTakeovers;
    private int _reloadFailing;
    private int _policiesLoaded;

    public RulesMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _meter.CreateObservableCounter("oer.events.received",
            () => _received.Select(p => new Measurement<long>(Volatile.Read(ref p.Value.Value), new KeyValuePair<string, object?>("type", p.Key))),
            description: "Events received, by type.");
        _meter.CreateObservableCounter("oer.events.evaluated",
            () => _evaluated.Select(p => new Measurement<long>(Volatile.Read(ref p.Value.Value), new("type", p.Key.Type), new("verdict", p.Key.Verdict))),
            description: "Events evaluated, by type and verdict (none for regular events).");
        _rejected = _meter.CreateCounter<long>("oer.events.rejected", description: "Inputs refused, by reason (invalid-json, too-large, unauthorized, ...).");
        _matches = _meter.CreateCounter<long>("oer.policy.matches", description: "Policy matches, by policy and mode.");
        _waived = _meter.CreateCounter<long>("oer.waivers.applied", description: "Enforced matches whose block or warn a waiver relaxed, by waiver and policy.");
        _latency = _meter.CreateHistogram<double>("oer.evaluation.duration", unit: "s", description: "Time to evaluate one event.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.1] });
        _reloads = _meter.CreateCounter<long>("oer.policy.reloads", description: "Policy reloads, by result (success, failure).");
        _reloadsAbandoned = _meter.CreateCounter<long>("oer.policy.reloads.abandoned",
            description: "Reloads abandoned for taking longer than Reload:TimeoutSeconds (each also counts as a failed reload).");
        _actions = _meter.CreateCounter<long>("oer.actions", description: "Actions handed to the action pipeline, by kind and outcome.");
        _deliveries = _meter.CreateCounter<long>("oer.outbox.deliveries", description: "Delivery attempts of stored actions, by kind (notify, forward, answer) and outcome (delivered, retry, dead).");
        _suppressed = _meter.CreateCounter<long>("oer.notifications.suppressed", description: "Notifications not sent, by channel and reason (rate-limit, duplicate).");
        _decisionLogDropped = _meter.CreateCounter<long>("oer.decision_log.dropped",
            description: "Decision log entries dropped because its queue was full, by part (line: the whole decision; event: the event it carried).");
        _fallbacks = _meter.CreateCounter<long>("oer.dataworks.fallbacks",
            description: "Extension point events answered with the fail mode because their answer was late, by reason (deadline, outbox-unavailable) and route (stored, sent, failed).");
        _brokerDisconnects = _meter.CreateCounter<long>("oer.broker.disconnects", description: "Connections to the broker lost (each is followed by reconnection with backoff).");
        _brokerConfirms = _meter.CreateCounter<long>("oer.broker.confirms",
            description: "Messages published to the broker, by result (ack: confirmed; nack, returned, timeout: not stored, the caller answers 503 or retries).");
        _brokerRedeliveries = _meter.CreateCounter<long>("oer.broker.redeliveries",
            description: "Messages the broker delivered again (a consumer died or gave them back), by queue.");
        _brokerDeadLetters = _meter.CreateCounter<long>("oer.broker.dead_letters",
            description: "Messages this host dead-lettered, by queue and reason (an event's errorId, delivery-failed).");
        _partitionTakeovers = _meter.CreateCounter<long>("oer.broker.partition.takeovers",
            description: "Action partitions this host became the active consumer of (at start, or when another host left).");
        _meter.CreateObservableGauge("oer.policy.reload.failing", () => Volatile.Read(ref _reloadFailing),
            description: "1 while the last reload failed and an older set is serving.");
        _meter.CreateObservableGauge("oer.policies.loaded", () => Volatile.Read(ref _policiesLoaded),
            description: "Policies in the set in service.");
    }

    public void Received(string type) => Tally(_received, type);

    public void Rejected(string reason) => _rejected.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Evaluated(Decision decision, string typeLabel, double seconds)
    {
        var verdict = decision.Verdict is { } v ? DecisionJson.VerdictText(v) : "none";
        Tally(_evaluated, (typeLabel, verdict));
        _latency.Record(seconds);
        foreach (var match in decision.Matched)
        {
            _matches.Add(1, new("policy", match.Policy), new("mode", "enforce"));
            if (match.Waiver is { } waiver)
            {
                // Bounded like the policy label: waiver names come from the loaded set, never from the event.
                _waived.Add(1, new("waiver", waiver.Name), new("policy", match.Policy));
            }
        }

        foreach (var match in decision.Audit)
        {
            _matches.Add(1, new("policy", match.Policy), new("mode", "audit"));
        }
    }

    public void Action(string kind, string outcome) => _actions.Add(1, new("kind", kind), new("outcome", outcome));

    public void Delivery(string kind, string outcome) => _deliveries.Add(1, new("kind", kind), new("outcome", outcome));

    public void Suppressed(string channel, string reason) => _suppressed.Add(1, new("channel", channel), new("reason", reason));

    public void DecisionLogDropped(string part) => _decisionLogDropped.Add(1, new KeyValuePair<string, object?>("part", part));

    public void Fallback(string reason, string route) => _fallbacks.Add(1, new("reason", reason), new("route", route));

    public void BrokerDisconnected() => _brokerDisconnects.Add(1);

    public void BrokerConfirms(string result, int count) => _brokerConfirms.Add(count, new KeyValuePair<string, object?>("result", result));

    public void BrokerRedelivered(string queue) => _brokerRedeliveries.Add(1, new KeyValuePair<string, object?>("queue", queue));

    public void BrokerDeadLettered(string queue, string reason) => _brokerDeadLetters.Add(1, new("queue", queue), new("reason", reason));

    public void PartitionTakeover() => _partitionTakeovers.Add(1);

    /// <summary>1 while the host is connected to the broker.</summary>
    public void TrackBroker(Func<int> connected) =>
        _meter.CreateObservableGauge("oer.broker.connected", connected, description: "1 while the host is connected to the broker (broker mode).");

    /// <summary>Messages waiting in the broker's queues (events not yet taken, actions not yet delivered), by queue.</summary>
    public void TrackConsumerLag(Func<IEnumerable<Measurement<long>>> ready) =>
        _meter.CreateObservableGauge("oer.broker.consumer.lag", ready, description: "Messages ready in the events and delivery queues, by queue (measured every 5 s).");

    /// <summary>Reports the decision log's queue depth (entries waiting for the writer) as a gauge.</summary>
    public void TrackDecisionLogQueue(Func<int> depth) =>
        _meter.CreateObservableGauge("oer.decision_log.queue.depth", depth, description: "Decision log entries waiting for the writer.");

    public void ReloadSucceeded(int policies)
    {
        _reloads.Add(1, new KeyValuePair<string, object?>("result", "success"));
        Volatile.Write(ref _reloadFailing, 0);
        Volatile.Write(ref _policiesLoaded, policies);
    }

    public void ReloadFailed()
    {
        _reloads.Add(1, new KeyValuePair<string, object?>("result", "failure"));
        Volatile.Write(ref _reloadFailing, 1);
    }

    /// <summary>A reload over its time budget: a failure, counted apart as well.</summary>
    public void ReloadAbandoned()
    {
        _reloadsAbandoned.Add(1);
        ReloadFailed();
    }

    private static void Tally<TLabels>(ConcurrentDictionary<TLabels, StrongBox<long>> counts, TLabels labels)
        where TLabels : notnull =>
        Interlocked.Increment(ref counts.GetOrAdd(labels, static _ => new StrongBox<long>()).Value);

    /// <summary>Bounded label for an event type: catalog types as they are, anything else "unknown".</summary>
    public static string TypeLabel(DataWorksEvent e) => e.CatalogEntry is null ? "unknown" : e.Type;

    public static double Seconds(long startTimestamp) => Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds;

    public void Dispose() => _meter.Dispose();
}
