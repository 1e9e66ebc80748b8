using System.Net;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Compilation.Conditions;
using OpenEvent.Rules.Expressions;
using OpenEvent.Rules.Host.Actions;
using OpenEvent.Rules.Host.Actions.Channels;
using OpenEvent.Rules.Host.Actions.DataWorks;
using OpenEvent.Rules.Host.Actions.Targets;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Endpoints;
using OpenEvent.Rules.Host.Observability;
using OpenEvent.Rules.Host.Policies;
using OpenEvent.Rules.Sources;
using OpenTelemetry.Metrics;

namespace OpenEvent.Rules.Host;

/// <summary>
/// Builds the host: Kestrel, the policy set (loaded and hot-reloaded), the endpoints, metrics and the decision
/// log. Used by this project's Program and by <c>oer serve</c>.
/// </summary>
public static partial class RulesHost
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // appsettings.json is read once: the policy folder is what hot-reloads, and a config watcher per host would
        // spend an inotify instance for nothing.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false", .. args],
            ContentRootPath = Directory.GetCurrentDirectory(),
        });

        // Request-level framework logs drown the decisions; keep them for warnings (appsettings can lower this).
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddOptions<RulesHostOptions>().Bind(builder.Configuration.GetSection(RulesHostOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<RulesHostOptions>, RulesHostOptionsValidator>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<PolicySetState>();
        builder.Services.AddSingleton<PolicySetFactory>();
        builder.Services.AddSingleton<RulesMetrics>();
        builder.Services.AddSingleton<IConditionCompiler>(sp =>
        {
            var conditions = sp.GetRequiredService<IOptions<RulesHostOptions>>().Value.Conditions;
            return new RoslynConditionCompiler(new RoslynConditionCompilerOptions
            {
                CacheDirectory = conditions.CacheDirectory,
                Limits = conditions.ToLimits(),
                CompileTimeout = conditions.CompileTimeout,
            });
        });
        builder.Services.AddSingleton<IPolicySource>(sp => new PolicyFolderSource(
            [sp.GetRequiredService<IOptions<RulesHostOptions>>().Value.PoliciesPath], sp.GetRequiredService<IConditionCompiler>()));
        builder.Services.AddSingleton<PolicyReloadService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PolicyReloadService>());
        builder.Services.AddSingleton<DecisionLog>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DecisionLog>());
        AddActions(builder.Services);
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(RulesMetrics.MeterName)
            .AddPrometheusExporter());

        var options = builder.Configuration.GetSection(RulesHostOptions.Section).Get<RulesHostOptions>() ?? new RulesHostOptions();
        var urls = builder.Configuration["urls"] is { Length: > 0 } configured ? configured : DefaultUrl;
        var loopbackOnly = string.IsNullOrEmpty(options.Auth.Token);
        if (loopbackOnly)
        {
            urls = ToLoopback(urls);
        }

        builder.WebHost.UseUrls(urls.Split(';', StringSplitOptions.RemoveEmptyEntries));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Kestrel refuses bodies above the batch limit itself (413); the endpoints apply the per-event limit.
            kestrel.Limits.MaxRequestBodySize = Math.Max(options.Limits.MaxBatchBytes, options.Limits.MaxEventBytes);
            kestrel.AddServerHeader = false;
        });
        configure?.Invoke(builder);

        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OpenEvent.Rules.Host");
        if (loopbackOnly)
        {
            LogLoopbackOnly(logger, urls);
        }

        app.UseMiddleware<TokenAuthentication>();
        app.MapPrometheusScrapingEndpoint("/metrics");
        EventEndpoints.Map(app);
        StatusEndpoints.Map(app);
        return app;
    }

    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        WebApplication app;
        try
        {
            app = Build(args);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException)
        {
            await Console.Error.WriteLineAsync($"oer serve: {ex.Message}");
            return 1;
        }

        try
        {
            // Validate the settings before the host starts, so that a bad setting is one clear line, not a stack trace.
            _ = app.Services.GetRequiredService<IOptions<RulesHostOptions>>().Value;
            await app.RunAsync(cancellationToken);
            return 0;
        }
        catch (OptionsValidationException ex)
        {
            foreach (var failure in ex.Failures)
            {
                await Console.Error.WriteLineAsync($"oer serve: invalid setting: {failure}");
            }

            return 1;
        }
        catch (InvalidOperationException ex)
        {
            await Console.Error.WriteLineAsync($"oer serve: {ex.Message}");
            return 1;
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    /// <summary>The outbox (store, dispatcher, workers) and the senders of every channel, target and the DataWorks answer.</summary>
    private static void AddActions(IServiceCollection services)
    {
        services.AddHttpClient(ChannelSender.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false });
        services.AddSingleton(sp =>
        {
            var outbox = sp.GetRequiredService<IOptions<RulesHostOptions>>().Value.Outbox;
            return new OutboxStore(outbox.Path, outbox.Synchronous, outbox.BusyTimeout);
        });
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<NotificationThrottle>();
        services.AddSingleton<IActionSender, ChannelSender>();
        services.AddSingleton<IActionSender, HttpTargetSender>();
        services.AddSingleton<IActionSender, FileTargetSender>();
        services.AddSingleton<IActionSender, DataWorksCallbackSender>();
        services.AddSingleton<IActionDispatcher, OutboxDispatcher>();
        services.AddSingleton<OutboxWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxWorker>());
    }

    /// <summary>Without a token the host must not be reachable from the network: every address becomes 127.0.0.1.</summary>
    internal static string ToLoopback(string urls) =>
        string.Join(';', urls.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(url =>
        {
            var parsed = BindingAddress.Parse(url);
            if (parsed.Host == "localhost" || (IPAddress.TryParse(parsed.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)))
            {
                return url;
            }

            return $"{parsed.Scheme}://127.0.0.1:{parsed.Port}{parsed.PathBase}";
        }));

    [LoggerMessage(Level = LogLevel.Warning, Message = "No token is configured (OpenEventRules__Auth__Token): listening on loopback only ({Urls}). Set a token to accept events from EventBridge.")]
    private static partial void LogLoopbackOnly(ILogger logger, string urls);
}
