using Microsoft.Extensions.Options;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Host.Configuration;

/// <summary>Checks every setting at startup and names the offending key and the fix in each message.</summary>
internal sealed class RulesHostOptionsValidator : IValidateOptions<RulesHostOptions>
{
    private const string Prefix = RulesHostOptions.Section + ":";

    public ValidateOptionsResult Validate(string? name, RulesHostOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.PoliciesPath))
        {
            failures.Add($"{Prefix}PoliciesPath is empty: set it to the policy folder (e.g. policies).");
        }
        else if (!Directory.Exists(options.PoliciesPath) && !File.Exists(options.PoliciesPath))
        {
            failures.Add($"{Prefix}PoliciesPath '{options.PoliciesPath}' does not exist: set it to the policy folder.");
        }
        else
        {
            PolicyFolderSeparation.Check(failures, options);
        }

        ValidateToken(failures, options.Auth.Token);

        if (string.IsNullOrWhiteSpace(options.Auth.HeaderName) || options.Auth.HeaderName.Any(c => c <= ' ' || c == ':'))
        {
            failures.Add($"{Prefix}Auth:HeaderName '{options.Auth.HeaderName}' is not a valid HTTP header name.");
        }

        Range(failures, "Limits:MaxEventBytes", options.Limits.MaxEventBytes, 1024, 64 * 1024 * 1024);
        Range(failures, "Limits:MaxBatchBytes", options.Limits.MaxBatchBytes, 1024, 512 * 1024 * 1024);
        Range(failures, "Limits:MaxBatchEvents", options.Limits.MaxBatchEvents, 1, 1_000_000);
        if (options.Limits.MaxBatchBytes < options.Limits.MaxEventBytes)
        {
            failures.Add($"{Prefix}Limits:MaxBatchBytes ({options.Limits.MaxBatchBytes}) is smaller than Limits:MaxEventBytes ({options.Limits.MaxEventBytes}).");
        }

        ValidateDecisionLog(failures, options.DecisionLog);

        Range(failures, "Reload:DebounceMilliseconds", options.Reload.DebounceMilliseconds, 0, 60_000);
        Range(failures, "Reload:TimeoutSeconds", options.Reload.TimeoutSeconds, 1, 3600);
        Range(failures, "Waivers:ExpiringWithinDays", options.Waivers.ExpiringWithinDays, 0, 366);
        Range(failures, "Conditions:MaxSteps", options.Conditions.MaxSteps, 1_000, 1_000_000_000_000);
        Range(failures, "Conditions:MaxBytes", options.Conditions.MaxBytes, 1024 * 1024, 64L * 1024 * 1024 * 1024);
        Positive(failures, "Conditions:Timeout", options.Conditions.Timeout, MaxTimeout);
        Positive(failures, "Conditions:CompileTimeout", options.Conditions.CompileTimeout, MaxTimeout);
        ValidateOutbox(failures, options.Outbox, options.Actions);
        ValidateActions(failures, options.Actions);
        ValidateDataWorks(failures, options.DataWorks);
        ValidateDetail(failures, options.Detail);
        ValidateBroker(failures, options.Broker);
        ValidateConsole(failures, options.Console);

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateDecisionLog(List<string> failures, DecisionLogOptions decisionLog)
    {
        Range(failures, "DecisionLog:MaxFileBytes", decisionLog.MaxFileBytes, 4096, long.MaxValue);
        Range(failures, "DecisionLog:RetainedFiles", decisionLog.RetainedFiles, 0, 1000);
        foreach (var pointer in decisionLog.Mask)
        {
            if (!pointer.StartsWith('/'))
            {
                failures.Add($"{Prefix}DecisionLog:Mask entry '{pointer}' is not a JSON pointer: write it like /data/sqlText.");
            }
        }

        if (decisionLog.Mask.Count > DecisionLogOptions.MaxMaskPointers)
        {
            failures.Add($"{Prefix}DecisionLog:Mask has {decisionLog.Mask.Count} entries: at most {DecisionLogOptions.MaxMaskPointers} are supported.");
        }

        Range(failures, "DecisionLog:QueueCapacity", decisionLog.QueueCapacity, 1, 10_000_000);
        Range(failures, "DecisionLog:MaxQueueBytes", decisionLog.MaxQueueBytes, 0, 64L * 1024 * 1024 * 1024);
    }

    private static void ValidateConsole(List<string> failures, ConsoleOptions console)
    {
        Range(failures, "Console:RecentDecisions", console.RecentDecisions, 0, 100_000);
        Range(failures, "Console:MaxRecentEventBytes", console.MaxRecentEventBytes, 0, 1024L * 1024 * 1024);
        Range(failures, "Console:MaxStreams", console.MaxStreams, 1, 1000);
        if (console.SessionLifetime < TimeSpan.FromMinutes(1) || console.SessionLifetime > TimeSpan.FromDays(7))
        {
            failures.Add($"{Prefix}Console:SessionLifetime ({console.SessionLifetime}) must be between 00:01:00 and 7.00:00:00.");
        }
    }

    /// <summary>
    /// A token no request can carry is worse than none: the host would listen on the network and answer 401 to
    /// everyone. HTTP trims a header value's surrounding whitespace and Kestrel refuses control and non-ASCII bytes,
    /// so the token must be visible ASCII (no spaces) and, being a secret, long enough not to be guessed.
    /// </summary>
    private static void ValidateToken(List<string> failures, string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(token))
        {
            failures.Add($"{Prefix}Auth:Token is blank (only whitespace): no request could carry it. Set a long random token (e.g. openssl rand -hex 32), or remove it to listen on loopback only.");
        }
        else if (!token.All(c => c is > ' ' and <= '~'))
        {
            failures.Add($"{Prefix}Auth:Token contains whitespace, control or non-ASCII characters, which no HTTP header can carry: use a long random token of visible ASCII characters (e.g. openssl rand -hex 32).");
        }
        else if (token.Length < MinTokenLength)
        {
            failures.Add($"{Prefix}Auth:Token is shorter than {MinTokenLength} characters: use a long random token (e.g. openssl rand -hex 32).");
        }
    }

    public const int MinTokenLength = 16;

    private static void ValidateOutbox(List<string> failures, OutboxOptions outbox, ActionOptions actions)
    {
        if (string.IsNullOrWhiteSpace(outbox.Path))
        {
            failures.Add($"{Prefix}Outbox:Path is empty: set it to the SQLite file of the outbox (e.g. {OutboxOptions.DefaultPath}).");
        }

        if (!string.Equals(outbox.Synchronous, "Full", StringComparison.OrdinalIgnoreCase) && !string.Equals(outbox.Synchronous, "Normal", StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"{Prefix}Outbox:Synchronous '{outbox.Synchronous}' is not Full or Normal.");
        }

        Range(failures, "Outbox:MaxAttempts", outbox.MaxAttempts, 1, 1000);
        Range(failures, "Outbox:Concurrency", outbox.Concurrency, 1, 256);
        Positive(failures, "Outbox:MaxAge", outbox.MaxAge, MaxActionAge);
        Positive(failures, "Outbox:BusyTimeout", outbox.BusyTimeout, MaxTimeout);
        Positive(failures, "Outbox:InitialBackoff", outbox.InitialBackoff, MaxWait);
        AtMost(failures, "Outbox:MaxBackoff", outbox.MaxBackoff, MaxWait);
        AtMost(failures, "Outbox:LeaseDuration", outbox.LeaseDuration, MaxWait);
        Positive(failures, "Outbox:PollInterval", outbox.PollInterval, MaxTimeout);
        Positive(failures, "Outbox:DeliveredRetention", outbox.DeliveredRetention, MaxRetention);
        Delay(failures, "Outbox:BatchDelay", outbox.BatchDelay, OutboxOptions.MaxBatchDelay, "file forwards would wait that long for companions.");
        Delay(failures, "Outbox:CommitDelay", outbox.CommitDelay, OutboxOptions.MaxCommitDelay, "every event that stores an action would be answered that much later.");

        if (outbox.MaxBackoff < outbox.InitialBackoff)
        {
            failures.Add($"{Prefix}Outbox:MaxBackoff ({outbox.MaxBackoff}) is shorter than Outbox:InitialBackoff ({outbox.InitialBackoff}).");
        }

        // A lease shorter than a delivery could expire while the delivery is still running, and the action would be sent twice.
        // Doubled in 128 bits: an Actions:Timeout near TimeSpan.MaxValue (refused above) must not throw here first.
        if (outbox.LeaseDuration.Ticks < (Int128)actions.Timeout.Ticks * 2)
        {
            failures.Add($"{Prefix}Outbox:LeaseDuration ({outbox.LeaseDuration}) must be at least twice Actions:Timeout ({actions.Timeout}).");
        }
    }

    private static void ValidateActions(List<string> failures, ActionOptions actions)
    {
        Positive(failures, "Actions:Timeout", actions.Timeout, MaxTimeout);
        Range(failures, "Actions:RateLimitPerMinute", actions.RateLimitPerMinute, 0, 1_000_000);
        Delay(failures, "Actions:DedupWindow", actions.DedupWindow, MaxDedupWindow);
        foreach (var (name, limits) in actions.Channels)
        {
            if (limits.RateLimitPerMinute is { } rate)
            {
                Range(failures, $"Actions:Channels:{name}:RateLimitPerMinute", rate, 0, 1_000_000);
            }

            if (limits.DedupWindow is { } window)
            {
                Delay(failures, $"Actions:Channels:{name}:DedupWindow", window, MaxDedupWindow);
            }
        }

        Range(failures, "Actions:File:MaxFileBytes", actions.File.MaxFileBytes, 1024, long.MaxValue);
        Range(failures, "Actions:File:RetainedFiles", actions.File.RetainedFiles, 0, 1000);
        if (string.IsNullOrWhiteSpace(actions.File.Directory))
        {
            failures.Add($"{Prefix}Actions:File:Directory is empty: name the folder file targets append below, e.g. targets (under DataDirectory).");
        }
    }

    private static void ValidateDataWorks(List<string> failures, DataWorksOptions dataWorks)
    {
        if (dataWorks.Endpoint is { Length: > 0 } endpoint
            && (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)))
        {
            failures.Add($"{Prefix}DataWorks:Endpoint '{endpoint}' is not an absolute http(s) URL: write it like https://dataworks.cn-hangzhou.aliyuncs.com.");
        }

        if (dataWorks.Region is { Length: > 0 } region && !RegionId.IsValid(region))
        {
            failures.Add($"{Prefix}DataWorks:Region '{region}' is not a region id: write it like cn-hangzhou.");
        }

        if (dataWorks.Version is not ("2020-05-18" or "2024-05-18"))
        {
            failures.Add($"{Prefix}DataWorks:Version '{dataWorks.Version}' is not 2020-05-18 or 2024-05-18.");
        }

        if (!string.Equals(dataWorks.SignatureVersion, "V3", StringComparison.OrdinalIgnoreCase) && !string.Equals(dataWorks.SignatureVersion, "V2", StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"{Prefix}DataWorks:SignatureVersion '{dataWorks.SignatureVersion}' is not V3 or V2.");
        }

        if (ParseVerdict(dataWorks.FailMode) is null)
        {
            failures.Add($"{Prefix}DataWorks:FailMode '{dataWorks.FailMode}' is not OK, WARN or FAIL.");
        }

        Positive(failures, "DataWorks:Deadline", dataWorks.Deadline, MaxWait);
        if (dataWorks.AnswerWithin < MinAnswerWithin || dataWorks.AnswerWithin > MaxAnswerWithin)
        {
            failures.Add($"{Prefix}DataWorks:AnswerWithin is {dataWorks.AnswerWithin}: it must be between {MinAnswerWithin} and {MaxAnswerWithin} (DataWorks holds the operation meanwhile).");
        }
        Range(failures, "DataWorks:MaxMessageLength", dataWorks.MaxMessageLength, 16, 100_000);
        if (dataWorks.Enabled)
        {
            foreach (var (key, variable) in new[] { ("AccessKeyIdVariable", dataWorks.AccessKeyIdVariable), ("AccessKeySecretVariable", dataWorks.AccessKeySecretVariable) })
            {
                if (string.IsNullOrWhiteSpace(variable))
                {
                    failures.Add($"{Prefix}DataWorks:{key} is empty: name the environment variable that holds the AccessKey.");
                }
                else if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable)))
                {
                    failures.Add($"{Prefix}DataWorks:ExtensionCode is set but the environment variable {variable} is not: set it to the AccessKey that answers DataWorks (or remove the extension code).");
                }
            }
        }
    }

    private static void ValidateDetail(List<string> failures, DetailOptions detail)
    {
        // No relation to DataWorks:AnswerWithin to check: the call is held to half of it anyway (DetailOptions.Timeout).
        Positive(failures, "Detail:Timeout", detail.Timeout, MaxAnswerWithin);

        Range(failures, "Detail:MaxBytes", detail.MaxBytes, 1024, 256 * 1024 * 1024);
        Range(failures, "Detail:CacheEntries", detail.CacheEntries, 0, 1_000_000);
        Range(failures, "Detail:CacheBytes", detail.CacheBytes, 0, 64L * 1024 * 1024 * 1024);
        Delay(failures, "Detail:CacheTtl", detail.CacheTtl, MaxWait);
    }

    private static void ValidateBroker(List<string> failures, BrokerOptions broker)
    {
        if (broker.Uri is { Length: > 0 } text)
        {
            if (!System.Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != "amqp" && uri.Scheme != "amqps") || string.IsNullOrEmpty(uri.Host))
            {
                failures.Add($"{Prefix}Broker:Uri '{TextExcerpt.Of(text, 80)}' is not an AMQP URI: write it like amqp://rabbit.internal:5672 or amqps://rabbit.internal:5671 (TLS).");
            }
            else if (uri.UserInfo.Length > 0)
            {
                // The URI is logged and shown on /outbox; a password in it would be a credential outside the environment.
                failures.Add($"{Prefix}Broker:Uri carries a user name or password: remove them from the URI and set OpenEventRules__Broker__UserName and OpenEventRules__Broker__Password in the host's environment.");
            }
        }

        if (string.IsNullOrWhiteSpace(broker.EventsQueue) || broker.EventsQueue.Length > 200)
        {
            failures.Add($"{Prefix}Broker:EventsQueue must name a queue (1 to 200 characters).");
        }

        if (string.IsNullOrWhiteSpace(broker.QueuePrefix) || broker.QueuePrefix.Length > 100 || broker.QueuePrefix.Any(c => c <= ' ' || c > '~'))
        {
            failures.Add($"{Prefix}Broker:QueuePrefix '{broker.QueuePrefix}' must be 1 to 100 visible ASCII characters (e.g. oer).");
        }

        Range(failures, "Broker:Prefetch", broker.Prefetch, 1, 65_535);
        Range(failures, "Broker:Concurrency", broker.Concurrency, 1, 256);
        Range(failures, "Broker:Partitions", broker.Partitions, 1, 1024);
        Range(failures, "Broker:DeliveryLimit", broker.DeliveryLimit, 1, 1000);
        Range(failures, "Broker:KeyMemory", broker.KeyMemory, 1_000, 10_000_000);
        Positive(failures, "Broker:PublishTimeout", broker.PublishTimeout, MaxTimeout);
        Positive(failures, "Broker:ReconnectDelay", broker.ReconnectDelay, MaxTimeout);
        AtMost(failures, "Broker:MaxReconnectDelay", broker.MaxReconnectDelay, MaxTimeout);
        Positive(failures, "Broker:Heartbeat", broker.Heartbeat, MaxTimeout);
        if (broker.MaxReconnectDelay < broker.ReconnectDelay)
        {
            failures.Add($"{Prefix}Broker:MaxReconnectDelay ({broker.MaxReconnectDelay}) is shorter than Broker:ReconnectDelay ({broker.ReconnectDelay}).");
        }
    }

    public static readonly TimeSpan MinAnswerWithin = TimeSpan.FromMilliseconds(100);

    public static readonly TimeSpan MaxAnswerWithin = TimeSpan.FromMinutes(5);

    internal static Verdict? ParseVerdict(string? text) => text?.ToUpperInvariant() switch
    {
        "OK" => Verdict.Ok,
        "WARN" => Verdict.Warn,
        "FAIL" => Verdict.Fail,
        _ => null,
    };

    // The longest duration settings. No deployment needs more, and past them the host's own arithmetic breaks: now minus
    // a retention of a million days threw (the outbox worker failed at every turn while /readyz said ready), a timeout is
    // doubled or added to now, and timers and HTTP clients refuse waits beyond about 24 days.

    /// <summary>Timeouts of one step (an HTTP attempt, a lock, a publish, a condition, a compilation) and polls: an hour.</summary>
    internal static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(1);

    /// <summary>Waits that span retries (backoff, lease, DataWorks:Deadline, the detail cache): a day.</summary>
    internal static readonly TimeSpan MaxWait = TimeSpan.FromDays(1);

    /// <summary>How long the same notification is suppressed: 30 days.</summary>
    internal static readonly TimeSpan MaxDedupWindow = TimeSpan.FromDays(30);

    /// <summary>How long a failing action is retried (Outbox:MaxAge): a year.</summary>
    internal static readonly TimeSpan MaxActionAge = TimeSpan.FromDays(365);

    /// <summary>How long delivered actions are kept (Outbox:DeliveredRetention): ten years.</summary>
    internal static readonly TimeSpan MaxRetention = TimeSpan.FromDays(3650);

    /// <summary>A duration that must be positive and at most <paramref name="max"/>.</summary>
    private static void Positive(List<string> failures, string key, TimeSpan value, TimeSpan max)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{Prefix}{key} is {value}: it must be positive (e.g. 00:00:30).");
        }

        AtMost(failures, key, value, max);
    }

    private static void AtMost(List<string> failures, string key, TimeSpan value, TimeSpan max)
    {
        if (value > max)
        {
            failures.Add($"{Prefix}{key} is {value}: it must be at most {max}.");
        }
    }

    private static void NotNegative(List<string> failures, string key, TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            failures.Add($"{Prefix}{key} is {value}: it must not be negative.");
        }
    }

    /// <summary>A duration that may be zero (off) and is at most <paramref name="max"/>.</summary>
    private static void Delay(List<string> failures, string key, TimeSpan value, TimeSpan max)
    {
        NotNegative(failures, key, value);
        AtMost(failures, key, value, max);
    }

    /// <summary>A wait: not negative, and at most <paramref name="max"/> (<paramref name="longer"/> says what a longer one would do).</summary>
    private static void Delay(List<string> failures, string key, TimeSpan value, TimeSpan max, string longer)
    {
        NotNegative(failures, key, value);
        if (value > max)
        {
            failures.Add($"{Prefix}{key} ({value}) is longer than {max}: {longer}");
        }
    }

    private static void Range(List<string> failures, string key, long value, long min, long max)
    {
        if (value < min || value > max)
        {
            failures.Add($"{Prefix}{key} is {value}: it must be between {min} and {max}.");
        }
    }
}
