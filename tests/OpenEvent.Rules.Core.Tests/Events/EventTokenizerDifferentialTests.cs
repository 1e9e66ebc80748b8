using System.Globalization;
using System.Text;
using OpenEvent.Rules.Events;

namespace OpenEvent.Rules.Core.Tests.Events;

/// <summary>
/// The single pass's own tokenizer (<see cref="EventReader"/> over <see cref="EventTokenizer"/>) against the same pass
/// built on System.Text.Json's Utf8JsonReader (<see cref="Utf8JsonReaderEventReader"/>, the engine before the
/// tokenizer): over generated events, their mutations, every truncation of real samples and tables of number, literal,
/// escape, whitespace, structure and depth edge cases, both must refuse the same inputs with the same error id (and,
/// but for invalid JSON, whose positions are worded differently, the same message) and read every accepted input
/// into the same view.
/// </summary>
public sealed class EventTokenizerDifferentialTests
{
    // Read paths at several depths, with arrays and nested objects below them; everything else is skipped.
    private static readonly string[] Paths =
        ["type", "id", "source", "specversion", "data", "data.used", "data.projectId", "data.operator", "data.list", "data.list.k",
         "data.list.a.b", "data.a.b.c", "x", "é", "k"];

    private static readonly string[] SampleFiles =
        ["DagStatusChanges-DagStatusChanges.json", "ApprovalChange-ApprovalChangeCreated.json", "BackfillDataOperate-BackfillData.json"];

    private static readonly (PathNode Root, int Count) Trie = BuildTrie();

    private readonly List<string> _mismatches = [];
    private readonly Dictionary<string, int> _outcomes = new(StringComparer.Ordinal);

    private static (PathNode, int) BuildTrie()
    {
        var builder = new PathTrieBuilder();
        foreach (var path in Paths)
        {
            var node = builder.Root;
            foreach (var name in path.Split('.'))
            {
                node = builder.Child(node, name);
            }
        }

        builder.Seal();
        return (builder.Root, builder.Nodes.Count);
    }

    [Fact]
    public void Read_GeneratedEventsAndTheirMutations_AgreeWithUtf8JsonReader()
    {
        var random = new Random(18);
        var generator = new JsonEventGenerator(random);
        for (var i = 0; i < 600; i++)
        {
            var json = Encoding.UTF8.GetBytes(generator.Event());
            Check(json);
            for (var m = 0; m < 16; m++)
            {
                Check(JsonEventGenerator.Mutate(json, random));
            }
        }

        AssertAgreed(minimumCases: 10_000);
        Assert.True(_outcomes["accepted"] >= 600, Summary()); // the generator's events are valid, so the views are compared
        Assert.True(_outcomes.ContainsKey(InvalidEventException.DuplicateKey), Summary());
        Assert.True(_outcomes.ContainsKey(InvalidEventException.InvalidUtf8), Summary()); // escaped lone surrogates, after cuts
    }

    [Fact]
    public void Read_EveryTruncationAndByteReplacementOfSamples_AgreesWithUtf8JsonReader()
    {
        var samples = SampleFiles
            .Select(file => File.ReadAllBytes(RepositoryPaths.Combine("samples", "events", file)))
            .ToList();
        foreach (var sample in samples)
        {
            for (var length = 0; length <= sample.Length; length++)
            {
                Check(sample[..length]);
            }
        }

        // Compact (no whitespace between tokens, the fast path) and replaced byte by byte with structural characters.
        var compact = Encoding.UTF8.GetBytes(System.Text.Json.Nodes.JsonNode.Parse(samples[0])!.ToJsonString());
        foreach (var replacement in "{}[]:,\"\\0-.e tn\u0001"u8.ToArray())
        {
            for (var at = 0; at < compact.Length; at++)
            {
                var mutated = (byte[])compact.Clone();
                mutated[at] = replacement;
                Check(mutated);
            }
        }

        AssertAgreed(minimumCases: 15_000);
    }

