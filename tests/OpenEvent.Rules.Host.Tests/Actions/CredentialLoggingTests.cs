using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpenEvent.Rules.Host.Actions;
using OpenEvent.Rules.Host.Tests.Endpoints;
using static OpenEvent.Rules.Host.Tests.Actions.ActionHarness;

namespace OpenEvent.Rules.Host.Tests.Actions;

/// <summary>
/// Robot URLs, signing secrets, header values and the AccessKey are credentials: none may reach the host's log (or
/// the outbox's error column, which `oer outbox list` and /outbox show). The host delivers to every channel kind,
/// both targets and DataWorks, at receivers that accept, at a receiver whose error pages echo the whole request
/// (path, query, every header), and at a closed port; its whole log, at every level and with scopes, is then searched.
/// </summary>
public sealed class CredentialLoggingTests
{
    private static string Secret(string prefix) => prefix + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task EveryChannelTargetAndAnswer_SucceedingOrFailing_NoCredentialInTheLog()
    {
        await using var ok = await StandInServer.StartAsync();
        await using var echo = await EchoingReceiver.StartAsync();
        var secrets = new List<string>();
        string Keep(string value)
        {
            secrets.Add(value);
            return value;
        }

        string UrlVariable(string baseUrl, string shape) => Env("URL", baseUrl.TrimEnd('/') + shape);
        var slackOk = UrlVariable(ok.BaseAddress.ToString(), $"/services/T0{Keep(Secret("SLK"))}/B0{Keep(Secret("SLK"))}/{Keep(Secret("slackok"))}");
        var slackBad = UrlVariable(echo.BaseAddress, $"/services/T0{Keep(Secret("SLK"))}/B0{Keep(Secret("SLK"))}/{Keep(Secret("slackbad"))}");
        var slackDown = UrlVariable("http://127.0.0.1:9", $"/services/T0{Keep(Secret("SLK"))}/B0{Keep(Secret("SLK"))}/{Keep(Secret("slackdown"))}");
        var larkOk = UrlVariable(ok.BaseAddress.ToString(), $"/open-apis/bot/v2/hook/{Keep(Guid.NewGuid().ToString())}");
        var larkBad = UrlVariable(echo.BaseAddress, $"/open-apis/bot/v2/hook/{Keep(Guid.NewGuid().ToString())}");
        var larkSecret = Env("LARK", Keep(Secret("larksecret")));
        var dingOk = UrlVariable(ok.BaseAddress.ToString(), $"/robot/send?access_token={Keep(Secret("dingok"))}");
        var dingBad = UrlVariable(echo.BaseAddress, $"/robot/send?access_token={Keep(Secret("dingbad"))}");
        var dingSecret = Env("DING", Keep("SEC" + Secret("dingsecret")));
        var hookOk = UrlVariable(ok.BaseAddress.ToString(), $"/hooks/{Keep(Secret("hookok"))}");
        var hookBad = UrlVariable(echo.BaseAddress, $"/hooks/{Keep(Secret("hookbad"))}");
        var hookToken = Env("TOKEN", "Bearer " + Keep(Secret("bearer")));
        var auditOk = UrlVariable(ok.BaseAddress.ToString(), $"/ingest?token={Keep(Secret("auditok"))}");
        var auditBad = UrlVariable(echo.BaseAddress, $"/ingest?token={Keep(Secret("auditbad"))}");
        var apiKey = Env("APIKEY", Keep(Secret("apikey")));
        var accessKeyId = Keep("LTAI" + Secret(""));
        var accessKeySecret = Keep(Secret("aksecret"));
        var securityToken = Keep(Secret("ststoken"));

        var channels = new[]
        {
            ("slack-ok", "slack", slackOk, ""), ("slack-bad", "slack", slackBad, ""), ("slack-down", "slack", slackDown, ""),
            ("lark-ok", "lark", larkOk, $"secretFrom: {{ env: {larkSecret} }}"), ("lark-bad", "lark", larkBad, $"secretFrom: {{ env: {larkSecret} }}"),
            ("ding-ok", "dingtalk", dingOk, $"secretFrom: {{ env: {dingSecret} }}"), ("ding-bad", "dingtalk", dingBad, $"secretFrom: {{ env: {dingSecret} }}"),
            ("hook-ok", "webhook", hookOk, $"headers: {{ Authorization: {{ env: {hookToken} }} }}"),
            ("hook-bad", "webhook", hookBad, $"headers: {{ Authorization: {{ env: {hookToken} }} }}"),
        };
        var policies = new StringBuilder("""
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: everywhere }
            spec:
              match: { type: ["dataworks:FileChange:DeployFile"] }
              actions:
                - block: { reason: "frozen" }

            """);
        foreach (var (name, _, _, _) in channels)
        {
            policies.Append(CultureInfo.InvariantCulture, $"    - notify: {{ channel: {name}, message: \"deploy of {{{{ data.fileName }}}}\" }}\n");
        }

        policies.Append("    - forward: { target: audit-ok }\n    - forward: { target: audit-bad }\n");
        foreach (var (name, type, variable, extra) in channels)
        {
            policies.Append(CultureInfo.InvariantCulture, $"---\napiVersion: openevent.rules/v1\nkind: Channel\nmetadata: {{ name: {name} }}\nspec: {{ type: {type}, urlFrom: {{ env: {variable} }}{(extra.Length > 0 ? ", " + extra : "")} }}\n");
        }

        foreach (var (name, variable) in new[] { ("audit-ok", auditOk), ("audit-bad", auditBad) })
        {
            policies.Append(CultureInfo.InvariantCulture, $"---\napiVersion: openevent.rules/v1\nkind: Target\nmetadata: {{ name: {name} }}\nspec: {{ type: http, urlFrom: {{ env: {variable} }}, headers: {{ X-Api-Key: {{ env: {apiKey} }} }} }}\n");
        }

        var log = new CapturedLog();
        using var folder = new TempFolder();
        folder.Write("policies.yaml", policies.ToString());
        await using (var host = await RunningHost.StartConfiguredAsync(builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
            builder.Logging.AddProvider(log);
        }, folder.Root, [.. FastOutbox,
            "--OpenEventRules:DataWorks:ExtensionCode", ExtensionCode,
            "--OpenEventRules:DataWorks:Endpoint", echo.BaseAddress,
            "--OpenEventRules:DataWorks:AccessKeyIdVariable", Env("AKID", accessKeyId),
            "--OpenEventRules:DataWorks:AccessKeySecretVariable", Env("AKSECRET", accessKeySecret),
            "--OpenEventRules:DataWorks:SecurityTokenVariable", Env("STS", securityToken)]))
        {
            (await host.PostAsync("/events", HostEndpointTests.DeployEvent(NewId("creds"), "dws_x"))).EnsureSuccessStatusCode();
            await host.WaitForIdleAsync("every action to be delivered or dead-lettered");

            // Delivered: slack, lark, dingtalk, webhook, http target; dead: their echoing twins, the closed port, the answer.
            Assert.Equal((0L, 5L, 7L), host.Outbox().Counts());
            var errors = string.Join('\n', host.Outbox().List(OutboxStore.Dead, 100).Select(d => d.LastError));
            Assert.All(secrets, secret => Assert.DoesNotContain(secret, errors, StringComparison.Ordinal));
            Assert.Contains("HTTP 404 NotFound: Cannot POST ", errors, StringComparison.Ordinal);
        }

