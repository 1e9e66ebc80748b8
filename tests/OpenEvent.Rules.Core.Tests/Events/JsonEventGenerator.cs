using System.Text;

namespace OpenEvent.Rules.Core.Tests.Events;

/// <summary>
/// Deterministic random JSON events for <see cref="EventTokenizerDifferentialTests"/>: objects whose names hit read and
/// skipped paths (some escaped, some spelling the same name twice), arrays, strings with every escape and raw UTF-8,
/// numbers of every form, literals, random whitespace; and mutations of them (bytes replaced, deleted, inserted,
/// cut).
/// </summary>
internal sealed class JsonEventGenerator(Random random)
{
    private static readonly string[] Names =
        ["type", "id", "source", "data", "used", "projectId", "operator", "list", "k", "a", "b", "c", "x", "y", "é", @"\u00e9", @"\u0061",
         @"caf\u00e9", @"\ud83d\ude00", "sp ace", "", @"\n", "abcdefgh_1_ijklmnop", "abcdefgh_2_ijklmnop", @"\/"];

    private static readonly string[] StringPieces =
        ["plain", "é", "中文", "😀", @"\n", @"\""", @"\\", @"\/", @"\b\f\r\t", @"\u0041", @"\u00E9", @"\ud83d\ude00", @"\u0000", " ", "'<>&",
         "0123456789abcdefghijklmnopqrstuvwxyz0123456789", "\u007f", "$[yyyymmdd]"];

    private static readonly string[] Numbers =
        ["0", "-0", "1", "-1", "42", "1.5", "-0.25", "1e5", "1E+5", "2.5e-3", "12345678901234567890123", "0.000001", "9007199254740993",
         "-9223372036854775808", "1.7976931348623157e309", "4530001169", "250063"];

    private static readonly string[] Spaces = ["", "", "", " ", "\n  ", "\t", "\r\n"];

    private static readonly byte[] Interesting = "{}[]:,\"\\0123456789-.eE+tfnulr /\u0001\u001f\u007f"u8.ToArray();

    private readonly StringBuilder _json = new();

    public string Event()
    {
        _json.Clear();
        Object(depth: 0, forceRead: true);
        return _json.ToString();
    }

    /// <summary>The event with one random change (or, one time in eight, two).</summary>
    public static byte[] Mutate(byte[] json, Random random)
    {
        var bytes = json.ToList();
        for (var changes = random.Next(8) == 0 ? 2 : 1; changes > 0 && bytes.Count > 0; changes--)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(4))
            {
                case 0:
                    bytes[at] = Interesting[random.Next(Interesting.Length)];
                    break;
                case 1:
                    bytes.RemoveAt(at);
                    break;
                case 2:
                    bytes.Insert(at, Interesting[random.Next(Interesting.Length)]);
                    break;
                default:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
            }
        }

        return [.. bytes];
    }

    private void Space() => _json.Append(Spaces[random.Next(Spaces.Length)]);

    private void Object(int depth, bool forceRead)
    {
        _json.Append('{');
        var count = random.Next(depth == 0 ? 3 : 0, 7);
        var used = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            // Mostly names the trie reads at the root ("data", "type"...), so that nested read paths are reached.
            var name = forceRead && i == 0 ? "data" : Names[random.Next(Names.Length)];
            if (!used.Add(name) && random.Next(10) > 0)
            {
                continue; // a duplicate now and then only: most events are valid, so their views are compared
            }

            _json.Append(i == 0 ? "" : ",");
            Space();
            _json.Append('"').Append(name).Append('"');
            Space();
            _json.Append(':');
            Space();
            Value(depth + 1);
            Space();
        }

        _json.Append('}');
    }

    private void Value(int depth)
    {
        var kind = random.Next(depth > 5 ? 4 : 7);
        switch (kind)
        {
            case 0:
                String();
                break;
            case 1:
                _json.Append(Numbers[random.Next(Numbers.Length)]);
                break;
            case 2:
                _json.Append(random.Next(3) switch { 0 => "true", 1 => "false", _ => "null" });
                break;
            case 3:
                String();
                break;
            case 4:
            case 5:
                Object(depth, forceRead: false);
                break;
            default:
                Array(depth);
                break;
        }
    }

    private void Array(int depth)
    {
        _json.Append('[');
        var count = random.Next(0, 5);
        for (var i = 0; i < count; i++)
        {
            _json.Append(i == 0 ? "" : ",");
            Space();
            Value(depth + 1);
            Space();
        }

        _json.Append(']');
    }

    private void String()
    {
        _json.Append('"');
        for (var pieces = random.Next(0, 4); pieces > 0; pieces--)
        {
            _json.Append(StringPieces[random.Next(StringPieces.Length)]);
        }

        _json.Append('"');
    }
}
