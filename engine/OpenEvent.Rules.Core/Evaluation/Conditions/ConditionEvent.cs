using System.Text.Json;

namespace OpenEvent.Rules.Evaluation.Conditions;

/// <summary>
/// The event as a C# condition (<c>spec.condition</c>) sees it: the parameter <c>e</c> of every condition.
/// Read-only and null-safe. Together with the types in this namespace and a short list of BCL types
/// (string, char, Math, primitives, DateTimeOffset, DateTime, TimeSpan, DayOfWeek, LINQ) this is the whole
/// surface a condition may touch; the Roslyn sandbox refuses everything else. Time comes from the injected
/// clock and the event's own <c>time</c>, never from the machine, so dry-runs and tests are reproducible.
/// </summary>
public sealed class ConditionEvent
{
    private static readonly IReadOnlyDictionary<string, IReadOnlySet<string>> s_noSets = new Dictionary<string, IReadOnlySet<string>>();

    private readonly JsonElement _root;
    private readonly TimeProvider _clock;
    private readonly IReadOnlyDictionary<string, IReadOnlySet<string>> _sets;
    private readonly JsonElement _detail;
    private ConditionDetail? _detailView;

    /// <param name="root">The CloudEvent (structured mode: the object with <c>specversion</c>, <c>type</c>, <c>data</c>, ...).</param>
    /// <param name="scope">The normalized scope values of the event.</param>
    /// <param name="clock">The clock behind <see cref="Now"/>; the system clock when null.</param>
    public ConditionEvent(JsonElement root, ScopeValues? scope = null, TimeProvider? clock = null)
        : this(root, scope, clock, default, sets: null)
    {
    }

    /// <param name="detail">The event's detail as a policy sees it (<c>{"detail": EventDetail}</c>); undefined when there is none.</param>
    /// <param name="sets">The registry's named sets as text, built once per policy set (<see cref="InSet(string, string)"/>).</param>
    internal ConditionEvent(JsonElement root, ScopeValues? scope, TimeProvider? clock, JsonElement detail, IReadOnlyDictionary<string, IReadOnlySet<string>>? sets = null)
    {
        _detail = detail.ValueKind == JsonValueKind.Object && detail.TryGetProperty("detail", out var eventDetail) ? eventDetail : default;
        _root = root.ValueKind == JsonValueKind.Object ? root : default;
        _clock = clock ?? TimeProvider.System;
        _sets = sets ?? s_noSets;
        Scope = scope ?? ScopeValues.Empty;
        Data = new ConditionNode(_root.ValueKind == JsonValueKind.Object && _root.TryGetProperty("data", out var data) ? data : default);
        Time = ConditionTime.ParseLenient(Attr("time"));
    }

    /// <summary>CloudEvents <c>id</c> ("" when absent).</summary>
    public string Id => Attr("id");

    /// <summary>CloudEvents <c>type</c>, e.g. <c>dataworks:FileChange:DeployFile</c>.</summary>
    public string Type => Attr("type");

    /// <summary>CloudEvents <c>source</c>, normally <c>acs.dataworks</c>.</summary>
    public string Source => Attr("source");

    /// <summary>CloudEvents <c>subject</c> ("" when absent).</summary>
    public string Subject => Attr("subject");

    /// <summary>CloudEvents <c>time</c>, parsed leniently; null when absent or unreadable.</summary>
    public DateTimeOffset? Time { get; }

    /// <summary><c>aliyunregionid</c>, e.g. <c>cn-hangzhou</c>.</summary>
    public string RegionId => Attr("aliyunregionid");

    /// <summary><c>aliyunaccountid</c>.</summary>
    public string AccountId => Attr("aliyunaccountid");

    /// <summary>The payload (<c>data</c>).</summary>
    public ConditionNode Data { get; }

    /// <summary>
    /// The event's detail (what DataWorks' GetIDEEventDetail returns: the committed code and node configuration, the
    /// table model); fetched only for policies whose condition reads it. Empty (<c>Exists</c> false) when there is none.
    /// </summary>
    public ConditionDetail Detail => DetailPending
        ? throw new DetailPendingException()
        : _detailView ??= _detail.ValueKind == JsonValueKind.Object ? new ConditionDetail(_detail) : ConditionDetail.Missing;

    /// <summary>Set for the run before the detail is asked for: reading <see cref="Detail"/> then stops the condition (<see cref="DetailPendingException"/>).</summary>
    internal bool DetailPending { get; init; }

    /// <summary>Tenant, workspace, region, environment (DEV/PROD) and operator of the event.</summary>
    public ScopeValues Scope { get; }

    /// <summary>The current instant (UTC) from the engine's clock.</summary>
    public DateTimeOffset Now => _clock.GetUtcNow();

    /// <summary>Any top-level envelope attribute as a string ("" when absent), e.g. <c>Attr("aliyuneventbusname")</c>.</summary>
    public string Attr(string name)
    {
        if (_root.ValueKind != JsonValueKind.Object || !_root.TryGetProperty(name, out var value))
        {
            return "";
        }

        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() ?? "",
            JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
            _ => "",
        };

