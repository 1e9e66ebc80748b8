using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpenEvent.Rules.Host.Actions.DataWorks;

namespace OpenEvent.Rules.Host.Tests.Enrichment;

/// <summary>How the stand-in answers GetIDEEventDetail for one message: a status and body, their content type, a delay, or no answer at all.</summary>
internal sealed record DetailAnswer(int Status, byte[] Body, string ContentType = "application/json;charset=utf-8", TimeSpan Delay = default, bool Hang = false)
{
    public static DetailAnswer Json(int status, string body) => new(status, Encoding.UTF8.GetBytes(body));

    /// <summary>A committed file as DataWorks answers it (RequestId, EventDetail.CommittedFile).</summary>
    public static DetailAnswer Committed(string fileName, string content, string cronExpress = "00 30 05 * * ?") =>
        Json(200, System.Text.Json.JsonSerializer.Serialize(new
        {
            RequestId = "req-" + fileName,
            EventDetail = new
            {
                CommittedFile = new
                {
                    FileName = fileName,
                    FileType = 10,
                    ChangeType = "UPDATE",
                    Committor = "200012345678901",
                    Content = content,
                    NodeConfiguration = new { CronExpress = cronExpress, SchedulerType = "NORMAL", RerunMode = "ALL_ALLOWED" },
                },
            },
        }));
}

/// <summary>One call the stand-in received: the API, its form parameters, the version header and whether the signature was valid.</summary>
internal sealed record DetailCall(string Action, string Version, Dictionary<string, string> Parameters, bool SignatureValid, string? SignatureError);

/// <summary>
/// The DataWorks OpenAPI on a loopback port (Kestrel), as the host's detail calls and answers meet it: every request's V3
/// (ACS3-HMAC-SHA256) signature is verified with the known AccessKey; GetIDEEventDetail is answered per MessageId as the
/// test scripts it (recorded-shape details, errors, delays, silence); the answer APIs are answered Success.
/// </summary>
internal sealed class DetailStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _accessKeyId;
    private readonly string _accessKeySecret;
    private readonly ConcurrentDictionary<string, DetailAnswer> _script = new(StringComparer.Ordinal);

    private DetailStandIn(string accessKeyId, string accessKeySecret)
    {
        _accessKeyId = accessKeyId;
        _accessKeySecret = accessKeySecret;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Run(HandleAsync);
    }

    public ConcurrentQueue<DetailCall> Calls { get; } = new();

    public IEnumerable<DetailCall> DetailCalls => Calls.Where(c => c.Action == "GetIDEEventDetail");

    public IEnumerable<DetailCall> Answers => Calls.Where(c => c.Action is "UpdateIDEEventResult" or "UpdateWorkbenchEventResult" or "CallbackExtension");

    public Uri BaseAddress => new(_app.Urls.First());

    public static async Task<DetailStandIn> StartAsync(string accessKeyId, string accessKeySecret)
    {
        var server = new DetailStandIn(accessKeyId, accessKeySecret);
        await server._app.StartAsync();
        return server;
    }

    /// <summary>How GetIDEEventDetail answers for <paramref name="messageId"/> (unknown ids: 400 Invalid.MessageId).</summary>
    public void Serve(string messageId, DetailAnswer answer) => _script[messageId] = answer;

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        var parameters = body.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(p => WebUtility.UrlDecode(p[0]), p => Uri.UnescapeDataString(p.Length > 1 ? p[1] : ""), StringComparer.Ordinal);
        var action = headers.GetValueOrDefault("x-acs-action", "");
        var error = Verify(headers, body);
        Calls.Enqueue(new DetailCall(action, headers.GetValueOrDefault("x-acs-version", ""), parameters, error is null, error));

        DetailAnswer answer;
        if (error is not null)
        {
            answer = DetailAnswer.Json(400, $$"""{"Code":"SignatureDoesNotMatch","Message":"{{error}}","RequestId":"x"}""");
        }
        else if (action != "GetIDEEventDetail")
        {
            answer = DetailAnswer.Json(200, """{"RequestId":"answer","Success":true}""");
        }
        else if (!_script.TryGetValue(parameters.GetValueOrDefault("MessageId", ""), out answer!))
        {
            answer = DetailAnswer.Json(400, """{"Code":"Invalid.MessageId","Message":"The message does not exist.","RequestId":"x"}""");
        }

        if (answer.Hang)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }

            return;
        }

        if (answer.Delay > TimeSpan.Zero)
        {
            await Task.Delay(answer.Delay, context.RequestAborted);
        }

        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = answer.ContentType;
        await context.Response.Body.WriteAsync(answer.Body, context.RequestAborted);
    }

    // The V3 signature recomputed from what arrived: the signed headers, the body hash, the AccessKey.
    private string? Verify(Dictionary<string, string> headers, string body)
    {
        const string Prefix = "ACS3-HMAC-SHA256 ";
        if (!headers.TryGetValue("authorization", out var authorization) || !authorization.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return "not signed ACS3-HMAC-SHA256";
        }

        var parts = authorization[Prefix.Length..].Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        if (parts.GetValueOrDefault("Credential") != _accessKeyId)
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
        return AcsSigner.SignatureV3(canonical, _accessKeySecret) == parts["Signature"] ? null : "signature mismatch";
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
