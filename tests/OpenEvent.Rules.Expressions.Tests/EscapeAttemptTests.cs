using OpenEvent.Rules.Compilation.Conditions;

namespace OpenEvent.Rules.Expressions.Tests;

public sealed class EscapeAttemptTests : IDisposable
{
    private readonly TempCache _cache = new();

    public static TheoryData<string> Names => [.. EscapeAttempts.All.Select(a => a.Name)];

    public void Dispose() => _cache.Dispose();

    [Fact]
    public void EscapeAttempts_AreAtLeastForty() => Assert.True(EscapeAttempts.All.Length >= 40);

    [Theory]
    [MemberData(nameof(Names))]
    public void Compile_EscapeAttempt_IsRefusedWithItsIdAndLocation(string name)
    {
        var attempt = EscapeAttempts.All.Single(a => a.Name == name);
        var source = ConditionSource.Plain("attempt", attempt.Expression, new SourceLocation("policies/escape.yaml", 12, 16));

        var result = _cache.Compiler().Compile([source]);

        Assert.False(result.Success);
        Assert.Null(result.Conditions);
        Assert.Contains(attempt.Id, result.Diagnostics.Select(d => d.Id));
        Assert.All(result.Diagnostics, d =>
        {
            Assert.Equal("policies/escape.yaml", d.Location.File);
            Assert.InRange(d.Location.Line, 12, 12 + attempt.Expression.Count(c => c == '\n'));
            Assert.True(d.Location.Column >= 16 || d.Location.Line > 12, d.ToString());
            Assert.False(string.IsNullOrWhiteSpace(d.Hint));
        });
        Assert.Empty(Directory.GetFiles(_cache.Path));
    }

    [Fact]
    public void Compile_AllEscapeAttemptsInOneSet_ReportsEachOne()
    {
        var sources = EscapeAttempts.All
            .Select((a, i) => ConditionSource.Plain(a.Name, a.Expression, new SourceLocation("policies/escape.yaml", (i * 10) + 1, 16)))
            .Append(ConditionSource.Plain("honest", "e.Data.Count(\"tableMapping\") > 50", new SourceLocation("policies/escape.yaml", 9999, 16)))
            .ToList();

        var result = _cache.Compiler().Compile(sources);

        Assert.False(result.Success);
        for (var i = 0; i < EscapeAttempts.All.Length; i++)
        {
            var line = (i * 10) + 1;
            var ids = result.Diagnostics.Where(d => d.Location.Line >= line && d.Location.Line < line + 10).Select(d => d.Id).ToList();
            Assert.True(ids.Contains(EscapeAttempts.All[i].Id), $"{EscapeAttempts.All[i].Name}: expected {EscapeAttempts.All[i].Id}, got [{string.Join(", ", ids)}]");
        }

        Assert.DoesNotContain(result.Diagnostics, d => d.Location.Line == 9999);
    }
}
