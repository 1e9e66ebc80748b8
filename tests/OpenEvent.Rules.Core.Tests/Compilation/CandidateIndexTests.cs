using System.Globalization;
using System.Text;
using System.Text.Json;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.Evaluation;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Core.Tests.Compilation;

/// <summary>
/// The index must keep the number of patterns verified per event small whatever the size of the set; these tests
/// count verifications (an internal counter), so a change that silently falls back to scanning fails here.
/// </summary>
public sealed class CandidateIndexTests
{
    private static int Verified(IReadOnlyList<PatternObject> patterns, string cloudEvent, out int[] matches)
    {
        var set = new CompiledPatternSetBuilder().Build(patterns);
        var result = new MatchResult();
        set.Match(Encoding.UTF8.GetBytes(cloudEvent), result);
        matches = result.PatternIds.ToArray();
        return result.VerifiedCount;
    }

    [Theory]
    [InlineData(100)]
    [InlineData(10_000)]
    public void Match_TypeAndWorkspacePolicies_VerifiesOnlyTheSharedBucket(int count)
    {
        var types = new[] { "dataworks:FileChange:CommitFile", "dataworks:FileChange:DeployFile", "dataworks:NodeChange:NodeChangeCreated" };
        var patterns = Enumerable.Range(0, count).Select(i => TestPatterns.FromJson(
            "{\"type\":[\"" + types[i % 3] + "\"],\"data\":{\"projectId\":[" + (i % (count / 3)) + "]}}")).ToList();

        var verified = Verified(patterns, """{"type":"dataworks:FileChange:DeployFile","data":{"projectId":7}}""", out var matches);

        Assert.NotEmpty(matches);
        Assert.True(verified <= 8, $"{verified} patterns verified out of {count}");
    }

    // Wildcards that share their head ("dws_*orders_7") are listed under their tails, which few share: a file name
    // proposes about one of them, not every "dws_" one. Wildcards whose heads few share keep them where their tail is
    // common ("t5_*_daily" beside 299 other "_daily" tails). Answers are the reference evaluator's.
    [Fact]
    public void Match_WildcardsSharingAHead_AreListedUnderTheKeyFewestShare()
    {
        var patterns = Enumerable.Range(0, 600).Select(i => "dws_*orders_" + i)
            .Concat(Enumerable.Range(0, 300).Select(i => "t" + i + "_*_daily"))
            .Select(wildcard => TestPatterns.FromJson("{\"fileName\":[{\"wildcard\":\"" + wildcard + "\"}]}"))
            .ToList();

        foreach (var (fileName, expected) in new[] { ("dws_x_orders_7", 7), ("dws_orders_77", 77), ("t5_x_daily", 605), ("t299_dws_orders_1_daily", 899) })
        {
            var cloudEvent = "{\"fileName\":\"" + fileName + "\"}";
            var verified = Verified(patterns, cloudEvent, out var matches);

            Assert.Equal([expected], matches);
            Assert.Equal(Reference(patterns, cloudEvent), matches);
            Assert.True(verified <= 2, $"{fileName}: {verified} patterns verified");
        }
    }

    private static int[] Reference(IReadOnlyList<PatternObject> patterns, string cloudEvent)
    {
        using var document = JsonDocument.Parse(cloudEvent);
        return [.. Enumerable.Range(0, patterns.Count).Where(i => ReferencePatternEvaluator.Matches(patterns[i], document.RootElement))];
    }

    // Patterns listed under two keys (two types) and events reaching the same index nodes through repeated values: each
    // candidate is verified exactly once and listed once (the per-event stamps are only kept where a repeat is possible).
    [Theory]
    [InlineData("""{"type":"t1","data":{"projectId":3}}""")]
    [InlineData("""{"type":["t1","t2","t1"],"data":{"projectId":[3,3,103]}}""")]
    [InlineData("""{"type":["t2","t1"],"data":[{"projectId":103},{"projectId":3},{"projectId":3}]}""")]
    public void Match_RepeatedKeysAndValues_VerifyEachCandidateOnce(string cloudEvent)
    {
        var patterns = Enumerable.Range(0, 40).Select(i => TestPatterns.FromJson(
            "{\"type\":[\"t1\",\"t2\"],\"data\":{\"projectId\":[" + (i % 10) + "," + (100 + (i % 10)) + "]}}")).ToList();

        var verified = Verified(patterns, cloudEvent, out var matches);

        Assert.Equal([3, 13, 23, 33], matches);
        Assert.Equal(4, verified);
    }

    [Fact]
    public void Match_PrefixSuffixWildcardAndRanges_AreIndexed()
    {
        var patterns = new List<PatternObject>();
        for (var i = 0; i < 2000; i++)
        {
            patterns.Add(TestPatterns.FromJson((i % 4) switch
            {
                0 => "{\"data\":{\"fileName\":[{\"prefix\":\"p" + i + "_\"}]}}",
                1 => "{\"data\":{\"fileName\":[{\"suffix\":{\"equals-ignore-case\":\"_S" + i + "\"}}]}}",
                2 => "{\"data\":{\"fileName\":[{\"wildcard\":\"w" + i + "_*_daily\"}]}}",
                _ => "{\"data\":{\"size\":[{\"numeric\":[\">=\"," + (i * 10) + ",\"<\"," + ((i * 10) + 10) + "]}]}}",
            }));
        }

        Assert.True(Verified(patterns, """{"data":{"fileName":"p400_orders","size":5}}""", out var m1) <= 6);
        Assert.Equal([400], m1);
        Assert.True(Verified(patterns, """{"data":{"fileName":"x_s401","size":43}}""", out var m2) <= 6);
        Assert.Equal([401], m2);
        Assert.True(Verified(patterns, """{"data":{"fileName":"w402_x_daily","size":12355}}""", out var m3) <= 6);
        Assert.Equal([402, 1235], m3);
    }

