using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;

namespace OpenEvent.Rules.Evaluation.Conditions;

/// <summary>
/// The regex cache behind <see cref="ConditionEvent.Matches"/>. Conditions cannot construct Regex themselves:
/// this is where the match timeout and the engine choice are enforced, and where a pattern is parsed once
/// instead of once per event.
/// </summary>
internal static class ConditionRegex
{
    /// <summary>The fixed per-match timeout: a pathological pattern fails the condition instead of stalling the engine.</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    // Patterns usually are literals in conditions, so the set is small; the bound only protects against
    // conditions that build patterns from event data.
    private const int MaxCachedPatterns = 1024;

    /// <summary>
    /// The longest pattern a condition may use. Building the non-backtracking matcher is not bounded by the match
    /// timeout and grows faster than the pattern (a 1,000-character alternation ~20 ms, 4,000 characters ~80 ms, 100,000
    /// characters minutes), and a pattern built from event data is built again for each event it differs in; patterns
    /// of this length or less are all kept in the cache, so a thousand of them hold at most 2 MB.
    /// </summary>
    public const int MaxPatternLength = 1024;

    private static readonly ConcurrentDictionary<string, Regex> Cache = new(StringComparer.Ordinal);

    /// <summary>The compiled regex for <paramref name="pattern"/>; throws ArgumentException for an invalid pattern.</summary>
    public static Regex Get(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (Cache.TryGetValue(pattern, out var cached))
        {
            return cached;
        }

        CheckLength(pattern);
        var regex = Create(pattern);
        if (Cache.Count < MaxCachedPatterns)
        {
            Cache.TryAdd(pattern, regex);
        }

        return regex;
    }

    /// <summary>Throws ArgumentException when <paramref name="pattern"/> is not a valid .NET regex (parses only, builds no matcher).</summary>
    public static void Validate(string pattern)
    {
        CheckLength(pattern);
        _ = new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);
    }

    private static void CheckLength(string pattern)
    {
        if (pattern.Length > MaxPatternLength)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"the pattern is {pattern.Length:N0} characters long; a condition's regular expressions are limited to {MaxPatternLength:N0}"), nameof(pattern));
        }
    }

    private static Regex Create(string pattern)
    {
        Regex regex;
        try
        {
            // Linear time in the input: no catastrophic backtracking whatever the author wrote.
            regex = new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, MatchTimeout);
        }
        catch (NotSupportedException)
        {
            // Back-references and look-arounds need the backtracking engine; the timeout still bounds it.
            regex = new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);
        }

        WarmUp(regex);
        return regex;
    }

    /// <summary>
    /// One match of a one-character text when a regex is built: the timeout also runs while the engine's code is compiled on
    /// its first match, and a loaded machine's cold host timed out matching "ods_orders" against ^ods_ (a condition error
    /// on the first event). The compilation is paid here, under no event's timeout.
    /// </summary>
    private static void WarmUp(Regex regex)
    {
        try
        {
            _ = regex.IsMatch("x");
        }
        catch (RegexMatchTimeoutException)
        {
            // The real match has its own timeout.
        }
    }
}
