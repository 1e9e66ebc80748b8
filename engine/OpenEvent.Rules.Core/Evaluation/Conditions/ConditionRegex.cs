using System.Collections.Concurrent;
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

    // A pattern built from event data can be as long as the event; keeping a thousand of those would hold
    // the memory of a thousand events. Longer patterns are built for the call and dropped.
    private const int MaxCachedPatternLength = 1024;

    private static readonly ConcurrentDictionary<string, Regex> Cache = new(StringComparer.Ordinal);

    /// <summary>The compiled regex for <paramref name="pattern"/>; throws ArgumentException for an invalid pattern.</summary>
    public static Regex Get(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (Cache.TryGetValue(pattern, out var cached))
        {
            return cached;
        }

        var regex = Create(pattern);
        if (Cache.Count < MaxCachedPatterns && pattern.Length <= MaxCachedPatternLength)
        {
            Cache.TryAdd(pattern, regex);
        }

        return regex;
    }

    /// <summary>Throws ArgumentException when <paramref name="pattern"/> is not a valid .NET regex (parses only, builds no matcher).</summary>
    public static void Validate(string pattern) => _ = new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);

    private static Regex Create(string pattern)
    {
        try
        {
            // Linear time in the input: no catastrophic backtracking whatever the author wrote.
            return new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, MatchTimeout);
        }
        catch (NotSupportedException)
        {
            // Back-references and look-arounds need the backtracking engine; the timeout still bounds it.
            return new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);
        }
    }
}
