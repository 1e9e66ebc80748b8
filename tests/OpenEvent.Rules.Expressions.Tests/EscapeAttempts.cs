using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Expressions.Tests;

/// <summary>
/// Expressions that try to leave the sandbox, each with the id it must be refused with. Every one of them is
/// compiled alone and all of them together (one run must report every one). Raw strings keep the C# readable.
/// </summary>
public static class EscapeAttempts
{
    public sealed record Attempt(string Name, string Expression, string Id);

    public static readonly Attempt[] All =
    [
        // IO, environment, processes, network
        new("file-read", """System.IO.File.ReadAllText("/etc/passwd") != null""", DiagnosticIds.ConditionForbiddenApi),
        new("file-read-global", """global::System.IO.File.ReadAllText("/etc/passwd") != null""", DiagnosticIds.ConditionForbiddenApi),
        new("directory-list", """string.Join(",", System.IO.Directory.GetFiles("/")).Length > 0""", DiagnosticIds.ConditionForbiddenApi),
        new("file-delete-in-foreach", """e.Data.Arr("x").ToList().TrueForAll(x => System.IO.File.Exists(x.Str()))""", DiagnosticIds.ConditionForbiddenApi),
        new("env-secret", """System.Environment.GetEnvironmentVariable("ALIBABA_CLOUD_ACCESS_KEY_SECRET") != null""", DiagnosticIds.ConditionForbiddenApi),
        new("env-short", """Environment.GetEnvironmentVariable("ALIBABA_CLOUD_ACCESS_KEY_SECRET") != null""", DiagnosticIds.ConditionForbiddenApi),
        new("env-exit-code", """Environment.ExitCode == 0""", DiagnosticIds.ConditionForbiddenApi),
        new("env-processor-count", """Environment.ProcessorCount > 1""", DiagnosticIds.ConditionForbiddenApi),
        new("app-context", """System.AppContext.BaseDirectory != null""", DiagnosticIds.ConditionForbiddenApi),
        new("process-start", """System.Diagnostics.Process.Start("sh") != null""", DiagnosticIds.ConditionForbiddenApi),
        new("http-client", """new System.Net.Http.HttpClient() != null""", DiagnosticIds.ConditionForbiddenApi),
        new("console", """Console.ReadLine() == null""", DiagnosticIds.ConditionForbiddenApi),
        // Threads and tasks
        new("task-run", """System.Threading.Tasks.Task.Run(() => 1).Result == 1""", DiagnosticIds.ConditionForbiddenApi),
        new("thread-yield", """new[] { 1 }.All(x => System.Threading.Thread.Yield())""", DiagnosticIds.ConditionForbiddenApi),
        new("cancellation-source", """new System.Threading.CancellationTokenSource() != null""", DiagnosticIds.ConditionForbiddenApi),
        new("lazy", """new Lazy<bool>(() => true).Value""", DiagnosticIds.ConditionForbiddenApi),
        // Reflection and runtime internals
        new("typeof-assembly", """typeof(string).Assembly != null""", DiagnosticIds.ConditionForbiddenApi),
        new("gettype-assembly", "\"\".GetType().Assembly.GetTypes().Length > 0", DiagnosticIds.ConditionForbiddenApi),
        new("event-gettype", """e.GetType().Name == "ConditionEvent" """, DiagnosticIds.ConditionForbiddenApi),
        new("null-conditional-gettype", """e.Data.Str("x")?.GetType() != null""", DiagnosticIds.ConditionForbiddenApi),
        new("pattern-gettype", """e is { } x && x.GetType() != null""", DiagnosticIds.ConditionForbiddenApi),
        new("type-gettype", """Type.GetType("System.IO.File") != null""", DiagnosticIds.ConditionForbiddenApi),
        new("invoke-by-reflection", """Type.GetType("System.IO.File").GetMethod("Delete").Invoke(null, new object[] { "x" }) != null""", DiagnosticIds.ConditionForbiddenApi),
        new("activator", """Activator.CreateInstance("System.Private.CoreLib", "System.Object") != null""", DiagnosticIds.ConditionForbiddenApi),
        new("assembly-load", """System.Reflection.Assembly.Load("System.IO") != null""", DiagnosticIds.ConditionForbiddenApi),
        new("app-domain", """AppDomain.CurrentDomain.FriendlyName != "" """, DiagnosticIds.ConditionForbiddenApi),
        new("gc", """GC.GetTotalMemory(true) > 0""", DiagnosticIds.ConditionForbiddenApi),
        new("marshal", """System.Runtime.InteropServices.Marshal.SizeOf<int>() == 4""", DiagnosticIds.ConditionForbiddenApi),
        new("unsafe-class", """System.Runtime.CompilerServices.Unsafe.SizeOf<int>() == 4""", DiagnosticIds.ConditionForbiddenApi),
        new("runtime-helpers", """System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(e) > 0""", DiagnosticIds.ConditionForbiddenApi),
        new("expression-trees", """System.Linq.Expressions.Expression.Constant(1) != null""", DiagnosticIds.ConditionForbiddenApi),
        new("time-zone-local", """TimeZoneInfo.Local.Id != "" """, DiagnosticIds.ConditionForbiddenApi),
        new("time-zone-to-universal", """System.DateTime.SpecifyKind(new DateTime(2024, 1, 1), DateTimeKind.Local).ToUniversalTime().Hour == 0""", DiagnosticIds.ConditionForbiddenApi),
        new("time-zone-parse-offset", """DateTimeOffset.Parse("2024-01-01 00:00").Offset == TimeSpan.Zero""", DiagnosticIds.ConditionForbiddenApi),
        new("time-zone-parse-datetime", """DateTime.Parse("2024-01-01T00:00:00Z").Hour == 0""", DiagnosticIds.ConditionForbiddenApi),
        new("time-zone-tryparse", """DateTimeOffset.TryParse("2024-01-01", out var t) && t.Offset == TimeSpan.Zero""", DiagnosticIds.ConditionForbiddenApi),
        new("time-zone-implicit-offset", """((DateTimeOffset)new DateTime(2024, 1, 1)).Offset == TimeSpan.Zero""", DiagnosticIds.ConditionForbiddenApi),
        new("time-zone-implicit-comparison", """e.Now > new DateTime(2024, 1, 1)""", DiagnosticIds.ConditionForbiddenApi),
        new("time-zone-file-time", """DateTime.FromFileTime(0).Year > 0""", DiagnosticIds.ConditionForbiddenApi),
        // The zone of an unspecified DateTime, and kinds that would make a Local one (a review found each deciding
        // differently under TZ=UTC and TZ=Asia/Shanghai).
        new("time-zone-offset-constructor", """new DateTimeOffset(new DateTime(2024, 1, 1)).Offset == TimeSpan.Zero""", DiagnosticIds.ConditionForbiddenApi),
        new("time-zone-offset-file-time", """DateTimeOffset.FromFileTime(0).Offset == TimeSpan.Zero""", DiagnosticIds.ConditionForbiddenApi),
        new("time-zone-format-z", """new DateTime(2024, 1, 1).ToString("zzz") == "+00:00" """, DiagnosticIds.ConditionForbiddenApi),
        new("time-zone-format-z-hole", """$"{new DateTime(2024, 1, 1):yyyy zz}" != "" """, DiagnosticIds.ConditionForbiddenApi),
        new("time-zone-format-from-event", """new DateTime(2024, 1, 1).ToString(e.Data.Str("f")) != "" """, DiagnosticIds.ConditionForbiddenApi),
        new("time-zone-daylight-saving", """new DateTime(2024, 7, 1).IsDaylightSavingTime()""", DiagnosticIds.ConditionForbiddenApi),
        new("time-zone-local-kind", """new DateTime(2024, 7, 1, 0, 0, 0, DateTimeKind.Local).ToString("o") != "" """, DiagnosticIds.ConditionForbiddenApi),
        new("time-zone-from-binary", """DateTime.FromBinary(-9223372036854775808L + 638400000000000000L).Hour >= 12""", DiagnosticIds.ConditionForbiddenApi),
        new("time-zone-format-universal", """new DateTime(2024, 1, 1, 0, 0, 0).ToString("U").Contains("2023")""", DiagnosticIds.ConditionForbiddenApi),
        new("time-zone-nullable-hole", """$"{e.Time?.DateTime:zzz}".StartsWith("-")""", DiagnosticIds.ConditionForbiddenApi),
        new("time-zone-kind-by-number", """new DateTime(0L, (DateTimeKind)2).Ticks == 0""", DiagnosticIds.ConditionForbiddenApi),
        // Hash codes are randomized per process: a verdict would change with a restart.
        new("hash-code-of-text", "\"dws_orders\".GetHashCode() % 2 == 0", DiagnosticIds.ConditionForbiddenApi),
        new("hash-code-of-tuple", """(e.Type, 1).GetHashCode() > 0""", DiagnosticIds.ConditionForbiddenApi),
        new("hash-code-by-comparer", """StringComparer.Ordinal.GetHashCode(e.Type) > 0""", DiagnosticIds.ConditionForbiddenApi),
        new("type-pattern-forbidden", """((object)e.Data.Arr("x")) is System.Collections.IList""", DiagnosticIds.ConditionForbiddenApi),
        new("oftype-forbidden", """e.Data.Arr("x").OfType<System.IO.FileInfo>().Any()""", DiagnosticIds.ConditionForbiddenApi),
        new("as-forbidden", """(e.Data.Str("x") as object) as System.IO.FileInfo == null""", DiagnosticIds.ConditionForbiddenApi),
        new("cast-in-lambda", """e.Data.Arr("x").Select(x => (System.IO.FileInfo)null).Any()""", DiagnosticIds.ConditionForbiddenApi),
        new("default-in-lambda", """e.Data.Arr("x").Select(x => default(System.IO.Stream)).Any()""", DiagnosticIds.ConditionForbiddenApi),
        new("is-in-lambda", """e.Data.Arr("x").Cast<object>().Any(o => o is System.Collections.IList)""", DiagnosticIds.ConditionForbiddenApi),
        new("generic-argument", """new List<System.IO.FileInfo>().Count == 0""", DiagnosticIds.ConditionForbiddenApi),
        new("out-declaration", """int.TryParse("1", out System.IO.FileInfo f)""", DiagnosticIds.ConditionForbiddenApi),
        new("default-forbidden", """default(System.IO.FileInfo) == null""", DiagnosticIds.ConditionForbiddenApi),
        new("method-group", """new Func<string, string>(System.IO.File.ReadAllText) != null""", DiagnosticIds.ConditionForbiddenApi),
        new("dynamic", """((dynamic)e).Data != null""", DiagnosticIds.ConditionForbiddenApi),
        new("regex-direct", """new System.Text.RegularExpressions.Regex("a").IsMatch("a")""", DiagnosticIds.ConditionForbiddenApi),
        new("string-intern", """string.Intern("a") == "a" """, DiagnosticIds.ConditionForbiddenApi),
        new("comment-hides-nothing", """true /* harmless */ || System.IO.File.Exists("x")""", DiagnosticIds.ConditionForbiddenApi),
        // Resource exhaustion
        new("range-infinite", """Enumerable.Range(0, int.MaxValue).Count() > 0""", DiagnosticIds.ConditionForbiddenApi),
        new("repeat-infinite", """Enumerable.Repeat(0, int.MaxValue).Count() > 0""", DiagnosticIds.ConditionForbiddenApi),
        new("pad-left", "\"a\".PadLeft(int.MaxValue).Length > 0", DiagnosticIds.ConditionForbiddenApi),
        new("format-alignment", """string.Format("{0,1000000000}", 1).Length > 0""", DiagnosticIds.ConditionForbiddenApi),
        new("interpolation-alignment", """$"{1,1000000000}".Length > 0""", DiagnosticIds.ConditionForbiddenConstruct),
        new("string-ctor-count", """new string('a', int.MaxValue).Length > 0""", DiagnosticIds.ConditionForbiddenApi),
        new("list-capacity", """new List<int>(int.MaxValue).Count == 0""", DiagnosticIds.ConditionForbiddenApi),
        new("sized-array", """new int[int.MaxValue].Length > 0""", DiagnosticIds.ConditionForbiddenConstruct),
        // Machine clock
        new("datetime-now", """DateTime.Now.Hour > 18""", DiagnosticIds.ConditionForbiddenApi),
        new("datetimeoffset-utcnow", """DateTimeOffset.UtcNow > e.Now""", DiagnosticIds.ConditionForbiddenApi),
        new("to-local-time", """e.Now.ToLocalTime().Hour > 18""", DiagnosticIds.ConditionForbiddenApi),
        // Delegates: no invocation, no delegate values beyond lambdas handed to LINQ (no recursion, no omega)
        new("block-lambda", """((Func<bool>)(() => { return true; }))()""", DiagnosticIds.ConditionForbiddenConstruct),
        new("lambda-invoke", """((Func<bool>)(() => true))()""", DiagnosticIds.ConditionForbiddenConstruct),
        new("omega", """new object[] { (Func<object, int>)(f => 0) }.Select(f => ((Func<object, int>)f)(f)).Any()""", DiagnosticIds.ConditionForbiddenConstruct),
        new("delegate-values", """e.Data.Arr("x").Select(x => (Func<int>)(() => 1)).Any()""", DiagnosticIds.ConditionForbiddenApi),
        new("anonymous-method", """delegate { return true; } != null""", DiagnosticIds.ConditionForbiddenConstruct),
        new("lambda-attribute", """new[] { 1 }.Any([System.Obsolete] (int x) => x > 0)""", DiagnosticIds.ConditionForbiddenConstruct),
        // Statements and code injection
        new("close-method", """true); } public static void X() { System.IO.File.Delete("x"); } //""", DiagnosticIds.ConditionNotExpression),
        new("semicolon", """true; System.IO.File.Delete("x")""", DiagnosticIds.ConditionNotExpression),
        new("using-alias", """using X = System.IO;""", DiagnosticIds.ConditionNotExpression),
        new("statement-block", """{ return true; }""", DiagnosticIds.ConditionNotExpression),
        new("unclosed-comment", """true /* ) ; } class X { """, DiagnosticIds.ConditionNotExpression),
        new("line-directive", "true\n#line 1 \"other.cs\"\n", DiagnosticIds.ConditionForbiddenConstruct),
        new("pragma-directive", "#pragma warning disable\ntrue", DiagnosticIds.ConditionForbiddenConstruct),
        new("if-directive", "#if false\nSystem.IO.File.Delete(\"x\")\n#endif\ntrue", DiagnosticIds.ConditionForbiddenConstruct),
        new("unicode-escape", """\u0053ystem.IO.File.Exists("x")""", DiagnosticIds.ConditionForbiddenConstruct),
        new("assignment", """(e.Data.Count("a") is var n) && (n = 5) > 0""", DiagnosticIds.ConditionForbiddenConstruct),
        new("increment", """(e.Data.Count("a") is var n) && n++ > 0""", DiagnosticIds.ConditionForbiddenConstruct),
        // Unsafe code
        new("pointer", """*(int*)0 == 0""", DiagnosticIds.ConditionForbiddenConstruct),
        new("stackalloc", """stackalloc int[10].Length == 10""", DiagnosticIds.ConditionForbiddenConstruct),
        new("makeref", """__makeref(e).GetType() != null""", DiagnosticIds.ConditionForbiddenConstruct),
        new("arglist", """__arglist(1) != null""", DiagnosticIds.ConditionForbiddenConstruct),
        new("await", """await System.Threading.Tasks.Task.FromResult(true)""", DiagnosticIds.ConditionForbiddenConstruct),
        new("sizeof", """sizeof(int) == 4""", DiagnosticIds.ConditionForbiddenConstruct),
        // Compile errors are refusals too
        new("checked-overflow", """checked(int.MaxValue + 1) > 0""", DiagnosticIds.ConditionCompile),
        new("namespace-short-name", """IO.File.Exists("x")""", DiagnosticIds.ConditionCompile),
        new("parallel-linq", """e.Data.Arr("x").AsParallel().Any()""", DiagnosticIds.ConditionCompile),
    ];
}
