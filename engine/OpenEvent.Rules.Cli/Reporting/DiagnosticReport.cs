using System.Text.Encodings.Web;
using System.Text.Json;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Cli.Reporting;

/// <summary>Writes diagnostics as text (people), JSON (scripts) or SARIF 2.1.0 (code scanning UIs).</summary>
internal static class DiagnosticReport
{
    private static readonly JsonWriterOptions s_writerOptions = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // readable non-ASCII text; output is never embedded in HTML
    };

    /// <summary><c>file:line:col: error OERnnnn: message</c>, an indented hint line, and a summary.</summary>
    /// <param name="beforeSummary">More to say before the summary line (oer analyze's cost section).</param>
    public static void WriteText(TextWriter writer, IReadOnlyList<Diagnostic> diagnostics, int fileCount, Action<TextWriter>? beforeSummary = null)
    {
        foreach (var diagnostic in diagnostics)
        {
            writer.WriteLine(diagnostic.ToString());
            if (!string.IsNullOrEmpty(diagnostic.Hint))
            {
                writer.WriteLine($"  hint: {diagnostic.Hint}");
            }
        }

        beforeSummary?.Invoke(writer);
        writer.WriteLine(Summary(diagnostics, fileCount));
    }

    public static string Summary(IReadOnlyList<Diagnostic> diagnostics, int fileCount)
    {
        var errors = diagnostics.Count(d => d.IsError);
        var warnings = diagnostics.Count - errors;
        return $"{Plural(errors, "error")}, {Plural(warnings, "warning")} in {Plural(fileCount, "file")}";
    }

    /// <summary>An array of <c>{id, severity, file, line, column, message, hint}</c>; unknown positions are null.</summary>
    public static void WriteJson(Stream stream, IReadOnlyList<Diagnostic> diagnostics)
    {
        using var json = new Utf8JsonWriter(stream, s_writerOptions);
        WriteJson(json, diagnostics);
    }

    /// <summary>
    /// <c>oer analyze</c>'s JSON: <c>{"diagnostics": [...], "cost": {...}}</c>, the diagnostics as <see cref="WriteJson(Stream, IReadOnlyList{Diagnostic})"/>
    /// writes them and the cost section <paramref name="writeCost"/> writes.
    /// </summary>
    public static void WriteJson(Stream stream, IReadOnlyList<Diagnostic> diagnostics, Action<Utf8JsonWriter> writeCost)
    {
        using var json = new Utf8JsonWriter(stream, s_writerOptions);
        json.WriteStartObject();
        json.WritePropertyName("diagnostics");
        WriteJson(json, diagnostics);
        json.WritePropertyName("cost");
        writeCost(json);
        json.WriteEndObject();
    }

    private static void WriteJson(Utf8JsonWriter json, IReadOnlyList<Diagnostic> diagnostics)
    {
        json.WriteStartArray();
        foreach (var d in diagnostics)
        {
            json.WriteStartObject();
            json.WriteString("id", d.Id);
            json.WriteString("severity", Severity(d));
            json.WriteString("file", d.Location.File);
            WriteNumberOrNull(json, "line", d.Location.Line);
            WriteNumberOrNull(json, "column", d.Location.Column);
            json.WriteString("message", d.Message);
            json.WriteString("hint", d.Hint);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    /// <summary>A SARIF 2.1.0 log with one run; rules are the ids that occur, linked to the policy guide.</summary>
    public static void WriteSarif(Stream stream, IReadOnlyList<Diagnostic> diagnostics)
    {
        var ruleIds = diagnostics.Select(d => d.Id).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        using var json = new Utf8JsonWriter(stream, s_writerOptions);
        json.WriteStartObject();
        json.WriteString("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
        json.WriteString("version", "2.1.0");
        json.WriteStartArray("runs");
        json.WriteStartObject();

        WriteTool(json, ruleIds);
        json.WriteString("columnKind", "utf16CodeUnits");
        json.WriteStartArray("results");
        foreach (var d in diagnostics)
        {
            WriteResult(json, d, ruleIds);
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>The run's tool: oer, with one rule per diagnostic id that occurs.</summary>
    private static void WriteTool(Utf8JsonWriter json, List<string> ruleIds)
    {
        json.WriteStartObject("tool");
        json.WriteStartObject("driver");
        json.WriteString("name", "oer");
        json.WriteString("informationUri", DiagnosticRules.GuideUri);
        json.WriteString("version", typeof(DiagnosticReport).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
        json.WriteStartArray("rules");
        foreach (var id in ruleIds)
        {
            json.WriteStartObject();
            json.WriteString("id", id);
            json.WriteString("name", DiagnosticRules.Name(id));
            json.WriteStartObject("shortDescription");
            json.WriteString("text", DiagnosticRules.Description(id));
            json.WriteEndObject();
            json.WriteString("helpUri", DiagnosticRules.HelpUri(id));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteResult(Utf8JsonWriter json, Diagnostic d, List<string> ruleIds)
    {
        json.WriteStartObject();
        json.WriteString("ruleId", d.Id);
        json.WriteNumber("ruleIndex", ruleIds.IndexOf(d.Id));
        json.WriteString("level", Severity(d));
        json.WriteStartObject("message");
        json.WriteString("text", string.IsNullOrEmpty(d.Hint) ? d.Message : $"{d.Message} (hint: {d.Hint})");
        json.WriteEndObject();
        if (d.Location.File.Length > 0)
        {
            json.WriteStartArray("locations");
            json.WriteStartObject();
            json.WriteStartObject("physicalLocation");
            json.WriteStartObject("artifactLocation");
            json.WriteString("uri", ToUri(d.Location.File));
            json.WriteEndObject();
            if (d.Location.Line > 0)
            {
                json.WriteStartObject("region");
                json.WriteNumber("startLine", d.Location.Line);
                json.WriteNumber("startColumn", Math.Max(1, d.Location.Column));
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
        }

        json.WriteEndObject();
    }

    /// <summary>A relative URI reference with forward slashes, each segment percent-encoded (SARIF artifactLocation.uri).</summary>
    internal static string ToUri(string path)
    {
        var relative = Path.IsPathRooted(path) ? Path.GetRelativePath(Environment.CurrentDirectory, path) : path;
        var segments = relative.Replace('\\', '/').Split('/');
        return string.Join('/', segments.Select(s => s is "." or ".." ? s : Uri.EscapeDataString(s)));
    }

    private static string Severity(Diagnostic diagnostic) => diagnostic.IsError ? "error" : "warning";

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, int value)
    {
        if (value > 0)
        {
            json.WriteNumber(name, value);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    internal static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
