using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NJsonSchema;

namespace OpenEvent.Rules.Parsing;

/// <summary>
/// Decides, without NJsonSchema, that a document certainly has no schema errors, so that the common case (a valid
/// policy) skips building Newtonsoft tokens and NJsonSchema's walk: together about a third of a load's CPU and, on a
/// first start, ~1,000 methods jitted. It is compiled once from the same NJsonSchema schema objects and follows
/// NJsonSchema's own rules keyword by keyword (a type list passes when one type fits; required keys are asked of
/// non-objects too; enum compares text; minItems 0 means none; format uri is Uri.TryCreate absolute). Where those rules
/// hold a quirk it does not model (a null visited, a number beyond 64 bits or a fraction against a range, enum over
/// non-text, another format, tuples,
/// pattern properties, text the direct token route would not take) its verdict is <see cref="Verdict.Unsure"/>, and
/// any verdict but <see cref="Verdict.Valid"/> sends the document to NJsonSchema, which gives the errors their
/// messages. So a document is never accepted that NJsonSchema refuses; "Invalid" is also exact, because a oneOf
/// counts its branches by it. A test holds both against NJsonSchema for every known document and thousands of
/// mutations of them.
/// </summary>
internal sealed class SchemaAcceptance
{
    public enum Verdict
    {
        Valid,
        Invalid,
        Unsure,
    }

    private const JsonObjectType ModelledTypes = JsonObjectType.Array | JsonObjectType.Boolean | JsonObjectType.Integer
        | JsonObjectType.Null | JsonObjectType.Number | JsonObjectType.Object | JsonObjectType.String;

    /// <summary>The nesting from which <see cref="PolicySchemaValidator.ToValidationToken(JsonNode, JsonSchema)"/> takes the text route.</summary>
    private const int MaxDepth = 32;

    private readonly Node _root;

    private SchemaAcceptance(Node root) => _root = root;

    /// <summary>Compiles the check of a schema (its actual schema, as NJsonSchema validates with).</summary>
    public static SchemaAcceptance Compile(JsonSchema schema) => new(new Compiler().Node(schema));

    /// <summary>Whether NJsonSchema would find no error in the document (Valid), some (Invalid), or this check cannot tell.</summary>
    public Verdict Check(JsonNode? root) => !TakesTheDirectRoute(root, 0) ? Verdict.Unsure : _root.Check(root);

    /// <summary>
    /// Whether the whole document, visited by NJsonSchema or not, is one the validator gives NJsonSchema as tokens
    /// directly (no UTF-16 surrogates, nested less than 32 deep): the text route has outcomes of its own.
    /// </summary>
    private static bool TakesTheDirectRoute(JsonNode? node, int depth)
    {
        switch (node)
        {
            case null:
                return true;
            case JsonObject obj when depth < MaxDepth:
                for (var i = 0; i < obj.Count; i++)
                {
                    var (key, value) = obj.GetAt(i);
                    if (HasSurrogates(key) || !TakesTheDirectRoute(value, depth + 1))
                    {
                        return false;
                    }
                }

                return true;
            case JsonArray array when depth < MaxDepth:
                for (var i = 0; i < array.Count; i++)
                {
                    if (!TakesTheDirectRoute(array[i], depth + 1))
                    {
                        return false;
                    }
                }

                return true;
            case JsonValue value:
                return value.GetValueKind() switch
                {
                    JsonValueKind.String => !HasSurrogates(value.GetValue<string>()),
                    JsonValueKind.True or JsonValueKind.False or JsonValueKind.Number => true,
                    _ => false,
                };
            default:
                return false;
        }
    }

    private static bool HasSurrogates(string text) => text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0;

    private static Verdict And(Verdict a, Verdict b) =>
        a == Verdict.Invalid || b == Verdict.Invalid ? Verdict.Invalid
        : a == Verdict.Unsure || b == Verdict.Unsure ? Verdict.Unsure
        : Verdict.Valid;

