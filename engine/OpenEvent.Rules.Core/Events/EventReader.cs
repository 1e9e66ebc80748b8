using System.Runtime.CompilerServices;
using System.Text.Unicode;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Events;

/// <summary>
/// Reads one event from its UTF-8 bytes in a single forward pass (<see cref="EventTokenizer"/>), walking the path
/// trie in step: values at used paths are decoded into the <see cref="EventView"/>; everything else is skipped,
/// checked (syntax, duplicate keys, depth, string escapes) but never decoded or copied, so a 20 MB string in an unused
/// field costs a scan and no allocation. Recursion follows the nesting of read objects and arrays, which is capped at
/// 64, and skipped containers are walked by a loop, so hostile nesting cannot overflow the stack. The checks run in the
/// order System.Text.Json's reader met them (a token is checked whole before the engine's own checks on it), so every
/// input gets the verdict and error id it got when this pass was built on that reader.
/// </summary>
internal static class EventReader
{
    private const int MaxDepth = InvalidEventException.MaxDepth;

    public static void Read(ReadOnlySpan<byte> utf8, PathNode root, EventView view)
    {
        // The tokenizer does not look at bytes inside strings beyond the ones that end or escape them; validating the
        // whole input up front (vectorized) makes the verdict independent of which fields patterns read.
        if (!Utf8.IsValid(utf8))
        {
            throw new InvalidEventException(InvalidEventException.InvalidUtf8, "The event is not valid UTF-8.");
        }

        var tokenizer = new EventTokenizer(utf8);
        var first = tokenizer.Peek();
        if (first != (byte)'{')
        {
            // Check the whole input first: invalid JSON is reported before "not an object".
            SkipValue(ref tokenizer, first, view.Names, 0);
            tokenizer.ReadEnd();
            throw new InvalidEventException(InvalidEventException.NotAnObject, $"The event must be a JSON object, not {Describe(first)}.");
        }

        ReadObject(ref tokenizer, root, view.NewInstance(root), view, 0, inArray: false);
        tokenizer.ReadEnd();
    }

    // The first byte of a valid JSON value that is not an object.
    private static string Describe(byte first) => first switch
    {
        (byte)'[' => "an array",
        (byte)'"' => "a string",
        (byte)'t' or (byte)'f' => "a boolean",
        (byte)'n' => "null",
        _ => "a number",
    };

    // At the '{' of an instance of `node`, with `depth` containers around it (already checked against the limit).
    private static void ReadObject(ref EventTokenizer tokenizer, PathNode node, int instance, EventView view, int depth, bool inArray)
    {
        tokenizer.Advance();
        var names = view.Names;
        names.BeginObject(depth);
        var b = tokenizer.Peek();
        if (b == (byte)'}')
        {
            tokenizer.Advance();
        }
        else
        {
            do
            {
                var name = ReadName(ref tokenizer, b, depth, names, out var hash);
                var childIndex = node.FindChild(name, hash);
                b = tokenizer.Peek();
                if (childIndex < 0)
                {
                    SkipValue(ref tokenizer, b, names, depth + 1);
                }
                else
                {
                    ReadField(ref tokenizer, b, node.ChildAt(childIndex), instance, childIndex, view, depth + 1, inArray);
                }
            }
            while (tokenizer.NextItem((byte)'}', out b));
        }

        names.EndObject(depth);
    }

    // At the value (first byte `b`, `depth` containers around it) of field `childIndex` of `instance`, or at an
    // element of an array there. `inArray`: some container on the way from the root is an array (the engine's own
    // envelope and scope reads take direct values only).
    private static void ReadField(
        ref EventTokenizer tokenizer, byte b, PathNode node, int instance, int childIndex, EventView view, int depth, bool inArray)
    {
        switch (b)
        {
            case (byte)'"':
                AddString(ref tokenizer, node, instance, childIndex, view, inArray);
                break;
            case (byte)'{':
                ReadNestedObject(ref tokenizer, node, instance, childIndex, view, depth, inArray);
                break;
            case (byte)'[':
                ReadArray(ref tokenizer, node, instance, childIndex, view, depth);
                break;
            case (byte)'t':
            case (byte)'f':
            case (byte)'n':
                tokenizer.ReadLiteral(b);
                var kind = b == (byte)'t' ? ScalarKind.True : b == (byte)'f' ? ScalarKind.False : ScalarKind.Null;
                view.AddValue(node.Id, instance, childIndex, kind, 0, default, inArray);
                break;
            default:
                if (b != (byte)'-' && !char.IsAsciiDigit((char)b))
                {
                    throw tokenizer.NotAValue();
                }

                AddNumber(ref tokenizer, node, instance, childIndex, view, inArray);
                break;
        }
    }

