namespace OpenEvent.Rules.Parsing;

/// <summary>"Did you mean" suggestions: the closest candidate by edit distance, when it is close enough to be a typo.</summary>
public static class Suggestions
{
    public static string? Closest(string input, IEnumerable<string> candidates)
    {
        // A third of the word (at least 1, at most 3 edits) catches typos without suggesting unrelated keys.
        var allowed = Math.Clamp(input.Length / 3, 1, 3);
        string? best = null;
        var bestDistance = int.MaxValue;
        var lower = input.ToLowerInvariant();
        foreach (var candidate in candidates)
        {
            var distance = Distance(lower, candidate.ToLowerInvariant(), allowed);
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return bestDistance <= allowed ? best : null;
    }

    /// <summary>
    /// <see cref="Distance(string, string)"/> when it is at most <paramref name="limit"/>, else <paramref name="limit"/> + 1.
    /// Two strings whose lengths differ by more than the limit are not compared at all (the distance is at least that
    /// difference): an unknown key or setting may be a pasted document, and comparing it with every candidate cost its
    /// length times theirs each time (a 120,000-character key held a start for 1.5 s).
    /// </summary>
    public static int Distance(string a, string b, int limit) =>
        Math.Abs(a.Length - b.Length) > limit ? limit + 1 : Math.Min(Distance(a, b), limit + 1);

    /// <summary>Levenshtein distance with adjacent transpositions counted as one edit ("acitons" → "actions").</summary>
    public static int Distance(string a, string b)
    {
        // The classic table, kept as its last three rows (a transposition looks two rows back): "did you mean" runs over
        // every documented field of an event family for each undocumented one, so a table per pair adds up.
        var width = b.Length + 1;
        var buffer = width <= 256 ? stackalloc int[3 * width] : new int[3 * width];
        var before = buffer[..width];
        var previous = buffer.Slice(width, width);
        var current = buffer.Slice(2 * width, width);
        for (var j = 0; j < width; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j < width; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    current[j] = Math.Min(current[j], before[j - 2] + 1);
                }
            }

            var recycled = before;
            before = previous;
            previous = current;
            current = recycled;
        }

        return previous[b.Length];
    }
}
