using System.Collections.Immutable;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Validation;

namespace OpenEvent.Rules.Core.Tests.Validation;

public sealed class EnvironmentVariableCheckTests
{
    private static SecretReference Env(string name, int line) => new(name, new SourceLocation("channels.yaml", line, 9));

    private static readonly Dictionary<string, string> s_set = new(StringComparer.Ordinal) { ["SET_URL"] = "https://hooks.example.com/x" };

    [Fact]
    public void Check_EveryUnsetVariableOfChannelsAndTargets_OneWarningEach()
    {
        var set = new PolicySetDefinition(
            [],
            [
                new ChannelDefinition("oncall", ChannelType.DingTalk, new ConfigValue(null, Env("ONCALL_URL", 4)), Env("ONCALL_SECRET", 5),
                    ImmutableSortedDictionary<string, ConfigValue>.Empty.Add("X-Team", new ConfigValue(null, Env("TEAM_HEADER", 6))), new SourceLocation("channels.yaml", 1, 1)),
                new ChannelDefinition("fine", ChannelType.Webhook, new ConfigValue(null, Env("SET_URL", 10)), null,
                    ImmutableSortedDictionary<string, ConfigValue>.Empty.Add("X-Inline", new ConfigValue("v", null)), new SourceLocation("channels.yaml", 8, 1)),
            ],
            [
                new TargetDefinition("audit", TargetType.Http, new ConfigValue(null, Env("AUDIT_URL", 14)), null,
                    ImmutableSortedDictionary<string, ConfigValue>.Empty, new SourceLocation("channels.yaml", 12, 1)),
            ]);

        var diagnostics = EnvironmentVariableCheck.Check(set, name => s_set.GetValueOrDefault(name));

        Assert.All(diagnostics, d => Assert.Equal((DiagnosticIds.UnsetEnvironmentVariable, DiagnosticSeverity.Warning), (d.Id, d.Severity)));
        Assert.Equal(
            [
                "channels.yaml:4:9 channel 'oncall' reads its URL from the environment variable ONCALL_URL, which is not set: its notifications would be dead-lettered",
                "channels.yaml:5:9 channel 'oncall' reads its signing secret from the environment variable ONCALL_SECRET, which is not set: its notifications would be dead-lettered",
                "channels.yaml:6:9 channel 'oncall' reads its header X-Team from the environment variable TEAM_HEADER, which is not set: its notifications would be dead-lettered",
                "channels.yaml:14:9 target 'audit' reads its URL from the environment variable AUDIT_URL, which is not set: the events forwarded to it would be dead-lettered",
            ],
            diagnostics.Select(d => $"{d.Location} {d.Message}"));
        Assert.Equal("set AUDIT_URL in the environment of the host (e.g. export AUDIT_URL=...) and restart it", diagnostics[^1].Hint);
    }

    [Fact]
    public void Check_EverythingSet_Nothing()
    {
        var set = new PolicySetDefinition([], [new ChannelDefinition("fine", ChannelType.Slack, new ConfigValue(null, Env("SET_URL", 3)), null,
            ImmutableSortedDictionary<string, ConfigValue>.Empty, new SourceLocation("channels.yaml", 1, 1))], []);

        Assert.Empty(EnvironmentVariableCheck.Check(set, name => s_set.GetValueOrDefault(name)));
    }
}