    // A policy over a list of 100 workspaces (a registry set, expanded) is listed under each of them, past the 64 copies
    // a pattern may otherwise make, while the set's budget of such listings lasts: before, it was listed by its type
    // alone and verified, list and all, for every event of the type (31 candidates per event here).
    [Fact]
    public void Match_PoliciesOverLongLists_ListedUnderEachValue()
    {
        var random = new Random(3);
        var patterns = Enumerable.Range(0, 1000).Select(i => TestPatterns.FromJson(
            "{\"type\":[\"t" + (i % 32) + "\"],\"data\":{\"projectId\":[" + string.Join(",", Enumerable.Range(0, 100).Select(_ => random.Next(4000))) + "]}}")).ToList();
        var set = new CompiledPatternSetBuilder().Build(patterns);
        var result = new MatchResult();
        int verified = 0, matched = 0;
        for (var e = 0; e < 500; e++)
        {
            var cloudEvent = "{\"type\":\"t" + (e % 32) + "\",\"data\":{\"projectId\":" + random.Next(4000) + "}}";
            set.Match(Encoding.UTF8.GetBytes(cloudEvent), result);
            using var document = System.Text.Json.JsonDocument.Parse(cloudEvent);
            Assert.Equal(Enumerable.Range(0, patterns.Count).Where(p => ReferencePatternEvaluator.Matches(patterns[p], document.RootElement)), result.PatternIds.ToArray());
            verified += result.VerifiedCount;
            matched += result.Count;
        }

        Assert.True(matched > 50, $"only {matched} matches: the check is vacuous");
        Assert.True(verified <= 2 * 500, $"{verified} candidates over 500 events");
    }

    // Lists of 1,000 values in 200 patterns pass the set's budget of wide listings: the first patterns are listed under
    // their values, the others by their type; every answer stays exact.
    [Fact]
    public void Match_LongListsPastTheBudget_ListedByTheirOtherKeys_StillExact()
    {
        var patterns = Enumerable.Range(0, 200).Select(i => TestPatterns.FromJson(
            "{\"type\":[\"t" + (i % 4) + "\"],\"data\":{\"projectId\":[" + string.Join(",", Enumerable.Range(i * 1000, 1000)) + "]}}")).ToList();
        var set = new CompiledPatternSetBuilder().Build(patterns);
        var result = new MatchResult();

        foreach (var id in new[] { 0, 70, 150, 199 })
        {
            set.Match(Encoding.UTF8.GetBytes("{\"type\":\"t" + (id % 4) + "\",\"data\":{\"projectId\":" + ((id * 1000) + 999) + "}}"), result);
            Assert.Equal([id], result.PatternIds.ToArray());
        }

        // The budget (78,336 extra listings) holds 78 such lists of 999; the other 122 patterns are listed by their type
        // alone, so an event of each type whose value no list holds still verifies those of its type.
        var listedByType = Enumerable.Range(0, 4).Sum(type =>
        {
            set.Match(Encoding.UTF8.GetBytes("{\"type\":\"t" + type + "\",\"data\":{\"projectId\":-1}}"), result);
            return result.VerifiedCount;
        });
        Assert.InRange(listedByType, 100, 140);

        set.Match(Encoding.UTF8.GetBytes("{\"type\":\"t1\",\"data\":{\"projectId\":5}}"), result); // pattern 0's value, another type
        Assert.Empty(result.PatternIds.ToArray());
    }

    // "This workspace field or that one": each pattern is listed under each branch's key, not verified for every event
    // of its source; the $or may sit at the root or in a nested object, beside keys of its own level, or in another $or.
    [Theory]
    [InlineData("""{"source":["acs.dataworks"],"$or":[{"data":{"projectId":[N]}},{"data":{"appId":[N]}}]}""")]
    [InlineData("""{"source":["acs.dataworks"],"data":{"$or":[{"projectId":[N]},{"appId":[N]}]}}""")]
    [InlineData("""{"data":{"$or":[{"projectId":[N]},{"$or":[{"appId":[N]},{"queryDwProjectId":["N"]}]}]}}""")]
    public void Match_OrBranchesWithKeys_AreIndexedUnderEachBranch(string template)
    {
        var patterns = Enumerable.Range(0, 3_000).Select(i => TestPatterns.FromJson(template.Replace("N", i.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal))).ToList();

        var byProject = Verified(patterns, """{"source":"acs.dataworks","data":{"projectId":42,"appId":7}}""", out var m1);
        var byApp = Verified(patterns, """{"source":"acs.dataworks","data":{"appId":1234}}""", out var m2);
        var neither = Verified(patterns, """{"source":"acs.dataworks","data":{"owner":"x"}}""", out var m3);

        Assert.Equal([7, 42], m1);
        Assert.Equal([1234], m2);
        Assert.Empty(m3);
        Assert.True(byProject <= 4 && byApp <= 4 && neither <= 2, $"verified {byProject}, {byApp}, {neither} of {patterns.Count}");
    }

