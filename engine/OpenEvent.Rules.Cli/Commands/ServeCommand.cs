using System.CommandLine;
using OpenEvent.Rules.Host;

namespace OpenEvent.Rules.Cli.Commands;

/// <summary>
/// <c>oer serve [--policies DIR] [--urls URL] [--Section:Key value ...]</c>: runs the host. Any further
/// <c>--OpenEventRules:...</c> settings pass through to standard .NET configuration.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var policies = new Option<string>("--policies") { Description = "The policy folder to load and watch (default: policies)." };
        var urls = new Option<string>("--urls") { Description = $"Where to listen (default: {RulesHost.DefaultUrl}; loopback only unless a token is configured)." };
        var command = new Command("serve", "Run the host: receive DataWorks events over HTTP, evaluate them, hot-reload the policies.")
        {
            policies,
            urls,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((result, cancellationToken) =>
        {
            var args = new List<string>();
            if (result.GetValue(policies) is { } path)
            {
                args.AddRange(["--OpenEventRules:PoliciesPath", path]);
            }

            if (result.GetValue(urls) is { } listen)
            {
                args.AddRange(["--urls", listen]);
            }

            args.AddRange(result.UnmatchedTokens);
            return RulesHost.RunAsync([.. args], cancellationToken);
        });
        return command;
    }
}
