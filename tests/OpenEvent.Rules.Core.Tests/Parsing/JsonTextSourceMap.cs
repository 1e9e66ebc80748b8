using System.Globalization;
using System.Text;
using System.Text.Json;
using OpenEvent.Rules.Parsing;

namespace OpenEvent.Rules.Core.Tests.Parsing;

/// <summary>
/// An <see cref="ISourceMap"/> over JSON text, standing in for the YAML reader's map in tests: every value and
/// every property name is located at the line and column (1-based, in UTF-16 units) where its token starts.
/// </summary>
public sealed class JsonTextSourceMap : ISourceMap
{
    private readonly string _file;
    private readonly Dictionary<string, SourceLocation> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SourceLocation> _keys = new(StringComparer.Ordinal);

    public JsonTextSourceMap(string file, string json)
    {
        _file = file;
        Index(Encoding.UTF8.GetBytes(json));
    }

    public SourceLocation Locate(string jsonPointer)
    {
        for (var pointer = jsonPointer; ; pointer = Parent(pointer))
        {
            if (_values.TryGetValue(pointer, out var location))
            {
                return location;
            }

            if (pointer.Length == 0)
            {
                return new SourceLocation(_file, 1, 1);
            }
        }
    }

    public SourceLocation LocateKey(string jsonPointer) =>
        _keys.TryGetValue(jsonPointer, out var location) ? location : Locate(jsonPointer);

    /// <summary>Where the value at exactly <paramref name="jsonPointer"/> starts (no fallback to a parent), or null when there is none.</summary>
    public SourceLocation? ValueAt(string jsonPointer) => _values.TryGetValue(jsonPointer, out var location) ? location : null;

    /// <summary>Where the property name of exactly <paramref name="jsonPointer"/> starts, or null when it is not a property.</summary>
    public SourceLocation? KeyAt(string jsonPointer) => _keys.TryGetValue(jsonPointer, out var location) ? location : null;

    /// <summary>Every located pointer: values, then property names (the latter marked isKey).</summary>
    public IEnumerable<(string Pointer, bool IsKey, SourceLocation Location)> All() =>
        _values.Select(v => (v.Key, false, v.Value)).Concat(_keys.Select(k => (k.Key, true, k.Value)));

    private static string Parent(string pointer)
    {
        var slash = pointer.LastIndexOf('/');
        return slash <= 0 ? "" : pointer[..slash];
    }

    private void Index(byte[] utf8)
    {
        var lineStarts = new List<int> { 0 };
        for (var i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] == (byte)'\n')
            {
                lineStarts.Add(i + 1);
            }
        }

        SourceLocation At(long offset)
        {
            var line = lineStarts.BinarySearch((int)offset);
            if (line < 0)
            {
                line = ~line - 1;
            }

            var column = Encoding.UTF8.GetCharCount(utf8, lineStarts[line], (int)offset - lineStarts[line]) + 1;
            return new SourceLocation(_file, line + 1, column);
        }

        // One frame per open container: its pointer, and the pointer of the next child (property or index).
        var frames = new Stack<(string Pointer, bool IsArray, int Index, string? Property)>();
        string ValuePointer()
        {
            if (frames.Count == 0)
            {
                return "";
            }

            var (pointer, isArray, index, property) = frames.Peek();
            return isArray ? pointer + "/" + index.ToString(CultureInfo.InvariantCulture) : pointer + "/" + JsonPointer.Escape(property!);
        }

        void AfterValue()
        {
            if (frames.Count > 0 && frames.Peek().IsArray)
            {
                var top = frames.Pop();
                frames.Push(top with { Index = top.Index + 1 });
            }
        }

        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        while (reader.Read())
        {
            var location = At(reader.TokenStartIndex);
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                {
                    var top = frames.Pop();
                    frames.Push(top with { Property = reader.GetString() });
                    _keys[ValuePointer()] = location;
                    break;
                }

                case JsonTokenType.StartObject:
                case JsonTokenType.StartArray:
                {
                    var pointer = ValuePointer();
                    _values[pointer] = location;
                    frames.Push((pointer, reader.TokenType == JsonTokenType.StartArray, 0, null));
                    break;
                }

                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    frames.Pop();
                    AfterValue();
                    break;

                default:
                    _values[ValuePointer()] = location;
                    AfterValue();
                    break;
            }
        }
    }
}
