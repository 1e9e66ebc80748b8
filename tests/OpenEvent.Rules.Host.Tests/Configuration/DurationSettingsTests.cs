using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Host;
using OpenEvent.Rules.Host.Actions;
using OpenEvent.Rules.Host.Configuration;

namespace OpenEvent.Rules.Host.Tests.Configuration;

/// <summary>
/// Every duration setting has an upper bound, checked at start in one line naming it: a retention of a million days was
/// accepted and then made the outbox worker fail at every turn (now minus it overflowed) while /readyz said ready, and an
/// Actions:Timeout of TimeSpan.MaxValue crashed the start with an unhandled OverflowException in the validator.
/// </summary>
public sealed class DurationSettingsTests
{
    private const string Largest = "10675199.02:48:05.4775807"; // TimeSpan.MaxValue

    /// <summary>Every TimeSpan setting of the host's options (a dictionary's entries under the name x), found by reflection.</summary>
    public static TheoryData<string> DurationKeys()
    {
        var keys = new TheoryData<string>();
        foreach (var key in SettingKeys.All.Where(k => !k.Contains("{index}", StringComparison.Ordinal)))
        {
            var type = typeof(RulesHostOptions);
            foreach (var part in key.Split(':').Skip(1))
            {
                type = part == "{name}" ? type.GetGenericArguments()[1] : type.GetProperty(part)!.PropertyType;
            }

            if ((Nullable.GetUnderlyingType(type) ?? type) == typeof(TimeSpan))
            {
                keys.Add(key.Replace("{name}", "x", StringComparison.Ordinal));
            }
        }

        return keys;
    }

    [Theory]
    [MemberData(nameof(DurationKeys))]
    public async Task Start_DurationSettingAtTimeSpanMaxValue_RefusedInOneLineNamingIt(string key)
    {
        var app = RulesHost.Build([.. HostSettingsTests.Base, "--" + key, Largest]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        var failure = Assert.Single(error.Failures, f => f.StartsWith(key + " ", StringComparison.Ordinal));
        Assert.Contains(Largest, failure, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', failure);
        await app.DisposeAsync();
    }

    [Fact]
    public async Task Start_DurationsBeyondTheirBounds_RefusedWithTheBound()
    {
        var app = RulesHost.Build([.. HostSettingsTests.Base,
            "--OpenEventRules:Outbox:DeliveredRetention", "1000000.00:00:00",
            "--OpenEventRules:Outbox:MaxAge", "366.00:00:00",
            "--OpenEventRules:Outbox:MaxBackoff", "1.00:00:01",
            "--OpenEventRules:Actions:Timeout", "01:00:01",
            "--OpenEventRules:Actions:Channels:oncall:DedupWindow", "31.00:00:00",
            "--OpenEventRules:Detail:Timeout", "00:05:01"]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Equal(
            [
                "OpenEventRules:Actions:Channels:oncall:DedupWindow is 31.00:00:00: it must be at most 30.00:00:00.",
                "OpenEventRules:Actions:Timeout is 01:00:01: it must be at most 01:00:00.",
                "OpenEventRules:Detail:Timeout is 00:05:01: it must be at most 00:05:00.",
                "OpenEventRules:Outbox:DeliveredRetention is 1000000.00:00:00: it must be at most 3650.00:00:00.",
                "OpenEventRules:Outbox:LeaseDuration (00:01:00) must be at least twice Actions:Timeout (01:00:01).",
                "OpenEventRules:Outbox:MaxAge is 366.00:00:00: it must be at most 365.00:00:00.",
                "OpenEventRules:Outbox:MaxBackoff is 1.00:00:01: it must be at most 1.00:00:00.",
            ],
            error.Failures.Order(StringComparer.Ordinal));
        await app.DisposeAsync();
    }

    [Fact]
    public async Task Build_DurationsAtTheirBounds_Accepted()
    {
        await using var app = RulesHost.Build([.. HostSettingsTests.Base,
            "--OpenEventRules:Outbox:DeliveredRetention", "3650.00:00:00",
            "--OpenEventRules:Outbox:MaxAge", "365.00:00:00",
            "--OpenEventRules:Outbox:InitialBackoff", "1.00:00:00",
            "--OpenEventRules:Outbox:MaxBackoff", "1.00:00:00",
            "--OpenEventRules:Outbox:LeaseDuration", "1.00:00:00",
            "--OpenEventRules:Outbox:PollInterval", "01:00:00",
            "--OpenEventRules:Outbox:BusyTimeout", "01:00:00",
            "--OpenEventRules:Actions:Timeout", "01:00:00",
            "--OpenEventRules:Actions:DedupWindow", "30.00:00:00",
            "--OpenEventRules:DataWorks:Deadline", "1.00:00:00",
            "--OpenEventRules:Detail:CacheTtl", "1.00:00:00",
            "--OpenEventRules:Broker:MaxReconnectDelay", "01:00:00",
            "--OpenEventRules:Conditions:CompileTimeout", "01:00:00"]);

        var options = app.Services.GetRequiredService<IOptions<RulesHostOptions>>().Value; // validates

        Assert.Equal(TimeSpan.FromDays(3650), options.Outbox.DeliveredRetention);
    }

    [Fact]
    public void RetainedSince_RetentionReachingPastTheStartOfTime_IsTheStartOfTimeNotAnOverflow()
    {
        var now = new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);

        Assert.Equal(DateTimeOffset.MinValue, OutboxWorker.RetainedSince(now, TimeSpan.FromDays(1_000_000)));
        Assert.Equal(DateTimeOffset.MinValue, OutboxWorker.RetainedSince(now, TimeSpan.MaxValue));
        Assert.Equal(now.AddDays(-7), OutboxWorker.RetainedSince(now, TimeSpan.FromDays(7)));
        Assert.Equal(now, OutboxWorker.RetainedSince(now, TimeSpan.MinValue));
    }
}
