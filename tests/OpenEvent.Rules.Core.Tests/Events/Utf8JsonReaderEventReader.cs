using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Unicode;
using OpenEvent.Rules.Events;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Core.Tests.Events;

/// <summary>
/// The engine's single pass as it was before its own tokenizer (EventReader over System.Text.Json's Utf8JsonReader,
/// default options but MaxDepth, final block), kept verbatim as the oracle of <see cref="EventTokenizerDifferentialTests"/>
/// but for the surrogate check on escapes, which was <see cref="JsonEscapes.CheckSurrogates"/> word for word and now calls
/// it (what the passes differ in is the tokenizing, not that check): the tokenizer must accept and refuse exactly what this accepts and refuses, with the same error id, and read
/// accepted events into the same view.
/// </summary>
internal static class Utf8JsonReaderEventReader
{
    private const int MaxDepth = InvalidEventException.MaxDepth;

    public static void Read(ReadOnlySpan<byte> utf8, PathNode root, EventView view)
    {
        // Utf8JsonReader does not validate UTF-8 inside strings it is not asked to decode; validating the whole input
        // up front (vectorized) makes the verdict independent of which fields patterns read.
        if (!Utf8.IsValid(utf8))
        {
            throw new InvalidEventException(InvalidEventException.InvalidUtf8, "The event is not valid UTF-8.");
        }

        // The reader's own limit is one level deeper so that ours (with its own id) fires first.
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = MaxDepth + 1 });
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                var rootToken = reader.TokenType;
                SkipValue(ref reader, view);
                while (reader.Read())
                {
                    // Let the reader report trailing garbage as invalid JSON before "not an object".
                }

                throw new InvalidEventException(InvalidEventException.NotAnObject, $"The event must be a JSON object, not {Describe(rootToken)}.");
            }

            var instance = view.NewInstance(root);
            ReadObject(ref reader, root, instance, view, inArray: false);
            while (reader.Read())
            {
                // Only whitespace may follow; the reader throws on anything else.
            }
        }
        catch (JsonException ex)
        {
            throw new InvalidEventException(InvalidEventException.InvalidJson, "The event is not valid JSON: " + ex.Message, ex);
        }
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    // The reader is at the StartObject of an instance of `node`.
    private static void ReadObject(ref Utf8JsonReader reader, PathNode node, int instance, EventView view, bool inArray)
    {
        var depth = reader.CurrentDepth;
        view.Names.BeginObject(depth);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                view.Names.EndObject(depth);
                return;
            }

            var name = ReadName(ref reader, depth, view, out var hash);
            var childIndex = node.FindChild(name, hash);
            reader.Read();
            if (childIndex < 0)
            {
                SkipValue(ref reader, view);
            }
            else
            {
                ReadField(ref reader, node.ChildAt(childIndex), instance, childIndex, view, inArray);
            }
        }
    }

    // The reader is at the value of field `childIndex` of `instance` (or at an element of an array there).
    // `inArray`: some container on the way from the root is an array (the engine's own envelope and scope reads
    // take direct values only).
    private static void ReadField(ref Utf8JsonReader reader, PathNode node, int instance, int childIndex, EventView view, bool inArray)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                ReadNestedObject(ref reader, node, instance, childIndex, view, inArray);
                break;
            case JsonTokenType.StartArray:
                // Arrays are transparent: elements (nested arrays flattened) are values of the same field.
                CheckDepth(ref reader);
                view.ArrayStamp[node.Id] = view.Epoch;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    ReadField(ref reader, node, instance, childIndex, view, inArray: true);
                }

                break;
            case JsonTokenType.String:
                AddString(ref reader, node, instance, childIndex, view, inArray);
                break;
            case JsonTokenType.Number:
                AddNumber(ref reader, node, instance, childIndex, view, inArray);
                break;

            case JsonTokenType.True:
                view.AddValue(node.Id, instance, childIndex, ScalarKind.True, 0, default, inArray);
                break;
            case JsonTokenType.False:
                view.AddValue(node.Id, instance, childIndex, ScalarKind.False, 0, default, inArray);
                break;
            case JsonTokenType.Null:
                view.AddValue(node.Id, instance, childIndex, ScalarKind.Null, 0, default, inArray);
                break;
        }
    }

    private static void ReadNestedObject(ref Utf8JsonReader reader, PathNode node, int instance, int childIndex, EventView view, bool inArray)
    {
        CheckDepth(ref reader);
        if (node.ChildCount == 0)
        {
            SkipValue(ref reader, view); // objects are not leaf values; nothing below is read
            return;
        }

        var child = view.NewInstance(node);
        view.LinkChildInstance(instance, childIndex, child);
        ReadObject(ref reader, node, child, view, inArray);
    }

    private static void AddString(ref Utf8JsonReader reader, PathNode node, int instance, int childIndex, EventView view, bool inArray)
    {
        var raw = reader.ValueSpan;
        int length;
        if (reader.ValueIsEscaped)
        {
            JsonEscapes.CheckSurrogates(raw);
            length = reader.CopyString(view.ReserveChars(raw.Length));
        }
        else
        {
            // The whole event was checked as UTF-8 up front: transcode directly, without the reader's checked copy.
            Utf8.ToUtf16(raw, view.ReserveChars(raw.Length), out _, out length, replaceInvalidSequences: false);
        }

        view.AddValue(node.Id, instance, childIndex, ScalarKind.String, length, default, inArray);
    }

    private static void AddNumber(ref Utf8JsonReader reader, PathNode node, int instance, int childIndex, EventView view, bool inArray)
    {
        var raw = reader.ValueSpan;
        var text = view.ReserveChars(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            text[i] = (char)raw[i]; // the reader has checked number syntax: ASCII only
        }

        view.AddValue(node.Id, instance, childIndex, ScalarKind.Number, raw.Length, JsonNumber.FromEventLiteral(text), inArray);
    }

    // The name as unescaped UTF-8, checked for duplicates in its object. Unescaped names (nearly all) are the reader's
    // own slice of the event, never copied; only escaped ones are decoded.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ReadOnlySpan<byte> ReadName(ref Utf8JsonReader reader, int objectDepth, EventView view, out int hash)
    {
        var raw = reader.ValueSpan;
        var offset = (int)reader.TokenStartIndex + 1; // after the opening quote: where ValueSpan starts in the event
        if (!reader.ValueIsEscaped)
        {
            hash = NameHash.Of(raw);
            view.Names.AddUnescaped(objectDepth, raw, offset, hash);
            return raw;
        }

        JsonEscapes.CheckSurrogates(raw);
        var buffer = view.Names.Reserve(raw.Length);
        var length = reader.CopyString(buffer);
        hash = NameHash.Of(buffer[..length]);
        return view.Names.AddEscaped(objectDepth, length, raw, offset, hash);
    }

    // Skips the value at the reader (scalar or container) without decoding it, still enforcing the event rules.
    private static void SkipValue(ref Utf8JsonReader reader, EventView view)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                if (reader.ValueIsEscaped)
                {
                    JsonEscapes.CheckSurrogates(reader.ValueSpan);
                }

                return;
            case JsonTokenType.StartObject:
            case JsonTokenType.StartArray:
                SkipContainer(ref reader, view);
                return;
            default:
                return;
        }
    }

    // The reader is at a StartObject or StartArray: reads to its end.
    private static void SkipContainer(ref Utf8JsonReader reader, EventView view)
    {
        var startDepth = reader.CurrentDepth;
        CheckDepth(ref reader);
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            view.Names.BeginObject(startDepth);
        }

        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    CheckDepth(ref reader);
                    view.Names.BeginObject(reader.CurrentDepth);
                    break;
                case JsonTokenType.StartArray:
                    CheckDepth(ref reader);
                    break;
                case JsonTokenType.EndObject:
                    view.Names.EndObject(reader.CurrentDepth);
                    if (reader.CurrentDepth == startDepth)
                    {
                        return;
                    }

                    break;
                case JsonTokenType.EndArray:
                    if (reader.CurrentDepth == startDepth)
                    {
                        return;
                    }

                    break;
                case JsonTokenType.PropertyName:
                    ReadName(ref reader, reader.CurrentDepth - 1, view, out _);
                    break;
                case JsonTokenType.String:
                    if (reader.ValueIsEscaped)
                    {
                        JsonEscapes.CheckSurrogates(reader.ValueSpan);
                    }

                    break;
            }
        }
    }

    private static void CheckDepth(ref Utf8JsonReader reader)
    {
        // CurrentDepth of a container's start token = number of containers around it.
        if (reader.CurrentDepth >= MaxDepth)
        {
            throw new InvalidEventException(
                InvalidEventException.TooDeep,
                $"The event nests objects/arrays more than {MaxDepth} levels deep (at byte {reader.TokenStartIndex}).");
        }
    }
}