    [Fact]
    public void Read_NumberLiteralEscapeAndStructureTables_AgreeWithUtf8JsonReader()
    {
        string[] numbers =
            ["0", "-0", "1", "-1", "01", "-01", "00", "1.", "-.5", ".5", "1.5", "0.0", "-", "--1", "+1", "1e", "1e+", "1e-", "1e5", "1E5",
             "1e+05", "1E-5", "0e0", "0.e1", "1ee5", "1e5.5", "1.5e", "2.", "1.5.5", "12345678901234567890123456789", "1e400", "-1e-400",
             "0x10", "Infinity", "NaN", "-Infinity", "1_000", "١", "9007199254740993", "-9223372036854775809", "1 2", "1-2", "1e5e5"];
        string[] literals = ["true", "false", "null", "tru", "fals", "nul", "t", "f", "n", "True", "NULL", "nulll", "truefalse", "nullx", "true1", "tRue", "undefined"];
        foreach (var value in numbers.Concat(literals).Concat(Strings()).Concat(Structures()))
        {
            foreach (var json in Placements(value))
            {
                Check(Encoding.UTF8.GetBytes(json));
            }
        }

        AssertAgreed(minimumCases: 1_000);
        foreach (var id in new[] { InvalidEventException.InvalidJson, InvalidEventException.DuplicateKey, InvalidEventException.NotAnObject, InvalidEventException.InvalidUtf8 })
        {
            Assert.True(_outcomes.ContainsKey(id), Summary());
        }
    }

    [Fact]
    public void Read_WhitespaceBomAndEmptyInputs_AgreeWithUtf8JsonReader()
    {
        byte[][] inputs =
        [
            [], " "u8.ToArray(), "\t\r\n "u8.ToArray(), [0xEF, 0xBB, 0xBF, .. "{}"u8], [.. "{}"u8, 0xEF, 0xBB, 0xBF], "{}\u00a0"u8.ToArray(),
            "\u00a0{}"u8.ToArray(), "{}\f"u8.ToArray(), "{}\v"u8.ToArray(), "{}\0"u8.ToArray(), "\0{}"u8.ToArray(), "{\f}"u8.ToArray(),
            "{\"a\"\t:\r1\n}"u8.ToArray(), "{\"a\"\u2028:1}"u8.ToArray(), "{} /**/"u8.ToArray(), "{}//"u8.ToArray(), "{}#"u8.ToArray(),
            "{} {}"u8.ToArray(), "{},"u8.ToArray(), "{}]"u8.ToArray(), "{\"a\":1}\n\n  \t"u8.ToArray(), [0xFF], [.. "{\"a\":\""u8, 0xFF, .. "\"}"u8],
        ];
        foreach (var input in inputs)
        {
            Check(input);
        }

        AssertAgreed(minimumCases: inputs.Length);
    }

