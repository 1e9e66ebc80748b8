using OpenEvent.Rules.Host;

namespace OpenEvent.Rules.Host.Tests.Broker;

/// <summary>OpenEventRules:Broker:* is validated at start like every setting: one line naming the setting and the fix, exit 2.</summary>
public sealed class BrokerSettingsTests
{
    private static string[] Base => ["--urls", "http://127.0.0.1:0", "--OpenEventRules:PoliciesPath", RunningHost.FixturePolicies];

    public static TheoryData<string[], string> InvalidSettings => new()
    {
        {
            ["--OpenEventRules:Broker:Uri", "http://rabbit:5672"],
            "oer serve: invalid setting: OpenEventRules:Broker:Uri 'http://rabbit:5672' is not an AMQP URI: write it like amqp://rabbit.internal:5672 or amqps://rabbit.internal:5671 (TLS)."
        },
        {
            ["--OpenEventRules:Broker:Uri", "amqp://oer:s3cret@rabbit:5672"],
            "oer serve: invalid setting: OpenEventRules:Broker:Uri carries a user name or password: remove them from the URI and set OpenEventRules__Broker__UserName and OpenEventRules__Broker__Password in the host's environment."
        },
        {
            ["--OpenEventRules:Broker:Uri", "amqp://rabbit:5672", "--OpenEventRules:Broker:Password", "s3cret"],
            "oer serve: invalid setting: OpenEventRules:Broker:Password is set (command line): a credential comes from the environment only; set OpenEventRules__Broker__Password in the host's environment instead."
        },
        {
            ["--OpenEventRules:Broker:Uri", "amqp://rabbit:5672", "--OpenEventRules:Broker:Partitions", "0"],
            "oer serve: invalid setting: OpenEventRules:Broker:Partitions is 0: it must be between 1 and 1024."
        },
        {
            ["--OpenEventRules:Broker:Uri", "amqp://rabbit:5672", "--OpenEventRules:Broker:ReconnectDelay", "00:00:05", "--OpenEventRules:Broker:MaxReconnectDelay", "00:00:01"],
            "oer serve: invalid setting: OpenEventRules:Broker:MaxReconnectDelay (00:00:01) is shorter than Broker:ReconnectDelay (00:00:05)."
        },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public async Task RunAsync_InvalidBrokerSetting_OneLineNamingItExit2(string[] settings, string expected)
    {
        using var errors = new StringWriter();

        var exitCode = await RulesHost.RunAsync([.. Base, .. settings], errors);

        Assert.Equal(2, exitCode);
        Assert.Equal([expected], errors.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }
}