    private static void ReadArray(ref EventTokenizer tokenizer, PathNode node, int instance, int childIndex, EventView view, int depth)
    {
        // Arrays are transparent: elements (nested arrays flattened) are values of the same field.
        CheckDepth(ref tokenizer, depth);
        view.ArrayStamp[node.Id] = view.Epoch;
        tokenizer.Advance();
        var b = tokenizer.Peek();
        if (b == (byte)']')
        {
            tokenizer.Advance();
            return;
        }

        do
        {
            ReadField(ref tokenizer, b, node, instance, childIndex, view, depth + 1, inArray: true);
        }
        while (tokenizer.NextItem((byte)']', out b));
    }

    private static void ReadNestedObject(ref EventTokenizer tokenizer, PathNode node, int instance, int childIndex, EventView view, int depth, bool inArray)
    {
        CheckDepth(ref tokenizer, depth);
        if (node.ChildCount == 0)
        {
            SkipContainer(ref tokenizer, (byte)'{', view.Names, depth); // objects are not leaf values; nothing below is read
            return;
        }

        var child = view.NewInstance(node);
        view.LinkChildInstance(instance, childIndex, child);
        ReadObject(ref tokenizer, node, child, view, depth, inArray);
    }

    private static void AddString(ref EventTokenizer tokenizer, PathNode node, int instance, int childIndex, EventView view, bool inArray)
    {
        var raw = tokenizer.ReadString(out var escaped);
        int length;
        if (escaped)
        {
            JsonEscapes.CheckSurrogates(raw);
            length = JsonEscapes.DecodeUtf16(raw, view.ReserveChars(raw.Length));
        }
        else
        {
            // The whole event was checked as UTF-8 up front: transcode directly.
            Utf8.ToUtf16(raw, view.ReserveChars(raw.Length), out _, out length, replaceInvalidSequences: false);
        }

        view.AddValue(node.Id, instance, childIndex, ScalarKind.String, length, default, inArray);
    }

    private static void AddNumber(ref EventTokenizer tokenizer, PathNode node, int instance, int childIndex, EventView view, bool inArray)
    {
        var raw = tokenizer.ReadNumber();
        var text = view.ReserveChars(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            text[i] = (char)raw[i]; // the tokenizer has checked number syntax: ASCII only
        }

        view.AddValue(node.Id, instance, childIndex, ScalarKind.Number, raw.Length, JsonNumber.FromEventLiteral(text), inArray);
    }

    // At the first byte `b` of a member of the object at `objectDepth`: reads its name and colon; returns the name as
    // unescaped UTF-8, checked for duplicates in its object. Unescaped names (nearly all) are slices of the event,
    // never copied; only escaped ones are decoded.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ReadOnlySpan<byte> ReadName(ref EventTokenizer tokenizer, byte b, int objectDepth, DuplicateKeyChecker names, out int hash)
    {
        if (b != (byte)'"')
        {
            throw tokenizer.NotAName();
        }

        var offset = tokenizer.Position + 1; // after the opening quote: where the name starts in the event
        var raw = tokenizer.ReadString(out var escaped);
        tokenizer.ReadColon(); // part of the name, as for System.Text.Json: checked before the name's own checks
        if (!escaped)
        {
            hash = NameHash.Of(raw);
            names.AddUnescaped(objectDepth, raw, offset, hash);
            return raw;
        }

        return ReadEscapedName(raw, offset, objectDepth, names, out hash);
    }

