using System.Globalization;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Parsing;

namespace OpenEvent.Rules.Host.Configuration;

/// <summary>
/// Checks the host's command line before it becomes configuration. The .NET command-line provider accepts any
/// <c>--key value</c> and a stray word silently, so <c>--polices x</c>, <c>--port 18333</c> or a bare folder name would
/// each be ignored and the host would start with something else than asked. Here every key must be a host setting
/// (<c>OpenEventRules:...</c>, checked key by key by <see cref="SettingKeys"/>) or one of the few framework keys the
/// host honours; <c>--port N</c> is accepted as <c>--urls http://127.0.0.1:N</c>, and <c>oer serve</c>'s <c>--policies</c>
/// and <c>--token</c> as the settings they name.
/// </summary>
public static class HostArguments
{
    /// <summary>Framework keys that keep their standard meaning.</summary>
    private static readonly string[] s_frameworkKeys = ["urls", "environment", "contentRoot", "applicationName", "AllowedHosts"];

    /// <summary>Framework sections passed through as they are (their own binders own their keys).</summary>
    private static readonly string[] s_frameworkSections = ["Logging", "Kestrel", "hostBuilder"];

    /// <summary>Option names of <c>oer serve</c> that users also try on the host, taken as the setting they mean.</summary>
    private static readonly Dictionary<string, string> s_aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["policies"] = RulesHostOptions.Section + ":PoliciesPath",
        ["token"] = RulesHostOptions.Section + ":Auth:Token",
    };

    public const string PortKey = "port";

    /// <summary>The arguments to hand to the host (with --port rewritten), or the problems that must stop the start.</summary>
    public static (string[] Arguments, IReadOnlyList<string> Problems) Normalize(IReadOnlyList<string> args)
    {
        var result = new List<string>();
        var problems = new List<string>();
        string? port = null;
        var urls = false;
        for (var i = 0; i < args.Count; i++)
        {
            if (ReadPair(args, ref i, problems) is not var (key, value))
            {
                continue;
            }

            if (string.Equals(key, PortKey, StringComparison.OrdinalIgnoreCase))
            {
                port = value;
                continue;
            }

            // oer serve's names work here too (--policies my-policies), as --port does.
            key = s_aliases.GetValueOrDefault(key, key);
            urls |= string.Equals(key, "urls", StringComparison.OrdinalIgnoreCase);
            if (Refusal(key, value) is { } problem)
            {
                problems.Add(problem);
                continue;
            }

            result.Add("--" + key);
            result.Add(value);
        }

        if (port is not null)
        {
            AddPort(port, urls, result, problems);
        }

        return ([.. result], problems);
    }

    /// <summary>The key and value at <paramref name="i"/> (<c>--key value</c>, <c>--key=value</c>, <c>/key value</c>); null, with the problem, for anything else.</summary>
    private static (string Key, string Value)? ReadPair(IReadOnlyList<string> args, ref int i, List<string> problems)
    {
        var token = args[i];
        var prefix = token.StartsWith("--", StringComparison.Ordinal) ? 2 : token.StartsWith('/') ? 1 : 0;
        var equals = token.IndexOf('=', StringComparison.Ordinal);
        if (prefix == 0 && equals < 0)
        {
            problems.Add($"unexpected argument '{TextExcerpt.Of(token, 80)}': settings are written --Key value, e.g. --{RulesHostOptions.Section}:PoliciesPath my-policies");
            return null;
        }

        var key = equals >= 0 ? token[prefix..equals] : token[prefix..];
        string? value = equals >= 0 ? token[(equals + 1)..] : i + 1 < args.Count ? args[++i] : null;
        if (value is null)
        {
            problems.Add($"--{TextExcerpt.Of(key, 120)} needs a value, e.g. --{TextExcerpt.Of(key, 120)} <value>");
            return null;
        }

        return (key, value);
    }

    /// <summary>Why the setting is refused: a --urls entry that is not a URL, or a key the host does not know.</summary>
    private static string? Refusal(string key, string value)
    {
        if (string.Equals(key, "urls", StringComparison.OrdinalIgnoreCase)
            && value.Split(';', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(u => !u.Contains("://", StringComparison.Ordinal)) is { } bare)
        {
            return $"--urls '{TextExcerpt.Of(bare, 80)}' is not a URL: write it like http://127.0.0.1:{(int.TryParse(bare, out var p) ? p : 8080)} (or give only the port with --port)";
        }

        return IsKnown(key) ? null : UnknownKey(key);
    }

    /// <summary>--port N is --urls http://127.0.0.1:N, unless --urls was given too or N is not a port.</summary>
    private static void AddPort(string port, bool urls, List<string> result, List<string> problems)
    {
        if (urls)
        {
            problems.Add("--port and --urls were both given: keep one (--port N listens on http://127.0.0.1:N).");
        }
        else if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
        {
            problems.Add($"--port '{TextExcerpt.Of(port, 80)}' is not a port number: give a number from 1 to 65535, e.g. --port 8080.");
        }
        else
        {
            result.AddRange(["--urls", $"http://127.0.0.1:{number}"]);
        }
    }

    private static bool IsKnown(string key)
    {
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        var section = colon < 0 ? key : key[..colon];
        return colon < 0
            ? s_frameworkKeys.Contains(key, StringComparer.OrdinalIgnoreCase)
            : string.Equals(section, RulesHostOptions.Section, StringComparison.OrdinalIgnoreCase) // checked key by key once bound
              || s_frameworkSections.Contains(section, StringComparer.OrdinalIgnoreCase);
    }

    private static string UnknownKey(string key)
    {
        var suggestion = s_aliases.TryGetValue(key, out var alias) ? alias
            : Suggestions.Closest(key, s_aliases.Keys) is { } near ? s_aliases[near]
            : Suggestions.Closest(key, [.. s_frameworkKeys, PortKey]) ?? SettingKeys.Suggest(key);
        return suggestion is null
            ? $"unknown option '--{TextExcerpt.Of(key, 120)}': host settings are written --{RulesHostOptions.Section}:Key value (the README lists them)"
            : $"unknown option '--{TextExcerpt.Of(key, 120)}': did you mean --{suggestion}?";
    }
}
