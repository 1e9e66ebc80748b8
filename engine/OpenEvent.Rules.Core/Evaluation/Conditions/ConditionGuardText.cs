namespace OpenEvent.Rules.Evaluation.Conditions;

/// <summary>
/// The twins of string.Join, which the generator calls in place of string.Join (same overloads, same parameter names),
/// and the text sequence behind string.Concat over a sequence. What Join builds is its values and a separator between
/// each two of them: charging the arguments' text alone let a long separator multiply unseen (a 300,000-character
/// separator between 3,000 values is 900 million characters built in one call that no step interrupts). Each twin
/// charges the whole result before it is allocated, then calls string.Join.
/// </summary>
public static partial class ConditionGuard
{
    public static string Join(string? separator, params string?[] value)
    {
        ChargeJoin(separator?.Length ?? 0, value);
        return string.Join(separator, value);
    }

    public static string Join(string? separator, params ReadOnlySpan<string?> value)
    {
        ChargeJoin(separator?.Length ?? 0, value);
        return string.Join(separator, value);
    }

    public static string Join(string? separator, params object?[] values)
    {
        ChargeJoin(separator?.Length ?? 0, values);
        return string.Join(separator, values);
    }

    public static string Join(string? separator, params ReadOnlySpan<object?> values)
    {
        ChargeJoin(separator?.Length ?? 0, values);
        return string.Join(separator, values);
    }

    public static string Join(string? separator, IEnumerable<string?> values) => string.Join(separator, Charged(separator?.Length ?? 0, values));

    public static string Join<T>(string? separator, IEnumerable<T> values) => string.Join(separator, Charged(separator?.Length ?? 0, values));

    public static string Join(string? separator, string?[] value, int startIndex, int count)
    {
        ChargeJoin(separator?.Length ?? 0, value, startIndex, count);
        return string.Join(separator, value, startIndex, count);
    }

    public static string Join(char separator, params string?[] value)
    {
        ChargeJoin(1, value);
        return string.Join(separator, value);
    }

    public static string Join(char separator, params ReadOnlySpan<string?> value)
    {
        ChargeJoin(1, value);
        return string.Join(separator, value);
    }

    public static string Join(char separator, params object?[] values)
    {
        ChargeJoin(1, values);
        return string.Join(separator, values);
    }

    public static string Join(char separator, params ReadOnlySpan<object?> values)
    {
        ChargeJoin(1, values);
        return string.Join(separator, values);
    }

    public static string Join<T>(char separator, IEnumerable<T> values) => string.Join(separator, Charged(1, values));

    public static string Join(char separator, string?[] value, int startIndex, int count)
    {
        ChargeJoin(1, value, startIndex, count);
        return string.Join(separator, value, startIndex, count);
    }

    /// <summary>
    /// A sequence handed to string.Concat: each element's text is charged as it is read, before Concat appends it, so
    /// that a short sequence of long strings (the same 10 MB string a thousand times) is stopped at the budget.
    /// </summary>
    public static IEnumerable<T>? TextSequence<T>(IEnumerable<T>? source) =>
        source is null || ConditionBudget.Current is null ? source : ChargedAsRead(source);

    private static IEnumerable<T> ChargedAsRead<T>(IEnumerable<T> source)
    {
        foreach (var item in source)
        {
            ConditionBudget.Current?.ChargeText(TextLength(item));
            yield return item;
        }
    }

    // string.Join reads its sequence once and calls ToString on each element, as this does; the strings are charged one
    // by one as they are read, so an endless or huge sequence stops at the budget, then joined.
    private static List<string?> Charged<T>(int separator, IEnumerable<T> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var texts = new List<string?>();
        foreach (var item in values)
        {
            var text = item?.ToString();
            ConditionBudget.Current?.ChargeText((text?.Length ?? 0) + (texts.Count == 0 ? 0 : separator));
            texts.Add(text);
        }

        return texts;
    }

    private static void ChargeJoin<T>(int separator, ReadOnlySpan<T> values)
    {
        if (ConditionBudget.Current is { } budget && values.Length > 0)
        {
            long chars = (long)separator * (values.Length - 1);
            foreach (var value in values)
            {
                chars += TextLength(value);
            }

            budget.ChargeText(chars);
        }
    }

    private static void ChargeJoin<T>(int separator, T[]? values) => ChargeJoin(separator, (ReadOnlySpan<T>)values);

    private static void ChargeJoin(int separator, string?[]? values, int startIndex, int count)
    {
        // An invalid range is string.Join's to refuse (it throws before building anything).
        if (values is not null && startIndex >= 0 && count >= 0 && startIndex <= values.Length - count)
        {
            ChargeJoin(separator, values.AsSpan(startIndex, count));
        }
    }

    /// <summary>The length of the text a value becomes when it is concatenated or joined.</summary>
    private static long TextLength<T>(T value) => value switch
    {
        null => 0,
        string text => text.Length,
        ConditionNode node => node.TextLength,
        _ => value.ToString()?.Length ?? 0,
    };
}