    private static Verdict Fails(bool failed) => failed ? Verdict.Invalid : Verdict.Valid;

    /// <summary>A scalar as NJsonSchema's tokens see it: its token kind, and the value its checks read.</summary>
    private readonly record struct Scalar(JsonObjectType Kind, string? Text, long Integer);

    /// <summary>Builds the node graph; a schema reached twice (a $ref'd definition, a recursive one) is one node.</summary>
    private sealed class Compiler
    {
        private readonly Dictionary<JsonSchema, Node> _nodes = new(ReferenceEqualityComparer.Instance);

        public Node Node(JsonSchema schema)
        {
            schema = schema.ActualSchema;
            if (_nodes.TryGetValue(schema, out var existing))
            {
                return existing;
            }

            var node = new Node();
            _nodes[schema] = node;
            node.Fill(schema, this);
            return node;
        }
    }

    /// <summary>One schema's keywords, as NJsonSchema's validator reads them.</summary>
    private sealed class Node
    {
        private bool _unmodelled;
        private JsonObjectType _type;
        private Regex? _pattern;
        private bool _uri;
        private int? _minLength;
        private int? _maxLength;
        private decimal? _minimum;
        private decimal? _maximum;
        private string?[]? _enumeration;
        private bool _enumerationIsText;
        private int _minItems;
        private int _maxItems;
        private bool _uniqueItems;
        private Node? _item;
        private int _minProperties;
        private int _maxProperties;
        private Dictionary<string, (Node Node, bool Required)> _properties = [];
        private string[] _requiredElsewhere = [];
        private bool _allowAdditional;
        private Node? _additional;
        private Node[] _anyOf = [];
        private Node[] _allOf = [];
        private Node[] _oneOf = [];
        private Node? _not;

        public void Fill(JsonSchema schema, Compiler compiler)
        {
            _uri = schema.Format == "uri";
            _unmodelled = (schema.Type & ~ModelledTypes) != 0 || !(string.IsNullOrEmpty(schema.Format) || _uri) || schema.Items.Count > 0
                || schema.PatternProperties.Count > 0 || schema.MultipleOf.HasValue || schema.ExclusiveMinimum.HasValue
                || schema.ExclusiveMaximum.HasValue || schema.IsExclusiveMinimum || schema.IsExclusiveMaximum;
            _type = schema.Type;
            _pattern = string.IsNullOrEmpty(schema.Pattern) ? null : new Regex(schema.Pattern);
            (_minLength, _maxLength, _minimum, _maximum) = (schema.MinLength, schema.MaxLength, schema.Minimum, schema.Maximum);
            if (schema.Enumeration.Count > 0)
            {
                _enumeration = [.. schema.Enumeration.Select(v => v?.ToString())];
                _enumerationIsText = schema.Enumeration.All(v => v is string);
            }

            (_minItems, _maxItems, _uniqueItems) = (schema.MinItems, schema.MaxItems, schema.UniqueItems);
            _item = schema.Item is null ? null : compiler.Node(schema.Item);
            (_minProperties, _maxProperties) = (schema.MinProperties, schema.MaxProperties);
            _properties = schema.Properties.ToDictionary(p => p.Key, p => (compiler.Node(p.Value), p.Value.IsRequired), StringComparer.Ordinal);
            _requiredElsewhere = [.. schema.RequiredProperties.Where(name => !schema.Properties.ContainsKey(name))];
            _allowAdditional = schema.AllowAdditionalProperties;
            _additional = schema.AdditionalPropertiesSchema is null ? null : compiler.Node(schema.AdditionalPropertiesSchema);
            _anyOf = [.. schema.AnyOf.Select(compiler.Node)];
            _allOf = [.. schema.AllOf.Select(compiler.Node)];
            _oneOf = [.. schema.OneOf.Select(compiler.Node)];
            _not = schema.Not is null ? null : compiler.Node(schema.Not);
        }

