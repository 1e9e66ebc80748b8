using System.Collections;
using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace OpenEvent.Rules.Evaluation.Conditions;

/// <summary>
/// The checks the condition generator injects into every compiled condition; not for conditions themselves (the
/// sandbox refuses this type). Every lambda body starts with <see cref="Step"/>; every sequence handed to a LINQ or
/// string method goes through <see cref="Sequence{T}"/>, which takes a step per element; text about to be
/// concatenated is charged by <see cref="Text(string)"/>; string searches, splits and replacements go through the
/// methods of <see cref="GuardedString"/>, which charge their worst-case cost before doing the work. Each charge checks the budget of the
/// running evaluation (<see cref="ConditionBudget"/>) and the stack. Outside an evaluation they do nothing.
/// Parameter names are those of the string methods they stand for, so named arguments keep working.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class ConditionGuard
{
    /// <summary>
    /// Characters per step for searches (haystack times needle), trims and JSON parsing: a step of a lambda or a
    /// sequence costs some tens of nanoseconds, about what comparing 256 characters does.
    /// </summary>
    public const int CharsPerStep = 256;

    /// <summary>Elements per step for whole-collection reads by the collection's own methods.</summary>
    public const int ElementsPerStep = 64;

    /// <summary>One step, at the start of every lambda body. Returns true so that it can open a switch expression.</summary>
    public static bool Step()
    {
        ConditionBudget.Current?.Charge(1);
        return true;
    }

    /// <summary>A sequence that takes a step (and checks the budget and the stack) before every element.</summary>
    public static IEnumerable<T>? Sequence<T>(IEnumerable<T>? source) =>
        source is null || ConditionBudget.Current is null ? source : new GuardedSequence<T>(source);

    /// <summary>
    /// Charges a string about to be read whole by a method (the receiver of ToUpper, Trim, StartsWith, ..., an
    /// argument of string.Compare, int.Parse, ..., an operand of ==): a step per <see cref="CharsPerStep"/>
    /// characters. Without it one step could hide hundreds of passes over a long string.
    /// </summary>
    public static string? Linear(string? value)
    {
        if (value is not null)
        {
            ConditionBudget.ChargeWork(value.Length, CharsPerStep);
        }

        return value;
    }

    /// <summary>
    /// Charges an array or collection about to be read whole (List.Contains, IndexOf, GetRange, ToArray, a range
    /// slice, an array argument such as new string(chars)): a step per 64 elements, or per 256 characters.
    /// </summary>
    public static T? Linear<T>(T? values)
        where T : class
    {
        var count = values switch
        {
            string text => text.Length / (CharsPerStep / ElementsPerStep),
            char[] chars => chars.Length / (CharsPerStep / ElementsPerStep),
            Array array => array.Length,
            ICollection collection => collection.Count,
            _ => 0,
        };
        ConditionBudget.ChargeWork(count, ElementsPerStep);
        return values;
    }

    /// <summary>Charges text about to be concatenated (an operand of +, an interpolation hole, an argument of string.Concat/Join/Insert).</summary>
    public static string? Text(string? value)
    {
        if (value is not null)
        {
            ConditionBudget.Current?.ChargeText(value.Length);
        }

        return value;
    }

    /// <summary>Charges the raw JSON text of a node about to be concatenated.</summary>
    public static ConditionNode Text(ConditionNode value)
    {
        ConditionBudget.Current?.ChargeText(value.TextLength);
        return value;
    }

    /// <summary>Charges every string of an array about to be concatenated (string.Concat/Join over an array).</summary>
    public static string?[]? Texts(string?[]? values)
    {
        if (values is not null && ConditionBudget.Current is { } budget)
        {
            long chars = 0;
            foreach (var value in values)
            {
                chars += value?.Length ?? 0;
            }

            budget.ChargeText(chars);
        }

        return values;
    }

    /// <summary>Charges the text of every value of an array about to be concatenated.</summary>
    public static object?[]? Texts(object?[]? values)
    {
        if (values is not null && ConditionBudget.Current is { } budget)
        {
            long chars = 0;
            foreach (var value in values)
            {
                chars += TextLength(value);
            }

            budget.ChargeText(chars);
        }

        return values;
    }

    /// <summary>
    /// The receiver of a string search, split, trim or replacement, so that the call binds to the twin method of
    /// <see cref="GuardedString"/>, which charges the call's worst case first. Null stays null (?. and the
    /// NullReferenceException of a call on null behave as before).
    /// </summary>
    public static GuardedString? Hay(string? text) => text is null ? null : new GuardedString(text);

    /// <summary>The sequence wrapper behind <see cref="Sequence{T}"/>.</summary>
    private sealed class GuardedSequence<T>(IEnumerable<T> source) : IEnumerable<T>
    {
        public IEnumerator<T> GetEnumerator()
        {
            ConditionBudget.Current?.Charge(1);
            return new Enumerator(source.GetEnumerator());
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        private sealed class Enumerator(IEnumerator<T> inner) : IEnumerator<T>
        {
            public T Current => inner.Current;

            object? IEnumerator.Current => Current;

            public bool MoveNext()
            {
                ConditionBudget.Current?.Charge(1);
                if (!inner.MoveNext())
                {
                    return false;
                }

                // A long string element costs its length too: whatever consumes it (a hash, a sort, a join) reads it whole.
                if (inner.Current is string { Length: >= CharsPerStep } text)
                {
                    ConditionBudget.ChargeWork(text.Length, CharsPerStep);
                }

                return true;
            }

            public void Reset() => inner.Reset();

            /// <summary>
            /// Disposing a chain of iterators recurses through it, and when a budget exception unwinds a deep chain the
            /// finally blocks run on top of the deepest frame. With too little stack left the inner enumerator is
            /// left to the garbage collector instead: enumerators over event data hold nothing else to release.
            /// </summary>
            public void Dispose()
            {
                if (RuntimeHelpers.TryEnsureSufficientExecutionStack())
                {
                    inner.Dispose();
                }
            }
        }
    }
}
