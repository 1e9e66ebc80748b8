using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Events.Detail;
using OpenEvent.Rules.Host.Actions;
using OpenEvent.Rules.Host.Actions.Channels;
using OpenEvent.Rules.Host.Actions.DataWorks;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Observability;

namespace OpenEvent.Rules.Host.Enrichment;

/// <summary>
/// The event's detail from DataWorks: one GetIDEEventDetail call (MessageId = the event id, ProjectId = its workspace),
/// signed like the answers (<see cref="DataWorksOpenApi"/>), bounded by Detail:Timeout and Detail:MaxBytes, made only
/// when the evaluator asks (a policy that reads the detail matched everything else) and once per event: details are
/// cached by event, and evaluations of the same event while a call is in flight share it. Never throws: a refusal
/// (403 without Enterprise Edition), an error, a timeout, an answer of another shape or a missing credential is the
/// result, with a reason that says which, and the policies decide by their detailErrors.
/// </summary>
internal sealed partial class DataWorksDetailSource : IEventDetailSource
{
    /// <summary>The DataWorks API that returns the detail of an extension point event.</summary>
    public const string Api = "GetIDEEventDetail";

    private const string Source = "dataworks";

    private readonly IHttpClientFactory _httpClients;
    private readonly DataWorksOpenApi _openApi;
    private readonly DetailOptions _options;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly DetailMetrics _metrics;
    private readonly ILogger<DataWorksDetailSource> _logger;
    private readonly DetailCache _cache;
    private readonly ConcurrentDictionary<string, Lazy<Task<EventDetailResult>>> _inFlight = new(StringComparer.Ordinal);

    public DataWorksDetailSource(IHttpClientFactory httpClients, DataWorksOpenApi openApi, IOptions<RulesHostOptions> options, TimeProvider time,
        DetailMetrics metrics, ILogger<DataWorksDetailSource> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _httpClients = httpClients;
        _openApi = openApi;
        _options = options.Value.Detail;
        _timeout = _options.EffectiveTimeout(options.Value.DataWorks.AnswerWithin);
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _cache = new DetailCache(_options.CacheEntries, _options.CacheBytes, _options.CacheTtl, time);
    }

    /// <summary>Details held in the cache now.</summary>
    public int Cached => _cache.Count;

    public async ValueTask<EventDetailResult> GetAsync(DataWorksEvent e, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (!_options.Enabled)
        {
            return Failed("disabled", "fetching event details is disabled (OpenEventRules:Detail:Enabled is false)");
        }

        if (e.CatalogEntry?.Detail is not { } schema)
        {
            return Failed("shape", $"the event type {SecretRedactor.Quote(e.Type)} has no detail");
        }

        // The workspace id goes into the signed call: it must be an id, whatever the event says.
        if (e.Scope.Workspace is not { Length: > 0 and <= 20 } project || !project.All(char.IsAsciiDigit))
        {
            return Failed("workspace", $"the event has no workspace id (data.projectId) to ask DataWorks with; it has {SecretRedactor.Quote(e.Scope.Workspace)}");
        }

        var key = e.Id + "\n" + project;
        if (_cache.TryGet(key, out var cached))
        {
            _metrics.CacheHit();
            return EventDetailResult.Found(cached!, Source) with { FromCache = true };
        }

        var region = e.Scope.Region;
        var id = e.Id;
        var candidate = new Lazy<Task<EventDetailResult>>(() => FetchAsync(key, id, project, region, schema.Member));
        var call = _inFlight.GetOrAdd(key, candidate);
        if (!ReferenceEquals(call, candidate))
        {
            _metrics.CacheHit();
        }

        var result = await call.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        return ReferenceEquals(call, candidate) ? result : result with { FromCache = true };
    }

    // One call, not cancelled by any caller (its result may serve several), bounded by Detail:Timeout.
    private async Task<EventDetailResult> FetchAsync(string key, string messageId, string project, string? region, string member)
    {
        // Off the caller's stack: the caller awaits the task, so a slow DNS lookup or TLS handshake cannot hold its thread.
        await Task.Yield();
        try
        {
            var result = await CallAsync(messageId, project, region, member).ConfigureAwait(false);
            if (result.Detail is { } detail)
            {
                _cache.Add(key, detail);
            }

            return result;
        }
        finally
        {
            _inFlight.TryRemove(key, out _);
        }
    }

