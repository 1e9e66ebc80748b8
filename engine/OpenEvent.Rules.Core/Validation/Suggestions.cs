namespace OpenEvent.Rules.Validation;

/// <summary>"Did you mean" lookups for names, event types and field paths, so hints can name the likely fix.</summary>
internal static class Suggestions
{
    /// <summary>
    /// The candidate closest to <paramref name="text"/>: a case-insensitive equal first, else the smallest edit
    /// distance (ignoring case) within a budget that grows with the length, so short names do not get wild guesses.
    /// </summary>
    public static string? Closest(string text, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        var budget = Math.Max(2, text.Length / 4);
        var upper = text.ToUpperInvariant();
        foreach (var candidate in candidates)
        {
            if (string.Equals(candidate, text, StringComparison.Ordinal))
            {
                continue;
            }

            if (string.Equals(candidate, text, StringComparison.OrdinalIgnoreCase))
            {
                return candidate;
            }

            var distance = Parsing.Suggestions.Distance(upper, candidate.ToUpperInvariant(), budget);
            if (distance <= budget && (distance < bestDistance || (distance == bestDistance && string.CompareOrdinal(candidate, best) < 0)))
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    /// <summary>" Did you mean 'x'?" or an empty string, to append to a hint.</summary>
    public static string DidYouMean(string? suggestion) => suggestion is null ? "" : $"Did you mean '{suggestion}'? ";
}