    // Entries multiply over $or lists at every level (root, nested, inside branches); the product stays within 16.
    [Theory]
    [InlineData("""{"$or":[{"a":[1]},{"b":[1]}],"data":{"$or":[{"c":[1]},{"d":[1]}]}}""", 4)]
    [InlineData("""{"$or":[{"a":[1]},{"b":[1]},{"c":[1]},{"d":[1]}],"data":{"$or":[{"e":[1]},{"f":[1]},{"g":[1]},{"h":[1]}]},"x":{"$or":[{"i":[1]},{"j":[1]}]}}""", 16)]
    [InlineData("""{"$or":[{"$or":[{"a":[1]},{"b":[1]}]},{"$or":[{"c":[1]},{"d":[1]}]}],"data":{"$or":[{"e":[1]},{"f":[1]},{"g":[1]},{"h":[1]}]},"x":{"$or":[{"i":[1]},{"j":[1]},{"k":[1]},{"l":[1]},{"m":[1]}]}}""", 16)]
    [InlineData("""{"$or":[{"a":[1]},{"b":[{"exists":false}]}],"data":{"c":[1]}}""", 1)]
    [InlineData("""{"$or":[{"a":[1]},{"b":[{"anything-but":[1]}]}],"data":{"c":[1]}}""", 2)]
    [InlineData("""{"$or":[{"a":[1]},{"b":[{"numeric-string":[">",1]}]}],"data":{"c":[1]}}""", 2)]
    [InlineData("""{"$or":[{"a":[1]},{"b":[{"exists":true}]}],"data":{"c":[1]}}""", 2)]
    public void IndexEntries_MultiplyOverOrListsWithinTheBound(string pattern, int entries) =>
        Assert.Equal(entries, IndexEntries.Of(TestPatterns.FromJson(pattern)).Count);

    // The set's budget of extra entries (CompiledPatternSetBuilder.ExtraIndexEntries) bounds the index build: past it,
    // patterns are listed by their AND path alone (here `source`, so verified for every event), and answers stay exact.
    [Fact]
    public void Match_OrEntriesPastTheSetsBudget_ListedByTheirAndPath_StillExact()
    {
        const int Count = 400;
        const int PerPattern = 16; // 4 × 4 branches
        var indexed = Math.Min(Count, CompiledPatternSetBuilder.ExtraIndexEntries(Count) / (PerPattern - 1));
        var patterns = Enumerable.Range(0, Count).Select(i => TestPatterns.FromJson(
            "{\"source\":[\"s\"],\"$or\":[" + string.Join(",", Enumerable.Range(0, 4).Select(b => "{\"a" + b + "\":[" + i + "]}")) + "],"
            + "\"data\":{\"$or\":[" + string.Join(",", Enumerable.Range(0, 4).Select(b => "{\"b" + b + "\":[" + i + "]}")) + "]}}")).ToList();
        var set = new CompiledPatternSetBuilder().Build(patterns);
        var result = new MatchResult();

        foreach (var id in new[] { 3, indexed - 1, indexed, Count - 1 })
        {
            set.Match(Encoding.UTF8.GetBytes("{\"source\":\"s\",\"a1\":" + id + ",\"data\":{\"b3\":" + id + "}}"), result);
            Assert.Equal([id], result.PatternIds.ToArray());
        }

        set.Match(Encoding.UTF8.GetBytes("{\"source\":\"s\",\"a1\":-1,\"data\":{\"b3\":-1}}"), result);
        Assert.Empty(result.PatternIds.ToArray());
        Assert.InRange(result.VerifiedCount, Count - indexed, Count - indexed + 4);
    }

    // A branch without a keyed leaf can match with no key hit, and too many branches would list a pattern too often: the
    // pattern is then listed by its other keys only (here none), and still matches exactly.
    [Fact]
    public void Match_OrWithAKeylessBranchOrTooManyBranches_IsVerifiedAndStillExact()
    {
        var keyless = """{"$or":[{"data":{"projectId":[1]}},{"data":{"owner":[{"exists":true}]}}]}""";
        var wide = "{\"$or\":[" + string.Join(",", Enumerable.Range(0, 5).Select(i => "{\"a" + i + "\":[1]}")) + "],"
            + "\"data\":{\"$or\":[" + string.Join(",", Enumerable.Range(0, 5).Select(i => "{\"b" + i + "\":[1]}")) + "]}}";
        var patterns = new List<PatternObject> { TestPatterns.FromJson(keyless), TestPatterns.FromJson(wide) };
        patterns.AddRange(Enumerable.Range(0, 100).Select(i => TestPatterns.FromJson("{\"type\":[\"t" + i + "\"]}")));

        var verified = Verified(patterns, """{"type":"t5","a3":1,"data":{"owner":"x","b4":1}}""", out var matches);

        Assert.Equal([0, 1, 7], matches);
        Assert.True(verified <= 4, $"{verified} verified");
    }

    // Prefixes and suffixes of every length from 1 to 40 on one field, nested in each other, with non-ASCII and surrogate
    // pairs: a value reaches exactly the patterns whose affix it has, each found once.
    [Fact]
    public void Match_AffixesOfManyLengths_ReachExactlyTheirPatterns()
    {
        const string Name = "ab😀cdéfghijklmnopqrstuvwxyz0123456789AB_x";
        var patterns = new List<PatternObject>();
        var expected = new List<int>();
        List<int> prefixes = [], suffixes = [];
        for (var n = 1; n <= Name.Length; n++)
        {
            if (!char.IsHighSurrogate(Name[n - 1]))
            {
                prefixes.Add(patterns.Count);
                expected.Add(patterns.Count);
                patterns.Add(TestPatterns.FromJson("{\"f\":[{\"prefix\":\"" + Name[..n] + "\"}]}"));
                patterns.Add(TestPatterns.FromJson("{\"f\":[{\"prefix\":\"" + Name[..n] + "#\"}]}")); // one char more: never hit
            }

            if (!char.IsLowSurrogate(Name[^n]))
            {
                suffixes.Add(patterns.Count);
                expected.Add(patterns.Count);
                patterns.Add(TestPatterns.FromJson("{\"f\":[{\"suffix\":\"" + Name[^n..] + "\"}]}"));
                patterns.Add(TestPatterns.FromJson("{\"f\":[{\"suffix\":\"#" + Name[^n..] + "\"}]}"));
            }
        }

        var verified = Verified(patterns, "{\"f\":\"" + Name + "\"}", out var matches);

        Assert.Equal(expected, matches);
        Assert.Equal(expected.Count, verified);
        Verified(patterns, "{\"f\":\"zz\"}", out var none);
        Assert.Empty(none);

        // One char off at the start (the end): no prefix (suffix) hits, every suffix (prefix) still does.
        Verified(patterns, "{\"f\":\"X" + Name[1..] + "\"}", out var suffixesOnly);
        Verified(patterns, "{\"f\":\"" + Name[..^1] + "X\"}", out var prefixesOnly);
        Assert.Equal(suffixes[..^1], suffixesOnly); // all but the whole name
        Assert.Equal(prefixes[..^1], prefixesOnly);
    }