        var text = log.Text;
        Assert.Contains("delivered notify to slack-ok", text, StringComparison.Ordinal);
        Assert.Contains("moved to the dead-letter table", text, StringComparison.Ordinal);
        Assert.Contains("retry in", text, StringComparison.Ordinal);
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, text, StringComparison.Ordinal));
        Assert.DoesNotMatch(new Regex("(?i)(sign|signature|access_token|credential)(=|%3D)(?!\\*\\*\\*)"), text);
        Assert.DoesNotContain("Bearer ", text, StringComparison.Ordinal);
    }

    /// <summary>
    /// A receiver whose error page echoes the whole request, as some proxies and frameworks do: the first call on a
    /// path gets 500 (retried), later ones 404 (dead-lettered).
    /// </summary>
    private sealed class EchoingReceiver : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);

        private EchoingReceiver()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            _app = builder.Build();
            _app.Run(async context =>
            {
                using var reader = new StreamReader(context.Request.Body);
                var body = await reader.ReadToEndAsync();
                var call = _calls.AddOrUpdate(context.Request.Path, 1, (_, n) => n + 1);
                context.Response.StatusCode = call == 1 ? 500 : 404;
                var headers = string.Join("; ", context.Request.Headers.Select(h => $"{h.Key}: {h.Value}"));
                await context.Response.WriteAsync($"Cannot POST {context.Request.Path}{context.Request.QueryString} ({headers}) {body}");
            });
        }

        public string BaseAddress => _app.Urls.First() + "/";

        public static async Task<EchoingReceiver> StartAsync()
        {
            var receiver = new EchoingReceiver();
            await receiver._app.StartAsync();
            return receiver;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// <summary>Every log entry of the host: level, category, formatted message, structured values, scopes, exception.</summary>
    private sealed class CapturedLog : ILoggerProvider, ISupportExternalScope
    {
        private readonly ConcurrentQueue<string> _entries = new();
        private IExternalScopeProvider? _scopes;

        public string Text => string.Join('\n', _entries);

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Logger(CapturedLog owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes?.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var entry = new StringBuilder().Append(logLevel).Append(' ').Append(category).Append(": ").Append(formatter(state, exception));
                if (state is IEnumerable<KeyValuePair<string, object?>> values)
                {
                    foreach (var (key, value) in values)
                    {
                        entry.Append(" | ").Append(key).Append('=').Append(value);
                    }
                }

                owner._scopes?.ForEachScope((scope, builder) => builder.Append(" => ").Append(scope), entry);
                if (exception is not null)
                {
                    entry.Append('\n').Append(exception);
                }

                owner._entries.Enqueue(entry.ToString());
            }
        }
    }
}
