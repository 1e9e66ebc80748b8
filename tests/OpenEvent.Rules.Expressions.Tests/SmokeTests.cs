using System.Text.Json;
using OpenEvent.Rules.Compilation.Conditions;
using OpenEvent.Rules.Evaluation.Conditions;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Expressions.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void Smoke()
    {
        var dir = Path.Combine(Path.GetTempPath(), "oer-smoke-" + Guid.NewGuid().ToString("N"));
        var compiler = new RoslynConditionCompiler(new RoslynConditionCompilerOptions { CacheDirectory = dir });
        string[] exprs = ["1 + 1 == 2", "1 + 1 == 3", "System.IO.File.ReadAllText(\"/etc/passwd\") != null", "IO.File.Exists(\"x\")", "e.GetType() != null", "\"\".GetType().Assembly.GetTypes().Length > 0", "true); } public static void X() { System.IO.File.Delete(\"x\"); } //", "Enumerable.Range(0, int.MaxValue).Count() > 0", "DateTime.Now.Hour > 3", "1 + 1", "foo > 1", "e.Data.Arr(\"tableMapping\").Select(t => t.Str(\"dstTable\")).Distinct().Count() > 50"];
        var sources = exprs.Select((x, i) => new ConditionSource("k" + i, x, new SourceLocation("p.yaml", 10 + i, 16))).ToList();
        var r = compiler.Compile(sources);
        foreach (var d in r.Diagnostics) Console.WriteLine(d + " | " + d.Hint);
        var ok = compiler.Compile(sources.Take(2).ToList());
        Assert.True(ok.Success);
        var ev = new ConditionEvent(JsonDocument.Parse("{}").RootElement);
        Assert.True(ok.Conditions!.TryEvaluate(0, ev, out var a, out _) && a);
        Assert.True(ok.Conditions!.TryEvaluate(1, ev, out var b, out _) && !b);
        Console.WriteLine(ok.Elapsed);
        var again = compiler.Compile(sources.Take(2).ToList());
        Console.WriteLine(again.FromCache + " " + again.Elapsed);
    }
}