    // Keys nested 3,000 deep ("a", "aa", "aaa"...): the radix tree is built without recursion and walked in one pass; a
    // value reaches exactly the keys it starts with (or ends with). The set is built and matched on a thread with a
    // 128 KB stack, where a build or a walk that recursed once per level would overflow it (3,000 frames).
    [Fact]
    public void Match_AffixKeysNestedThousandsDeep_ReachExactlyTheirPatterns()
    {
        const int Depth = 3_000;
        var patterns = Enumerable.Range(1, Depth).Select(n => TestPatterns.FromJson("{\"f\":[{\"prefix\":\"" + new string('a', n) + "\"}]}"))
            .Concat(Enumerable.Range(1, Depth).Select(n => TestPatterns.FromJson("{\"g\":[{\"suffix\":\"" + new string('a', n) + "\"}]}"))).ToList();
        var result = new MatchResult();
        Exception? failed = null;
        var thread = new Thread(() =>
        {
            try
            {
                new CompiledPatternSetBuilder().Build(patterns)
                    .Match(Encoding.UTF8.GetBytes("{\"f\":\"" + new string('a', 1500) + "b\",\"g\":\"b" + new string('a', 700) + "\"}"), result);
            }
            catch (Exception ex)
            {
                failed = ex;
            }
        }, maxStackSize: 128 * 1024);
        thread.Start();
        thread.Join();

        Assert.Null(failed);
        Assert.Equal(Enumerable.Range(0, 1500).Concat(Enumerable.Range(Depth, 700)), result.PatternIds.ToArray());
        Assert.Equal(2200, result.VerifiedCount);
    }

    // "type is X and the tenant is in [t, t+3) and the workspace is W": the ranges overlap (one tenant id hits three),
    // so the index splits by type and workspace first; by the ranges first, each event walked three subtrees and verified
    // the few patterns left in each.
    [Fact]
    public void Match_OverlappingRangesBesideExactKeys_ExactKeysSplitFirst()
    {
        var random = new Random(5);
        var patterns = Enumerable.Range(0, 5_000).Select(i =>
        {
            var tenant = random.Next(100);
            return TestPatterns.FromJson("{\"type\":[\"t" + random.Next(32) + "\"],\"data\":{\"tenantId\":[{\"numeric\":[\">=\"," + tenant
                + ",\"<\"," + (tenant + 3) + "]}],\"projectId\":[" + random.Next(40) + "]}}");
        }).ToList();

        var set = new CompiledPatternSetBuilder().Build(patterns);
        var result = new MatchResult();
        int verified = 0, visited = 0;
        for (var e = 0; e < 200; e++)
        {
            set.Match(Encoding.UTF8.GetBytes("{\"type\":\"t" + (e % 32) + "\",\"data\":{\"tenantId\":" + (e % 100) + ",\"projectId\":" + (e * 17 % 40) + "}}"), result);
            verified += result.VerifiedCount;
            visited += result.VisitedCount;
        }

        // About three nodes per event (root, workspace, type); by the ranges first, about eight.
        Assert.True(visited <= 4 * 200, $"{visited} index nodes visited over 200 events");
        Assert.True(verified <= 100, $"{verified} patterns verified over 200 events");
    }

    [Fact]
    public void Match_PatternsWithoutIndexableMembers_AreStillVerified()
    {
        // An empty contains, exists: false and a wildcard of stars give the index nothing, a cidr and anything-but little
        // (a network, a field's presence): every such pattern is still verified and answered (an $or whose branches all
        // have keys is listed under them).
        var patterns = new List<PatternObject>
        {
            TestPatterns.FromJson("""{"data":{"fileName":[{"contains":""}]}}"""),
            TestPatterns.FromJson("""{"ip":[{"cidr":"10.0.0.0/8"}]}"""),
            TestPatterns.FromJson("""{"data":{"owner":[{"exists":false}]}}"""),
            TestPatterns.FromJson("""{"data":{"fileName":[{"anything-but":{"prefix":"tmp_"}}]}}"""),
            TestPatterns.FromJson("""{"$or":[{"type":["a"]},{"data":{"fileName":["dws_orders"]}}]}"""),
            TestPatterns.FromJson("""{"data":{"fileName":[{"wildcard":"*"}]}}"""),
        };
        patterns.AddRange(Enumerable.Range(0, 100).Select(i => TestPatterns.FromJson("{\"type\":[\"t" + i + "\"]}")));

        var verified = Verified(patterns, """{"type":"t5","ip":"10.2.3.4","data":{"fileName":"dws_orders"}}""", out var matches);

        Assert.Equal([0, 1, 2, 3, 4, 5, 11], matches);
        Assert.True(verified <= 12, $"{verified} verified");
    }

