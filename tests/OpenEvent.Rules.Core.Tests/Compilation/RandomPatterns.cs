using System.Globalization;
using System.Text;

namespace OpenEvent.Rules.Core.Tests.Compilation;

/// <summary>
/// Random patterns and events over a deliberately small vocabulary of paths and values, so that matches, near misses
/// and every structural edge (arrays, arrays of objects, objects where scalars are expected, null, missing fields,
/// numbers written differently) actually happen. Seeded: a failure names its seed and reproduces.
/// Both sides are produced as JSON text: readable in failure messages, parsed by TestPatterns / the matcher.
/// </summary>
internal sealed class RandomPatterns
{
    private static readonly string[] Strings = ["a", "ab", "abc", "B", "b", "prod", "Prod", "x.sql", "y.SQL", "", "dws_a_daily", "10.1.2.3", "10.1.3.4", "::ffff:10.1.2.3", "2001:db8::1", "é", "ǆ"];
    private static readonly string[] Numbers = ["0", "1", "1.0", "5", "10", "300", "3e2", "-1", "0.5", "1234567890123456"];

    // Top-level leaves, data.* leaves, and data.items[] objects (name, size) for same-element cases.
    private static readonly string[] RootLeaves = ["type", "source", "subject"];
    private static readonly string[] BaseDataLeaves = ["projectId", "operator", "fileName", "status", "tags", "flag"];
    private static readonly string[] ItemLeaves = ["name", "size"];

    private readonly Random _random;
    private readonly bool _longLists;
    private readonly string[] _dataLeaves;

    /// <param name="longLists">
    /// Some leaves list 65-150 entries, most of them ids 0-199 that events hold too: past the 64 copies a pattern
    /// makes without the set's budget of wide listings (CandidateIndexBuilder), so the wide path is crossed as well.
    /// </param>
    /// <param name="manyFields">
    /// 80 more data.* leaves (f0..f79), so that index nodes hold partitions on more paths than an event has values on
    /// (reached through the event's paths) and most paths hold one pattern (split by the ranking, not chosen one by one).
    /// </param>
    public RandomPatterns(int seed, bool longLists = false, bool manyFields = false)
    {
        _random = new Random(seed);
        _longLists = longLists;
        _dataLeaves = [.. BaseDataLeaves, .. Enumerable.Range(0, manyFields ? 80 : 0).Select(i => "f" + i.ToString(CultureInfo.InvariantCulture))];
    }

    public string NextPattern()
    {
        var members = new List<string>();
        var count = _random.Next(1, 4);
        for (var i = 0; i < count; i++)
        {
            members.Add(_random.Next(10) switch
            {
                < 4 => Leaf(Pick(RootLeaves)),
                < 8 => $"\"data\":{DataObject(depth: 0)}",
                _ => Or(() => $"\"data\":{DataObject(depth: 1)}"),
            });
        }

        return "{" + string.Join(",", Distinct(members)) + "}";
    }

    public string NextEvent()
    {
        var fields = new List<string>();
        foreach (var name in RootLeaves)
        {
            if (_random.Next(3) > 0)
            {
                fields.Add($"\"{name}\":{EventValue(0)}");
            }
        }

        switch (_random.Next(6))
        {
            case 0:
                break; // no data
            case 1:
                fields.Add($"\"data\":{EventValue(0)}"); // data as a scalar or array: nested patterns see {}
                break;
            default:
                fields.Add($"\"data\":{EventData()}");
                break;
        }

        fields.Add("\"unused\":{\"deep\":[1,{\"x\":\"y\"}]}");
        return "{" + string.Join(",", Shuffle(fields)) + "}";
    }

    private string DataObject(int depth)
    {
        var members = new List<string>();
        var count = _random.Next(1, 4);
        for (var i = 0; i < count; i++)
        {
            members.Add(_random.Next(8) switch
            {
                < 5 => Leaf(Pick(_dataLeaves)),
                < 7 => $"\"items\":{{{string.Join(",", Distinct([Leaf(Pick(ItemLeaves)), .. _random.Next(2) == 0 ? new[] { Leaf(Pick(ItemLeaves)) } : []]))}}}",
                _ => depth == 0 ? Or(() => Leaf(Pick(_dataLeaves))) : Leaf(Pick(_dataLeaves)),
            });
        }

        return "{" + string.Join(",", Distinct(members)) + "}";
    }

    private string Or(Func<string> branch) => $"\"$or\":[{{{branch()}}},{{{branch()}}}]";

    private string Leaf(string name)
    {
        var entries = new List<string>();
        var count = _random.Next(1, 3);
        for (var i = 0; i < count; i++)
        {
            entries.Add(Entry());
        }

        if (_longLists && _random.Next(3) == 0)
        {
            entries.AddRange(Enumerable.Range(0, _random.Next(65, 150)).Select(_ => Id()));
        }

        return $"\"{name}\":[{string.Join(",", entries)}]";
    }