        /// <summary>JsonSchemaValidator.Validate(token, schema): the combinators, the type, enum, then the object's keys.</summary>
        public Verdict Check(JsonNode? node)
        {
            if (_unmodelled || node is null)
            {
                // NJsonSchema's nullable rules (a null is passed by some schemas and keys, not others) are not modelled.
                return Verdict.Unsure;
            }

            var verdict = Combinators(node);
            if (verdict == Verdict.Invalid)
            {
                return verdict;
            }

            verdict = And(verdict, node switch
            {
                JsonObject obj => And(TypeFits(JsonObjectType.Object), Object(obj)),
                JsonArray array => And(TypeFits(JsonObjectType.Array), And(Array(array), Required(hasObject: false))),
                JsonValue value => Value(value),
                _ => Verdict.Unsure,
            });
            return verdict;
        }

        private Verdict Combinators(JsonNode node)
        {
            var verdict = Verdict.Valid;
            if (_anyOf.Length > 0)
            {
                // NotAnyOf when every branch fails.
                var any = Verdict.Invalid;
                foreach (var branch in _anyOf)
                {
                    var result = branch.Check(node);
                    any = result == Verdict.Valid ? Verdict.Valid : any == Verdict.Valid ? any : result == Verdict.Unsure ? Verdict.Unsure : any;
                }

                verdict = And(verdict, any);
            }

            foreach (var branch in _allOf)
            {
                verdict = And(verdict, branch.Check(node));
            }

            if (_oneOf.Length > 0)
            {
                // NotOneOf unless exactly one branch passes: every branch's verdict must be certain to count them.
                var passed = 0;
                foreach (var branch in _oneOf)
                {
                    switch (branch.Check(node))
                    {
                        case Verdict.Unsure: return And(verdict, Verdict.Unsure);
                        case Verdict.Valid: passed++; break;
                    }
                }

                verdict = And(verdict, Fails(passed != 1));
            }

            if (_not is not null)
            {
                // ExcludedSchemaValidates when the not-schema passes.
                verdict = And(verdict, _not.Check(node) switch
                {
                    Verdict.Valid => Verdict.Invalid,
                    Verdict.Invalid => Verdict.Valid,
                    _ => Verdict.Unsure,
                });
            }

            return verdict;
        }

        /// <summary>No type error: no type is set, or one of the types listed takes a token of this kind.</summary>
        private Verdict TypeFits(JsonObjectType kind) =>
            Fails(_type != JsonObjectType.None && (_type & kind) == 0 && !(kind == JsonObjectType.Integer && (_type & JsonObjectType.Number) != 0));

        private Verdict Value(JsonValue value)
        {
            if (ReadScalar(value) is not { } scalar)
            {
                return Verdict.Unsure;
            }

            var verdict = And(TypeFits(scalar.Kind), Required(hasObject: false));
            verdict = And(verdict, Enumeration(scalar));
            return scalar.Kind switch
            {
                JsonObjectType.String => And(verdict, Text(scalar.Text!)),
                JsonObjectType.Integer => And(verdict, Fails(scalar.Integer < _minimum || scalar.Integer > _maximum)),
                JsonObjectType.Number => _minimum.HasValue || _maximum.HasValue ? And(verdict, Verdict.Unsure) : verdict,
                _ => verdict,
            };
        }

        private Verdict Text(string text) =>
            Fails((_pattern is not null && !_pattern.IsMatch(text)) || text.Length < _minLength || text.Length > _maxLength
                || (_uri && !Uri.TryCreate(text, UriKind.Absolute, out _)));

        /// <summary>NotInEnumeration when no value's text equals the token's text; certain only for text against text values.</summary>
        private Verdict Enumeration(Scalar scalar)
        {
            if (_enumeration is null)
            {
                return Verdict.Valid;
            }

            if (scalar.Kind != JsonObjectType.String)
            {
                return Verdict.Unsure;
            }

            return System.Array.IndexOf(_enumeration, scalar.Text) >= 0 ? Verdict.Valid
                : _enumerationIsText ? Verdict.Invalid
                : Verdict.Unsure;
        }