    [Fact]
    public void Read_NestingAroundTheLimit_AgreesWithUtf8JsonReader()
    {
        foreach (var depth in new[] { 1, 2, 62, 63, 64, 65, 66, 200 })
        {
            foreach (var (open, close) in new[] { ("[", "]"), ("{\"k\":", "}"), ("{\"x\":", "}"), ("[{\"a\":", "}]") })
            {
                var nest = string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth));
                foreach (var json in new[] { nest, "{\"data\":{\"list\":" + nest + "}}", "{\"data\":{\"a\":" + nest + "}}", "{\"x\":" + nest + "}", nest[..^1] })
                {
                    Check(Encoding.UTF8.GetBytes(json));
                }
            }
        }

        AssertAgreed(minimumCases: 150);
        Assert.True(_outcomes.ContainsKey(InvalidEventException.TooDeep), Summary());
    }

    [Fact]
    public void Read_RandomTokenSoup_AgreesWithUtf8JsonReader()
    {
        // Short random sequences of JSON's bytes: odd structures no generator of valid events reaches.
        var random = new Random(1818);
        var alphabet = "{}[]:,\"\\0123-.eE+tfnrulas \n\f\u0001"u8.ToArray();
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(1, 24)];
            for (var j = 0; j < bytes.Length; j++)
            {
                bytes[j] = alphabet[random.Next(alphabet.Length)];
            }

            Check(bytes[0] == (byte)'{' || random.Next(3) > 0 ? bytes : [(byte)'{', .. bytes]);
        }

        AssertAgreed(minimumCases: 20_000);
    }

    private static IEnumerable<string> Strings()
    {
        string[] bodies =
            [@"\""", @"\\", @"\/", @"\b", @"\f", @"\n", @"\r", @"\t", @"\u0041", @"\u00e9", @"\u00E9", @"\uD83D\uDE00", @"\ud83d\ude00",
             @"\ud800", @"\udc00", @"\ud800\u0041", @"\ud800\\", @"\ud800\ud800", @"\x", @"\u12", @"\u12G4", @"\U0041", @"\'", @"\0", @"\a",
             @"\", @"\u", "é", "中文", "😀", "\u007f", "a\u0001b", "\t", "\n", "\u001f", "plain", new string('x', 70) + @"\n" + new string('y', 40),
             new string('z', 33) + "\u0002", @"a\u0000b", @"\\\\\""", @"\\u0041", @"\\\u0041"];
        foreach (var body in bodies)
        {
            yield return "\"" + body + "\"";
            yield return "\"" + body; // unterminated
        }
    }

    private static IEnumerable<string> Structures() =>
        ["{}", "[]", "{,}", "[,]", "[1,]", "[,1]", "[1,,2]", "[1 2]", "{\"a\":1,}", "{\"a\" 1}", "{\"a\"::1}", "{\"a\":1 \"b\":2}", "{\"a\":1}}",
         "{\"a\":[1}", "{1:2}", "{a:1}", "{\"a\"}", "{\"a\":}", "{:1}", "[}", "{]", "{\"a\":1,\"a\":2}", "{\"\\u0061\":1,\"a\":[]}", "[[]]",
         "[{}]", "{\"k\":{\"k\":{}}}", "{\"a\":1}/", "'x'", "{'a':1}", "[1]]", "{\"a\":{\"b\":1,\"b\":{}}}", "[\"a\":1]", "{\"a\",1}"];

    // A value where the event's root, a read field, an array element and a skipped field put it.
    private static IEnumerable<string> Placements(string value) =>
    [
        value, "{\"data\":{\"used\":" + value + "}}", "{\"data\":{\"list\":[" + value + "," + value + "]}}", "{\"x\":" + value + ",\"type\":\"t\"}",
        "{\"skipped\":[{\"a\":" + value + "}],\"id\":1}", "{\"data\":{\"projectId\":" + value + "}}", "[" + value + "]", "{\"id\":" + value,
        "{" + value + ":1}", "{\"k\":1," + value + ":2}",
    ];

    private void Check(byte[] json)
    {
        var expected = Outcome(json, Utf8JsonReaderEventReader.Read);
        var actual = Outcome(json, EventReader.Read);
        var key = expected.StartsWith("accepted", StringComparison.Ordinal) ? "accepted" : expected.Split(':')[0];
        _outcomes[key] = _outcomes.GetValueOrDefault(key) + 1;
        if (expected != actual && _mismatches.Count < 20)
        {
            _mismatches.Add($"input {Encoding.UTF8.GetString(json)} ({Convert.ToHexString(json.AsSpan(0, Math.Min(json.Length, 64)))}...)\n  reader:    {expected}\n  tokenizer: {actual}");
        }
    }

    private delegate void Reader(ReadOnlySpan<byte> utf8, PathNode root, EventView view);

    private static string Outcome(byte[] json, Reader read)
    {
        var view = new EventView();
        view.Reset(Trie.Count);
        try
        {
            read(json, Trie.Root, view);
        }
        catch (InvalidEventException ex)
        {
            // Invalid JSON: the id must agree, the wording of the position differs (the reader's line/byte in line).
            return ex.Id == InvalidEventException.InvalidJson ? ex.Id : ex.Id + ": " + ex.Message;
        }

        return "accepted " + Dump(view);
    }

    // Everything the matcher reads from the view: values (kind, text, number, links), instances, slots and paths.
    private static string Dump(EventView view)
    {
        var text = new StringBuilder();
        for (var i = 0; i < view.ValueCount; i++)
        {
            ref var v = ref view.Values[i];
            text.Append(CultureInfo.InvariantCulture, $"[{v.Kind} '{view.Text(i)}' {v.Number} {v.InArray} {v.NextInSlot} {v.NextInPath}]");
        }

        text.Append(" instances");
        for (var i = 0; i < view.InstanceCount; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $" {view.InstanceSlotBase[i]}/{view.InstanceNext[i]}");
        }

        text.Append(" slots");
        for (var i = 0; i < view.SlotCount; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $" {view.SlotLeafHead[i]}/{view.SlotChildHead[i]}");
        }

        text.Append(" paths");
        for (var p = 0; p < Trie.Count; p++)
        {
            text.Append(CultureInfo.InvariantCulture, $" {view.FirstInPath(p)}/{view.ArrayStamp[p] == view.Epoch}");
        }

        return text.ToString();
    }

    private string Summary() => string.Join(", ", _outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key}: {o.Value}"));

    private void AssertAgreed(int minimumCases)
    {
        Assert.True(_mismatches.Count == 0, $"{_mismatches.Count}+ disagreements ({Summary()}):\n" + string.Join("\n", _mismatches));
        Assert.True(_outcomes.Values.Sum() >= minimumCases, Summary());
    }
}
