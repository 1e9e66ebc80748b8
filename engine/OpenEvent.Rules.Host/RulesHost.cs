using Microsoft.Extensions.Options;
using OpenEvent.Rules.Compilation.Conditions;
using OpenEvent.Rules.Expressions;
using OpenEvent.Rules.Host.Actions;
using OpenEvent.Rules.Host.Actions.Channels;
using OpenEvent.Rules.Host.Actions.DataWorks;
using OpenEvent.Rules.Host.Actions.Targets;
using OpenEvent.Rules.Host.Broker;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Host.Endpoints;
using OpenEvent.Rules.Host.Enrichment;
using OpenEvent.Rules.Host.Ingestion;
using OpenEvent.Rules.Host.Observability;
using OpenEvent.Rules.Host.Policies;
using OpenEvent.Rules.Host.WebConsole;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Sources;
using OpenTelemetry.Metrics;

namespace OpenEvent.Rules.Host;

/// <summary>
/// Builds the host: Kestrel, the policy set (loaded and hot-reloaded), the endpoints, metrics and the decision
/// log. Used by this project's Program and by <c>oer serve</c>.
/// </summary>
public static partial class RulesHost
{
    public const string DefaultUrl = ListenAddresses.DefaultUrl;

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // appsettings.json is read once: the policy folder is what hot-reloads, and a config watcher per host would
        // spend an inotify instance for nothing.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false", .. args],
            ContentRootPath = Directory.GetCurrentDirectory(),
        });

        ConfigureLogging(builder.Logging, builder.Configuration);
        AddSettings(builder.Services, builder.Configuration);
        AddPolicies(builder.Services);
        AddIngestion(builder.Services);
        AddActions(builder.Services, builder.Configuration.GetSection(RulesHostOptions.Section).GetSection("Broker").Get<BrokerOptions>()?.Enabled == true);
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(RulesMetrics.MeterName)
            .AddPrometheusExporter());

        SettingKeys.ThrowIfUnknown(builder.Configuration);
        var listen = ConfigureListening(builder);
        var console = builder.Configuration.GetSection(RulesHostOptions.Section).Get<RulesHostOptions>()?.Console.Enabled ?? true;
        if (console)
        {
            ConsoleEndpoints.AddServices(builder.Services);
        }

        configure?.Invoke(builder);

        var app = builder.Build();
        LogStartWarnings(app, builder.Configuration, listen);
        // Answers name policies, events and outbox rows: no cache between a caller and the host is to keep them, and no
        // browser is to read them as anything but what they say (the console sets its own, stricter headers).
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.CacheControl = "no-store";
            return next(context);
        });
        app.UseMiddleware<TokenAuthentication>();
        app.MapPrometheusScrapingEndpoint("/metrics");
        EventEndpoints.Map(app);
        StatusEndpoints.Map(app);
        if (console)
        {
            ConsoleEndpoints.Map(app);
        }

        return app;
    }

    /// <summary>What the start says about settings that work but are likely not what the operator meant.</summary>
    private static void LogStartWarnings(WebApplication app, IConfiguration configuration, (bool LoopbackOnly, IReadOnlyList<string> Effective) listen)
    {
        var startLog = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OpenEvent.Rules.Host");
        // A blank token is refused at start (RulesHostOptionsValidator): saying "no token is configured" first contradicted it.
        if (listen.LoopbackOnly && string.IsNullOrEmpty(configuration[RulesHostOptions.Section + ":Auth:Token"]))
        {
            LogLoopbackOnly(startLog, string.Join(';', listen.Effective));
        }

        // Taken from anywhere (tests and local runs pass it as an argument), but a command line shows in ps and a file
        // gets committed with the deployment: say so where it was set.
        if (SettingKeys.OutsideEnvironment(configuration, RulesHostOptions.Section + ":Auth:Token") is { } where)
        {
            LogTokenOutsideEnvironment(startLog, where.Trim(' ', '(', ')'));
        }

        // The Function Compute envelope (today: the download pre-event) carries no region: its answer has nowhere to go.
        var dataWorks = RulesHostOptions.Section + ":DataWorks:";
        if (!string.IsNullOrEmpty(configuration[dataWorks + "ExtensionCode"])
            && string.IsNullOrEmpty(configuration[dataWorks + "Region"]) && string.IsNullOrEmpty(configuration[dataWorks + "Endpoint"]))
        {
            LogNoFallbackRegion(startLog);
        }
    }

    private static IEnumerable<Exception> Causes(Exception ex)
    {
        for (var inner = ex.InnerException; inner is not null; inner = inner.InnerException)
        {
            yield return inner;
        }
    }

    private static void ConfigureLogging(ILoggingBuilder logging, IConfiguration configuration)
    {
        ThrowIfInvalidLevel(configuration.GetSection("Logging"));
        // Request-level framework logs drown the decisions; keep them for warnings. A level set in configuration
        // (appsettings, --Logging:LogLevel:<category>) wins: a rule added here would override it.
        DefaultLevel(logging, configuration, "Microsoft.AspNetCore", LogLevel.Warning);
        // This category only writes each request's start and end (Information). Enabled at any level, it makes
        // ASP.NET Core start an Activity and a log scope for every request (~1.5 µs of CPU per event in the host
        // benchmark's profile, bench/README.md) for lines that the level above never writes.
        DefaultLevel(logging, configuration, "Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        // A failed start (port in use, invalid policies) is reported by RunAsync in one line; the generic host would log
        // it again with a stack trace. Its critical messages (a background service stopping the host) still show.
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
    }

    /// <summary>
    /// A level .NET would refuse, refused here first with its key: .NET's own message ("Configuration value 'Loud' is not
    /// supported.") names neither the setting nor the levels it takes. Levels sit under Logging:LogLevel and under each
    /// provider's Logging:&lt;provider&gt;:LogLevel; an empty one is ignored, as .NET ignores it. .NET also takes a number
    /// outside the levels ("42" turned a category's logs off, "-1" turned every level on) and names joined by commas as
    /// flags ("Debug,Error" read as Critical): those are refused too. A level's own number ("2") stays accepted.
    /// </summary>
    private static void ThrowIfInvalidLevel(IConfigurationSection logging)
    {
        foreach (var section in logging.GetChildren().Prepend(logging))
        {
            foreach (var level in section.GetSection("LogLevel").GetChildren())
            {
                if (!string.IsNullOrEmpty(level.Value)
                    && (!Enum.TryParse<LogLevel>(level.Value, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || level.Value.Contains(',', StringComparison.Ordinal)))
                {
                    // Key and value as excerpts: a category name or a level may hold a line break or a megabyte.
                    throw new InvalidOperationException(
                        $"{TextExcerpt.Of(level.Path, 120)} is '{TextExcerpt.Of(level.Value, 80)}', which is not a log level: use Trace, Debug, Information, Warning, Error, Critical or None.");
                }
            }
        }
    }

    /// <summary>The host's level for a category, unless configuration sets one (.NET ignores an empty value: so does this).</summary>
    private static void DefaultLevel(ILoggingBuilder logging, IConfiguration configuration, string category, LogLevel level)
    {
        if (string.IsNullOrEmpty(configuration.GetSection("Logging:LogLevel")[category]))
        {
            logging.AddFilter(category, level);
        }
    }

    private static void AddSettings(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RulesHostOptions>().Bind(configuration.GetSection(RulesHostOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RulesHostOptions>, RulesHostOptionsValidator>();
        services.AddSingleton<IValidateOptions<RulesHostOptions>, UnknownSettingsValidator>();
        services.AddSingleton<IValidateOptions<RulesHostOptions>, BrokerCredentialValidator>();
        services.AddSingleton<IPostConfigureOptions<RulesHostOptions>, DataDirectoryResolver>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<RulesMetrics>();
    }

    /// <summary>The policy set in service: the folder, the condition compiler, load and hot reload.</summary>
    private static void AddPolicies(IServiceCollection services)
    {
        services.AddSingleton<PolicySetState>();
        services.AddSingleton<PolicySetFactory>();
        services.AddSingleton<IConditionCompiler>(sp =>
        {
            var conditions = sp.GetRequiredService<IOptions<RulesHostOptions>>().Value.Conditions;
            return new RoslynConditionCompiler(new RoslynConditionCompilerOptions
            {
                CacheDirectory = conditions.CacheDirectory,
                Limits = conditions.ToLimits(),
                CompileTimeout = conditions.CompileTimeout,
            });
        });
        services.AddSingleton<IPolicySource>(sp => new PolicyFolderSource(
            [sp.GetRequiredService<IOptions<RulesHostOptions>>().Value.PoliciesPath]));
        services.AddSingleton<PolicyReloadService>();
        services.AddHostedService(sp => sp.GetRequiredService<PolicyReloadService>());
    }

    /// <summary>From an input's bytes to stored actions: the entry point, the pipeline, the fallback answer, the decision log.</summary>
    private static void AddIngestion(IServiceCollection services)
    {
        services.AddSingleton<UnknownTypeNotice>();
        services.AddSingleton<RefusedRequestLog>();
        services.AddSingleton<DecisionLog>();
        services.AddSingleton<FallbackAnswerer>();
        services.AddSingleton<EventPipeline>();
        services.AddSingleton<EventIngestion>();
        services.AddHostedService(sp => sp.GetRequiredService<DecisionLog>());
    }

    /// <summary>
    /// The addresses to listen on and Kestrel's limits. Without a token the host listens on loopback only (a blank token
    /// is refused at start by RulesHostOptionsValidator; until then it counts as none).
    /// </summary>
    private static (bool LoopbackOnly, IReadOnlyList<string> Effective) ConfigureListening(WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(RulesHostOptions.Section).Get<RulesHostOptions>() ?? new RulesHostOptions();
        var loopbackOnly = string.IsNullOrWhiteSpace(options.Auth.Token);
        var listen = ListenAddresses.Plan(builder.Configuration, loopbackOnly);
        if (listen.Overrides.Count > 0)
        {
            builder.Configuration.AddInMemoryCollection(listen.Overrides);
        }

        builder.WebHost.UseUrls([.. listen.Urls]);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Kestrel refuses bodies above the batch limit itself (413); the endpoints apply the per-event limit.
            kestrel.Limits.MaxRequestBodySize = Math.Max(options.Limits.MaxBatchBytes, options.Limits.MaxEventBytes);
            kestrel.AddServerHeader = false;
            if (loopbackOnly)
            {
                kestrel.ConfigureEndpointDefaults(ListenAddresses.RequireLoopback);
            }
        });
        if (loopbackOnly)
        {
            builder.Services.AddHostedService<LoopbackCheck>();
        }

        return (loopbackOnly, [.. listen.Effective]);
    }

    /// <summary>
    /// Runs the host until it is stopped. Exit codes: 0 stopped normally; 1 the host did not start (invalid policies,
    /// the address in use); 2 a bad command line or setting (unknown or misspelt key, invalid value). Each problem is
    /// one line on <paramref name="errors"/> (stderr for the executables), without a stack trace.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter errors, CancellationToken cancellationToken = default)
    {
        if (args is ["--help" or "-h" or "-?"])
        {
            // The host's own executable has no command line parser of its own: say how it is configured (oer serve --help says the same).
            await WriteLinesAsync(errors, [
                "usage: OpenEvent.Rules.Host [--Key value]...",
                "Serves the policy folder over HTTP (http://127.0.0.1:8080 by default). Settings are --Key value, environment",
                "variables (OpenEventRules__Auth__Token) or appsettings.json; README.md, \"Configuration\", says what each does:",
                .. SettingKeys.All.Select(key => "  --" + key)]);
            return 0;
        }

        var (arguments, problems) = HostArguments.Normalize(args);
        if (problems.Count > 0)
        {
            await WriteLinesAsync(errors, problems.Select(problem => $"oer serve: {problem}"));
            return 2;
        }

        WebApplication app;
        try
        {
            app = Build(arguments);
        }
        catch (OptionsValidationException ex)
        {
            await WriteLinesAsync(errors, ex.Failures.Select(failure => $"oer serve: {failure}"));
            return 2;
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException)
        {
            await errors.WriteLineAsync($"oer serve: invalid setting: {ex.Message}");
            return 2;
        }
        catch (InvalidDataException ex)
        {
            // appsettings.json that is not JSON: .NET names the file, its inner exception the line and position.
            // The innermost is the JSON reader's, with the line and position.
            var causes = string.Concat(Causes(ex).Select(cause => " " + cause.Message));
            await errors.WriteLineAsync($"oer serve: invalid setting: {ex.Message}{causes}");
            return 2;
        }

        try
        {
            return await RunBuiltAsync(app, errors, cancellationToken);
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    private static async Task<int> RunBuiltAsync(WebApplication app, TextWriter errors, CancellationToken cancellationToken)
    {
        try
        {
            // Validate the settings before the host starts, so that a bad setting is one clear line, not a stack trace.
            _ = app.Services.GetRequiredService<IOptions<RulesHostOptions>>().Value;
            await app.RunAsync(cancellationToken);
            return 0;
        }
        catch (OptionsValidationException ex)
        {
            await WriteLinesAsync(errors, ex.Failures.Select(failure =>
                failure.StartsWith("unknown setting", StringComparison.Ordinal) ? $"oer serve: {failure}" : $"oer serve: invalid setting: {failure}"));
            return 2;
        }
        catch (IOException ex) when (StartFailure.AddressInUse(ex) is { } address)
        {
            await errors.WriteLineAsync($"oer serve: the host did not start: {address} is already in use by another process; stop it, or listen on another port with --urls http://127.0.0.1:<port> (the 'urls' setting; oer serve --port <port>)");
            return 1;
        }
        catch (InvalidOperationException ex)
        {
            await errors.WriteLineAsync($"oer serve: the host did not start: {ex.Message}");
            return 1;
        }
    }

    private static async Task WriteLinesAsync(TextWriter errors, IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            await errors.WriteLineAsync(line);
        }
    }

    /// <summary>
    /// The outbox (SQLite and its worker, or the broker's queues and consumers), the dispatcher, and the senders of every
    /// channel, target and the DataWorks answer.
    /// </summary>
    private static void AddActions(IServiceCollection services, bool brokerMode)
    {
        // The default HttpClient logging writes every request URI at Information, and a robot's URL is its credential
        // (Slack /services/..., Lark /open-apis/bot/v2/hook/..., DingTalk ?access_token=): no client logs requests.
        // The outbox worker logs each attempt by channel or target name, with errors redacted (SecretRedactor).
        services.ConfigureHttpClientDefaults(client => client.RemoveAllLoggers());
        services.AddHttpClient(ChannelSender.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .RemoveAllLoggers()
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                AllowAutoRedirect = false,
                ConnectCallback = DestinationGuard.ConnectAsync,
            })
            .AddHttpMessageHandler(() => new ProxiedDestinationGuard());
        services.AddSingleton<NotificationThrottle>();
        services.AddSingleton<NotificationGate>();
        services.AddSingleton<IActionSender, ChannelSender>();
        services.AddSingleton<IActionSender, HttpTargetSender>();
        services.AddSingleton<IActionSender, FileTargetSender>();
        services.AddSingleton<DataWorksOpenApi>();
        services.AddSingleton<IActionSender, DataWorksCallbackSender>();
        services.AddSingleton<DetailMetrics>();
        services.AddSingleton<DataWorksDetailSource>();
        services.AddSingleton<IEventDetailSource>(sp => sp.GetRequiredService<DataWorksDetailSource>());
        services.AddSingleton<DirectAnswers>();
        services.AddSingleton<ActionDelivery>();
        services.AddSingleton<IActionDispatcher, OutboxDispatcher>();
        if (brokerMode)
        {
            services.AddSingleton<QueueIngestion>();
            services.AddSingleton<BrokerConnection>();
            services.AddHostedService(sp => sp.GetRequiredService<BrokerConnection>());
            services.AddSingleton<IBrokerConsumer, PartitionSequencer>();
            services.AddSingleton<IBrokerConsumer, BrokerDeliveryConsumer>();
            services.AddSingleton<IBrokerConsumer, BrokerEventConsumer>();
            services.AddSingleton<IActionOutbox, BrokerOutbox>();
            return;
        }

        services.AddSingleton(sp =>
        {
            var outbox = sp.GetRequiredService<IOptions<RulesHostOptions>>().Value.Outbox;
            return new OutboxStore(outbox.Path, outbox.Synchronous, outbox.BusyTimeout);
        });
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<IActionOutbox>(sp => new SqliteOutbox(sp.GetRequiredService<OutboxStore>(), sp.GetRequiredService<NotificationGate>(),
            sp.GetRequiredService<OutboxSignal>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ActionDelivery>().Batches,
            sp.GetRequiredService<IOptions<RulesHostOptions>>().Value.Outbox.CommitDelay));
        services.AddSingleton<OutboxWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxWorker>());
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No token is configured (OpenEventRules__Auth__Token): listening on loopback only ({Urls}). Set a token to accept events from EventBridge.")]
    private static partial void LogLoopbackOnly(ILogger logger, string urls);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OpenEventRules:DataWorks:ExtensionCode is set but neither :Region nor :Endpoint: an event without aliyunregionid (the Function Compute envelope has none) cannot be answered, its answer is dead-lettered. Set OpenEventRules:DataWorks:Region to the region of the workspaces (e.g. cn-hangzhou).")]
    private static partial void LogNoFallbackRegion(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OpenEventRules:Auth:Token is set in {Where}, where others can read it (ps shows command lines; files get committed): set OpenEventRules__Auth__Token in the host's environment instead.")]
    private static partial void LogTokenOutsideEnvironment(ILogger logger, string where);
}
