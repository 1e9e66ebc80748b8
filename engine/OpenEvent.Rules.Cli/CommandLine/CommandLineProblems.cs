using System.CommandLine;
using System.CommandLine.Parsing;
using OpenEvent.Rules.Parsing;

namespace OpenEvent.Rules.Cli.CommandLine;

/// <summary>
/// Turns a parse into the command-line mistakes a user should hear about, each naming the command and the fix.
/// System.CommandLine takes an unknown <c>--strcit</c> as a value of a PATHS argument (so it surfaced as "path not
/// found"), and its own messages do not suggest the option that was meant; both are handled here.
/// </summary>
internal static class CommandLineProblems
{
    public static List<string> Find(ParseResult result)
    {
        var command = result.CommandResult.Command;
        var name = CommandPath(result.CommandResult);
        var problems = new List<string>();
        var literal = LiteralTokens(result);
        var reported = new HashSet<string>(StringComparer.Ordinal);

        // A word that looks like an option but was taken as a path (or left over) is an unknown option.
        var stray = result.CommandResult.Children.OfType<ArgumentResult>().SelectMany(a => a.Tokens)
            .Where(t => !literal.Contains(t) && LooksLikeOption(t.Value))
            .Select(t => t.Value)
            .Concat(result.UnmatchedTokens.Where(LooksLikeOption));
        foreach (var token in stray)
        {
            if (reported.Add(token))
            {
                problems.Add($"{name}: {UnknownOption(command, token)}");
            }
        }

        ReportUnexpectedWords(result, command, name, reported, problems);

        // Other errors ("option '--base' is required") are often consequences of a mistyped option: the typo first.
        if (problems.Count > 0)
        {
            return problems;
        }

        foreach (var error in result.Errors)
        {
            // Unmatched tokens were explained above, better than "Unrecognized command or argument".
            if (reported.Any(token => error.Message.Contains($"'{token}'", StringComparison.Ordinal)))
            {
                continue;
            }

            problems.Add($"{name}: {Describe(error)}");
        }

        return problems;
    }

    /// <summary>Words left over that are not options: an unexpected argument or an unknown command, unless they were an unknown option's value.</summary>
    private static void ReportUnexpectedWords(ParseResult result, Command command, string name, HashSet<string> reported, List<string> problems)
    {
        // The word after an unknown option is most likely its value ("--polices my-policies"): one message is enough.
        var values = result.Tokens.Zip(result.Tokens.Skip(1)).Where(pair => reported.Contains(pair.First.Value)).Select(pair => pair.Second.Value).ToHashSet(StringComparer.Ordinal);
        foreach (var token in result.UnmatchedTokens.Where(t => !LooksLikeOption(t)))
        {
            if (values.Contains(token))
            {
                reported.Add(token);
                continue;
            }

            if (reported.Add(token))
            {
                problems.Add($"{name}: {Unexpected(command, token)}");
            }

            // After an unknown command, the rest of the line was meant for it: one message.
            if (command.Subcommands.Count > 0)
            {
                break;
            }
        }
    }

    /// <summary>"oer dry-run", "oer outbox list".</summary>
    public static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? current = result; current is not null; current = current.Parent)
        {
            if (current is CommandResult commandResult)
            {
                names.Add(commandResult.Parent is null ? "oer" : commandResult.Command.Name);
            }
        }

        names.Reverse();
        return string.Join(' ', names);
    }

    /// <summary>Tokens after "--": paths that start with '-' are written there on purpose.</summary>
    private static HashSet<Token> LiteralTokens(ParseResult result)
    {
        var literal = new HashSet<Token>(ReferenceEqualityComparer.Instance);
        var afterDash = false;
        foreach (var token in result.Tokens)
        {
            if (afterDash)
            {
                literal.Add(token);
            }

            afterDash |= token.Type == TokenType.DoubleDash;
        }

        return literal;
    }

    private static bool LooksLikeOption(string token) => token.Length > 1 && token[0] == '-' && !double.TryParse(token, out _);

    private static string UnknownOption(Command command, string token)
    {
        var names = OptionNames(command).ToList();
        var written = token.Split('=', 2)[0];
        // Edit distance misses a singular for a plural (--policy for --policies): a long shared beginning counts too.
        var suggestion = Suggestions.Closest(written, names)
            ?? names.FirstOrDefault(n => SharedPrefix(n, written) is var shared && shared >= 5 && shared >= Math.Min(n.Length, written.Length) - 2);
        if (suggestion is not null)
        {
            return $"unknown option '{written}': did you mean '{suggestion}'?";
        }

        var listed = OptionNames(command, includeAliases: false).Where(n => n is not "--help").Order(StringComparer.Ordinal).ToList();
        return listed.Count == 0
            ? $"unknown option '{written}': '{CommandName(command)}' takes no options"
            : $"unknown option '{written}': the options of '{CommandName(command)}' are {string.Join(", ", listed)} (a path that starts with '-' goes after --)";
    }

    private static string Unexpected(Command command, string token)
    {
        if (command.Subcommands.Count > 0)
        {
            var suggestion = Suggestions.Closest(token, command.Subcommands.Select(c => c.Name));
            return suggestion is not null
                ? $"unknown command '{token}': did you mean '{suggestion}'?"
                : $"unknown command '{token}': the commands are {string.Join(", ", command.Subcommands.Select(c => c.Name))}";
        }

        if ((Directory.Exists(token) || File.Exists(token)) && command.Options.Any(o => o.Name == "--policies"))
        {
            return $"unexpected argument '{token}': did you mean --policies {token}?";
        }

        return $"unexpected argument '{token}': '{CommandName(command)}' takes no arguments; see its --help";
    }

    private static string Describe(ParseError error)
    {
        var message = error.Message.TrimEnd('.');
        return error.SymbolResult switch
        {
            OptionResult option when option.Tokens.Count == 0 && message.StartsWith("Required argument missing", StringComparison.Ordinal) =>
                $"option '{option.Option.Name}' needs a value",
            _ when message.StartsWith("Option '", StringComparison.Ordinal) && message.EndsWith("' is required", StringComparison.Ordinal) =>
                $"option {message["Option ".Length..]}",
            _ => FirstLower(message.Replace("\n", " ", StringComparison.Ordinal).Replace("\t", "", StringComparison.Ordinal)),
        };
    }

    private static int SharedPrefix(string a, string b)
    {
        var length = 0;
        while (length < a.Length && length < b.Length && char.ToLowerInvariant(a[length]) == char.ToLowerInvariant(b[length]))
        {
            length++;
        }

        return length;
    }

    private static string FirstLower(string text) => text.Length > 0 ? char.ToLowerInvariant(text[0]) + text[1..] : text;

    private static string CommandName(Command command) => command is RootCommand ? "oer" : command.Name;

    private static IEnumerable<string> OptionNames(Command command, bool includeAliases = true)
    {
        var options = command.Options.AsEnumerable();
        for (var parent = command.Parents.OfType<Command>().FirstOrDefault(); parent is not null; parent = parent.Parents.OfType<Command>().FirstOrDefault())
        {
            options = options.Concat(parent.Options.Where(o => o.Recursive));
        }

        foreach (var option in options.Where(o => !o.Hidden))
        {
            yield return option.Name;
            if (includeAliases)
            {
                foreach (var alias in option.Aliases.Where(a => a.StartsWith("--", StringComparison.Ordinal)))
                {
                    yield return alias;
                }
            }
        }
    }
}