    // 2,000 patterns on a part of the file name (contains, and wildcards with a star at both ends, keyed by their longest
    // run, "_t401_" rather than "ly"): an event verifies the few whose part its name holds, not all 2,000.
    [Fact]
    public void Match_ContainsAndInnerWildcards_AreIndexedByTheirPart()
    {
        var patterns = Enumerable.Range(0, 2000).Select(i => TestPatterns.FromJson((i % 2) switch
        {
            0 => "{\"data\":{\"fileName\":[{\"contains\":\"_t" + i + "_\"}]}}",
            _ => "{\"data\":{\"fileName\":[{\"wildcard\":\"*_t" + i + "_*ly*\"}]}}",
        })).ToList();

        var verified = Verified(patterns, """{"data":{"fileName":"dws_t400_orders_t401_daily"}}""", out var matches);
        Assert.Equal([400, 401], matches);
        Assert.True(verified <= 2, $"{verified} verified");

        // The wildcard's part is there but not in the order it asks: proposed by the index, refused by its check.
        Assert.Equal(1, Verified(patterns, """{"data":{"fileName":"ly_t401_"}}""", out var none));
        Assert.Empty(none);

        // An escaped star is a literal char of the run the index keys by: "*a\\*b*" needs "a*b" itself. (Beside a second
        // pattern: a set of one is not split at all.)
        List<PatternObject> escaped = [TestPatterns.FromJson("""{"f":[{"wildcard":"*a\\*b*"}]}"""), TestPatterns.FromJson("""{"f":[{"contains":"zz"}]}""")];
        Assert.Equal(1, Verified(escaped, """{"f":"xa*by"}""", out var literal));
        Assert.Equal([0], literal);
        Assert.Equal(0, Verified(escaped, """{"f":"xaby"}""", out _));
    }

    // Parts inside each other, overlapping, repeated, sharing heads and tails, past eight branches at one char, with
    // non-ASCII, surrogate pairs and control chars (NUL, a line break, DEL: chars like any other, also as a part's first
    // char, which the start state's ASCII table holds): a value reaches exactly the parts it holds, each verified once
    // however often it occurs.
    [Theory]
    [InlineData("ushers")]
    [InlineData("a\u0000he\nx\u007f")]
    [InlineData("\u0000\u0000\n")]
    [InlineData("hishershe")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("x😀éhe😀ya")]
    [InlineData("h0h1h2h3h4h5h6h7h8h9hx")]
    [InlineData("")]
    [InlineData("zzz")]
    public void Match_ContainsParts_ReachExactlyThePartsTheValueHolds(string value)
    {
        string[] parts =
        [
            "he", "she", "his", "hers", "h", "s", "a", "aa", "aaa", "aaaaaaaaaa", "😀", "é", "😀é", "he😀", "ya",
            "h0", "h1", "h2", "h3", "h4", "h5", "h6", "h7", "h8", "h9", "hx", "0h1h2", "9hx", "ushers!",
            "\u0000", "\u0000\u0000", "he\n", "\nx\u007f", "\u007f",
        ];
        var patterns = parts.Select(part => TestPatterns.FromJson("{\"f\":[{\"contains\":" + JsonSerializer.Serialize(part) + "}]}")).ToList();

        var verified = Verified(patterns, "{\"f\":" + JsonSerializer.Serialize(value) + "}", out var matches);

        int[] expected = [.. parts.Select((part, i) => (part, i)).Where(p => value.Contains(p.part, StringComparison.Ordinal)).Select(p => p.i)];
        Assert.Equal(expected, matches);
        Assert.Equal(expected.Length, verified);
    }

    // Values of 64 chars and more (up to 64 parts) are searched for the places where a part may begin (.NET's vectorized
    // search of strings), then read from each place along the trie; a value thick with such places goes on with the
    // automaton from where the search stopped (its budget). With more parts the automaton walks alone, on ASCII chars by
    // its precomputed moves (skipping runs of chars that begin no part), on others by its failure links. Either way every
    // part a value holds is reached, once: random values over the parts' own chars, values of one char repeated (the
    // budget runs out), parts ending other parts (reported with them, also when the automaton takes over after the
    // search reported the longer one).
    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    public void Match_LongValues_SearchedOrWalked_ReachExactlyThePartsTheValueHolds(int moreParts)
    {
        var random = new Random(11);
        string[] alphabet = ["h", "e", "s", "i", "r", "a", "b", "x", "q", "u", "!", "😀", "é", " ", "\u0000"];
        string[] parts =
        [
            "he", "she", "his", "hers", "h", "a", "aa", "aaa", new string('a', 40), new string('a', 40) + "b", "ab", "ba", "😀", "é",
            "😀é", "he😀", "x\u0000", "ushers!", "abab", "babab", "q" + new string('a', 63),
            .. Enumerable.Range(0, moreParts).Select(_ => string.Concat(Enumerable.Range(0, random.Next(2, 7)).Select(_ => alphabet[random.Next(alphabet.Length - 3)]))),
        ];
        parts = [.. parts.Distinct()];
        var set = new CompiledPatternSetBuilder().Build([.. parts.Select(part => TestPatterns.FromJson("{\"f\":[{\"contains\":" + JsonSerializer.Serialize(part) + "}]}"))]);
        var result = new MatchResult();
        var values = new List<string>
        {
            new('a', 5000), new string('a', 5000) + "b", "b" + new string('a', 5000), string.Concat(Enumerable.Repeat("ab", 3000)),
            string.Concat(Enumerable.Repeat("he", 40)) + "rs", new string('z', 100), new string('z', 63) + "she",
            new string('z', 40) + "a" + new string('z', 40) + "she" + new string('é', 30) + "hers",
        };
        for (var n = 0; n < 400; n++)
        {
            var value = new StringBuilder();
            var length = random.Next(64, n < 350 ? 400 : 6000);
            while (value.Length < length)
            {
                value.Append(random.Next(4) == 0 ? parts[random.Next(parts.Length)] : alphabet[random.Next(alphabet.Length)]);
            }

            values.Add(value.ToString());
        }

        foreach (var value in values)
        {
            set.Match(Encoding.UTF8.GetBytes("{\"f\":" + JsonSerializer.Serialize(value) + "}"), result);

            int[] expected = [.. parts.Select((part, i) => (part, i)).Where(p => value.Contains(p.part, StringComparison.Ordinal)).Select(p => p.i)];
            Assert.Equal(expected, result.PatternIds.ToArray());
            Assert.Equal(expected.Length, result.VerifiedCount);
        }
    }

