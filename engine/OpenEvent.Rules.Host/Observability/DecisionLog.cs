using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Host.Observability;

/// <summary>
/// One JSON line per evaluated event (time, event id and type, verdict, matched and audit policies, the scope and
/// each policy's outcome and stage (<see cref="DecisionLogOutcomes"/>: what oer promote-check reads), policy
/// revision, latency, the fallback that answered it if any, and the event with masked fields), written by a single
/// background writer to a size-rolled file and optionally stdout. Requests only enqueue, and never wait: the queue is
/// bounded in entries (QueueCapacity) and in event bytes (MaxQueueBytes); what does not fit is dropped and counted.
/// The queue is drained on shutdown. A line that cannot be written never stops the writer.
/// </summary>
internal sealed partial class DecisionLog : BackgroundService
{
    /// <summary>A decision waiting for the writer, with a pooled copy of its event (the request's buffer is not kept alive).</summary>
    private sealed record Entry(DateTimeOffset Time, Decision Decision, string Revision, double LatencySeconds, DecisionLogNote Note, byte[]? Event, int EventLength)
    {
        /// <summary>The event's masked values, to mask in the reasons the line quotes (see <see cref="DecisionLogOutcomes"/>).</summary>
        public string[]? Masked { get; init; }
    }

    private readonly Channel<Entry> _entries;
    private readonly DecisionLogOptions _options;
    private readonly MaskedEventWriter _masker;
    private readonly TimeProvider _time;
    private readonly RulesMetrics _metrics;
    private readonly ILogger<DecisionLog> _logger;
    private readonly IDecisionObserver[] _observers;
    private long _written;
    private long _dropped;
    private long _queuedBytes;
    private int _dropping;

    /// <summary>Standard output when OpenEventRules:DecisionLog:Stdout is on (the writer's alone); null once it failed.</summary>
    private Stream? _stdout;

    /// <summary>
    /// When the file, after it failed (a full disk, a folder in its place), is tried again: a disk that was full is
    /// cleared without a restart of the host, and the decisions go back to the file from the next batch on.
    /// </summary>
    private DateTimeOffset _reopenAt;

    /// <summary>The file failed and has not been written since: its error is said once, and its recovery once.</summary>
    private bool _failing;

    /// <summary>The file's setting as the host log shows it: a path may hold a line break, which would forge a log line.</summary>
    private string LoggedPath => TextExcerpt.Of(_options.Path ?? "", 120);

    /// <summary>How long the writer waits before it opens a file that failed again.</summary>
    internal static readonly TimeSpan ReopenInterval = TimeSpan.FromSeconds(30);

    public DecisionLog(IOptions<RulesHostOptions> options, TimeProvider time, RulesMetrics metrics, ILogger<DecisionLog> logger,
        IEnumerable<IDecisionObserver>? observers = null)
    {
        _observers = [.. observers ?? []];
        _options = options.Value.DecisionLog;
        _masker = new MaskedEventWriter(_options.Mask);
        _time = time;
        _metrics = metrics;
        _logger = logger;
        // Wait mode with TryWrite only: a full queue refuses the entry at once (counted), it never blocks a request.
        _entries = Channel.CreateBounded<Entry>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        metrics.TrackDecisionLogQueue(() => _entries.Reader.Count);
    }

    /// <summary>Lines written so far (for tests and diagnostics).</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Lines dropped so far because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Entries waiting for the writer.</summary>
    public int Queued => _entries.Reader.Count;

    public void Append(Decision decision, DataWorksEvent? e, string revision, double latencySeconds, DecisionLogNote note = default)
    {
        foreach (var observer in _observers)
        {
            observer.Observe(_time.GetUtcNow(), decision, _options.IncludeEvent ? e : null, revision, latencySeconds, note);
        }

        byte[]? copy = null;
        var length = 0;
        if (_options.IncludeEvent && e is not null)
        {
            length = e.Utf8.Length;
            if (Interlocked.Add(ref _queuedBytes, length) <= _options.MaxQueueBytes)
            {
                copy = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
                e.Utf8.Span.CopyTo(copy);
            }
            else
            {
                // The decision is still worth a line; its event is what makes the queue heavy.
                Interlocked.Add(ref _queuedBytes, -length);
                length = 0;
                note = note with { EventDropped = true };
                _metrics.DecisionLogDropped("event");
            }
        }

        var masked = DecisionLogOutcomes.MaskedValues(decision, e, _options.Mask);
        if (_entries.Writer.TryWrite(new Entry(_time.GetUtcNow(), decision, revision, latencySeconds, note, copy, length) { Masked = masked }))
        {
            return;
        }

        Release(copy, length);
        Interlocked.Increment(ref _dropped);
        _metrics.DecisionLogDropped("line");
        if (Interlocked.Exchange(ref _dropping, 1) == 0)
        {
            LogDropping(_logger, _options.QueueCapacity);
        }
    }

