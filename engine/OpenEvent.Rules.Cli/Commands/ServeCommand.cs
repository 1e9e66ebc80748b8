using System.CommandLine;
using OpenEvent.Rules.Cli.CommandLine;
using OpenEvent.Rules.Host;
using OpenEvent.Rules.Host.Configuration;

namespace OpenEvent.Rules.Cli.Commands;

/// <summary>
/// <c>oer serve [--policies DIR] [--urls URL | --port N] [--OpenEventRules:Key value ...]</c>: runs the host. Host
/// settings are taken out of the command line before it is parsed and handed to the host, which checks every key
/// (a misspelt one stops the start with a did-you-mean); anything else unknown is refused here.
/// </summary>
internal static class ServeCommand
{
    /// <summary>Separates host settings (<c>--Section:Key value</c> or <c>--Section:Key=value</c>) from the options of serve.</summary>
    public static (string[] Arguments, string[] Settings) SplitSettings(IReadOnlyList<string> args)
    {
        var arguments = new List<string>();
        var settings = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var token = args[i];
            var key = token.Split('=', 2)[0];
            if (token.StartsWith("--", StringComparison.Ordinal) && key.Contains(':', StringComparison.Ordinal))
            {
                settings.Add(token);
                if (!token.Contains('=', StringComparison.Ordinal) && i + 1 < args.Count)
                {
                    settings.Add(args[++i]);
                }
            }
            else
            {
                arguments.Add(token);
            }
        }

        return ([.. arguments], [.. settings]);
    }

    public static Command Create(IReadOnlyList<string> settings, TextWriter stderr)
    {
        var policies = new Option<string>("--policies") { Description = $"The policy folder to load and watch (default: {PolicyPaths.DefaultPath}).", HelpName = "DIR" };
        var urls = new Option<string>("--urls") { Description = $"Where to listen (default: {RulesHost.DefaultUrl}; loopback only unless a token is configured).", HelpName = "URL" };
        var port = new Option<string>("--port") { Description = "Listen on http://127.0.0.1:PORT (instead of --urls).", HelpName = "PORT" };
        var command = new Command("serve",
            "Run the host: receive DataWorks events over HTTP, evaluate them, hot-reload the policies. Any host setting can follow as --OpenEventRules:Key value (listed below); every key is checked.")
        {
            policies,
            urls,
            port,
        };
        command.With(
            [
                "oer serve --policies my-policies/",
                "oer serve --policies my-policies/ --port 18080",
                "oer serve --policies policies --urls http://0.0.0.0:8080 --OpenEventRules:Outbox:Path /var/lib/oer/outbox.db",
            ],
            [
                (0, "the host was stopped (Ctrl+C, SIGTERM)"),
                (ExitCodes.Failure, "the host did not start: the policies are invalid, or the address is already in use"),
                (ExitCodes.Usage, CommandHelp.UsageExit + ", or an unknown, misspelt or invalid setting"),
            ],
            ("Settings (--Key value; also appsettings.json or environment variables such as OpenEventRules__Auth__Token)",
                [.. SettingKeys.All.Select(key => "--" + key)]));
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

            if (result.GetValue(port) is { } number)
            {
                args.AddRange(["--" + HostArguments.PortKey, number]);
            }

            args.AddRange(settings);
            return RulesHost.RunAsync([.. args], stderr, cancellationToken);
        });
        return command;
    }
}
