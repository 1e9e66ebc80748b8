using System.Globalization;
using System.Text;
using System.Xml;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Testing;

namespace OpenEvent.Rules.Cli.Reporting;

/// <summary>Writes the results of `oer test`: readable text with a diff per failure, or JUnit XML for CI.</summary>
internal static class TestReport
{
    private const string Indent = "      ";

    /// <summary>One line per case (PASS / FAIL / ERROR), a diff under each failure, test-file problems, coverage and a summary.</summary>
    public static void WriteText(TextWriter writer, PolicyTestRun run, IReadOnlyList<Diagnostic> fileDiagnostics, int fileCount)
    {
        foreach (var diagnostic in fileDiagnostics)
        {
            writer.WriteLine(DiagnosticText.Format(diagnostic));
        }

        foreach (var suite in run.Suites)
        {
            foreach (var error in suite.Errors)
            {
                writer.WriteLine($"ERROR {suite.Name} ({suite.File})");
                WriteDiagnostic(writer, error);
            }

            foreach (var result in suite.Cases)
            {
                switch (result.Outcome)
                {
                    case TestOutcome.Passed:
                        writer.WriteLine($"PASS  {suite.Name} › {TextExcerpt.Escape(result.Name)}");
                        break;
                    case TestOutcome.Failed:
                        writer.WriteLine($"FAIL  {suite.Name} › {TextExcerpt.Escape(result.Name)} ({result.Location})");
                        foreach (var line in DiffLines(result))
                        {
                            writer.WriteLine(Indent + line);
                        }

                        writer.WriteLine(Indent + "actual decision:");
                        foreach (var line in DecisionText.Format(result.Decision!).Split('\n').Skip(1))
                        {
                            writer.WriteLine(Indent + line.TrimEnd('\r'));
                        }

                        break;
                    default:
                        writer.WriteLine($"ERROR {suite.Name} › {TextExcerpt.Escape(result.Name)} ({result.Location})");
                        foreach (var error in result.Errors)
                        {
                            WriteDiagnostic(writer, error);
                        }

                        break;
                }
            }
        }

        writer.WriteLine();
        WriteCoverage(writer, run.Coverage);
        writer.WriteLine();
        var cases = run.Suites.Sum(s => s.Cases.Length);
        var errors = run.Errors + fileDiagnostics.Count(d => d.IsError);
        writer.WriteLine($"{run.Passed} passed, {run.Failed} failed, {DiagnosticReport.Plural(errors, "error")} in {DiagnosticReport.Plural(cases, "case")} ({DiagnosticReport.Plural(fileCount, "file")})");
    }

    /// <summary>"- expected" / "+ actual" lines, one pair per expectation that did not hold.</summary>
    public static IEnumerable<string> DiffLines(TestCaseResult result)
    {
        foreach (var failure in result.Failures)
        {
            // Expectations come from test files and actual values from events: escaped, they stay on their line and
            // stay characters XML can carry (an ESC made JUnit output throw).
            yield return "- " + TextExcerpt.Escape(failure.Expected);
            yield return "+ " + TextExcerpt.Escape(failure.Actual);
        }
    }

    /// <summary>The coverage summary and every uncovered policy and item, located.</summary>
    public static void WriteCoverage(TextWriter writer, CoverageReport coverage)
    {
        writer.WriteLine(
            $"coverage: {coverage.CoveredPolicies} of {coverage.Policies.Length} policies matched by a case; " +
            $"{coverage.CoveredItems} of {coverage.TotalItems} clauses, $or branches and exclusions exercised");
        foreach (var policy in coverage.Policies)
        {
            if (!policy.Matched)
            {
                writer.WriteLine($"  {policy.Location}: policy {policy.Policy}: no case matched it");
            }

            foreach (var item in policy.Uncovered)
            {
                writer.WriteLine($"  {item.Location}: policy {item.Policy}: {item.Kind} {item.Description}: never exercised");
            }
        }
    }

    /// <summary>
    /// JUnit XML: one testsuite per PolicyTest document (named after it, with its file), one testcase per case, a
    /// failure element holding the diff, an error element for cases that could not run; problems of test files
    /// themselves become a testsuite named after the file.
    /// </summary>
    public static string Junit(PolicyTestRun run, IReadOnlyList<Diagnostic> fileDiagnostics)
    {
        var text = new StringBuilder();
        using (var xml = XmlWriter.Create(text, new XmlWriterSettings { Indent = true, OmitXmlDeclaration = false, Encoding = Encoding.UTF8 }))
        {
            var cases = run.Suites.Sum(s => s.Cases.Length + (s.Errors.IsEmpty ? 0 : 1)) + fileDiagnostics.Count(d => d.IsError);
            xml.WriteStartElement("testsuites");
            xml.WriteAttributeString("name", "oer test");
            WriteCounts(xml, cases, run.Failed, run.Errors + fileDiagnostics.Count(d => d.IsError));

            foreach (var group in fileDiagnostics.Where(d => d.IsError).GroupBy(d => d.Location.File))
            {
                WriteFileSuite(xml, group);
            }

            foreach (var suite in run.Suites)
            {
                WriteSuite(xml, suite);
            }

            xml.WriteEndElement();
        }

        // StringBuilder output is UTF-16; CI tools read the file as UTF-8, which is what stdout is.
        return text.ToString().Replace("encoding=\"utf-16\"", "encoding=\"utf-8\"", StringComparison.Ordinal);
    }

