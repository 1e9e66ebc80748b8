using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Compilation.Conditions;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Policies;
using OpenEvent.Rules.Host.Tests.Endpoints;
using OpenEvent.Rules.Sources;

namespace OpenEvent.Rules.Host.Tests.Policies;

/// <summary>
/// The real folder source with one injectable step before it: the engine faults and slow steps that a real folder
/// cannot produce on demand (an exception of any type, a load that never ends) are run there; the rest is real.
/// </summary>
internal sealed class HazardousPolicySource(IPolicySource inner) : IPolicySource
{
    /// <summary>Run before each load, on the reload's cancellation token; null for none.</summary>
    public Func<CancellationToken, Task>? Hazard { get; set; }

    public IReadOnlyList<string> WatchedFolders => inner.WatchedFolders;

    public async Task<PolicySnapshot> LoadAsync(CancellationToken cancellationToken = default)
    {
        if (Hazard is { } hazard)
        {
            await hazard(cancellationToken);
        }

        return await inner.LoadAsync(cancellationToken);
    }
}

/// <summary>A running host with its log captured and its policy source open to injected hazards.</summary>
internal sealed class HazardHost : IAsyncDisposable
{
    private HazardHost(RunningHost host, CapturedLog log, HazardousPolicySource source)
    {
        Host = host;
        Log = log;
        Source = source;
    }

    public RunningHost Host { get; }

    public CapturedLog Log { get; }

    public HazardousPolicySource Source { get; }

    public string Policies => Host.PoliciesPath;

    public PolicyReloadService ReloadService => Host.Services.GetRequiredService<PolicyReloadService>();

    public static async Task<HazardHost> StartAsync(params string[] settings)
    {
        var log = new CapturedLog();
        HazardousPolicySource? source = null;
        var host = await RunningHost.StartConfiguredAsync(builder =>
        {
            builder.Logging.AddProvider(log);
            builder.Services.AddSingleton<IPolicySource>(sp => source = new HazardousPolicySource(new PolicyFolderSource(
                [sp.GetRequiredService<IOptions<RulesHostOptions>>().Value.PoliciesPath])));
        }, policiesFrom: null, settings);
        return new HazardHost(host, log, source!);
    }

    /// <summary>GET /policies.</summary>
    public async Task<JsonElement> PoliciesAsync() => JsonDocument.Parse(await Host.Client.GetStringAsync("/policies")).RootElement;

    /// <summary>The error diagnostics of lastReloadError on /policies (empty when the last reload succeeded).</summary>
    public async Task<List<(string Id, string File, string Message)>> ReloadErrorsAsync()
    {
        var error = (await PoliciesAsync()).GetProperty("lastReloadError");
        return error.ValueKind == JsonValueKind.Null
            ? []
            : error.GetProperty("diagnostics").EnumerateArray()
                .Where(d => d.GetProperty("severity").GetString() == "error")
                .Select(d => (d.GetProperty("id").GetString()!, d.GetProperty("file").GetString()!, d.GetProperty("message").GetString()!))
                .ToList();
    }

    /// <summary>Waits until lastReloadError has an error with <paramref name="id"/> (and, when given, in a file ending with <paramref name="fileEnd"/>).</summary>
    public async Task<(string Id, string File, string Message)> WaitForReloadErrorAsync(string id, string? fileEnd = null, int timeoutSeconds = 30)
    {
        (string Id, string File, string Message) found = default;
        await RunningHost.WaitUntilAsync(async () =>
        {
            found = (await ReloadErrorsAsync()).FirstOrDefault(d => d.Id == id && (fileEnd is null || d.File.EndsWith(fileEnd, StringComparison.Ordinal)));
            return found.Id is not null;
        }, $"lastReloadError to report {id}{(fileEnd is null ? "" : " in " + fileEnd)} (last failure: {Host.State.LastFailure?.Summary})", timeoutSeconds);
        return found;
    }

    /// <summary>Waits until the last reload succeeded and the set has a policy named <paramref name="name"/> (or none of that name, when <paramref name="present"/> is false).</summary>
    public Task WaitForPolicyAsync(string name, bool present = true, int timeoutSeconds = 30) =>
        RunningHost.WaitUntilAsync(async () =>
        {
            var body = await PoliciesAsync();
            var names = body.GetProperty("policies").EnumerateArray().Select(p => p.GetProperty("name").GetString());
            return body.GetProperty("lastReloadError").ValueKind == JsonValueKind.Null && names.Contains(name) == present;
        }, $"policy {name} to be {(present ? "loaded" : "gone")} (last failure: {Host.State.LastFailure?.Summary})", timeoutSeconds);

    public async Task<string> MetricsAsync() => await Host.Client.GetStringAsync("/metrics");

    /// <summary>The value of a metric without labels of its own (Prometheus text; the exporter adds otel_scope_name), or null.</summary>
    public static double? MetricValue(string metrics, string name)
    {
        foreach (var line in metrics.Split('\n'))
        {
            if (line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal))
            {
                var rest = line.Contains('}') ? line[(line.LastIndexOf('}') + 1)..] : line[name.Length..];
                return double.Parse(rest.Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    /// <summary>Waits until the metric <paramref name="name"/> has <paramref name="value"/> (the scrape is cached for a moment).</summary>
    public async Task WaitForMetricAsync(string name, double value, int timeoutSeconds = 10)
    {
        double? last = null;
        try
        {
            await RunningHost.WaitUntilAsync(async () => (last = MetricValue(await MetricsAsync(), name)) == value, $"{name} to be {value}", timeoutSeconds);
        }
        catch (Xunit.Sdk.FailException)
        {
            Assert.Fail($"{name} never became {value}; last value: {last?.ToString(CultureInfo.InvariantCulture) ?? "none"}");
        }
    }

    /// <summary>The host still serves: ready, and an event is evaluated by the set in service.</summary>
    public async Task AssertServingAsync(string eventId)
    {
        Assert.Equal(HttpStatusCode.OK, (await Host.Client.GetAsync("/readyz")).StatusCode);
        using var response = await Host.PostAsync("/events", HostEndpointTests.DeployEvent(eventId, "dws_orders"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(ReloadService.ExecuteTask?.IsCompleted ?? true, "the reload service has stopped");
        Assert.False(Host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested, "the host is stopping");
    }

    public static string Policy(string name) => $$"""
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata: { name: {{name}} }
        spec:
          match: { type: ["dataworks:FileChange:RunFile"] }
          actions: [ { warn: { reason: "{{name}}" } } ]
        """;

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();
}