    private void Release(byte[]? copy, int length)
    {
        if (copy is not null)
        {
            Interlocked.Add(ref _queuedBytes, -length);
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    /// <summary>Writes one decision line (without the trailing newline).</summary>
    private void WriteLine(Utf8JsonWriter json, Entry entry)
    {
        var decision = entry.Decision;
        json.WriteStartObject();
        Span<char> time = stackalloc char[40]; // "O" is at most 33 chars
        entry.Time.TryFormat(time, out var timeLength, "O", CultureInfo.InvariantCulture);
        json.WriteString("time", time[..timeLength]);
        WriteStringOrNull(json, "eventId", decision.Event.Id);
        WriteStringOrNull(json, "type", decision.Event.Type);
        WriteStringOrNull(json, "verdict", decision.Verdict is { } v ? DecisionJson.VerdictText(v) : null);
        WritePolicies(json, decision);
        DecisionLogOutcomes.Write(json, decision, entry.Masked);
        json.WriteNumber("conditionErrors", decision.ConditionFailures.Length);
        json.WriteString("revision", entry.Revision);
        json.WriteNumber("latencyMs", Math.Round(entry.LatencySeconds * 1000, 3));
        WriteNotes(json, entry);
        if (entry.Event is { } cloudEvent)
        {
            json.WritePropertyName("event");
            _masker.Write(json, cloudEvent.AsSpan(0, entry.EventLength));
        }

        json.WriteEndObject();
    }

    /// <summary>The policies that matched, those that only audit, and the kinds of the actions the matches carry.</summary>
    private static void WritePolicies(Utf8JsonWriter json, Decision decision)
    {
        json.WriteStartArray("matched");
        foreach (var match in decision.Matched)
        {
            json.WriteStringValue(match.Policy);
        }

        json.WriteEndArray();
        json.WriteStartArray("audit");
        foreach (var match in decision.Audit)
        {
            json.WriteStringValue(match.Policy);
        }

        json.WriteEndArray();
        json.WriteStartArray("actions");
        foreach (var match in decision.Matched)
        {
            foreach (var action in match.Actions)
            {
                json.WriteStringValue(action.Kind);
            }
        }

        json.WriteEndArray();
    }

    /// <summary>
    /// <c>"waived": [{"policy","waiver","owner","ticket","expires"}]</c>, when waivers let the event through a block or
    /// warn: <c>oer waivers --decisions</c> counts how often each applied from these.
    /// </summary>
    private static void WriteWaived(Utf8JsonWriter json, Decision decision)
    {
        if (!decision.Matched.Any(m => m.Waiver is not null))
        {
            return;
        }

        json.WriteStartArray("waived");
        foreach (var match in decision.Matched)
        {
            if (match.Waiver is { } waiver)
            {
                json.WriteStartObject();
                json.WriteString("policy", match.Policy);
                json.WriteString("waiver", waiver.Name);
                json.WriteString("owner", waiver.Owner);
                json.WriteString("ticket", waiver.Ticket);
                json.WriteString("expires", waiver.Expires.Text);
                json.WriteEndObject();
            }
        }

        json.WriteEndArray();
    }

    /// <summary>What is exceptional about the decision: a fallback answer, a late evaluation, a detail that could not be had, an error, a dropped event.</summary>
    private static void WriteNotes(Utf8JsonWriter json, Entry entry)
    {
        var decision = entry.Decision;
        if (entry.Note.Fallback is { } fallback)
        {
            json.WriteString("fallback", fallback);
        }

        if (entry.Note.Late)
        {
            // Evaluated after its fallback answer went out: the verdict above was not sent to DataWorks.
            json.WriteBoolean("late", true);
        }

        WriteWaived(json, decision);
        if (!decision.DetailFailures.IsEmpty)
        {
            // Policies that needed the event's detail and could not have it: the reason, and what each made of it.
            json.WriteStartArray("detailErrors");
            foreach (var failure in decision.DetailFailures)
            {
                json.WriteStartObject();
                json.WriteString("policy", failure.Policy);
                json.WriteString("message", failure.Message);
                json.WriteString("outcome", failure.OutcomeText);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        if (decision.Error is { } error)
        {
            json.WriteStartObject("error");
            json.WriteString("id", error.Id);
            json.WriteString("message", error.Message);
            json.WriteEndObject();
        }

        if (entry.Note.EventDropped)
        {
            json.WriteBoolean("eventDropped", true);
        }
    }

    private static void WriteStringOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the start path: opening the file (a FIFO, a slow mount) must not hold the host's start.
        await Task.Yield();
        var file = TryOpen();
#pragma warning disable RS0030 // the Stdout setting asks for exactly this: decisions on the process's standard output
        _stdout = _options.Stdout ? Console.OpenStandardOutput() : null;
#pragma warning restore RS0030
        var reader = _entries.Reader;
        var line = new ArrayBufferWriter<byte>(16 * 1024);
        var batch = new LineBatch();
        await using var json = new Utf8JsonWriter(line, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        try
        {
            // Keep writing after stoppingToken until the queue is drained (Complete is called in StopAsync).
            while (await reader.WaitToReadAsync(CancellationToken.None))
            {
                while (reader.TryRead(out var entry))
                {
                    Render(json, line, entry);
                    if (batch.Add(line.WrittenSpan))
                    {
                        file = Emit(file, batch);
                    }
                }

                file = Emit(file, batch);
                if (Interlocked.Exchange(ref _dropping, 0) == 1)
                {
                    LogResumed(_logger, Dropped);
                }
            }
        }
        finally
        {
            Close(file);
        }
    }

    /// <summary>
    /// Lines rendered and not yet written: the writer hands them to the file in one write of up to <see cref="Bytes"/>
    /// (a write per line cost a system call each, as much as rendering the line's masked event) and keeps where each
    /// ends, so that the file is rolled between the same lines as when they were written one by one.
    /// </summary>
    private sealed class LineBatch
    {
        public const int Bytes = 64 * 1024;

        public ArrayBufferWriter<byte> Buffer { get; } = new(Bytes + (16 * 1024));

        public List<int> Ends { get; } = [];

        /// <summary>Adds a line; true when the batch is full.</summary>
        public bool Add(ReadOnlySpan<byte> line)
        {
            Buffer.Write(line);
            Ends.Add(Buffer.WrittenCount);
            return Buffer.WrittenCount >= Bytes;
        }

        public void Clear()
        {
            Buffer.ResetWrittenCount();
            Ends.Clear();
        }
    }

    /// <summary>The entry's line and its newline in <paramref name="buffer"/>; the entry's copy of the event goes back to the pool.</summary>
    private void Render(Utf8JsonWriter json, ArrayBufferWriter<byte> buffer, Entry entry)
    {
        buffer.ResetWrittenCount();
        json.Reset(buffer);
        try
        {
            WriteLine(json, entry);
            json.Flush();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            // The event was checked on the way in, so this is not expected; the decision is still logged.
            LogLineFailed(_logger, entry.Decision.Event.Id ?? "", ex);
            buffer.ResetWrittenCount();
            json.Reset(buffer);
            WriteLine(json, entry with { Event = null, Note = entry.Note with { EventDropped = true } });
            json.Flush();
        }
        finally
        {
            Release(entry.Event, entry.EventLength);
        }

        buffer.Write("\n"u8);
    }

    /// <summary>Writes the batch's lines to the file and standard output, then empties it; returns the file, or null once it cannot be written.</summary>
    private FileStream? Emit(FileStream? file, LineBatch batch)
    {
        if (batch.Ends.Count == 0)
        {
            return file;
        }

        var lines = batch.Buffer.WrittenSpan;
        file ??= Reopen();
        file = WriteLinesToFile(file, lines, batch.Ends);
        if (_stdout is not null)
        {
            WriteToStdout(lines);
        }

        if (_stdout is null && file is null && _logger.IsEnabled(LogLevel.Information))
        {
            // The file cannot be written: the decisions go to the host log rather than nowhere.
            var start = 0;
            foreach (var end in batch.Ends)
            {
                LogDecisionFallback(_logger, Encoding.UTF8.GetString(lines[start..(end - 1)]));
                start = end;
            }
        }

        Interlocked.Add(ref _written, batch.Ends.Count);
        batch.Clear();
        return file;
    }

    /// <summary>The lines in one write when they fit in the file, else one by one, each rolling the file as it would alone.</summary>
    private FileStream? WriteLinesToFile(FileStream? file, ReadOnlySpan<byte> lines, List<int> ends)
    {
        if (file is null || !file.CanSeek || file.Length + lines.Length <= _options.MaxFileBytes)
        {
            return WriteToFile(file, lines);
        }

        var start = 0;
        foreach (var end in ends)
        {
            file = WriteToFile(file, lines[start..end]);
            start = end;
        }

        return file;
    }

    private FileStream? WriteToFile(FileStream? file, ReadOnlySpan<byte> bytes)
    {
        if (file is null)
        {
            return null;
        }

        try
        {
            // A FIFO or a character device has no length: it is written to, never rolled.
            if (file.CanSeek && file.Length + bytes.Length > _options.MaxFileBytes && file.Length > 0)
            {
                file = Roll(file);
            }

            file.Write(bytes);
            if (_failing)
            {
                _failing = false;
                LogWriteResumed(_logger, LoggedPath);
            }

            return file;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            Failed(ex);
            Close(file);
            return null;
        }
    }

    /// <summary>The file could not be opened or written: said once until it is written again, and tried again after <see cref="ReopenInterval"/>.</summary>
    private void Failed(Exception ex)
    {
        if (!_failing)
        {
            _failing = true;
            LogWriteFailed(_logger, LoggedPath, ReopenInterval.TotalSeconds, ex);
        }

        _reopenAt = _time.GetUtcNow() + ReopenInterval;
    }

    /// <summary>The file again once <see cref="ReopenInterval"/> has passed since it failed; null before that (and with no file set: <see cref="OpenFile"/>).</summary>
    private FileStream? Reopen() => _time.GetUtcNow() < _reopenAt ? null : TryOpen();

    /// <summary>
    /// Standard output that cannot be written (a closed pipe) is given up, with one error, like the file: an exception
    /// here would end the writer, and the host with it.
    /// </summary>
    private void WriteToStdout(ReadOnlySpan<byte> lines)
    {
        try
        {
            _stdout!.Write(lines);
            _stdout.Flush();
        }
        catch (Exception ex) when (ex is IOException or NotSupportedException or ObjectDisposedException)
        {
            LogStdoutFailed(_logger, ex);
            Close(_stdout!);
            _stdout = null;
        }
    }

    /// <summary>Closes a stream that failed, or the file at the end: what it could not write is lost with it, and said once already.</summary>
    private static void Close(Stream? stream)
    {
        try
        {
            stream?.Dispose();
        }
        catch (Exception ex) when (ex is IOException or NotSupportedException)
        {
        }
    }

    private FileStream? TryOpen()
    {
        try
        {
            return OpenFile();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            Failed(ex);
            return null;
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _entries.Writer.TryComplete();
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

        // Unbuffered: the writer hands it whole batches already, and a write that fails must fail at Write, where it is
        // handled, not later in a Flush or in Dispose (a full disk made the file's Dispose throw and stop the host).
        var file = new FileStream(_options.Path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0);
        try
        {
            EndLastLine(file);
            return file;
        }
        catch
        {
            Close(file);
            throw;
        }
    }

    /// <summary>
    /// A file that ends in the middle of a line (a write cut short by a full disk, a crash) gets the line break it
    /// lacks, so that the next decision starts a line of its own instead of making two lines one unreadable one.
    /// </summary>
    private static void EndLastLine(FileStream file)
    {
        // Only a regular file can be read back; a FIFO or a character device is written to as it is.
        if (!file.CanSeek || file.Length == 0)
        {
            return;
        }

        using var read = File.OpenHandle(file.Name, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        Span<byte> last = stackalloc byte[1];
        if (RandomAccess.Read(read, last, RandomAccess.GetLength(read) - 1) == 1 && last[0] != (byte)'\n')
        {
            file.Write("\n"u8);
        }
    }

    private FileStream Roll(FileStream current)
    {
        Close(current);
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Decisions cannot be written to standard output (OpenEventRules:DecisionLog:Stdout); it is given up until the host restarts.")]
    private static partial void LogStdoutFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "decision {Line}")]
    private static partial void LogDecisionFallback(ILogger logger, string line);

    [LoggerMessage(Level = LogLevel.Error, Message = "The decision log '{Path}' cannot be written; decisions go to the host log instead, and the file is tried again every {Seconds} s.")]
    private static partial void LogWriteFailed(ILogger logger, string path, double seconds, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "The decision log '{Path}' is written again.")]
    private static partial void LogWriteResumed(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "The event of decision {EventId} could not be written to the decision log; the decision is logged without it.")]
    private static partial void LogLineFailed(ILogger logger, string eventId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The decision log queue is full ({Capacity} entries, OpenEventRules:DecisionLog:QueueCapacity): decisions are dropped and counted (oer_decision_log_dropped_total) until the writer catches up.")]
    private static partial void LogDropping(ILogger logger, int capacity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The decision log writer caught up; {Dropped} decisions were dropped since the start.")]
    private static partial void LogResumed(ILogger logger, long dropped);
}

/// <summary>What the decision log says about how a decision was answered, beyond the decision itself.</summary>
/// <param name="Fallback">The fallback that answered DataWorks (deadline, outbox-unavailable); null when the decision did.</param>
/// <param name="Late">The decision was made after its fallback answer went out.</param>
/// <param name="EventDropped">The event was left out because the queue held too many event bytes.</param>
internal readonly record struct DecisionLogNote(string? Fallback = null, bool Late = false, bool EventDropped = false);
