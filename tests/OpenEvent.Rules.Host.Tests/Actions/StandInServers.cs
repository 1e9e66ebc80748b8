using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpenEvent.Rules.Host.Actions.DataWorks;

namespace OpenEvent.Rules.Host.Tests.Actions;

/// <summary>One request as a stand-in server saw it.</summary>
internal sealed record RecordedRequest(string Path, string Query, Dictionary<string, string> Headers, string Body, int Status)
{
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;
}

/// <summary>How a webhook receiver answers: succeed, fail the first N calls (500), always 500, or hang past the timeout.</summary>
internal enum ReceiverMode
{
    Succeed,
    FailFirst,
    AlwaysFail,
    Hang,
}

/// <summary>
/// A real HTTP server (Kestrel on 127.0.0.1, a free port) standing in for webhook receivers and the DataWorks
/// OpenAPI. Every request is recorded; requests answered 2xx are "delivered".
/// </summary>
internal class StandInServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _release = new();
    private int _calls;

    protected StandInServer()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Run(HandleAsync);
    }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public ReceiverMode Mode { get; set; } = ReceiverMode.Succeed;

    /// <summary>How long the receiver holds each request before it answers (a request the client gives up meanwhile is recorded as 499).</summary>
    public TimeSpan AnswerDelay { get; set; }

    /// <summary>For <see cref="ReceiverMode.FailFirst"/>: how many calls fail before the receiver succeeds.</summary>
    public int FailCount { get; set; }

    public int Calls => Volatile.Read(ref _calls);

    public Uri BaseAddress => new(_app.Urls.First());

    public string Url(string path) => new Uri(BaseAddress, path).ToString();

    public IEnumerable<RecordedRequest> Delivered => Requests.Where(r => r.Status is >= 200 and < 300);

    public static async Task<T> StartAsync<T>(T server) where T : StandInServer
    {
        await server._app.StartAsync();
        return server;
    }

    public static Task<StandInServer> StartAsync() => StartAsync(new StandInServer());

    /// <summary>When set, answers every request itself (after it is counted): a hostile or unusual receiver.</summary>
    public Func<HttpContext, Task>? Respond { get; set; }

    private async Task HandleAsync(HttpContext context)
    {
        var call = Interlocked.Increment(ref _calls);
        if (Respond is { } respond)
        {
            await respond(context);
            return;
        }

        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        if (AnswerDelay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(AnswerDelay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                Requests.Enqueue(new RecordedRequest(context.Request.Path, context.Request.QueryString.Value ?? "", headers, body, 499));
                return;
            }
        }

        var (status, answer) = Mode switch
        {
            ReceiverMode.AlwaysFail => (500, "{\"error\":\"down\"}"),
            ReceiverMode.FailFirst when call <= FailCount => (500, "{\"error\":\"not yet\"}"),
            ReceiverMode.Hang => (0, ""),
            _ => Answer(context.Request.Path, headers, body),
        };
        if (status == 0)
        {
            // Hang until the client gives up (its timeout) or the test releases it, then answer nothing useful.
            try
            {
                using var held = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _release.Token);
                await Task.Delay(Timeout.Infinite, held.Token);
            }
            catch (OperationCanceledException)
            {
            }

            Requests.Enqueue(new RecordedRequest(context.Request.Path, context.Request.QueryString.Value ?? "", headers, body, 499));
            return;
        }

        Requests.Enqueue(new RecordedRequest(context.Request.Path, context.Request.QueryString.Value ?? "", headers, body, status));
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer);
    }

    /// <summary>Ends every request held in <see cref="ReceiverMode.Hang"/> (so that a stop need not wait for them).</summary>
    public void ReleaseHung() => _release.Cancel();

    protected virtual (int Status, string Body) Answer(string path, Dictionary<string, string> headers, string body) => (200, "{\"ok\":true}");

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One answer DataWorks received: the API, its parameters, and whether the signature was valid.</summary>
internal sealed record DataWorksCall(string Action, string Version, Dictionary<string, string> Parameters, bool SignatureValid, string? SignatureError);

/// <summary>
/// The DataWorks OpenAPI stand-in: parses the RPC form body, verifies the V3 (ACS3-HMAC-SHA256) or V2 (HMAC-SHA1)
/// signature with the known AccessKey, answers like DataWorks (RequestId, Success) or with a signature error.
/// </summary>
internal sealed class DataWorksStandIn(string accessKeyId, string accessKeySecret) : StandInServer
{
    public ConcurrentQueue<DataWorksCall> Answers { get; } = new();

    public static Task<DataWorksStandIn> StartAsync(string accessKeyId, string accessKeySecret) => StartAsync(new DataWorksStandIn(accessKeyId, accessKeySecret));

    protected override (int Status, string Body) Answer(string path, Dictionary<string, string> headers, string body)
    {
        var parameters = body.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(p => WebUtility.UrlDecode(p[0]), p => Uri.UnescapeDataString(p.Length > 1 ? p[1] : ""), StringComparer.Ordinal);
        string? error;
        string action;
        string version;
        if (headers.TryGetValue("authorization", out var authorization))
        {
            action = headers.GetValueOrDefault("x-acs-action", "");
            version = headers.GetValueOrDefault("x-acs-version", "");
            error = VerifyV3(authorization, headers, body);
        }
        else
        {
            action = parameters.GetValueOrDefault("Action", "");
            version = parameters.GetValueOrDefault("Version", "");
            error = VerifyV2(parameters);
        }

        Answers.Enqueue(new DataWorksCall(action, version, parameters, error is null, error));
        return error is null
            ? (200, "{\"RequestId\":\"" + Guid.NewGuid() + "\",\"Success\":true}")
            : (400, "{\"Code\":\"SignatureDoesNotMatch\",\"Message\":\"" + error + "\",\"RequestId\":\"x\"}");
    }

    private string? VerifyV3(string authorization, Dictionary<string, string> headers, string body)
    {
        const string prefix = "ACS3-HMAC-SHA256 ";
        if (!authorization.StartsWith(prefix, StringComparison.Ordinal))
        {
            return "not ACS3-HMAC-SHA256";
        }

        var parts = authorization[prefix.Length..].Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        if (parts["Credential"] != accessKeyId)
        {
            return "unknown AccessKeyId";
        }

        var hash = AcsSigner.HexSha256(Encoding.UTF8.GetBytes(body));
        if (headers.GetValueOrDefault("x-acs-content-sha256") != hash)
        {
            return "x-acs-content-sha256 does not match the body";
        }

        var names = parts["SignedHeaders"].Split(';');
        foreach (var required in new[] { "host", "x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256" })
        {
            if (!names.Contains(required))
            {
                return $"{required} is not signed";
            }
        }

        var canonical = AcsSigner.CanonicalRequestV3("POST", "", names.Select(n => new KeyValuePair<string, string>(n, headers.GetValueOrDefault(n, ""))), hash, out _);
        return AcsSigner.SignatureV3(canonical, accessKeySecret) == parts["Signature"] ? null : "signature mismatch";
    }

    private string? VerifyV2(Dictionary<string, string> parameters)
    {
        if (parameters.GetValueOrDefault("AccessKeyId") != accessKeyId)
        {
            return "unknown AccessKeyId";
        }

        return AcsSigner.SignatureV2("POST", parameters, accessKeySecret) == parameters.GetValueOrDefault("Signature") ? null : "signature mismatch";
    }
}
