namespace OpenEvent.Rules.Model.Patterns;

internal enum ScalarKind
{
    Null,
    False,
    True,
    Number,
    String,
}

/// <summary>
/// A JSON leaf value, as found in an event or written in a pattern. Strings never equal numbers
/// ("300" is not 300), numbers compare by value (300 == 300.0 == 3e2), and null is a value (not "missing").
/// </summary>
internal readonly record struct Scalar
{
    private Scalar(ScalarKind kind, string? text, JsonNumber number)
    {
        Kind = kind;
        Text = text;
        Number = number;
    }

    public ScalarKind Kind { get; }

    /// <summary>The string value for <see cref="ScalarKind.String"/>; the original literal for numbers.</summary>
    public string? Text { get; }

    public JsonNumber Number { get; }

    public static Scalar Null { get; } = new(ScalarKind.Null, null, default);
    public static Scalar True { get; } = new(ScalarKind.True, null, default);
    public static Scalar False { get; } = new(ScalarKind.False, null, default);

    public static Scalar FromString(string value) => new(ScalarKind.String, value, default);

    public static Scalar FromBoolean(bool value) => value ? True : False;

    /// <param name="literal">The number as written, kept for messages (e.g. "3e2").</param>
    public static Scalar FromNumber(JsonNumber value, string? literal = null) =>
        new(ScalarKind.Number, literal ?? value.ToString(), value);

    public bool IsString => Kind == ScalarKind.String;
    public bool IsNumber => Kind == ScalarKind.Number;

    public bool Equals(Scalar other) => Kind == other.Kind && Kind switch
    {
        ScalarKind.String => string.Equals(Text, other.Text, StringComparison.Ordinal),
        ScalarKind.Number => Number.Equals(other.Number),
        _ => true,
    };

    public override int GetHashCode() => Kind switch
    {
        ScalarKind.String => HashCode.Combine(Kind, StringComparer.Ordinal.GetHashCode(Text!)),
        ScalarKind.Number => HashCode.Combine(Kind, Number),
        _ => Kind.GetHashCode(),
    };

    /// <summary>JSON text of the value, for messages and explain output.</summary>
    public override string ToString() => Kind switch
    {
        ScalarKind.Null => "null",
        ScalarKind.True => "true",
        ScalarKind.False => "false",
        ScalarKind.Number => Text ?? Number.ToString(),
        _ => System.Text.Json.JsonSerializer.Serialize(Text),
    };
}
