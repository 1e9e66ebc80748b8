namespace OpenEvent.Rules.Host.Configuration;

/// <summary>OpenEventRules:Outbox: the durable store of actions and how its workers retry them.</summary>
public sealed class OutboxOptions
{
    /// <summary>The SQLite file (created with its folder when missing). Relative paths are relative to the working directory.</summary>
    public string Path { get; set; } = DefaultPath;

    public const string DefaultPath = "data/outbox.db";

    /// <summary>
    /// SQLite synchronous mode: Full (default) flushes the write-ahead log at every commit, so an action that
    /// POST /events acknowledged survives a power loss; Normal survives a process crash only, and is faster.
    /// </summary>
    public string Synchronous { get; set; } = "Full";

    /// <summary>
    /// How long a write waits for a lock held by another connection (the CLI, another host) before it fails; a
    /// request whose actions cannot be stored gets 503 and EventBridge sends it again.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts before an action is moved to the dead-letter table.</summary>
    public int MaxAttempts { get; set; } = 12;

    /// <summary>Age (from the event's arrival) after which a failing action is dead-lettered whatever its attempts.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The first retry delay; it doubles at every attempt up to <see cref="MaxBackoff"/>, with jitter (50-100%).</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a worker owns a claimed action; a claim left by a crashed process is taken again after it.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often workers look for due actions when nothing new was enqueued.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Deliveries in flight at once.</summary>
    public int Concurrency { get; set; } = 8;

    /// <summary>
    /// How long new forwards that go in batches (to a file target) wait for companions before they are claimed, unless
    /// a full batch is waiting: one claim, write and flush for many instead of one each. Zero claims them at once.
    /// Other actions (notifications, HTTP forwards, DataWorks answers) never wait.
    /// </summary>
    public TimeSpan BatchDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The longest <see cref="BatchDelay"/> the host accepts.</summary>
    internal static readonly TimeSpan MaxBatchDelay = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the outbox's writer waits before each commit for other events' actions to join it: under load, events
    /// that arrive together share one transaction and one flush of the log instead of each paying its own. An event
    /// whose actions are stored is answered up to this much later; one that stores nothing never waits. Zero commits at once.
    /// </summary>
    public TimeSpan CommitDelay { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>The longest <see cref="CommitDelay"/> the host accepts.</summary>
    internal static readonly TimeSpan MaxCommitDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>Delivered actions are kept this long: it is also how long a redelivered event id is recognised.</summary>
    public TimeSpan DeliveredRetention { get; set; } = TimeSpan.FromDays(7);
}

/// <summary>OpenEventRules:Actions: delivery of notify and forward actions.</summary>
internal sealed class ActionOptions
{
    /// <summary>The timeout of one delivery attempt (HTTP request to a channel, target or DataWorks).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Notifications per minute and channel; more are suppressed (counted, reported). 0 = unlimited.</summary>
    public int RateLimitPerMinute { get; set; } = 30;

    /// <summary>The same message to the same channel within this window is suppressed. Zero disables de-duplication.</summary>
    public TimeSpan DedupWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Per-channel overrides of <see cref="RateLimitPerMinute"/> and <see cref="DedupWindow"/>, by channel name.</summary>
    public Dictionary<string, ChannelLimitOptions> Channels { get; set; } = new(StringComparer.Ordinal);

    public FileTargetOptions File { get; set; } = new();
}

internal sealed class ChannelLimitOptions
{
    public int? RateLimitPerMinute { get; set; }

    public TimeSpan? DedupWindow { get; set; }
}

internal sealed class FileTargetOptions
{
    /// <summary>
    /// The folder every file target's path is below (relative: under DataDirectory). A policy file names only a relative
    /// path inside it (OER3062), so no policy can make the host append to its outbox, its decision log or any other file.
    /// </summary>
    public string Directory { get; set; } = "targets";

    /// <summary>A file target is rolled over (events.1.jsonl, ...) once it exceeds this size.</summary>
    public long MaxFileBytes { get; set; } = 64L * 1024 * 1024;

    public int RetainedFiles { get; set; } = 10;
}

/// <summary>OpenEventRules:DataWorks: answering extension point events through the DataWorks OpenAPI.</summary>
internal sealed class DataWorksOptions
{
    /// <summary>The extension's code (DataWorks Open Platform). Empty: extension point events are not answered.</summary>
    public string? ExtensionCode { get; set; }

    /// <summary>Overrides the endpoint (e.g. https://dataworks-vpc.cn-hangzhou.aliyuncs.com). Default: from the event's region.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The region used when an event carries none (aliyunregionid).</summary>
    public string? Region { get; set; }

    /// <summary>The API version: 2020-05-18 (all three callback APIs) or 2024-05-18 (UpdateIDEEventResult only).</summary>
    public string Version { get; set; } = "2020-05-18";

    /// <summary>V3 (ACS3-HMAC-SHA256, recommended) or V2 (HMAC-SHA1).</summary>
    public string SignatureVersion { get; set; } = "V3";

    /// <summary>How long after the event arrived its answer is retried; then it is dead-lettered.</summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The answer (OK, WARN or FAIL) when an extension point event cannot be evaluated.</summary>
    public string FailMode { get; set; } = "WARN";

    /// <summary>
    /// How long after an extension point event arrived its answer may take: when evaluation (a condition included) or
    /// storing its actions has not finished by then, the answer is the fail mode (the event's own verdict when it is
    /// known and stricter), stored in the outbox or, when the outbox does not take it either, sent directly.
    /// </summary>
    public TimeSpan AnswerWithin { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The combined reasons are cut to this many characters.</summary>
    public int MaxMessageLength { get; set; } = 1000;

    /// <summary>The environment variable that holds the AccessKey id.</summary>
    public string AccessKeyIdVariable { get; set; } = "ALIBABA_CLOUD_ACCESS_KEY_ID";

    /// <summary>The environment variable that holds the AccessKey secret.</summary>
    public string AccessKeySecretVariable { get; set; } = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";

    /// <summary>The environment variable that holds an STS security token (optional; sent when set).</summary>
    public string SecurityTokenVariable { get; set; } = "ALIBABA_CLOUD_SECURITY_TOKEN";

    public bool Enabled => !string.IsNullOrWhiteSpace(ExtensionCode);

    /// <summary>The variables that hold the host's DataWorks credentials, as these settings name them: no policy and no action may read them.</summary>
    public string[] CredentialVariables() => [AccessKeyIdVariable, AccessKeySecretVariable, SecurityTokenVariable];
}