        // Each call copies the value out of the event: inside a condition, a long one costs steps.
        ConditionBudget.ChargeWork(text.Length, ConditionGuard.CharsPerStep);
        return text;
    }

    /// <summary>
    /// The event's time (its <c>time</c> attribute, or <see cref="Now"/> when it has none) as local time in
    /// <paramref name="timeZoneId"/> (IANA, e.g. <c>Asia/Shanghai</c>). Throws for an unknown zone.
    /// </summary>
    public DateTimeOffset At(string timeZoneId) => ConditionTime.InZone(Time ?? Now, timeZoneId);

    /// <summary><paramref name="instant"/> as local time in <paramref name="timeZoneId"/>.</summary>
    public DateTimeOffset At(DateTimeOffset instant, string timeZoneId) => ConditionTime.InZone(instant, timeZoneId);

    /// <summary><see cref="Now"/> as local time in <paramref name="timeZoneId"/>.</summary>
    public DateTimeOffset NowAt(string timeZoneId) => ConditionTime.InZone(Now, timeZoneId);

    /// <summary>An epoch-milliseconds value (DataWorks <c>operationTime</c>, <c>createTime</c>, ...) as a UTC instant.</summary>
    public DateTimeOffset Ms(long epochMs) => DateTimeOffset.FromUnixTimeMilliseconds(epochMs);

    /// <summary>
    /// A date (<c>yyyy-MM-dd</c>) or date-time (<c>yyyy-MM-dd HH:mm:ss</c>, ISO 8601) as written by DataWorks;
    /// without an offset it is read as UTC. Throws FormatException when unreadable.
    /// </summary>
    public DateTimeOffset Date(string text) =>
        ConditionTime.ParseLenient(text) ?? throw new FormatException($"'{text}' is not a date (expected yyyy-MM-dd).");

    /// <summary>Whole and fractional days from <paramref name="from"/> to <paramref name="to"/> (negative when <paramref name="to"/> is earlier).</summary>
    public double DaysBetween(DateTimeOffset from, DateTimeOffset to) => (to - from).TotalDays;

    /// <summary>
    /// Whether <paramref name="value"/> is one of the values of the registry's named set <paramref name="set"/> (compared
    /// as text, case-sensitive; numbers as their literal). The name is checked when the policies are loaded; a null value
    /// is in no set. A hash lookup: the set was built once, with the policy set.
    /// </summary>
    public bool InSet(string set, string? value)
    {
        if (!_sets.TryGetValue(set, out var values))
        {
            throw new KeyNotFoundException($"The registry has no set named '{set}'.");
        }

        ConditionBudget.ChargeWork(value?.Length ?? 0, ConditionGuard.CharsPerStep);
        return value is not null && values.Contains(value);
    }

    /// <summary>Whether the number <paramref name="value"/> (an id, e.g. <c>e.Data.Long("projectId")</c>) is in the named set.</summary>
    public bool InSet(string set, long value) => InSet(set, value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    /// <summary>
    /// <paramref name="text"/> read as MaxCompute SQL: statements, kinds, tables read and written, <c>SELECT *</c>,
    /// INSERT OVERWRITE without a partition (see <see cref="SqlScript"/>). A null text reads as an empty script.
    /// </summary>
    public SqlScript Sql(string? text) => SqlScript.Parse(text, SqlScript.ParseDialect(null));

    /// <summary><paramref name="text"/> read as SQL of <paramref name="dialect"/>: maxcompute (odps), hive (emr, spark) or hologres (holo, postgres).</summary>
    public SqlScript Sql(string? text, string dialect) => SqlScript.Parse(text, SqlScript.ParseDialect(dialect));

    /// <summary>
    /// The shortest time in minutes between two runs of a DataWorks cron expression (<c>00 00/5 * * * ?</c>: 5; once a
    /// day: 1440); -1 when it cannot be read. For <c>data.cronExpress</c> of node events and the detail's node configuration.
    /// </summary>
    public int MinutesBetweenRuns(string? cron) => CronInterval.MinutesBetweenRuns(cron);

    /// <summary>
    /// Regular-expression match, the only regex access conditions have: culture-invariant, non-backtracking
    /// where the pattern allows it, with a fixed 100 ms timeout; patterns of at most 1,024 characters. A null input never matches.
    /// </summary>
    public bool Matches(string? input, string pattern)
    {
        // Linear in the input and the pattern (a pattern built from event data is compiled for the call), and at least a
        // step: a backtracking pattern can spend its whole timeout on a short text, and 250 such calls in a row ran
        // for 10 s against a 1 s budget that was only looked at when they were done.
        ConditionBudget.ChargeCall((long)(input?.Length ?? 0) + (pattern?.Length ?? 0), ConditionGuard.CharsPerStep);
        return input is not null && ConditionRegex.Get(pattern!).IsMatch(input);
    }
}
