using System.Text;
using System.Text.Json;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Compilation;

namespace OpenEvent.Rules.Core.Tests.Compilation;

/// <summary>
/// Differential check of the compiled set against the reference evaluator on random patterns and events.
///
/// </summary>
public sealed class RandomizedCrossCheckTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(20240712)]
    public void Match_RandomPatternsAndEvents_AgreesWithReferenceEvaluator(int seed)
    {
        var (matches, _) = AgreesWithReferenceEvaluator(new RandomPatterns(seed), seed, patternCount: 400, eventCount: 300);

        // The vocabulary is small on purpose: make sure the check is not vacuous.
        Assert.True(matches > 1000, $"only {matches} matches");
    }

    // Sets big enough to split down to single patterns: with long lists (wide listings) and $or entries; and over 86 data
    // fields (nodes with partitions on more paths than an event has, reached through the event's paths; fields with one
    // pattern each, split by the ranking, not chosen one by one; $or and numeric in blocks). The index may only change
    // what is verified, never the answer.
    [Theory]
    [InlineData(31, 1_500, true, false)]
    [InlineData(32, 3_000, true, false)]
    [InlineData(41, 3_000, false, true)]
    [InlineData(42, 6_000, false, true)]
    public void Match_BigSets_AgreesWithReferenceEvaluator(int seed, int count, bool longLists, bool manyFields)
    {
        var (matches, _) = AgreesWithReferenceEvaluator(new RandomPatterns(seed, longLists, manyFields), seed, count, eventCount: 150);

        Assert.True(matches > 1000, $"only {matches} matches");
    }

    /// <summary>
    /// Random patterns compiled into one set, and random events: every answer must be the reference evaluator's (a
    /// failure names the seed, the event and the patterns missed or extra). Returns the matches and, of them, those the
    /// index decided alone, for the callers' checks that the run was not vacuous.
    /// </summary>
    internal static (int Matches, int Decided) AgreesWithReferenceEvaluator(RandomPatterns random, int seed, int patternCount, int eventCount)
    {
        var texts = Enumerable.Range(0, patternCount).Select(_ => random.NextPattern()).ToList();
        var patterns = texts.Select(TestPatterns.FromJson).ToList();
        var set = new CompiledPatternSetBuilder().Build(patterns);
        var result = new MatchResult();
        int totalMatches = 0, decided = 0;

        for (var e = 0; e < eventCount; e++)
        {
            var cloudEvent = random.NextEvent();
            var bytes = Encoding.UTF8.GetBytes(cloudEvent);
            using var document = JsonDocument.Parse(bytes, TestPatterns.DocumentOptions);
            var expected = Enumerable.Range(0, patterns.Count).Where(i => ReferencePatternEvaluator.Matches(patterns[i], document.RootElement)).ToArray();

            set.Match(bytes, result);
            var actual = result.PatternIds.ToArray();

            if (!expected.SequenceEqual(actual))
            {
                var diff = expected.Except(actual).Select(i => $"missed {i}: {texts[i]}")
                    .Concat(actual.Except(expected).Select(i => $"extra {i}: {texts[i]}"));
                Assert.Fail($"seed {seed}, event {e}: {cloudEvent}\n{string.Join("\n", diff)}");
            }

            totalMatches += actual.Length;
            decided += result.DecidedCount;
        }

        return (totalMatches, decided);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(8)]
    public void Match_EachPatternAloneOrInTheSet_GivesTheSameAnswer(int seed)
    {
        var random = new RandomPatterns(seed);
        var patterns = Enumerable.Range(0, 150).Select(_ => TestPatterns.FromJson(random.NextPattern())).ToList();
        var set = new CompiledPatternSetBuilder().Build(patterns);
        var singles = patterns.Select(p => new CompiledPatternSetBuilder().Build([p])).ToList();

        for (var e = 0; e < 100; e++)
        {
            var bytes = Encoding.UTF8.GetBytes(random.NextEvent());
            var expected = Enumerable.Range(0, patterns.Count).Where(i => singles[i].Match(bytes).Length == 1).ToArray();
            Assert.Equal(expected, set.Match(bytes));
        }
    }

    [Fact]
    public void Match_ConcurrentThreads_AgreeWithSingleThread()
    {
        var random = new RandomPatterns(99);
        var patterns = Enumerable.Range(0, 300).Select(_ => TestPatterns.FromJson(random.NextPattern())).ToList();
        var set = new CompiledPatternSetBuilder().Build(patterns);
        var events = Enumerable.Range(0, 200).Select(_ => Encoding.UTF8.GetBytes(random.NextEvent())).ToList();
        var expected = events.Select(e => set.Match(e)).ToList();

        Parallel.For(0, 4, _ =>
        {
            var result = new MatchResult();
            for (var round = 0; round < 5; round++)
            {
                for (var i = 0; i < events.Count; i++)
                {
                    set.Match(events[i], result);
                    Assert.Equal(expected[i], result.PatternIds.ToArray());
                }
            }
        });
    }
}
