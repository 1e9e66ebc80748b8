using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace OpenEvent.Rules.Evaluation.Conditions;

/// <summary>
/// A read-only, null-safe view of one JSON node of an event, the only way a condition reads payload data.
/// Paths are dotted ("setting.timeZone"); a segment that is a number indexes an array ("tableMapping.0.dstTable");
/// the empty path is the node itself. A missing node or a value of the wrong kind yields the default instead
/// of throwing, because DataWorks omits fields freely and sends ids and sizes as strings or numbers.
/// </summary>
public readonly struct ConditionNode : IEquatable<ConditionNode>
{
    private readonly JsonElement _element;
    private readonly bool _exists;

    internal ConditionNode(JsonElement element)
    {
        _element = element;
        _exists = element.ValueKind != JsonValueKind.Undefined;
    }

    /// <summary>A node that is not there (what a missing path yields).</summary>
    public static ConditionNode Missing => default;

    /// <summary>True when the node is present in the event (a JSON null is present).</summary>
    public bool Exists => _exists;

    /// <summary>"object", "array", "string", "number", "boolean", "null", or "missing".</summary>
    public string Kind => !_exists ? "missing" : _element.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => "missing",
    };

    /// <summary>The node at <paramref name="path"/>, or <see cref="Missing"/>.</summary>
    public ConditionNode Node(string path) => Resolve(path);

    /// <summary>True when <paramref name="path"/> exists and is not JSON null.</summary>
    public bool Has(string path)
    {
        var node = Resolve(path);
        return node._exists && node._element.ValueKind != JsonValueKind.Null;
    }

    /// <summary>The string at <paramref name="path"/>; numbers and booleans as their JSON text; otherwise <paramref name="fallback"/>.</summary>
    public string? Str(string path, string? fallback = null)
    {
        var node = Resolve(path);
        if (!node._exists)
        {
            return fallback;
        }

        var text = node._element.ValueKind switch
        {
            JsonValueKind.String => node._element.GetString(),
            JsonValueKind.Number => node._element.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => fallback,
        };

        // Each call copies the value out of the event: inside a condition, a long one costs steps.
        ConditionBudget.ChargeWork(text?.Length ?? 0, ConditionGuard.CharsPerStep);
        return text;
    }

    /// <summary>The string of this node itself (shorthand for <c>Str("")</c>).</summary>
    public string? Str() => Str("");

    /// <summary>The integer at <paramref name="path"/> when it fits an int; see <see cref="Long"/>.</summary>
    public int Int(string path, int fallback = 0) =>
        TryLong(Resolve(path), out var value) && value is >= int.MinValue and <= int.MaxValue ? (int)value : fallback;

    /// <summary>The integer at <paramref name="path"/>; accepts numeric strings ("5777") and integral numbers (3.0).</summary>
    public long Long(string path, long fallback = 0) => TryLong(Resolve(path), out var value) ? value : fallback;

    /// <summary>The number at <paramref name="path"/>; accepts numeric strings ("1024.5").</summary>
    public double Num(string path, double fallback = 0)
    {
        var node = Resolve(path);
        if (!node._exists)
        {
            return fallback;
        }

        return node._element.ValueKind switch
        {
            JsonValueKind.Number when node._element.TryGetDouble(out var d) => d,
            JsonValueKind.String when double.TryParse(node._element.GetString()!.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) => s,
            _ => fallback,
        };
    }

    /// <summary>Same as <see cref="Num"/>.</summary>
    public double Double(string path, double fallback = 0) => Num(path, fallback);

    /// <summary>The boolean at <paramref name="path"/>; accepts "true"/"false" strings (any case).</summary>
    public bool Bool(string path, bool fallback = false)
    {
        var node = Resolve(path);
        if (!node._exists)
        {
            return fallback;
        }

        return node._element.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String when bool.TryParse(node._element.GetString()!.Trim(), out var b) => b,
            _ => fallback,
        };
    }

    /// <summary>The elements of the array at <paramref name="path"/>; empty when missing or not an array.</summary>
    public IReadOnlyList<ConditionNode> Arr(string path)
    {
        var node = Resolve(path);
        if (!node._exists || node._element.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var items = new ConditionNode[node._element.GetArrayLength()];
        ConditionBudget.ChargeWork(items.Length, ElementsPerStep);
        var i = 0;
        foreach (var item in node._element.EnumerateArray())
        {
            items[i++] = new ConditionNode(item);
        }

        return items;
    }

    /// <summary>The elements of this node when it is an array (shorthand for <c>Arr("")</c>).</summary>
    public IReadOnlyList<ConditionNode> Arr() => Arr("");

    /// <summary>Array length, object member count, 0 otherwise.</summary>
    public int Count(string path)
    {
        var node = Resolve(path);
        if (!node._exists)
        {
            return 0;
        }

        return node._element.ValueKind switch
        {
            JsonValueKind.Array => node._element.GetArrayLength(),
            JsonValueKind.Object => node._element.EnumerateObject().Count(),
            _ => 0,
        };
    }

    /// <summary>The property names of the object at <paramref name="path"/>; empty otherwise.</summary>
    public IReadOnlyList<string> Keys(string path)
    {
        var node = Resolve(path);
        if (!node._exists || node._element.ValueKind != JsonValueKind.Object)
        {
            return [];
        }

        var keys = node._element.EnumerateObject().Select(p => p.Name).ToArray();
        ConditionBudget.ChargeWork(keys.Length, ElementsPerStep);
        return keys;
    }

    /// <summary>
    /// Parses the string at <paramref name="path"/> as JSON (DataWorks nests JSON in strings, e.g. the
    /// backfill <c>multipleTimePeriods</c>). Missing, non-string or invalid JSON yields <see cref="Missing"/>;
    /// an element that already is an object or array is returned as is.
    /// </summary>
    public ConditionNode Json(string path)
    {
        var node = Resolve(path);
        if (!node._exists)
        {
            return Missing;
        }

        if (node._element.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
        {
            return node;
        }

        if (node._element.ValueKind != JsonValueKind.String)
        {
            return Missing;
        }

        var text = node._element.GetString()!;

        // Parsing is linear in the text; charged like reading the same length.
        ConditionBudget.ChargeWork(text.Length, ConditionGuard.CharsPerStep);
        try
        {
            using var document = JsonDocument.Parse(text, ParseOptions);
            return new ConditionNode(document.RootElement.Clone());
        }
        catch (JsonException)
        {
            return Missing;
        }
    }

    /// <summary>The raw JSON text of the node ("" when missing).</summary>
    public override string ToString()
    {
        ConditionBudget.ChargeWork(TextLength, ConditionGuard.CharsPerStep);
        return _exists ? _element.GetRawText() : "";
    }

    /// <summary>
    /// Deep equality. Inside a condition each comparison costs a step (and one per 256 bytes compared): hashing is by
    /// kind only, so Distinct or a HashSet over many nodes compares every pair, and the event decides how many there are.
    /// </summary>
    public bool Equals(ConditionNode other)
    {
        ConditionBudget.Current?.Charge(1);
        ConditionBudget.ChargeWork(Math.Min(TextLength, other.TextLength), ConditionGuard.CharsPerStep);
        return _exists == other._exists && (!_exists || JsonElement.DeepEquals(_element, other._element));
    }

    /// <summary>The length of <see cref="ToString"/> at most (the raw JSON's UTF-8 byte count), without building it.</summary>
    internal int TextLength => _exists ? JsonMarshal.GetRawUtf8Value(_element).Length : 0;

    public override bool Equals(object? obj) => obj is ConditionNode other && Equals(other);

    public override int GetHashCode() => _exists ? _element.ValueKind.GetHashCode() : 0;

    public static bool operator ==(ConditionNode left, ConditionNode right) => left.Equals(right);

    public static bool operator !=(ConditionNode left, ConditionNode right) => !left.Equals(right);

    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = 32 };

    /// <summary>Array elements or property names copied per step by <see cref="Arr(string)"/> and <see cref="Keys"/>.</summary>
    private const int ElementsPerStep = ConditionGuard.ElementsPerStep;

    private static bool TryLong(ConditionNode node, out long value)
    {
        value = 0;
        if (!node._exists)
        {
            return false;
        }

        switch (node._element.ValueKind)
        {
            case JsonValueKind.Number:
                if (node._element.TryGetInt64(out value))
                {
                    return true;
                }

                return node._element.TryGetDouble(out var d) && TryIntegral(d, out value);
            case JsonValueKind.String:
                var s = node._element.GetString()!.Trim();
                if (long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
                {
                    return true;
                }

                return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var ds) && TryIntegral(ds, out value);
            default:
                return false;
        }
    }

    // 2^63 is exactly representable as a double, so the upper bound must be exclusive.
    private static bool TryIntegral(double d, out long value)
    {
        var ok = !double.IsNaN(d) && Math.Floor(d) == d && d >= -9.2233720368547758E18 && d < 9.2233720368547758E18;
        value = ok ? (long)d : 0;
        return ok;
    }

    private ConditionNode Resolve(string path)
    {
        if (!_exists)
        {
            return Missing;
        }

        if (string.IsNullOrEmpty(path))
        {
            return this;
        }

        var current = _element;
        foreach (var segment in path.Split('.'))
        {
            switch (current.ValueKind)
            {
                case JsonValueKind.Object:
                    if (!current.TryGetProperty(segment, out current))
                    {
                        return Missing;
                    }

                    break;
                case JsonValueKind.Array:
                    if (!int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index >= current.GetArrayLength())
                    {
                        return Missing;
                    }

                    current = current[index];
                    break;
                default:
                    return Missing;
            }
        }

        return new ConditionNode(current);
    }
}
