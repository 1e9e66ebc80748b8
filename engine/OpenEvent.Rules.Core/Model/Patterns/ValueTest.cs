namespace OpenEvent.Rules.Model.Patterns;

/// <summary>
/// One leaf value of an event as the compiled matcher hands it to a <see cref="ValueTest"/>, without allocation: its
/// kind, its text (a string's characters, a number's literal) and its number. <see cref="FoldedText"/> is the
/// case-folded text (<see cref="MatcherSemantics.FoldCase(string)"/>) of a string, present only when some test of
/// the leaf asked for it (<see cref="ValueTest.FoldsCase"/>), so values no ignore-case test reads are never folded.
/// </summary>
internal readonly ref struct LeafValue
{
    public LeafValue(ScalarKind kind, ReadOnlySpan<char> text, ReadOnlySpan<char> foldedText, JsonNumber number)
    {
        Kind = kind;
        Text = text;
        FoldedText = foldedText;
        Number = number;
    }

    public ScalarKind Kind { get; }

    public ReadOnlySpan<char> Text { get; }

    public ReadOnlySpan<char> FoldedText { get; }

    public JsonNumber Number { get; }

    public bool IsString => Kind == ScalarKind.String;
}

/// <summary>
/// The compiled form of one leaf-list entry applied to one leaf value: what an operator means for one value
/// (<see cref="Matcher.Matches"/>) over the event view's spans. Each operator builds its own in
/// <see cref="Matcher.Compile"/>; the compiled matcher only decides structure (arrays, nesting, $or).
/// </summary>
internal abstract class ValueTest
{
    /// <summary>Every value passes: <c>exists: true</c> on a field that has a value.</summary>
    public static ValueTest AnyValue { get; } = new AnyValueTest();

    /// <summary>Whether the test reads <see cref="LeafValue.FoldedText"/>.</summary>
    public virtual bool FoldsCase => false;

    public abstract bool Test(in LeafValue value);

    private sealed class AnyValueTest : ValueTest
    {
        public override bool Test(in LeafValue value) => true;
    }
}
