using System.Text;
using System.Text.Json;

namespace OpenEvent.Rules.Events;

/// <summary>One event cut out of an input: its bytes, or why it could not be cut.</summary>
public sealed record EventSlice(EventOrigin Origin, ReadOnlyMemory<byte> Utf8, EventError? Error);

/// <summary>
/// Splits an input into events without interpreting them: a single JSON object, a JSON array (the CloudEvents
/// batch format, <c>application/cloudevents-batch+json</c>; an empty array is valid) or JSON Lines. A bad
/// element yields an error slice and the others still come through; only a structural error in a batch
/// array stops that array, since nothing after it can be delimited.
/// </summary>
public static class EventInputReader
{
    public const int MaxDepth = 64;

    public static IEnumerable<EventSlice> Split(ReadOnlyMemory<byte> input, string file)
    {
        var span = input.Span;
        var start = SkipWhitespaceAndBom(span, 0);
        if (start >= span.Length)
        {
            return [new EventSlice(new EventOrigin(file, 0), default, new EventError("empty", "the input holds no event"))];
        }

        if (span[start] == (byte)'[')
        {
            return SplitArray(input, start, file);
        }

        return IsSingleValue(span[start..]) ? [new EventSlice(new EventOrigin(file, 0), input[start..], null)] : SplitLines(input, file);
    }

    /// <summary>
    /// An input known to hold one event (an HTTP body that is not a batch): taken as it is, after any BOM and leading
    /// whitespace, without a pass over its bytes (the event reader checks them).
    /// </summary>
    public static IEnumerable<EventSlice> Single(ReadOnlyMemory<byte> input, string file) =>
        [new EventSlice(new EventOrigin(file, 0), input[SkipWhitespaceAndBom(input.Span, 0)..], null)];

    private static bool IsSingleValue(ReadOnlySpan<byte> span)
    {
        var reader = new Utf8JsonReader(span, new JsonReaderOptions { MaxDepth = MaxDepth, AllowMultipleValues = true });
        try
        {
            if (!reader.Read() || !reader.TrySkip())
            {
                return true;
            }

            // A second value after the first means JSON Lines (or concatenated JSON): split it by lines.
            return SkipWhitespaceAndBom(span, (int)reader.BytesConsumed) >= span.Length;
        }
        catch (JsonException)
        {
            // Invalid JSON: JSON Lines (the first line a whole value) give each line its own verdict; a pretty-printed
            // event with a mistake is one event with one error at its line, not one bogus event per line.
            return CountNonEmptyLines(span) <= 1 || !FirstLineIsAValue(span);
        }
    }

    private static bool FirstLineIsAValue(ReadOnlySpan<byte> span)
    {
        var line = span;
        while (true)
        {
            var newline = line.IndexOf((byte)'\n');
            var first = newline < 0 ? line : line[..newline];
            if (!IsBlank(first) || newline < 0)
            {
                line = first;
                break;
            }

            line = line[(newline + 1)..];
        }

        var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = MaxDepth, AllowMultipleValues = true });
        try
        {
            return reader.Read() && reader.TrySkip() && SkipWhitespaceAndBom(line, (int)reader.BytesConsumed) >= line.Length;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static IEnumerable<EventSlice> SplitLines(ReadOnlyMemory<byte> input, string file)
    {
        var index = 0;
        var position = 0;
        while (position < input.Length)
        {
            var rest = input.Span[position..];
            var newline = rest.IndexOf((byte)'\n');
            var length = newline < 0 ? rest.Length : newline;
            var line = input.Slice(position, length);
            position += length + 1;
            if (IsBlank(line.Span))
            {
                continue;
            }

            yield return new EventSlice(new EventOrigin(file, index++), line, null);
        }
    }

    private static IEnumerable<EventSlice> SplitArray(ReadOnlyMemory<byte> input, int start, string file)
    {
        var results = new List<EventSlice>();
        var index = 0;
        var state = new JsonReaderState(new JsonReaderOptions { MaxDepth = MaxDepth + 1 });
        var offset = start;
        try
        {
            var reader = new Utf8JsonReader(input.Span[offset..], isFinalBlock: true, state);
            reader.Read(); // '['
            while (true)
            {
                if (!reader.Read())
                {
                    throw new JsonException("the batch array is not closed");
                }

                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    break;
                }

                var elementStart = (int)reader.TokenStartIndex;
                reader.Skip();
                var elementEnd = (int)reader.BytesConsumed;
                results.Add(new EventSlice(new EventOrigin(file, index++), input.Slice(offset + elementStart, elementEnd - elementStart), null));
            }

            var trailing = SkipWhitespaceAndBom(input.Span, offset + (int)reader.BytesConsumed);
            if (trailing < input.Length)
            {
                results.Add(new EventSlice(new EventOrigin(file, index), default,
                    new EventError("invalid-json", $"unexpected content after the batch array at byte {trailing}")));
            }
        }
        catch (JsonException ex)
        {
            results.Add(new EventSlice(new EventOrigin(file, index), default, EventParser.Classify(ex)));
        }

        return results;
    }

    private static int SkipWhitespaceAndBom(ReadOnlySpan<byte> span, int position)
    {
        if (position == 0 && span.StartsWith(Encoding.UTF8.Preamble))
        {
            position = 3;
        }

        while (position < span.Length && span[position] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            position++;
        }

        return position;
    }

    private static bool IsBlank(ReadOnlySpan<byte> line) => line.Trim(" \t\r"u8).IsEmpty;

    private static int CountNonEmptyLines(ReadOnlySpan<byte> span)
    {
        var count = 0;
        foreach (var range in span.Split((byte)'\n'))
        {
            if (!IsBlank(span[range]))
            {
                count++;
            }
        }

        return count;
    }
}