    // Each substring table's precomputed moves cost 256 bytes per state, and a set has a table per field and index node:
    // 1,000 policies with a 64-char part each on a field of its own would want 8.3 million moves (16 MB), and more
    // fields more. The set's rows stop at its budget; the tables past it walk by their failure links, with the same answers.
    [Fact]
    public void Build_PartsOverManyFields_PrecomputedMovesStayWithinTheSetsBudget()
    {
        var parts = Enumerable.Range(0, 1000).Select(i => i.ToString("D4", CultureInfo.InvariantCulture) + new string((char)('a' + (i % 26)), IndexKey.MaxPartLength - 4)).ToList();
        var set = new CompiledPatternSetBuilder().Build([.. parts.Select((part, i) => TestPatterns.FromJson("{\"f" + i + "\":[{\"contains\":\"" + part + "\"}]}"))]);
        var result = new MatchResult();

        Assert.InRange(set.IndexDenseMoves, 1, DenseMoveBudget.PerSet);
        foreach (var i in new[] { 0, 7, 500, 998, 999 })
        {
            set.Match(Encoding.UTF8.GetBytes("{\"f" + i + "\":\"x" + parts[i] + "y\",\"f" + ((i + 1) % 1000) + "\":\"" + parts[i] + "\"}"), result);
            Assert.Equal([i], result.PatternIds.ToArray());
        }
    }

