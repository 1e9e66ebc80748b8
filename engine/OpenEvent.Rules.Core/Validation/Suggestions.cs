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

            var distance = Distance(text.ToUpperInvariant(), candidate.ToUpperInvariant());
            if (distance <= budget && (distance < bestDistance || (distance == bestDistance && string.CompareOrdinal(candidate, best) < 0)))
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    /// <summary>Levenshtein distance (insert, delete, substitute), two rows.</summary>
    internal static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    /// <summary>" Did you mean 'x'?" or an empty string, to append to a hint.</summary>
    public static string DidYouMean(string? suggestion) => suggestion is null ? "" : $"Did you mean '{suggestion}'? ";
}
