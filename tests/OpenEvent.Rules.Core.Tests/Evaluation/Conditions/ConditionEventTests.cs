using System.Text.Json;
using OpenEvent.Rules.Evaluation.Conditions;

namespace OpenEvent.Rules.Core.Tests.Evaluation.Conditions;

public sealed class ConditionEventTests
{
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static readonly DateTimeOffset Now = new(2024, 7, 12, 3, 0, 0, TimeSpan.Zero);

    private static ConditionEvent Event(string json, ScopeValues? scope = null) => new(JsonDocument.Parse(json).RootElement, scope, new FixedClock(Now));

    private const string Deploy = """
        { "specversion": "1.0", "id": "7f3c", "source": "acs.dataworks", "type": "dataworks:FileChange:DeployFile",
          "time": "2024-07-12T19:30:05+08:00", "aliyunaccountid": "1234567890123456", "aliyunregionid": "cn-hangzhou",
          "aliyuneventbusname": "dataworks-bus",
          "data": { "fileId": 500012830, "jobId": "5777", "dataRowSize": "1024.5", "ratio": 3.0, "flag": "TRUE", "none": null,
                    "setting": { "timeZone": "Asia/Shanghai" }, "tableMapping": [ { "dstTable": "a" }, { "dstTable": "b" } ],
                    "multipleTimePeriods": "[{\"bizBeginTime\":\"2024-04-01\",\"bizEndTime\":\"2024-04-17\"}]", "badJson": "[{" } }
        """;

    [Fact]
    public void Envelope_AttributesAreRead()
    {
        var e = Event(Deploy);

        Assert.Equal("7f3c", e.Id);
        Assert.Equal("dataworks:FileChange:DeployFile", e.Type);
        Assert.Equal("acs.dataworks", e.Source);
        Assert.Equal("", e.Subject);
        Assert.Equal("cn-hangzhou", e.RegionId);
        Assert.Equal("1234567890123456", e.AccountId);
        Assert.Equal("dataworks-bus", e.Attr("aliyuneventbusname"));
        Assert.Equal(new DateTimeOffset(2024, 7, 12, 19, 30, 5, TimeSpan.FromHours(8)), e.Time);
    }

    [Theory]
    [InlineData("2023-12-11T10:10:00.117Z", "2023-12-11T10:10:00.117+00:00")]
    [InlineData("2020-11-19T21:04:42.179PRC", "2020-11-19T21:04:42.179+08:00")]
    [InlineData("2024-07-12 11:08:50", "2024-07-12T11:08:50+00:00")]
    public void Time_IsParsedLeniently(string time, string expected)
    {
        var e = Event($$"""{ "time": "{{time}}" }""");

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), e.Time);
    }

    [Fact]
    public void Time_Unreadable_IsNull() => Assert.Null(Event("""{ "time": "yesterday-ish" }""").Time);

    [Fact]
    public void Data_TypedGetters_AreNullSafeAndLenient()
    {
        var d = Event(Deploy).Data;

        Assert.Equal(500012830, d.Long("fileId"));
        Assert.Equal(5777, d.Long("jobId"));
        Assert.Equal(5777, d.Int("jobId"));
        Assert.Equal(3, d.Int("ratio"));
        Assert.Equal(1024.5, d.Num("dataRowSize"));
        Assert.Equal(0, d.Int("dataRowSize"));
        Assert.Equal(-1, d.Long("missing", -1));
        Assert.True(d.Bool("flag"));
        Assert.Equal("Asia/Shanghai", d.Str("setting.timeZone"));
        Assert.Equal("500012830", d.Str("fileId"));
        Assert.Null(d.Str("missing"));
        Assert.Equal("x", d.Str("setting.missing.deeper", "x"));
        Assert.Equal("b", d.Str("tableMapping.1.dstTable"));
        Assert.Null(d.Str("tableMapping.9.dstTable"));
        Assert.True(d.Has("setting"));
        Assert.False(d.Has("none"));
        Assert.True(d.Node("none").Exists);
        Assert.Equal("null", d.Node("none").Kind);
        Assert.Equal(2, d.Count("tableMapping"));
        Assert.Equal(1, d.Count("setting"));
        Assert.Equal(0, d.Count("fileId"));
        Assert.Equal(["a", "b"], d.Arr("tableMapping").Select(t => t.Str("dstTable")));
        Assert.Empty(d.Arr("setting"));
        Assert.Equal(["timeZone"], d.Keys("setting"));
    }

    [Fact]
    public void Data_Json_ParsesAStringField()
    {
        var d = Event(Deploy).Data;

        var periods = d.Json("multipleTimePeriods").Arr();

        Assert.Equal("2024-04-17", Assert.Single(periods).Str("bizEndTime"));
        Assert.False(d.Json("badJson").Exists);
        Assert.False(d.Json("missing").Exists);
        Assert.Equal(2, d.Json("tableMapping").Count(""));
    }

    [Fact]
    public void Data_NoDataOrNotAnObject_IsMissingEverywhere()
    {
        var e = Event("[1, 2]");

        Assert.False(e.Data.Exists);
        Assert.Equal("", e.Type);
        Assert.Null(e.Time);
        Assert.Empty(e.Data.Arr("x"));
    }

    [Fact]
    public void Scope_DefaultsToEmptyStrings()
    {
        Assert.Equal("", Event("{}").Scope.Workspace);
        Assert.Equal("PROD", Event("{}", new ScopeValues("t", "w", "r", "PROD", "o")).Scope.Environment);
    }

    [Fact]
    public void Time_Helpers_UseTheClockAndZones()
    {
        var e = Event(Deploy);

        Assert.Equal(Now, e.Now);
        Assert.Equal(11, e.NowAt("Asia/Shanghai").Hour);
        Assert.Equal(DayOfWeek.Friday, e.At("Asia/Shanghai").DayOfWeek);
        Assert.Equal(19, e.At("Asia/Shanghai").Hour);
        Assert.Equal(TimeSpan.FromHours(8), e.At("Asia/Shanghai").Offset);
        Assert.Equal(11, e.At("UTC").Hour);
        Assert.Equal(new DateTimeOffset(2024, 7, 12, 3, 30, 5, TimeSpan.Zero), e.Ms(1720755005000));
        Assert.Equal(new DateTimeOffset(2024, 4, 1, 0, 0, 0, TimeSpan.Zero), e.Date("2024-04-01"));
        Assert.Equal(16, e.DaysBetween(e.Date("2024-04-01"), e.Date("2024-04-17")));
        Assert.Throws<FormatException>(() => e.Date("someday"));
        Assert.Throws<TimeZoneNotFoundException>(() => e.At("Mars/Olympus_Mons"));
    }

    [Fact]
    public void At_EventWithoutTime_UsesTheClock() => Assert.Equal(11, Event("{}").At("Asia/Shanghai").Hour);

    [Fact]
    public void Matches_UsesCachedRegexWithTimeout()
    {
        var e = Event(Deploy);

        Assert.True(e.Matches("ods_orders", "^ods_"));
        Assert.False(e.Matches(null, ".*"));
        Assert.True(e.Matches("abab", "^(ab)\\1$"));
        Assert.Same(ConditionRegex.Get("^ods_"), ConditionRegex.Get("^ods_"));
        Assert.Equal(TimeSpan.FromMilliseconds(100), ConditionRegex.Get("^(ab)\\1$").MatchTimeout);
        Assert.ThrowsAny<ArgumentException>(() => e.Matches("x", "("));
    }
}
