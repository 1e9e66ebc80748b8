using System.ComponentModel;

namespace OpenEvent.Rules.Evaluation.Conditions;

/// <summary>
/// A string on its way into a search, split, trim or replacement inside a condition (see
/// <see cref="ConditionGuard.Hay"/>). Each method has the signature and parameter names of the string method it
/// stands for, charges that method's worst case to the running evaluation's budget (a step per
/// <see cref="ConditionGuard.CharsPerStep"/> character comparisons of the naive haystack-by-needle search; the text a
/// split or a growing replacement will build), then calls it. Not for conditions themselves (the sandbox refuses it).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class GuardedString
{
    /// <summary>Bytes an element of a split costs beyond its characters: the array slot and the string object.</summary>
    private const int SplitPieceOverheadChars = 16;

    private const int CharsPerStep = ConditionGuard.CharsPerStep;

    private readonly string _text;

    internal GuardedString(string text) => _text = text;

    public bool Contains(string value) => Search(_text, value).Contains(value);

    public bool Contains(string value, StringComparison comparisonType) => Search(_text, value).Contains(value, comparisonType);

    // CA1310: these overloads stand for string's culture-sensitive ones that a condition may call; they must behave the same.
#pragma warning disable CA1310
    public int IndexOf(string value) => Search(_text, value).IndexOf(value);

    public int IndexOf(string value, int startIndex) => Search(_text, value).IndexOf(value, startIndex);

    public int IndexOf(string value, int startIndex, int count) => Search(_text, value).IndexOf(value, startIndex, count);

    public int IndexOf(string value, StringComparison comparisonType) => Search(_text, value).IndexOf(value, comparisonType);

    public int IndexOf(string value, int startIndex, StringComparison comparisonType) =>
        Search(_text, value).IndexOf(value, startIndex, comparisonType);

    public int IndexOf(string value, int startIndex, int count, StringComparison comparisonType) =>
        Search(_text, value).IndexOf(value, startIndex, count, comparisonType);

    public int LastIndexOf(string value) => Search(_text, value).LastIndexOf(value);

    public int LastIndexOf(string value, int startIndex) => Search(_text, value).LastIndexOf(value, startIndex);

    public int LastIndexOf(string value, int startIndex, int count) => Search(_text, value).LastIndexOf(value, startIndex, count);
#pragma warning restore CA1310

    public int LastIndexOf(string value, StringComparison comparisonType) => Search(_text, value).LastIndexOf(value, comparisonType);

    public int LastIndexOf(string value, int startIndex, StringComparison comparisonType) =>
        Search(_text, value).LastIndexOf(value, startIndex, comparisonType);

    public int LastIndexOf(string value, int startIndex, int count, StringComparison comparisonType) =>
        Search(_text, value).LastIndexOf(value, startIndex, count, comparisonType);

    public int IndexOfAny(char[] anyOf) => Search(_text, anyOf?.Length ?? 0).IndexOfAny(anyOf!);

    public int IndexOfAny(char[] anyOf, int startIndex) => Search(_text, anyOf?.Length ?? 0).IndexOfAny(anyOf!, startIndex);

    public int IndexOfAny(char[] anyOf, int startIndex, int count) => Search(_text, anyOf?.Length ?? 0).IndexOfAny(anyOf!, startIndex, count);

    public int LastIndexOfAny(char[] anyOf) => Search(_text, anyOf?.Length ?? 0).LastIndexOfAny(anyOf!);

    public int LastIndexOfAny(char[] anyOf, int startIndex) => Search(_text, anyOf?.Length ?? 0).LastIndexOfAny(anyOf!, startIndex);

    public int LastIndexOfAny(char[] anyOf, int startIndex, int count) =>
        Search(_text, anyOf?.Length ?? 0).LastIndexOfAny(anyOf!, startIndex, count);

    public string Trim(params char[]? trimChars) => Search(_text, trimChars?.Length ?? 0).Trim(trimChars);

    // The span overloads exist in CoreLib (which conditions compile against) but not in the reference assemblies:
    // the span trim of MemoryExtensions does the same (empty trims white space).
    public string Trim(params ReadOnlySpan<char> trimChars) => Search(_text, trimChars.Length).AsSpan().Trim(trimChars).ToString();

    public string TrimStart(params char[]? trimChars) => Search(_text, trimChars?.Length ?? 0).TrimStart(trimChars);

    public string TrimStart(params ReadOnlySpan<char> trimChars) => Search(_text, trimChars.Length).AsSpan().TrimStart(trimChars).ToString();

    public string TrimEnd(params char[]? trimChars) => Search(_text, trimChars?.Length ?? 0).TrimEnd(trimChars);

    public string TrimEnd(params ReadOnlySpan<char> trimChars) => Search(_text, trimChars.Length).AsSpan().TrimEnd(trimChars).ToString();

    // ---- replacements: the search, and the text the result needs, before it is built

    public string Replace(string oldValue, string? newValue)
    {
        ChargeReplace(_text, oldValue, newValue, StringComparison.Ordinal);
        return _text.Replace(oldValue, newValue);
    }

    public string Replace(string oldValue, string? newValue, StringComparison comparisonType)
    {
        ChargeReplace(_text, oldValue, newValue, comparisonType);
        return _text.Replace(oldValue, newValue, comparisonType);
    }

    // ---- splits: the search, and the pieces (characters plus a slot and an object each), before they are built

    public string[] Split(char separator, StringSplitOptions options = StringSplitOptions.None) =>
        ChargeSplit(_text, 1, _text.AsSpan().Count(separator)).Split(separator, options);

    public string[] Split(char separator, int count, StringSplitOptions options = StringSplitOptions.None) =>
        ChargeSplit(_text, 1, _text.AsSpan().Count(separator)).Split(separator, count, options);

    public string[] Split(params char[]? separator) => ChargeSplit(_text, separator).Split(separator);

    public string[] Split(params ReadOnlySpan<char> separator) => ChargeSplit(_text, separator).Split(separator);

    public string[] Split(char[]? separator, int count) => ChargeSplit(_text, separator).Split(separator, count);

    public string[] Split(char[]? separator, StringSplitOptions options) => ChargeSplit(_text, separator).Split(separator, options);

    public string[] Split(char[]? separator, int count, StringSplitOptions options) => ChargeSplit(_text, separator).Split(separator, count, options);

    public string[] Split(string? separator, StringSplitOptions options = StringSplitOptions.None) =>
        ChargeSplit(_text, separator).Split(separator, options);

    public string[] Split(string? separator, int count, StringSplitOptions options = StringSplitOptions.None) =>
        ChargeSplit(_text, separator).Split(separator, count, options);

    public string[] Split(string[]? separator, StringSplitOptions options) => ChargeSplit(_text, separator).Split(separator, options);

    public string[] Split(string[]? separator, int count, StringSplitOptions options) =>
        ChargeSplit(_text, separator).Split(separator, count, options);

    private static string Search(string text, string? needle) => Search(text, needle?.Length ?? 0);

    /// <summary>Charges a search of a needle of <paramref name="needleLength"/> in <paramref name="text"/>; returns the text (null throws as the string method would).</summary>
    private static string Search(string text, int needleLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        ConditionBudget.Current?.Charge(1 + ((long)text.Length * Math.Max(needleLength, 1) / CharsPerStep));
        return text;
    }

    private static void ChargeReplace(string text, string oldValue, string? newValue, StringComparison comparisonType)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrEmpty(oldValue) || ConditionBudget.Current is not { } budget)
        {
            return; // the string method throws for these, or nothing is being evaluated
        }

        budget.Charge(1 + ((long)text.Length * oldValue.Length / CharsPerStep));
        var growth = (newValue?.Length ?? 0) - oldValue.Length;
        if (growth <= 0)
        {
            return;
        }

        // Ordinal comparisons match exactly oldValue.Length characters, so the result length is exact; the
        // others (culture, ignore case) may match shorter text, so assume a match at every character.
        var matches = comparisonType is StringComparison.Ordinal or StringComparison.OrdinalIgnoreCase
            ? CountOrdinal(text, oldValue, comparisonType)
            : text.Length;
        budget.ChargeText(text.Length + ((long)matches * growth));
    }

    private static long CountOrdinal(string text, string value, StringComparison comparisonType)
    {
        if (comparisonType == StringComparison.Ordinal)
        {
            return text.AsSpan().Count(value.AsSpan());
        }

        long count = 0;
        for (var at = text.IndexOf(value, comparisonType); at >= 0; at = text.IndexOf(value, at + value.Length, comparisonType))
        {
            count++;
            if (at + value.Length >= text.Length)
            {
                break;
            }
        }

        return count;
    }

    private static string ChargeSplit(string text, char[]? separator) => ChargeSplit(text, separator is null ? ReadOnlySpan<char>.Empty : separator.AsSpan());

    private static string ChargeSplit(string text, ReadOnlySpan<char> separator)
    {
        ArgumentNullException.ThrowIfNull(text);

        // No separator splits at white space.
        var pieces = separator.IsEmpty ? CountWhiteSpace(text) : CountAny(text, separator);
        return ChargeSplit(text, Math.Max(separator.Length, 1), pieces);
    }

    private static string ChargeSplit(string text, string? separator)
    {
        ArgumentNullException.ThrowIfNull(text);
        var pieces = string.IsNullOrEmpty(separator) ? 0 : text.AsSpan().Count(separator.AsSpan());
        return ChargeSplit(text, separator?.Length ?? 0, pieces);
    }

    private static string ChargeSplit(string text, string[]? separator)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (separator is null || separator.Length == 0)
        {
            return ChargeSplit(text, 1, CountWhiteSpace(text));
        }

        // Several separators: every character may end a piece.
        long needles = 0;
        foreach (var s in separator)
        {
            needles += s?.Length ?? 0;
        }

        return ChargeSplit(text, needles, text.Length);
    }

    private static string ChargeSplit(string text, long needleLength, long separators)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (ConditionBudget.Current is { } budget)
        {
            budget.Charge(1 + (text.Length * Math.Max(needleLength, 1) / CharsPerStep));
            budget.ChargeText(text.Length + ((separators + 1) * SplitPieceOverheadChars));
        }

        return text;
    }

    private static long CountAny(string text, ReadOnlySpan<char> separator)
    {
        long count = 0;
        var rest = text.AsSpan();
        for (var at = rest.IndexOfAny(separator); at >= 0; at = rest.IndexOfAny(separator))
        {
            count++;
            rest = rest[(at + 1)..];
        }

        return count;
    }

    private static long CountWhiteSpace(string text)
    {
        long count = 0;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                count++;
            }
        }

        return count;
    }

}
