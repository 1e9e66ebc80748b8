using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Host.Configuration;

namespace OpenEvent.Rules.Host.Observability;

/// <summary>
/// One JSON line per evaluated event (time, event id and type, verdict, matched and audit policies, policy
/// revision, latency, and the event with masked fields), written by a single background writer to a
/// size-rolled file and optionally stdout. Requests only enqueue; the queue is unbounded so that no decision
/// is dropped, and it is drained on shutdown.
/// </summary>
public sealed partial class DecisionLog : BackgroundService
{
    private static readonly JsonSerializerOptions s_json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // The event is parsed and masked by the writer, off the request path: the request has read it once already.
    private readonly Channel<(JsonObject Line, ReadOnlyMemory<byte>? Event)> _lines =
        Channel.CreateUnbounded<(JsonObject, ReadOnlyMemory<byte>?)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly DecisionLogOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<DecisionLog> _logger;
    private long _written;

    public DecisionLog(IOptions<RulesHostOptions> options, TimeProvider time, ILogger<DecisionLog> logger)
    {
        _options = options.Value.DecisionLog;
        _time = time;
        _logger = logger;
    }

    /// <summary>Lines written so far (for tests and diagnostics).</summary>
    public long Written => Interlocked.Read(ref _written);

    public void Append(Decision decision, DataWorksEvent? e, string revision, double latencySeconds)
    {
        var line = new JsonObject
        {
            ["time"] = _time.GetUtcNow().ToString("O"),
            ["eventId"] = decision.Event.Id,
            ["type"] = decision.Event.Type,
            ["verdict"] = decision.Verdict is { } v ? DecisionJson.VerdictText(v) : null,
            ["matched"] = new JsonArray(decision.Matched.Select(m => (JsonNode?)JsonValue.Create(m.Policy)).ToArray()),
            ["audit"] = new JsonArray(decision.Audit.Select(m => (JsonNode?)JsonValue.Create(m.Policy)).ToArray()),
            ["actions"] = new JsonArray(decision.Matched.SelectMany(m => m.Actions).Select(a => (JsonNode?)JsonValue.Create(a.Kind)).ToArray()),
            ["conditionErrors"] = decision.ConditionFailures.Length,
            ["revision"] = revision,
            ["latencyMs"] = Math.Round(latencySeconds * 1000, 3),
        };
        if (decision.Error is { } error)
        {
            line["error"] = new JsonObject { ["id"] = error.Id, ["message"] = error.Message };
        }

        _lines.Writer.TryWrite((line, _options.IncludeEvent && e is not null ? e.Utf8 : null));
    }

    /// <summary>Replaces the value at each JSON pointer with "***"; pointers that do not exist are ignored.</summary>
    public static JsonNode? Mask(JsonNode? root, IEnumerable<string> pointers)
    {
        foreach (var pointer in pointers)
        {
            var segments = pointer.Split('/').Skip(1).Select(s => s.Replace("~1", "/").Replace("~0", "~")).ToArray();
            if (segments.Length == 0)
            {
                continue;
            }

            var parent = root;
            for (var i = 0; i < segments.Length - 1 && parent is not null; i++)
            {
                parent = parent switch
                {
                    JsonObject o => o[segments[i]],
                    JsonArray a when int.TryParse(segments[i], out var index) && index >= 0 && index < a.Count => a[index],
                    _ => null,
                };
            }

            var last = segments[^1];
            if (parent is JsonObject obj && obj.ContainsKey(last))
            {
                obj[last] = "***";
            }
            else if (parent is JsonArray array && int.TryParse(last, out var at) && at >= 0 && at < array.Count)
            {
                array[at] = "***";
            }
        }

        return root;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var file = TryOpen(OpenFile);
        var stdout = _options.Stdout ? Console.OpenStandardOutput() : null;
        var reader = _lines.Reader;
        try
        {
            // Keep writing after stoppingToken until the queue is drained (Complete is called in StopAsync).
            while (await reader.WaitToReadAsync(CancellationToken.None))
            {
                while (reader.TryRead(out var entry))
                {
                    if (entry.Event is { } cloudEvent)
                    {
                        entry.Line["event"] = Mask(JsonNode.Parse(cloudEvent.Span), _options.Mask);
                    }

                    var line = entry.Line.ToJsonString(s_json);
                    var bytes = Encoding.UTF8.GetBytes(line + "\n");
                    file = WriteToFile(file, bytes);
                    if (stdout is not null)
                    {
                        stdout.Write(bytes);
                    }
                    else if (file is null)
                    {
                        // The file cannot be written: the decision goes to the host log rather than nowhere.
                        LogDecisionFallback(_logger, line);
                    }

                    Interlocked.Increment(ref _written);
                }

                TryFlush(file);
                stdout?.Flush();
            }
        }
        finally
        {
            file?.Dispose();
        }
    }

    private FileStream? WriteToFile(FileStream? file, byte[] bytes)
    {
        if (file is null)
        {
            return null;
        }

        try
        {
            if (file.Length + bytes.Length > _options.MaxFileBytes && file.Length > 0)
            {
                file = Roll(file);
            }

            file.Write(bytes);
            return file;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogWriteFailed(_logger, _options.Path ?? "", ex);
            file.Dispose();
            return null;
        }
    }

    private FileStream? TryOpen(Func<FileStream?> open)
    {
        try
        {
            return open();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogWriteFailed(_logger, _options.Path ?? "", ex);
            return null;
        }
    }

    private void TryFlush(FileStream? file)
    {
        try
        {
            file?.Flush();
        }
        catch (IOException ex)
        {
            LogWriteFailed(_logger, _options.Path ?? "", ex);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _lines.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    private FileStream? OpenFile()
    {
        if (string.IsNullOrWhiteSpace(_options.Path))
        {
            return null;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(_options.Path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        return new FileStream(_options.Path, FileMode.Append, FileAccess.Write, FileShare.Read);
    }

    private FileStream Roll(FileStream current)
    {
        current.Dispose();
        var path = _options.Path!;
        var stem = Path.Combine(Path.GetDirectoryName(path) ?? "", Path.GetFileNameWithoutExtension(path));
        var extension = Path.GetExtension(path);
        for (var i = _options.RetainedFiles; i >= 1; i--)
        {
            var from = i == 1 ? path : $"{stem}.{i - 1}{extension}";
            var to = $"{stem}.{i}{extension}";
            if (File.Exists(from))
            {
                File.Move(from, to, overwrite: true);
            }
        }

        if (_options.RetainedFiles == 0)
        {
            File.Delete(path);
        }

        return OpenFile()!;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "decision {Line}")]
    private static partial void LogDecisionFallback(ILogger logger, string line);

    [LoggerMessage(Level = LogLevel.Error, Message = "The decision log '{Path}' cannot be written; decisions go to the host log instead.")]
    private static partial void LogWriteFailed(ILogger logger, string path, Exception exception);
}
