using System.Diagnostics.Metrics;
using OpenEvent.Rules.Host.Observability;

namespace OpenEvent.Rules.Host.Enrichment;

/// <summary>
/// The instruments of detail fetching, on the host's meter (exported with the others on /metrics):
/// oer_detail_calls_total{outcome}, oer_detail_call_duration_seconds, oer_detail_errors_total{reason},
/// oer_detail_cache_hits_total. Label values are a fixed set.
/// </summary>
internal sealed class DetailMetrics
{
    private readonly Counter<long> _calls;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _cacheHits;

    public DetailMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(RulesMetrics.MeterName);
        _calls = meter.CreateCounter<long>("oer.detail.calls", description: "GetIDEEventDetail calls, by outcome (ok, error).");
        _duration = meter.CreateHistogram<double>("oer.detail.call.duration", unit: "s", description: "Time of one GetIDEEventDetail call, answer read included.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5] });
        _errors = meter.CreateCounter<long>("oer.detail.errors",
            description: "Details that could not be had, by reason (timeout, http, refused, shape, too-large, network, credentials, endpoint, workspace, disabled).");
        _cacheHits = meter.CreateCounter<long>("oer.detail.cache.hits", description: "Details served from the cache or from a call already in flight for the same event.");
    }

    public void Call(string outcome, double seconds)
    {
        _calls.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        _duration.Record(seconds);
    }

    public void Error(string reason) => _errors.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void CacheHit() => _cacheHits.Add(1);
}
