namespace OpenEvent.Rules;

/// <summary>A position in a policy file, 1-based, as editors and SARIF count it.</summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    public static readonly SourceLocation None = new("", 0, 0);

    public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}" : File;
}