    // A set over many fields (a policy per field: 5,000 fields in the `wide` probe) is built in memory proportional to
    // it: the index counts each field's keys in a table of its own, and a table sized by the node's items, for every
    // field, made the build's memory grow with their product (2.4 GB for the probe's 10,000 policies). Four times the
    // fields allocate about four times the bytes, not sixteen.
    [Fact]
    public void Build_PatternsOnManyFields_AllocatesInProportionToThem()
    {
        static long Allocated(int fields)
        {
            var patterns = Enumerable.Range(0, fields).Select(i => TestPatterns.FromJson("{\"data\":{\"f" + i + "\":[\"v" + i + "\"]}}")).ToList();
            var before = GC.GetAllocatedBytesForCurrentThread();
            GC.KeepAlive(new CompiledPatternSetBuilder().Build(patterns));
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Allocated(50); // the first build of a process also fills caches
        var (some, many) = (Allocated(250), Allocated(1_000));

        Assert.InRange(many / (double)some, 2.0, 6.0);
    }

    // Parts longer than the index keeps (64 chars) are keyed by their head and checked whole: a value holding the head
    // but not the whole part is proposed and refused; one holding the whole part matches.
    [Fact]
    public void Match_PartsLongerThanTheKey_AreCheckedWhole()
    {
        var head = new string('h', IndexKey.MaxPartLength);
        var patterns = new List<PatternObject>
        {
            TestPatterns.FromJson("{\"f\":[{\"contains\":\"" + head + "-one\"}]}"),
            TestPatterns.FromJson("{\"f\":[{\"wildcard\":\"*" + head + "-two*\"}]}"),
            TestPatterns.FromJson("{\"f\":[{\"contains\":\"" + head + "\"}]}"),
        };

        Assert.Equal(3, Verified(patterns, "{\"f\":\"x" + head + "-three\"}", out var headOnly));
        Assert.Equal([2], headOnly);
        Verified(patterns, "{\"f\":\"x" + head + "-one " + head + "-two\"}", out var all);
        Assert.Equal([0, 1, 2], all);
    }

    // The walk's scratch (one stamp per thread's result) is as long as the parts, not as all their chars: 200 parts of
    // 64 chars are ~12,800 automaton states, and a stamp per state cost every matching thread 51 KB here (and 64 times
    // the parts with longer ones) for what 200 stamps do.
    [Fact]
    public void Match_ContainsParts_ScratchIsBoundedByThePartsNotTheirChars()
    {
        var parts = Enumerable.Range(0, 200).Select(i => i.ToString("D4", CultureInfo.InvariantCulture) + new string((char)('a' + (i % 26)), IndexKey.MaxPartLength - 4)).ToList();
        var patterns = parts.Select(part => TestPatterns.FromJson("{\"f\":[{\"contains\":\"" + part + "\"}]}")).ToList();
        var set = new CompiledPatternSetBuilder().Build(patterns);
        var result = new MatchResult();

        set.Match(Encoding.UTF8.GetBytes("{\"f\":\"x" + parts[7] + parts[150] + "\"}"), result);

        Assert.Equal([7, 150], result.PatternIds.ToArray());
        Assert.True(result.View.SubstringStamps.Length <= 256, $"{result.View.SubstringStamps.Length} stamps for 200 parts");
    }

    // A value of 100,000 chars repeating parts nested 1,000 deep ("a" ... 1,000 a's): each part is reported once, and the
    // walk stops at a part reported already, so the cost is the value's length, not its length times the parts (without
    // the stamps the walk would list 10^8 nodes).
    [Fact]
    public void Match_AValueRepeatingNestedParts_ReportsEachPartOnce()
    {
        var patterns = Enumerable.Range(1, 1000).Select(n => TestPatterns.FromJson("{\"f\":[{\"contains\":\"" + new string('a', n) + "\"}]}")).ToList();

        var verified = Verified(patterns, "{\"f\":\"" + new string('a', 100_000) + "\"}", out var matches);

        Assert.Equal(Enumerable.Range(0, 1000), matches);
        Assert.Equal(1000, verified);
    }

    // 1,000 IPv4 networks (nested /16s and /24s, single addresses, 0.0.0.0/0) on one field: a value is looked up by its
    // address, and reaches exactly the networks that hold it; an IPv6 network has no key and is verified; an
    // IPv4-mapped IPv6 address, a non-canonical IPv4 form, a number and a near miss reach no IPv4 network.
    [Fact]
    public void Match_Ipv4Networks_AreIndexedByTheValuesAddress()
    {
        var networks = new List<string> { "0.0.0.0/0", "2001:db8::/32" };
        for (var i = 0; networks.Count < 1000; i++)
        {
            networks.Add((i % 3) switch
            {
                0 => $"10.{i % 256}.0.0/16",
                1 => $"10.{i % 256}.{i / 256 % 256}.0/24",
                _ => $"192.168.{i % 256}.{i / 256 % 256}/32",
            });
        }

        networks = [.. networks.Distinct()];
        var patterns = networks.Select(n => TestPatterns.FromJson("{\"ip\":[{\"cidr\":\"" + n + "\"}]}")).ToList();
        int[] Expected(string ip) => [.. networks.Select((n, i) => (n, i))
            .Where(p => System.Net.IPAddress.TryParse(ip, out var a) && a.AddressFamily == System.Net.IPNetwork.Parse(p.n).BaseAddress.AddressFamily
                && System.Net.IPNetwork.Parse(p.n).Contains(a) && !(a.IsIPv4MappedToIPv6 && p.n.Contains('.', StringComparison.Ordinal)))
            .Select(p => p.i)];

        foreach (var ip in new[] { "10.4.0.0", "10.4.0.255", "10.1.0.7", "192.168.2.0", "192.168.2.1", "11.0.0.1", "255.255.255.255", "2001:db8::5" })
        {
            var verified = Verified(patterns, "{\"ip\":\"" + ip + "\"}", out var matches);
            Assert.Equal(Expected(ip), matches);
            Assert.True(verified <= matches.Length + 1, $"{ip}: {verified} verified for {matches.Length} matches");
        }

        foreach (var notAnAddress in new[]
        {
            "\"::ffff:10.4.0.1\"", "\"010.4.0.1\"", "\"10.4.0\"", "\"10.4.0.1.\"", "\"10.4.0.256\"", "167772161",
            "\" 10.4.0.1\"", "\"10.4.0.1\\n\"", "\"10.4.0.1\\u0000\"", "\"10.4.0.0001\"", "\"10.4.0.1/8\"", "\"\"",
            "\"" + string.Join('.', Enumerable.Repeat("10", 5000)) + "\"",
        })
        {
            Verified(patterns, "{\"ip\":" + notAnAddress + "}", out var matches);
            Assert.DoesNotContain(matches, i => networks[i].Contains('.', StringComparison.Ordinal));
        }
    }

    // 1,000 patterns that each ask only for one field to be present (exists: true), on 1,000 fields: an event reaches the
    // patterns of the fields it has, decided by the index; a field that is an object, [] or null-free nothing has no
    // leaf value and does not count (null does), and several values of one field reach its pattern once.
    [Fact]
    public void Match_ExistsTrueOnly_ReachesThePatternsOfTheFieldsTheEventHas()
    {
        var patterns = Enumerable.Range(0, 1000).Select(i => TestPatterns.FromJson("{\"data\":{\"f" + i + "\":[{\"exists\":true}]}}")).ToList();
        patterns.Add(TestPatterns.FromJson("""{"data":{"f5":[{"exists":false}]}}"""));

        var verified = Verified(patterns, """{"data":{"f3":"x","f7":null,"f9":{"a":1},"f11":[],"f12":[1,2,"y"],"g":1}}""", out var matches);

        // The four that match, and at most the 8 a node keeps without a split by presence alone.
        Assert.Equal([3, 7, 12, 1000], matches);
        Assert.True(verified <= 4 + 8, $"{verified} verified");
    }

    // anything-but and numeric-string accept no value a key describes, but only a field that has a value: 1,000 such
    // patterns on 1,000 fields are verified only where the event has the field (before, every one for every event). The
    // values are still verified: an excluded value, a string that is not a number, null against numeric-string.
    [Fact]
    public void Match_AnythingButAndNumericStringOnly_VerifiedOnlyWhereTheFieldIs()
    {
        var patterns = Enumerable.Range(0, 1000).Select(i => TestPatterns.FromJson(i % 2 == 0
            ? "{\"data\":{\"f" + i + "\":[{\"anything-but\":[\"off\",\"0\"]}]}}"
            : "{\"data\":{\"f" + i + "\":[{\"numeric-string\":[\">\",10]}]}}")).ToList();

        var verified = Verified(patterns,
            """{"data":{"f2":"on","f4":"off","f6":null,"f8":[],"f3":"25","f5":"25 rows","f7":null,"f9":11,"f11":{"a":"12"},"g":1}}""", out var matches);

        Assert.Equal([2, 3, 6, 9], matches);
        Assert.True(verified <= 8 + 8, $"{verified} verified");
        var none = Verified(patterns, """{"data":{"g":"x","h":[1,2]}}""", out var noMatches);
        Assert.Empty(noMatches);
        Assert.True(none <= 8, $"{none} verified for an event with none of the fields");
    }

    // Patterns on many fields, one or two each (a field per team, or a random workload): no field splits them among
    // themselves, but each narrows by the events. Before, 830 of 1,000 were verified for every event, and choosing one
    // path after another over 5,000 fields cost time quadratic in the patterns (10,000 took 50 s to build). Now an event
    // verifies the patterns of the fields it has, its node is reached through the paths the event has (not by trying
    // 5,000 partitions), and the build counts each item a bounded number of times.
    [Theory]
    [InlineData(1_000)]
    [InlineData(10_000)]
    public void Match_PatternsOnManyFields_VerifyOnlyTheFieldsTheEventHas_BuiltInLinearWork(int count)
    {
        var fields = count / 2;
        var patterns = Enumerable.Range(0, count).Select(i => TestPatterns.FromJson(
            "{\"data\":{\"custom_" + (i % fields) + "\":[\"" + (i / fields) + "\"]}}")).ToList();
        var set = new CompiledPatternSetBuilder().Build(patterns);
        var result = new MatchResult();

        set.Match("""{"data":{"custom_3":"0","custom_7":"1","custom_8":"9","other":"0"}}"""u8, result);

        Assert.Equal([3, fields + 7], result.PatternIds.ToArray());
        Assert.True(result.VerifiedCount <= 2, $"{result.VerifiedCount} verified");
        Assert.True(result.VisitedCount <= 6, $"{result.VisitedCount} index nodes visited");
        Assert.True(set.IndexBuildWork <= 10L * count, $"{set.IndexBuildWork} items counted to build the index of {count}");
    }

    // An absurd event carrying every one of 5,000 fields the patterns name (and one with a 20,000-value array on one of
    // them): the event's list of paths grows past its first capacity, the node is then walked partition by partition,
    // and the answer is still exactly the patterns whose value the event has.
    [Fact]
    public void Match_EventWithEveryField_StillExact()
    {
        const int Fields = 5_000;
        var patterns = Enumerable.Range(0, 2 * Fields).Select(i => TestPatterns.FromJson(
            "{\"data\":{\"custom_" + (i % Fields) + "\":[\"" + (i / Fields) + "\"]}}")).ToList();
        var set = new CompiledPatternSetBuilder().Build(patterns);
        var result = new MatchResult();

        var every = "{\"data\":{" + string.Join(",", Enumerable.Range(0, Fields).Select(f => "\"custom_" + f + "\":\"" + (f % 2) + "\"")) + "}}";
        set.Match(Encoding.UTF8.GetBytes(every), result);
        Assert.Equal(Enumerable.Range(0, 2 * Fields).Where(i => i % Fields % 2 == i / Fields), result.PatternIds.ToArray());

        var array = "{\"data\":{\"custom_9\":[" + string.Join(",", Enumerable.Range(0, 20_000).Select(v => "\"" + (v % 3) + "\"")) + "]}}";
        set.Match(Encoding.UTF8.GetBytes(array), result);
        Assert.Equal([9, Fields + 9], result.PatternIds.ToArray());
    }

    // A large answer (hundreds of matches per event, from several index nodes whose lists interleave) comes back in
    // ascending order, each id once, the same over several events and for small answers after large ones.
    [Fact]
    public void Match_LargeAnswers_AscendingEachOnce()
    {
        var patterns = Enumerable.Range(0, 3_000).Select(i => TestPatterns.FromJson((i % 3) switch
        {
            0 => "{\"type\":[\"t" + (i % 2) + "\"]}",
            1 => "{\"source\":[\"s\"],\"data\":{\"n\":[{\"numeric\":[\">\"," + (i % 7) + "]}]}}",
            _ => "{\"data\":{\"k\":[\"v" + (i % 5) + "\"]}}",
        })).ToList();
        var set = new CompiledPatternSetBuilder().Build(patterns);
        var result = new MatchResult();
        foreach (var cloudEvent in new[]
        {
            """{"type":"t0","source":"s","data":{"n":4,"k":"v3"}}""",
            """{"type":"t1","data":{"k":"v0"}}""",
            """{"type":"none","source":"s","data":{"n":0}}""",
            """{"type":"t0","source":"s","data":{"n":9,"k":["v1","v2","v1"]}}""",
        })
        {
            var bytes = Encoding.UTF8.GetBytes(cloudEvent);
            using var document = JsonDocument.Parse(bytes, TestPatterns.DocumentOptions);
            var expected = Enumerable.Range(0, patterns.Count).Where(p => ReferencePatternEvaluator.Matches(patterns[p], document.RootElement)).ToArray();

            set.Match(bytes, result);

            Assert.Equal(expected, result.PatternIds.ToArray());
        }
    }

    // The open-addressing table behind integer keys: every key found (also 0, negatives, the extremes and runs of
    // consecutive ids, which share home slots and probe on), and absent keys end at an empty slot.
    [Fact]
    public void IntegerTable_FindsEveryKeyAndNothingElse()
    {
        long[] keys = [.. Enumerable.Range(0, 300).Select(i => (long)i * 4096), 0L + 1, -1, -7_000_000_000, long.MaxValue, long.MinValue, 1234567890123456];
        var entries = keys.Distinct().ToDictionary(k => k, k => new IndexNode((int)(k & 0xFFFF)));
        var table = new IntegerTable(entries);

        Assert.All(entries, e => Assert.Same(e.Value, table.Find(e.Key)));
        Assert.All(new long[] { 2, 4095, -2, long.MaxValue - 1, 1234567890123457, 300 * 4096 }, k => Assert.Null(table.Find(k)));
        Assert.Null(new IntegerTable([]).Find(0));
    }
}