    /// <summary>A test file's own problems, as a testsuite named after the file with an error case each.</summary>
    private static void WriteFileSuite(XmlWriter xml, IGrouping<string, Diagnostic> group)
    {
        xml.WriteStartElement("testsuite");
        xml.WriteAttributeString("name", group.Key);
        xml.WriteAttributeString("file", group.Key);
        WriteCounts(xml, group.Count(), 0, group.Count());
        foreach (var diagnostic in group)
        {
            WriteErrorCase(xml, group.Key, $"{diagnostic.Id} at {diagnostic.Location}", diagnostic);
        }

        xml.WriteEndElement();
    }

    private static void WriteSuite(XmlWriter xml, TestSuiteResult suite)
    {
        xml.WriteStartElement("testsuite");
        xml.WriteAttributeString("name", suite.Name);
        xml.WriteAttributeString("file", suite.File);
        WriteCounts(
            xml,
            suite.Cases.Length + (suite.Errors.IsEmpty ? 0 : 1),
            suite.Cases.Count(c => c.Outcome == TestOutcome.Failed),
            suite.Cases.Count(c => c.Outcome == TestOutcome.Error) + (suite.Errors.IsEmpty ? 0 : 1));
        if (!suite.Errors.IsEmpty)
        {
            WriteErrorCase(xml, suite.Name, "(test document)", suite.Errors[0], suite.Errors);
        }

        foreach (var result in suite.Cases)
        {
            WriteCase(xml, suite.Name, result);
        }

        xml.WriteEndElement();
    }

    private static void WriteCase(XmlWriter xml, string classname, TestCaseResult result)
    {
        xml.WriteStartElement("testcase");
        xml.WriteAttributeString("name", TextExcerpt.Escape(result.Name));
        xml.WriteAttributeString("classname", classname);
        xml.WriteAttributeString("file", result.Location.File);
        xml.WriteAttributeString("line", result.Location.Line.ToString(CultureInfo.InvariantCulture));
        if (result.Outcome == TestOutcome.Failed)
        {
            xml.WriteStartElement("failure");
            xml.WriteAttributeString("message", $"{result.Failures.Length} expectation(s) did not hold: {TextExcerpt.Escape(string.Join("; ", result.Failures.Select(f => f.Expected)))}");
            xml.WriteAttributeString("type", "expectation");
            xml.WriteString(string.Join('\n', DiffLines(result)));
            xml.WriteEndElement();
        }
        else if (result.Outcome == TestOutcome.Error)
        {
            WriteError(xml, result.Errors[0], result.Errors);
        }

        xml.WriteEndElement();
    }

    private static void WriteCounts(XmlWriter xml, int tests, int failures, int errors)
    {
        xml.WriteAttributeString("tests", tests.ToString(CultureInfo.InvariantCulture));
        xml.WriteAttributeString("failures", failures.ToString(CultureInfo.InvariantCulture));
        xml.WriteAttributeString("errors", errors.ToString(CultureInfo.InvariantCulture));
    }

    private static void WriteErrorCase(XmlWriter xml, string classname, string name, Diagnostic first, IEnumerable<Diagnostic>? all = null)
    {
        xml.WriteStartElement("testcase");
        xml.WriteAttributeString("name", name);
        xml.WriteAttributeString("classname", classname);
        xml.WriteAttributeString("file", first.Location.File);
        if (first.Location.Line > 0)
        {
            xml.WriteAttributeString("line", first.Location.Line.ToString(CultureInfo.InvariantCulture));
        }

        WriteError(xml, first, all ?? [first]);
        xml.WriteEndElement();
    }

    private static void WriteError(XmlWriter xml, Diagnostic first, IEnumerable<Diagnostic> all)
    {
        xml.WriteStartElement("error");
        xml.WriteAttributeString("message", first.Message);
        xml.WriteAttributeString("type", first.Id);
        xml.WriteString(string.Join('\n', all.Select(DiagnosticText.Format)));
        xml.WriteEndElement();
    }

    private static void WriteDiagnostic(TextWriter writer, Diagnostic diagnostic)
    {
        writer.WriteLine(Indent + diagnostic);
        if (diagnostic.Hint is not null)
        {
            writer.WriteLine($"{Indent}  hint: {diagnostic.Hint}");
        }
    }
}
