namespace OpenEvent.Rules.Model;

public enum DiagnosticSeverity
{
    Warning,
    Error,
}

/// <summary>
/// One problem found in a policy set. Every diagnostic names where it is, a stable id that docs and
/// CI annotations can link to, and a hint that tells the author how to fix it. Message and hint are bounded
/// (<see cref="TextExcerpt.MaxDiagnosticText"/> characters, control characters escaped) whatever a validator put
/// in them: a diagnostic never carries more than an excerpt of a file.
/// </summary>
public sealed record Diagnostic(
    string Id,
    DiagnosticSeverity Severity,
    SourceLocation Location,
    string Message,
    string? Hint = null)
{
    private readonly string _message = TextExcerpt.Of(Message, TextExcerpt.MaxDiagnosticText);
    private readonly string? _hint = Hint is null ? null : TextExcerpt.Of(Hint, TextExcerpt.MaxDiagnosticText);

    public string Message
    {
        get => _message;
        init => _message = TextExcerpt.Of(value, TextExcerpt.MaxDiagnosticText);
    }

    public string? Hint
    {
        get => _hint;
        init => _hint = value is null ? null : TextExcerpt.Of(value, TextExcerpt.MaxDiagnosticText);
    }

    public bool IsError => Severity == DiagnosticSeverity.Error;

    /// <summary>The one-line text form; the file name is escaped too (a file name may hold a newline).</summary>
    public override string ToString()
    {
        var severity = Severity == DiagnosticSeverity.Error ? "error" : "warning";
        return $"{TextExcerpt.Of(Location.ToString(), int.MaxValue)}: {severity} {Id}: {Message}";
    }
}

/// <summary>Collects diagnostics from every validator so that one run reports every problem.</summary>
public sealed class DiagnosticBag
{
    private readonly List<Diagnostic> _items = [];

    public IReadOnlyList<Diagnostic> Items => _items;

    public bool HasErrors => _items.Exists(d => d.IsError);

    public void Add(Diagnostic diagnostic) => _items.Add(diagnostic);

    public void AddRange(IEnumerable<Diagnostic> diagnostics) => _items.AddRange(diagnostics);

    public void Error(string id, SourceLocation location, string message, string? hint = null) =>
        _items.Add(new Diagnostic(id, DiagnosticSeverity.Error, location, message, hint));

    public void Warning(string id, SourceLocation location, string message, string? hint = null) =>
        _items.Add(new Diagnostic(id, DiagnosticSeverity.Warning, location, message, hint));
}
