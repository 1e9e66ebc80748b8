using OpenEvent.Rules.Evaluation.Conditions;

namespace OpenEvent.Rules.Host.Configuration;

/// <summary>
/// The host's settings, bound from the "OpenEventRules" section of standard .NET configuration
/// (appsettings.json, environment variables such as OpenEventRules__Auth__Token, command line).
/// Validated at startup by <see cref="RulesHostOptionsValidator"/>: a bad value stops the start with a message naming the setting.
/// </summary>
internal sealed class RulesHostOptions
{
    public const string Section = "OpenEventRules";

    /// <summary>The policy folder (or file) to load and watch.</summary>
    public string PoliciesPath { get; set; } = "policies";

    /// <summary>
    /// The folder that relative paths of the host's own files (Outbox:Path, DecisionLog:Path) are under. Default: the
    /// folder that holds the policy folder, so the outbox and the decision log stay beside the policies being served,
    /// whatever folder the host was started from. See <see cref="DataDirectoryResolver"/>.
    /// </summary>
    public string? DataDirectory { get; set; }

    public AuthOptions Auth { get; set; } = new();

    public LimitOptions Limits { get; set; } = new();

    public DecisionLogOptions DecisionLog { get; set; } = new();

    public ReloadOptions Reload { get; set; } = new();

    public ConditionOptions Conditions { get; set; } = new();

    public OutboxOptions Outbox { get; set; } = new();

    public ActionOptions Actions { get; set; } = new();

    public DataWorksOptions DataWorks { get; set; } = new();

    public DetailOptions Detail { get; set; } = new();

    public BrokerOptions Broker { get; set; } = new();

    public ConsoleOptions Console { get; set; } = new();

    public WaiverOptions Waivers { get; set; } = new();
}

internal sealed class WaiverOptions
{
    /// <summary>
    /// A waiver that ends within this many days is named in the host's log at each load (OER3101), as oer validate does;
    /// 0 names only ended ones (OER3102).
    /// </summary>
    public int ExpiringWithinDays { get; set; } = 14;
}

internal sealed class ConditionOptions
{
    /// <summary>Where compiled C# conditions are cached by content hash (default: $XDG_CACHE_HOME or ~/.cache, openevent-rules/conditions).</summary>
    public string? CacheDirectory { get; set; }

    /// <summary>Steps (lambda calls, sequence elements) one evaluation of one condition may take; over it, a condition error.</summary>
    public long MaxSteps { get; set; } = ConditionLimits.Default.MaxSteps;

    /// <summary>Wall time one evaluation of one condition may take; over it, a condition error.</summary>
    public TimeSpan Timeout { get; set; } = ConditionLimits.Default.Timeout;

    /// <summary>Bytes one evaluation of one condition may allocate (and, separately, build as text); over it, a condition error.</summary>
    public long MaxBytes { get; set; } = ConditionLimits.Default.MaxBytes;

    /// <summary>How long compiling the conditions of a policy set may take; over it, the set is refused with OER2009.</summary>
    public TimeSpan CompileTimeout { get; set; } = TimeSpan.FromSeconds(20);

    public ConditionLimits ToLimits() => new() { MaxSteps = MaxSteps, Timeout = Timeout, MaxBytes = MaxBytes };
}

internal sealed class AuthOptions
{
    /// <summary>
    /// The shared token requests must carry. Set it from the environment (OpenEventRules__Auth__Token), never in a
    /// committed file. Empty: no authentication, and the host then listens on loopback only.
    /// </summary>
    public string? Token { get; set; }

    /// <summary>The header EventBridge's HTTP target sends the token in; "Authorization: Bearer" is accepted too.</summary>
    public string HeaderName { get; set; } = "x-eventbridge-signature-token";
}

internal sealed class LimitOptions
{
    public int MaxEventBytes { get; set; } = 1024 * 1024;

    public int MaxBatchBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>
    /// The most events one batch may hold. Without it a 10 MB batch of <c>[0,0,...]</c> (five million refusals) cost
    /// over a minute of CPU and a half-gigabyte answer; EventBridge sends events one by one, so a batch is a tool's.
    /// </summary>
    public int MaxBatchEvents { get; set; } = 10_000;
}

internal sealed class DecisionLogOptions
{
    /// <summary>The decision log file (JSON Lines); empty to disable the file.</summary>
    public string? Path { get; set; } = "logs/decisions.jsonl";

    /// <summary>Also write each decision line to standard output.</summary>
    public bool Stdout { get; set; }

    /// <summary>The file is rolled over (decisions.1.jsonl, ...) once it exceeds this size.</summary>
    public long MaxFileBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>How many rolled files are kept.</summary>
    public int RetainedFiles { get; set; } = 10;

    /// <summary>Whether the (masked) event itself is written with each decision.</summary>
    public bool IncludeEvent { get; set; } = true;

    /// <summary>JSON pointers into the event whose values are replaced by "***" in the log (e.g. /data/sqlText).</summary>
    public List<string> Mask { get; set; } = ["/data/sqlText"];

    /// <summary>
    /// Decisions waiting for the writer, at most. Requests never wait for the log: when the queue is full a decision
    /// line is dropped and counted (oer_decision_log_dropped_total{part="line"}).
    /// </summary>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>
    /// Event bytes waiting for the writer, at most (each queued decision holds a copy of its event). Above it a
    /// decision is still logged, without its event (counted as oer_decision_log_dropped_total{part="event"}).
    /// </summary>
    public long MaxQueueBytes { get; set; } = 64L * 1024 * 1024;

    public const int MaxMaskPointers = 64;
}

internal sealed class ReloadOptions
{
    /// <summary>Watch the policy folder and reload on change (SIGHUP always reloads).</summary>
    public bool Watch { get; set; } = true;

    /// <summary>Changes within this window are folded into one reload (editors write files in several steps).</summary>
    public int DebounceMilliseconds { get; set; } = 300;

    /// <summary>
    /// A reload (read, validate, compile) that takes longer than this is abandoned and reported (OER1019): the last good
    /// set keeps serving, the abandoned work is cancelled, and the next change or SIGHUP reloads again.
    /// </summary>
    public int TimeoutSeconds { get; set; } = 60;
}