    private async Task<EventDetailResult> CallAsync(string messageId, string project, string? region, string member)
    {
        if (_openApi.ReadCredentials(out var missing) is not { } credentials)
        {
            return Failed("credentials", missing!);
        }

        if (_openApi.Endpoint(region, out var refusal) is not { } endpoint)
        {
            return Failed("endpoint", refusal!);
        }

        var started = Stopwatch.GetTimestamp();
        using var timeout = new CancellationTokenSource(_timeout, _time);
        try
        {
            using var request = _openApi.CreateRequest(endpoint, Api, [new("MessageId", messageId), new("ProjectId", project)], credentials);
            using var response = await _httpClients.CreateClient(ChannelSender.HttpClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var body = await ReadBoundedAsync(response.Content, _options.MaxBytes, timeout.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (body is null)
            {
                return Called("error", started, Failed("too-large", $"DataWorks answered more than {_options.MaxBytes:N0} bytes (OpenEventRules:Detail:MaxBytes)"));
            }

            if (status is < 200 or >= 300)
            {
                return Called("error", started, Failed(status == 403 ? "refused" : "http", Redact(ApiError(status, body), credentials)));
            }

            if (!TryDecode(body, response.Content.Headers.ContentType?.CharSet, out var utf8, out var decodeError))
            {
                return Called("error", started, Failed("shape", $"DataWorks answered text that cannot be read: {decodeError}"));
            }

            if (!EventDetail.TryRead(utf8, member, _options.MaxBytes, out var detail, out var error))
            {
                // The reason quotes the answer (its member names, a parser's excerpt): one line, whatever it holds.
                return Called("error", started, Failed("shape", Model.TextExcerpt.Escape(Redact($"DataWorks answered {error}", credentials))));
            }

            Called("ok", started, null);
            return EventDetailResult.Found(detail!, Source);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            var cause = _timeout < _options.Timeout ? "half of OpenEventRules:DataWorks:AnswerWithin" : "OpenEventRules:Detail:Timeout";
            return Called("error", started, Failed("timeout", $"{Api} did not answer within {_timeout.TotalSeconds:0.###} s ({cause})"));
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidOperationException)
        {
            return Called("error", started, Failed("network", Redact($"{Api} failed: {ex.Message}", credentials)));
        }
    }

    private EventDetailResult Called(string outcome, long started, EventDetailResult? result)
    {
        _metrics.Call(outcome, Stopwatch.GetElapsedTime(started).TotalSeconds);
        return result!;
    }

    private EventDetailResult Failed(string reason, string message)
    {
        _metrics.Error(reason);
        LogFailed(_logger, reason, message);
        return EventDetailResult.Failed(message, Source);
    }

    private static string Redact(string text, DataWorksCredentials credentials) => SecretRedactor.Redact(text, credentials.Secrets);

    // An OpenAPI error is {Code, Message, RequestId}: 403 Forbidden.Access means the workspace lacks Enterprise Edition.
    private static string ApiError(int status, byte[] body)
    {
        string? code = null;
        string? message = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                code = document.RootElement.TryGetProperty("Code", out var c) ? c.ToString() : null;
                message = document.RootElement.TryGetProperty("Message", out var m) ? m.ToString() : null;
            }
        }
        catch (JsonException)
        {
        }

        var what = code is null
            ? $"HTTP {status}: {DeliveryResult.Shorten(Model.TextExcerpt.Escape(Encoding.UTF8.GetString(body)))}"
            : $"HTTP {status} {Model.TextExcerpt.Escape(code)}: {DeliveryResult.Shorten(Model.TextExcerpt.Escape(message ?? ""))}";
        var hint = status == 403 ? " (GetIDEEventDetail needs DataWorks Enterprise Edition and an AccessKey allowed dataworks:*)" : "";
        return $"DataWorks refused {Api}: {what}{hint}";
    }

    /// <summary>The body, read to at most <paramref name="maxBytes"/>; null when it is longer.</summary>
    private static async Task<byte[]?> ReadBoundedAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength is long declared && declared > maxBytes)
        {
            return null;
        }

        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>UTF-8 as it is; another charset the answer declares (GB18030, GBK, UTF-16, ...) is transcoded, strictly.</summary>
    private static bool TryDecode(byte[] body, string? charset, out byte[] utf8, out string? error)
    {
        utf8 = body;
        error = null;
        var name = charset?.Trim().Trim('"');
        if (string.IsNullOrEmpty(name) || name.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || name.Equals("utf8", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        try
        {
            // GB18030 and GBK are code-page encodings: registered once, on first need (registering again is a no-op).
            Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
            var encoding = Encoding.GetEncoding(name, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
            utf8 = Encoding.UTF8.GetBytes(encoding.GetString(body));
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or DecoderFallbackException)
        {
            error = $"charset {Model.TextExcerpt.Of(name)}: {ex.Message}";
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "the event's detail could not be had ({Reason}): {Message}")]
    private static partial void LogFailed(ILogger logger, string reason, string message);
}