        private Verdict Array(JsonArray array)
        {
            var verdict = Fails((_minItems > 0 && array.Count < _minItems) || (_maxItems > 0 && array.Count > _maxItems));
            if (_enumeration is not null)
            {
                verdict = And(verdict, Verdict.Unsure);
            }

            if (_uniqueItems)
            {
                verdict = And(verdict, UniqueItems(array));
            }

            if (_item is not null)
            {
                for (var i = 0; i < array.Count; i++)
                {
                    verdict = And(verdict, _item.Check(array[i]));
                    if (verdict == Verdict.Invalid)
                    {
                        break;
                    }
                }
            }

            return verdict;
        }

        /// <summary>ItemsNotUnique compares the items' text; certain for lists of text only.</summary>
        private static Verdict UniqueItems(JsonArray array)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < array.Count; i++)
            {
                if (array[i] is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
                {
                    return Verdict.Unsure;
                }

                if (!seen.Add(value.GetValue<string>()))
                {
                    return Verdict.Invalid;
                }
            }

            return Verdict.Valid;
        }

        /// <summary>What NJsonSchema asks of a token that is not an object: its required keys, unless the schema takes null.</summary>
        private Verdict Required(bool hasObject)
        {
            if (hasObject || (_type & JsonObjectType.Null) != 0)
            {
                return Verdict.Valid;
            }

            if (_requiredElsewhere.Length > 0)
            {
                return Verdict.Invalid;
            }

            foreach (var (_, property) in _properties)
            {
                if (property.Required)
                {
                    return Verdict.Invalid;
                }
            }

            return Verdict.Valid;
        }

        private Verdict Object(JsonObject obj)
        {
            var verdict = _enumeration is null ? Verdict.Valid : Verdict.Unsure;
            foreach (var (name, property) in _properties)
            {
                verdict = And(verdict, obj.TryGetPropertyValue(name, out var value) ? property.Node.Check(value) : Fails(property.Required));
                if (verdict == Verdict.Invalid)
                {
                    return verdict;
                }
            }

            foreach (var name in _requiredElsewhere)
            {
                if (!obj.ContainsKey(name))
                {
                    return Verdict.Invalid;
                }
            }

            if ((_maxProperties > 0 && obj.Count > _maxProperties) || (_minProperties > 0 && obj.Count < _minProperties))
            {
                return Verdict.Invalid;
            }

            for (var i = 0; i < obj.Count; i++)
            {
                var (name, value) = obj.GetAt(i);
                if (_properties.ContainsKey(name))
                {
                    continue;
                }

                verdict = And(verdict, _additional is not null ? _additional.Check(value) : Fails(!_allowAdditional));
                if (verdict == Verdict.Invalid)
                {
                    return verdict;
                }
            }

            return verdict;
        }
    }

    /// <summary>
    /// The token NJsonSchema gets for a scalar (<see cref="PolicySchemaValidator.ToValidationToken(JsonNode)"/>): text, a
    /// boolean, an integer (a literal without fraction or exponent, within 64 bits) or a float. Null where that is not
    /// certain: a number beyond 64 bits or a double (clamped there), a value of another kind.
    /// </summary>
    private static Scalar? ReadScalar(JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                return new Scalar(JsonObjectType.String, value.GetValue<string>(), 0);
            case JsonValueKind.True or JsonValueKind.False:
                return new Scalar(JsonObjectType.Boolean, null, 0);
            case JsonValueKind.Number when value.TryGetValue<JsonElement>(out var element) && element.TryGetInt64(out var integer):
                return new Scalar(JsonObjectType.Integer, null, integer);
            case JsonValueKind.Number:
                var literal = value.ToJsonString();
                return literal.AsSpan().IndexOfAny('.', 'e', 'E') >= 0
                    && double.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
                    ? new Scalar(JsonObjectType.Number, null, 0)
                    : null;
            default:
                return null;
        }
    }
}
