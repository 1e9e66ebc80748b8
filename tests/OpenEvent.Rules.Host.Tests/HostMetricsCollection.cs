namespace OpenEvent.Rules.Host.Tests;

/// <summary>
/// The tests that read /metrics run alone: every in-process host's meter is named OpenEvent.Rules, and OpenTelemetry's
/// providers listen by name across the process, so a host started by a parallel test would mix its values in.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HostMetricsCollection
{
    public const string Name = "host metrics";
}