    private static ReadOnlySpan<byte> ReadEscapedName(ReadOnlySpan<byte> raw, int offset, int objectDepth, DuplicateKeyChecker names, out int hash)
    {
        JsonEscapes.CheckSurrogates(raw);
        var buffer = names.Reserve(raw.Length);
        var length = JsonEscapes.DecodeUtf8(raw, buffer);
        hash = NameHash.Of(buffer[..length]);
        return names.AddEscaped(objectDepth, length, raw, offset, hash);
    }

    // Skips the value starting with `b` (`depth` containers around it) without decoding it, still enforcing every rule.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SkipValue(ref EventTokenizer tokenizer, byte b, DuplicateKeyChecker names, int depth)
    {
        if (b is (byte)'{' or (byte)'[')
        {
            SkipContainer(ref tokenizer, b, names, depth);
        }
        else
        {
            SkipScalar(ref tokenizer, b);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SkipScalar(ref EventTokenizer tokenizer, byte b)
    {
        if (b == (byte)'"')
        {
            var raw = tokenizer.ReadString(out var escaped);
            if (escaped)
            {
                JsonEscapes.CheckSurrogates(raw);
            }
        }
        else if (b is (byte)'t' or (byte)'f' or (byte)'n')
        {
            tokenizer.ReadLiteral(b);
        }
        else if (b == (byte)'-' || char.IsAsciiDigit((char)b))
        {
            tokenizer.ReadNumber();
        }
        else
        {
            throw tokenizer.NotAValue();
        }
    }

    // At the opener `b` of a container with `depth` containers around it: reads past its end, in a loop (no recursion).
    private static void SkipContainer(ref EventTokenizer tokenizer, byte b, DuplicateKeyChecker names, int depth)
    {
        var top = depth;
        var objects = 0UL; // bit (d - top) set: the open container at depth d is an object (at most 64 levels)
        while (true)
        {
            // `b` starts a value with `depth` containers around it.
            if (b is (byte)'{' or (byte)'[')
            {
                var isObject = b == (byte)'{';
                if (Open(ref tokenizer, isObject, names, depth, out b))
                {
                    var bit = 1UL << (depth - top);
                    objects = isObject ? objects | bit : objects & ~bit;
                    depth++;
                    continue;
                }
            }
            else
            {
                SkipScalar(ref tokenizer, b);
            }

            // The value at `depth` is complete: a comma or the closer of the container around it follows.
            while (true)
            {
                if (depth == top)
                {
                    return;
                }

                var inObject = ((objects >> (depth - 1 - top)) & 1) != 0;
                if (tokenizer.NextItem(inObject ? (byte)'}' : (byte)']', out b))
                {
                    if (inObject)
                    {
                        ReadName(ref tokenizer, b, depth - 1, names, out _);
                        b = tokenizer.Peek();
                    }

                    break;
                }

                if (inObject)
                {
                    names.EndObject(depth - 1);
                }

                depth--;
            }
        }
    }

    // At the opener of a skipped container: false when it is empty (then consumed whole); else true with `first` the
    // first byte of its first value (an object's first name is read).
    private static bool Open(ref EventTokenizer tokenizer, bool isObject, DuplicateKeyChecker names, int depth, out byte first)
    {
        CheckDepth(ref tokenizer, depth);
        tokenizer.Advance();
        first = tokenizer.Peek();
        if (first == (isObject ? (byte)'}' : (byte)']'))
        {
            tokenizer.Advance();
            return false;
        }

        if (isObject)
        {
            names.BeginObject(depth);
            ReadName(ref tokenizer, first, depth, names, out _);
            first = tokenizer.Peek();
        }

        return true;
    }

    private static void CheckDepth(ref EventTokenizer tokenizer, int depth)
    {
        // `depth` = number of containers around the one starting here.
        if (depth >= MaxDepth)
        {
            throw new InvalidEventException(
                InvalidEventException.TooDeep,
                $"The event nests objects/arrays more than {MaxDepth} levels deep (at byte {tokenizer.Position}).");
        }
    }
}