    private string Entry() => _random.Next(20) switch
    {
        < 5 => Quote(Pick(Strings)),
        < 8 => Pick(Numbers),
        8 => Pick(["true", "false", "null"]),
        9 => $"{{\"prefix\":{Quote(Pick(["a", "ab", "x", "", "dws_", "p"]))}}}",
        10 => $"{{\"suffix\":{{\"equals-ignore-case\":{Quote(Pick([".sql", "B", "_daily"]))}}}}}",
        11 => $"{{\"equals-ignore-case\":{Quote(Pick(Strings))}}}",
        12 => $"{{\"wildcard\":{Quote(Pick(["a*", "*b", "*.sql", "dws_*_daily", "*", "a*c", "*od*", "*s*_*", "*a*b*"]))}}}",
        13 => $"{{\"numeric\":{Pick(["[\">\",0]", "[\">=\",1,\"<\",10]", "[\"=\",300]", "[\"<=\",0.5]", "[\">\",1,\"<=\",1234567890123456]"])}}}",
        14 => $"{{\"exists\":{Pick(["true", "false"])}}}",
        15 => $"{{\"anything-but\":{Pick(["\"a\"", "[\"a\",\"b\"]", "[300]", "{\"prefix\":\"a\"}", "{\"suffix\":\"b\"}", "{\"equals-ignore-case\":[\"PROD\"]}", "{\"wildcard\":\"*.sql\"}"])}}}",
        16 => $"{{\"contains\":{Quote(Pick(["b", "sq", "od", "", "a", "ab", "ws_", "aily"]))}}}",
        17 => $"{{\"cidr\":{Quote(Pick(["10.0.0.0/8", "10.1.2.0/24", "10.1.2.3/32", "0.0.0.0/0", "2001:db8::/32"]))}}}",
        18 => $"{{\"prefix\":{{\"equals-ignore-case\":{Quote(Pick(["PR", "a"]))}}}}}",
        _ => $"{{\"suffix\":{Quote(Pick(["b", "sql", "daily"]))}}}",
    };

    private string EventData()
    {
        var fields = new List<string>();
        foreach (var name in _dataLeaves)
        {
            // Of many fields, an event has a few: the base leaves two times in three, each extra one time in eight.
            if (Array.IndexOf(BaseDataLeaves, name) < 0 ? _random.Next(8) == 0 : _random.Next(3) > 0)
            {
                fields.Add($"\"{name}\":{EventValue(0)}");
            }
        }

        if (_random.Next(3) > 0)
        {
            var items = new List<string>();
            var count = _random.Next(0, 4);
            for (var i = 0; i < count; i++)
            {
                items.Add(_random.Next(6) == 0 ? EventValue(1) : ItemObject());
            }

            fields.Add(_random.Next(5) == 0 && items.Count > 0 ? $"\"items\":{items[0]}" : $"\"items\":[{string.Join(",", items)}]");
        }

        return "{" + string.Join(",", Shuffle(fields)) + "}";
    }

    private string ItemObject()
    {
        var fields = new List<string>();
        foreach (var name in ItemLeaves)
        {
            if (_random.Next(3) > 0)
            {
                fields.Add($"\"{name}\":{EventValue(1)}");
            }
        }

        return "{" + string.Join(",", fields) + "}";
    }

    private string Id() => _random.Next(200).ToString(CultureInfo.InvariantCulture);

    private string EventValue(int depth) => _random.Next(12) switch
    {
        < 3 when _longLists => Id(),
        < 5 => Quote(Pick(Strings)),
        < 8 => Pick(Numbers),
        8 => Pick(["true", "false", "null"]),
        9 when depth < 2 => "[" + string.Join(",", Enumerable.Range(0, _random.Next(0, 3)).Select(_ => EventValue(depth + 1))) + "]",
        10 => "{\"k\":" + Quote(Pick(Strings)) + "}",
        _ => Quote(Pick(Strings)),
    };

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private List<string> Shuffle(List<string> items)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = _random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }

        return items;
    }

    // A pattern object cannot repeat a member name (JSON); keep the first member per name.
    private static IEnumerable<string> Distinct(IEnumerable<string> members) =>
        members.GroupBy(m => m[..(m.IndexOf(':', StringComparison.Ordinal))]).Select(g => g.First());

    private static string Quote(string value)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in value)
        {
            builder.Append(c is '"' or '\\' ? "\\" + c : c.ToString(CultureInfo.InvariantCulture));
        }

        return builder.Append('"').ToString();
    }
}
