using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Host.Actions.DataWorks;
using OpenEvent.Rules.Host.Configuration;

namespace OpenEvent.Rules.Host.Enrichment;

/// <summary>
/// The DataWorks detail source outside the host (<c>oer dry-run --fetch-detail</c>): the same signed call, bounds and
/// cache as the host's, set up from the environment as the host would be (OpenEventRules__DataWorks__*,
/// OpenEventRules__Detail__*, the AccessKey in ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET / ALIBABA_CLOUD_SECURITY_TOKEN).
/// </summary>
public static class DetailSources
{
    /// <param name="endpoint">Overrides OpenEventRules:DataWorks:Endpoint (an absolute http(s) URL).</param>
    /// <param name="region">Overrides OpenEventRules:DataWorks:Region, for events that carry no region.</param>
    public static IEventDetailSource FromEnvironment(TimeProvider time, string? endpoint = null, string? region = null)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
        var options = new RulesHostOptions();
        configuration.GetSection(RulesHostOptions.Section).Bind(options);
        options.DataWorks.Endpoint = endpoint ?? options.DataWorks.Endpoint;
        options.DataWorks.Region = region ?? options.DataWorks.Region;
        return FromDataWorks(options, time);
    }

    internal static IEventDetailSource FromDataWorks(RulesHostOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = Options.Create(options);
        return new DataWorksDetailSource(new OneClient(), new DataWorksOpenApi(settings, time), settings, time,
            new DetailMetrics(new PlainMeterFactory()), NullLogger<DataWorksDetailSource>.Instance);
    }

    private sealed class OneClient : IHttpClientFactory
    {
        private static readonly HttpClient s_client = new(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan };

        public HttpClient CreateClient(string name) => s_client;
    }

    private sealed class PlainMeterFactory : IMeterFactory
    {
        public Meter Create(MeterOptions options) => new(options);

        public void Dispose()
        {
        }
    }
}
