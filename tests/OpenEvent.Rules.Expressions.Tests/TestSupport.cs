using System.Text.Json;
using OpenEvent.Rules.Compilation.Conditions;
using OpenEvent.Rules.Evaluation.Conditions;

namespace OpenEvent.Rules.Expressions.Tests;

internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>A fresh cache folder per test, removed afterwards.</summary>
internal sealed class TempCache : IDisposable
{
    public TempCache() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "oer-conditions-tests-" + Guid.NewGuid().ToString("N"));

    public RoslynConditionCompiler Compiler(bool recheck = false) =>
        new(new RoslynConditionCompilerOptions { CacheDirectory = Path, RecheckOnCacheHit = recheck });

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class TestEvents
{
    public static readonly DateTimeOffset Now = DateTimeOffset.Parse("2024-07-12T03:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    public static ConditionEvent Load(string file, ScopeValues? scope = null) =>
        Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "events", file)), scope);

    public static ConditionEvent Parse(string json, ScopeValues? scope = null) =>
        new(JsonDocument.Parse(json).RootElement, scope, new FixedTimeProvider(Now));

    public static ConditionEvent Empty() => Parse("{}");

    /// <summary>Conditions as a policy file would hold them: one per line, plain scalars at column 16.</summary>
    public static List<ConditionSource> Sources(params string[] expressions) =>
        [.. expressions.Select((x, i) => ConditionSource.Plain("c" + i, x, new SourceLocation("policies/test.yaml", i + 1, 16)))];
}
