using System.Text.Json;
using NJsonSchema;

namespace OpenEvent.Rules.Parsing;

/// <summary>
/// Builds NJsonSchema's schema objects from the text of one of the embedded schemas with System.Text.Json.
/// JsonSchema.FromJsonAsync reads a schema through Newtonsoft.Json's serializer (contract resolvers, reflection,
/// compiled property setters): in a fresh process that is ~2,000 methods jitted and 0.5-0.8 s of CPU, which every
/// first load of a policy folder paid before its first document could be checked. This reader sets the same
/// properties for the keywords the project's schemas use; a keyword it does not know is refused (the schemas are
/// ours, so a new keyword fails the build's tests rather than being silently dropped). The keywords NJsonSchema
/// itself does not validate (draft-07 if/then/else, const, propertyNames, $id, examples, $comment) are skipped, as
/// NJsonSchema keeps them only as extension data. A test compares what this reader builds with FromJsonAsync's
/// result, serialized by NJsonSchema, for every embedded schema.
/// </summary>
internal static class PolicySchemaReader
{
    private static readonly HashSet<string> s_notValidatedByNJsonSchema =
        new(["if", "then", "else", "const", "propertyNames", "$id", "examples", "$comment"], StringComparer.Ordinal);

    /// <summary>The keywords NJsonSchema keeps as extension data only: this reader skips them.</summary>
    internal static IReadOnlyCollection<string> SkippedKeywords => s_notValidatedByNJsonSchema;

    /// <summary>Reads a schema document; its $ref values must point inside the same document ("#/...").</summary>
    public static JsonSchema Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        var reader = new Reader();
        var root = reader.Schema(new JsonSchema(), document.RootElement, "#");
        reader.ResolveReferences();
        return root;
    }

    private sealed class Reader
    {
        private readonly Dictionary<string, JsonSchema> _byPointer = new(StringComparer.Ordinal);
        private readonly List<(JsonSchema Schema, string Reference)> _references = [];

        public void ResolveReferences()
        {
            foreach (var (schema, reference) in _references)
            {
                schema.Reference = _byPointer.TryGetValue(reference, out var target)
                    ? target
                    : throw new InvalidDataException($"schema reference '{reference}' points at no schema of the document");
            }
        }

        public T Schema<T>(T schema, JsonElement element, string pointer) where T : JsonSchema
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"schema at '{pointer}' is {element.ValueKind}, not an object");
            }

            _byPointer[pointer] = schema;
            foreach (var keyword in element.EnumerateObject())
            {
                Keyword(schema, keyword.Name, keyword.Value, pointer + "/" + Escape(keyword.Name));
            }

            return schema;
        }

        private void Keyword(JsonSchema schema, string name, JsonElement value, string pointer)
        {
            switch (name)
            {
                case "$schema": schema.SchemaVersion = value.GetString(); break;
                case "$ref": _references.Add((schema, value.GetString()!)); break;
                case "title": schema.Title = value.GetString(); break;
                case "description": schema.Description = value.GetString(); break;
                case "default": schema.Default = Scalar(value, pointer); break;
                case "type": schema.Type = Type(value); break;
                case "format": schema.Format = value.GetString(); break;
                case "pattern": schema.Pattern = value.GetString(); break;
                case "minLength": schema.MinLength = value.GetInt32(); break;
                case "maxLength": schema.MaxLength = value.GetInt32(); break;
                case "minimum": schema.Minimum = value.GetDecimal(); break;
                case "maximum": schema.Maximum = value.GetDecimal(); break;
                case "minItems": schema.MinItems = value.GetInt32(); break;
                case "maxItems": schema.MaxItems = value.GetInt32(); break;
                case "uniqueItems": schema.UniqueItems = value.GetBoolean(); break;
                case "minProperties": schema.MinProperties = value.GetInt32(); break;
                case "maxProperties": schema.MaxProperties = value.GetInt32(); break;
                case "required": Required(schema, value); break;
                case "enum": Enumeration(schema, value, pointer); break;
                case "properties": Properties(schema, value, pointer); break;
                case "additionalProperties": AdditionalProperties(schema, value, pointer); break;
                case "items": Items(schema, value, pointer); break;
                case "definitions": Definitions(schema, value, pointer); break;
                case "oneOf": Each(schema.OneOf, value, pointer); break;
                case "anyOf": Each(schema.AnyOf, value, pointer); break;
                case "allOf": Each(schema.AllOf, value, pointer); break;
                case "not": schema.Not = Schema(new JsonSchema(), value, pointer); break;
                case var skipped when s_notValidatedByNJsonSchema.Contains(skipped): break;
                default: throw new InvalidDataException($"schema keyword '{name}' at '{pointer}' is not read by {nameof(PolicySchemaReader)}");
            }
        }

        private static JsonObjectType Type(JsonElement value)
        {
            if (value.ValueKind == JsonValueKind.String)
            {
                return Enum.Parse<JsonObjectType>(value.GetString()!, ignoreCase: true);
            }

            var type = JsonObjectType.None;
            foreach (var item in value.EnumerateArray())
            {
                type |= Enum.Parse<JsonObjectType>(item.GetString()!, ignoreCase: true);
            }

            return type;
        }

        private static void Required(JsonSchema schema, JsonElement value)
        {
            foreach (var item in value.EnumerateArray())
            {
                schema.RequiredProperties.Add(item.GetString()!);
            }
        }

        // Newtonsoft reads a scalar in an object slot as string, long (double when it has a fraction or exponent), bool or null.
        private static object? Scalar(JsonElement value, string pointer) => value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number when value.TryGetInt64(out var integer) => integer,
            JsonValueKind.Number => value.GetDouble(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Null => null,
            _ => throw new InvalidDataException($"schema value at '{pointer}' is {value.ValueKind}: only scalars are read"),
        };

        private static void Enumeration(JsonSchema schema, JsonElement value, string pointer)
        {
            var index = 0;
            foreach (var item in value.EnumerateArray())
            {
                schema.Enumeration.Add(Scalar(item, pointer + "/" + index++));
            }
        }

        private void Properties(JsonSchema schema, JsonElement value, string pointer)
        {
            foreach (var property in value.EnumerateObject())
            {
                schema.Properties[property.Name] = Schema(new JsonSchemaProperty(), property.Value, pointer + "/" + Escape(property.Name));
            }
        }

        private void Definitions(JsonSchema schema, JsonElement value, string pointer)
        {
            foreach (var definition in value.EnumerateObject())
            {
                schema.Definitions[definition.Name] = Schema(new JsonSchema(), definition.Value, pointer + "/" + Escape(definition.Name));
            }
        }

        private void AdditionalProperties(JsonSchema schema, JsonElement value, string pointer)
        {
            if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                schema.AllowAdditionalProperties = value.GetBoolean();
            }
            else
            {
                schema.AdditionalPropertiesSchema = Schema(new JsonSchema(), value, pointer);
            }
        }

        private void Items(JsonSchema schema, JsonElement value, string pointer)
        {
            if (value.ValueKind == JsonValueKind.Array)
            {
                Each(schema.Items, value, pointer);
            }
            else
            {
                schema.Item = Schema(new JsonSchema(), value, pointer);
            }
        }

        private void Each(ICollection<JsonSchema> schemas, JsonElement value, string pointer)
        {
            var index = 0;
            foreach (var item in value.EnumerateArray())
            {
                schemas.Add(Schema(new JsonSchema(), item, pointer + "/" + index++));
            }
        }

        // JSON Pointer (RFC 6901): '~' and '/' in a name are written ~0 and ~1.
        private static string Escape(string name) => name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
    }
}
