namespace OpenEvent.Rules.Model;

public enum DiagnosticSeverity
{
    Warning,
    Error,
}

/// <summary>
/// One problem found in a policy set. Every diagnostic names where it is, a stable id that docs and
/// CI annotations can link to, and a hint that tells the author how to fix it.
/// </summary>
public sealed record Diagnostic(
    string Id,
    DiagnosticSeverity Severity,
    SourceLocation Location,
    string Message,
    string? Hint = null)
{
    public bool IsError => Severity == DiagnosticSeverity.Error;

    public override string ToString()
    {
        var severity = Severity == DiagnosticSeverity.Error ? "error" : "warning";
        return $"{Location}: {severity} {Id}: {Message}";
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
