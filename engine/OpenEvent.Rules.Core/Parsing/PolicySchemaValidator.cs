using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;
using NJsonSchema;
using NJsonSchema.Validation;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Parsing;

/// <summary>
/// Checks each document against schemas/policy.schema.json (the file editors use) and turns NJsonSchema's errors
/// into author-facing diagnostics (OER1010-OER1015): located through the source map, naming the key and the fix,
/// with nested oneOf/anyOf/array-item errors flattened to their root cause. NJsonSchema ignores draft-07
/// if/then, so the kind is dispatched here: apiVersion and kind are checked first, then the document is
/// validated against the kind's definition. PolicyTest documents are checked against
/// schemas/policy-test.schema.json (the file test authors' editors use), Registry documents against
/// schemas/registry.schema.json, Waiver documents against schemas/waiver.schema.json.
/// </summary>
internal sealed partial class PolicySchemaValidator
{
    public const string ApiVersion = "openevent.rules/v1";

    private const string ResourceName = "schemas/policy.schema.json";

    private const string TestResourceName = "schemas/policy-test.schema.json";

    private const string RegistryResourceName = "schemas/registry.schema.json";

    private const string WaiverResourceName = "schemas/waiver.schema.json";

    /// <summary>Every kind a document may have (PolicyTest documents are read by the test runner).</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["Policy", "Channel", "Target", "Budget", "Registry", "Waiver", "PolicyTest"];

    private static readonly Lazy<Task<PolicySchemaValidator>> s_default = new(() => LoadAsync(CancellationToken.None));

    /// <summary>The schema each kind is validated against.</summary>
    private readonly Dictionary<string, JsonSchema> _schemas;

    // JsonSchema.Validate builds a validator (and its format validators) per call; it holds no state between calls, so
    // one, with the same default settings, serves every document. Made on first use: a set of valid documents never
    // needs it (see SchemaAcceptance).
    private readonly Lazy<JsonSchemaValidator> _validator = new(() => new JsonSchemaValidator(new JsonSchemaValidatorSettings()));

    /// <summary>Each kind's check that a document certainly passes, which spares valid documents NJsonSchema's walk.</summary>
    private readonly Dictionary<string, SchemaAcceptance> _acceptance;

    private PolicySchemaValidator(Dictionary<string, JsonSchema> schemas)
    {
        _schemas = schemas;
        _acceptance = schemas.ToDictionary(kind => kind.Key, kind => SchemaAcceptance.Compile(kind.Value), StringComparer.Ordinal);
    }

    /// <summary>The schema a kind's documents are checked against (its actual schema), null for an unknown kind.</summary>
    internal JsonSchema? SchemaOf(string kind) => _schemas.TryGetValue(kind, out var schema) ? schema.ActualSchema : null;

    /// <summary>The validator for the schema embedded in this build (loaded once).</summary>
    public static Task<PolicySchemaValidator> GetDefaultAsync() => s_default.Value;

    public static async Task<PolicySchemaValidator> LoadAsync(CancellationToken cancellationToken)
    {
        var policy = await LoadSchemaAsync(ResourceName, cancellationToken);
        return new PolicySchemaValidator(new Dictionary<string, JsonSchema>(StringComparer.Ordinal)
        {
            ["Policy"] = policy.Definitions["policy"],
            ["Channel"] = policy.Definitions["channel"],
            ["Target"] = policy.Definitions["target"],
            ["Budget"] = policy.Definitions["budget"],
            ["Registry"] = (await LoadSchemaAsync(RegistryResourceName, cancellationToken)).Definitions["registry"],
            ["Waiver"] = (await LoadSchemaAsync(WaiverResourceName, cancellationToken)).Definitions["waiver"],
            ["PolicyTest"] = await LoadSchemaAsync(TestResourceName, cancellationToken),
        });
    }

    private static async Task<JsonSchema> LoadSchemaAsync(string resourceName, CancellationToken cancellationToken)
    {
        await using var stream = typeof(PolicySchemaValidator).Assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidDataException($"The embedded schema '{resourceName}' is missing.");
        using var reader = new StreamReader(stream);
        var text = await reader.ReadToEndAsync(cancellationToken);
        return PolicySchemaReader.Read(text);
    }

    /// <summary>The document's kind when it has a valid apiVersion and a known kind, else null.</summary>
    public static string? KindOf(JsonNode? root) =>
        root is JsonObject obj && obj["kind"] is JsonValue kind && kind.TryGetValue<string>(out var text) && Kinds.Contains(text) ? text : null;

    /// <summary>Validates one document; returns true when it has no schema errors.</summary>
    public bool Validate(SourceDocument document, DiagnosticBag diagnostics)
    {
        var found = new DiagnosticBag();
        var kind = CheckHeader(document, found);
        if (kind is not null && _schemas.TryGetValue(kind, out var schema))
        {
            ICollection<ValidationError> errors;
            try
            {
                // What JsonSchema.Validate(string) does, without writing the tree as JSON text and parsing it again
                // where the tree can be given to NJsonSchema as tokens directly (see ToValidationToken).
                errors = _acceptance[kind].Check(document.Root) == SchemaAcceptance.Verdict.Valid ? []
                    : ToValidationToken(document.Root!, schema.ActualSchema) is { } token
                    ? _validator.Value.Validate(token, schema.ActualSchema)
                    : schema.Validate(ToValidationJson(document.Root!));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A third-party validator must not take the whole load down; the document is reported instead.
                found.Error(DiagnosticIds.InvalidValue, document.Map.DocumentLocation,
                    $"the document cannot be checked against the schema: {ex.Message}", "simplify unusual values (very large numbers, unusual text)");
                errors = [];
            }

            var context = new Context(document, kind, found);
            foreach (var error in errors)
            {
                Report(error, context);
            }
        }

        if (found.Items.Count == 0)
        {
            return true;
        }

        var seen = new HashSet<(string, SourceLocation, string)>();
        foreach (var diagnostic in found.Items.OrderBy(d => d.Location.Line).ThenBy(d => d.Location.Column))
        {
            if (seen.Add((diagnostic.Id, diagnostic.Location, diagnostic.Message)))
            {
                diagnostics.Add(diagnostic);
            }
        }

        return !found.HasErrors;
    }

    private static string? CheckHeader(SourceDocument document, DiagnosticBag found)
    {
        var map = document.Map;
        if (document.Root is not JsonObject root)
        {
            found.Error(DiagnosticIds.WrongType, map.Locate(""),
                $"a document must be a mapping with apiVersion, kind, metadata and spec, not {Describe(document.Root)}",
                "start the document with apiVersion: openevent.rules/v1 and kind: Policy");
            return null;
        }

        var ok = true;
        switch (root["apiVersion"])
        {
            case null when !root.ContainsKey("apiVersion"):
                found.Error(DiagnosticIds.MissingKey, map.Locate(""), "missing required key 'apiVersion'", $"add apiVersion: {ApiVersion}");
                ok = false;
                break;
            case JsonValue v when v.TryGetValue<string>(out var text) && text == ApiVersion:
                break;
            case var other:
                found.Error(DiagnosticIds.UnknownKind, map.Locate("/apiVersion"), $"unknown apiVersion {Quote(other)}", $"use apiVersion: {ApiVersion}");
                ok = false;
                break;
        }

        string? kind = null;
        switch (root["kind"])
        {
            case null when !root.ContainsKey("kind"):
                found.Error(DiagnosticIds.MissingKey, map.Locate(""), "missing required key 'kind'", "add kind: Policy (or Channel, Target, Registry, Waiver, Budget; PolicyTest in *.tests.yaml files)");
                ok = false;
                break;
            case JsonValue v when v.TryGetValue<string>(out var text) && Kinds.Contains(text):
                kind = text;
                break;
            case var other:
                var suggestion = other is JsonValue s && s.TryGetValue<string>(out var written) ? Suggestions.Closest(written, Kinds) : null;
                found.Error(DiagnosticIds.UnknownKind, map.Locate("/kind"), $"unknown kind {Quote(other)}",
                    (suggestion is null ? "" : $"did you mean '{suggestion}'? ") + "kinds: " + string.Join(", ", Kinds));
                ok = false;
                break;
        }

        return ok ? kind : null;
    }

    private sealed record Context(SourceDocument Document, string Kind, DiagnosticBag Found)
    {
        public YamlSourceMap Map => Document.Map;

        /// <summary>
        /// The keys every mapping branch of a choice takes, by the choice's pointer: a misspelt key is reported in the
        /// branch that came closest, and suggested from all of them (<c>sett</c> → <c>set</c> beside a selector's keys).
        /// </summary>
        public Dictionary<string, List<string>> ChoiceKeys { get; } = [];

        /// <summary>Where a pointer is, for messages: "spec.actions[0]", or the kind for the document itself.</summary>
        public string Where(string pointer) => pointer.Length == 0 ? Kind : PointerDisplay.ToDisplay(pointer);

        public JsonNode? NodeAt(string pointer)
        {
            var node = Document.Root;
            foreach (var token in JsonPointer.Tokens(pointer))
            {
                node = node switch
                {
                    JsonObject obj => obj[token],
                    JsonArray array when int.TryParse(token, out var index) && index < array.Count => array[index],
                    _ => null,
                };
            }

            return node;
        }
    }

    private static void Report(ValidationError error, Context context)
    {
        var pointer = PointerOf(error.Token);
        var schema = error.Schema?.ActualSchema;
        switch (error.Kind)
        {
            case ValidationErrorKind.NotOneOf or ValidationErrorKind.NotAnyOf or ValidationErrorKind.NotAllOf when error is ChildSchemaValidationError choice:
                // Report the branch that came closest: first one that takes a value of the kind written (a mapping
                // with a misspelt key meant one of the mapping branches, not "must be text"), then the fewest errors.
                context.ChoiceKeys[pointer] = [.. choice.Errors.Keys.SelectMany(branch => branch.ActualSchema.Properties.Keys).Distinct(StringComparer.Ordinal)];
                ReportAll(choice.Errors.Values.OrderBy(branch => WrongTypeAt(branch, pointer)).ThenBy(CountLeaves).FirstOrDefault() ?? [], context);
                break;

            case ValidationErrorKind.ArrayItemNotValid or ValidationErrorKind.AdditionalPropertiesNotValid or ValidationErrorKind.AdditionalItemNotValid
                when error is ChildSchemaValidationError wrapper:
                ReportAll(wrapper.Errors.Values.SelectMany(e => e), context);
                break;

            case ValidationErrorKind.NoAdditionalPropertiesAllowed:
                ReportUnknownKey(error.Property ?? PointerDisplay.LastToken(pointer), pointer, schema, context);
                break;

            case ValidationErrorKind.PropertyRequired or ValidationErrorKind.TooFewProperties when context.NodeAt(pointer) is not JsonObject:
                // NJsonSchema also checks required keys of a null or a list; the type error already says what is wrong.
                break;

            case ValidationErrorKind.PropertyRequired:
                ReportMissingKey(error.Property ?? "", pointer, schema, context);
                break;

            case ValidationErrorKind.NotInEnumeration:
                ReportNotInEnumeration(pointer, schema, context);
                break;

            case ValidationErrorKind.PatternMismatch:
                ReportPattern(pointer, context);
                break;

            case ValidationErrorKind.TooFewProperties or ValidationErrorKind.TooManyProperties:
                ReportPropertyCount(error.Kind == ValidationErrorKind.TooFewProperties, pointer, context);
                break;

            default:
                ReportValue(error.Kind, pointer, schema, context);
                break;
        }
    }

    /// <summary>The errors about one value itself (its type, its length, its range), each with its own message and hint.</summary>
    private static void ReportValue(ValidationErrorKind kind, string pointer, JsonSchema? schema, Context context)
    {
        var found = context.Found;
        var location = context.Map.Locate(pointer);
        var where = context.Where(pointer);
        switch (kind)
        {
            case ValidationErrorKind.StringExpected or ValidationErrorKind.NumberExpected or ValidationErrorKind.IntegerExpected
                or ValidationErrorKind.BooleanExpected or ValidationErrorKind.ObjectExpected or ValidationErrorKind.ArrayExpected
                or ValidationErrorKind.NullExpected or ValidationErrorKind.NoTypeValidates:
                var (expected, hint) = Expected(kind, schema);
                found.Error(DiagnosticIds.WrongType, location, $"{where} must be {expected}, not {Describe(context.NodeAt(pointer))}", hint);
                break;

            case ValidationErrorKind.UriExpected:
                found.Error(DiagnosticIds.InvalidValue, location, $"invalid URL {Quote(context.NodeAt(pointer))} for {where}",
                    "write an absolute URL, e.g. https://hooks.example.com/oer, or read it from the environment with urlFrom: { env: NAME }");
                break;

            case ValidationErrorKind.StringTooShort:
                found.Error(DiagnosticIds.InvalidValue, location, $"{where} must not be empty", "write some text, or remove the key");
                break;

            case ValidationErrorKind.TooFewItems when ActionsPointer().IsMatch(pointer):
                found.Error(DiagnosticIds.NoActions, location, "the policy has no actions",
                    "add at least one action: block, warn, notify or forward, e.g. - block: { reason: \"...\" }");
                break;

            case ValidationErrorKind.TooFewItems:
                found.Error(DiagnosticIds.InvalidValue, location, $"{where} is an empty list", "give at least one value, or remove the key");
                break;

            case ValidationErrorKind.NumberTooBig or ValidationErrorKind.NumberTooSmall or ValidationErrorKind.IntegerTooBig:
                found.Error(DiagnosticIds.InvalidValue, location, $"{where} is out of range: {Quote(context.NodeAt(pointer))}",
                    $"use a value between {schema?.Minimum} and {schema?.Maximum}");
                break;

            default:
                found.Error(DiagnosticIds.InvalidValue, location, $"invalid value {Quote(context.NodeAt(pointer))} for {where} ({kind})",
                    "see the policy guide for the allowed values");
                break;
        }
    }

    private static void ReportAll(IEnumerable<ValidationError> errors, Context context)
    {
        foreach (var child in errors)
        {
            Report(child, context);
        }
    }

    private static void ReportMissingKey(string key, string pointer, JsonSchema? schema, Context context)
    {
        var parentItem = PointerDisplay.Parent(pointer);
        var misplaced = ActionItemPointer().IsMatch(parentItem) && context.NodeAt(parentItem) is JsonObject item && item.ContainsKey(key)
            ? MisplacedActionKey(item, key)
            : null;
        var where = context.Where(pointer);
        misplaced ??= context.NodeAt(pointer) is JsonObject parent && NestedKey(parent, key, pointer, depth: 1) is { } nested
            ? $"'{key}' is written inside {context.Where(PointerDisplay.Parent(nested))} (line {context.Map.LocateKey(nested).Line}): indent it less, to the level of the other keys of {where}"
            : null;
        context.Found.Error(DiagnosticIds.MissingKey, context.Map.LocateKey(pointer), $"missing required key '{key}' in {where}",
            misplaced ?? MissingKeyHint(key, schema?.Properties.TryGetValue(key, out var property) == true ? property.ActualSchema : null, where, context.Kind));
    }

    /// <summary>
    /// Where a missing key is written one or two mappings too deep (actions: indented under match:, spec: under
    /// metadata:), the commonest indentation slip; null when it is nowhere below.
    /// </summary>
    private static string? NestedKey(JsonObject parent, string key, string pointer, int depth)
    {
        foreach (var (name, value) in parent)
        {
            if (value is not JsonObject child)
            {
                continue;
            }

            var childPointer = YamlSourceMap.Append(pointer, name);
            if (child.ContainsKey(key))
            {
                return YamlSourceMap.Append(childPointer, key);
            }

            if (depth < 2 && NestedKey(child, key, childPointer, depth + 1) is { } deeper)
            {
                return deeper;
            }
        }

        return null;
    }

    private static void ReportNotInEnumeration(string pointer, JsonSchema? schema, Context context)
    {
        var allowed = schema?.Enumeration.Select(v => v?.ToString() ?? "null").ToList() ?? [];
        var value = context.NodeAt(pointer);
        var suggestion = value is JsonValue v && v.TryGetValue<string>(out var text) ? Suggestions.Closest(text, allowed) : null;
        context.Found.Error(DiagnosticIds.InvalidValue, context.Map.Locate(pointer), $"invalid value {Quote(value)} for {context.Where(pointer)}",
            (suggestion is null ? "" : $"did you mean '{suggestion}'? ") + "allowed values: " + string.Join(", ", allowed));
    }

    private static void ReportUnknownKey(string key, string pointer, JsonSchema? schema, Context context)
    {
        var parent = PointerDisplay.Parent(pointer);
        var location = context.Map.LocateKey(pointer);
        var where = context.Where(parent);
        if (SecretKey().IsMatch(key))
        {
            var hint = context.Kind == "Channel" && parent == "/spec"
                ? "use secretFrom: { env: NAME } and set NAME in the engine's environment"
                : "read it from an environment variable, e.g. headers: { Authorization: { env: NAME } }";
            context.Found.Error(DiagnosticIds.InlineSecret, location,
                $"inline secret '{key}' in {where}: secrets are never written in policy files", hint);
            return;
        }

        var allowed = schema?.Properties.Keys.ToList() ?? [];
        var suggestion = Suggestions.Closest(key, context.ChoiceKeys.TryGetValue(parent, out var alternatives) ? [.. allowed.Union(alternatives)] : allowed);
        var misplaced = ActionItemPointer().IsMatch(parent) ? MisplacedActionKey(context.NodeAt(parent) as JsonObject, key) : null;
        context.Found.Error(DiagnosticIds.UnknownKey, location, $"unknown key '{TextExcerpt.Of(key)}' in {where}",
            misplaced is not null ? misplaced
            : suggestion is not null ? $"did you mean '{suggestion}'?"
            : allowed.Count > 0 ? $"allowed keys in {where}: {string.Join(", ", allowed)}"
            : "remove it");
    }

    private static void ReportPattern(string pointer, Context context)
    {
        var value = context.NodeAt(pointer);
        var location = context.Map.Locate(pointer);
        var where = context.Where(pointer);
        if (pointer == "/metadata/name")
        {
            var text = value?.GetValue<string>() ?? "";
            var kebab = ToKebabCase(text);
            context.Found.Error(DiagnosticIds.InvalidName, location, $"invalid name {Quote(value)}: names are kebab-case",
                "use lowercase letters, digits and '-', 1 to 63 characters, starting and ending with a letter or digit"
                + (kebab.Length > 0 ? $", e.g. '{kebab}'" : ""));
        }
        else if (pointer.StartsWith("/spec/scope/environments/", StringComparison.Ordinal) || EnvironmentsPointer().IsMatch(pointer))
        {
            context.Found.Error(DiagnosticIds.UnknownScopeValue, location, $"invalid environment {Quote(value)} in {where}: DataWorks has DEV and PROD", "write DEV (development) or PROD (production)");
        }
        else if (context.Kind == "Registry" || pointer.Contains("/workspaces/", StringComparison.Ordinal))
        {
            ReportRegistryPattern(pointer, value, location, where, context);
        }
        else if (pointer.EndsWith("/env", StringComparison.Ordinal) || pointer.Contains("/headers/", StringComparison.Ordinal))
        {
            context.Found.Error(DiagnosticIds.InvalidValue, location, $"invalid environment variable name {Quote(value)} for {where}",
                "use letters, digits and '_', not starting with a digit, e.g. OER_WEBHOOK_URL");
        }
        else
        {
            context.Found.Error(DiagnosticIds.InvalidValue, location, $"invalid value {Quote(value)} for {where}", "see the policy guide for the expected format");
        }
    }

    // The registry's formats (and a selector's environment in a scope), each with the fix for its own kind of value.
    private static void ReportRegistryPattern(string pointer, JsonNode? value, SourceLocation location, string where, Context context)
    {
        var (what, hint) = PointerDisplay.LastToken(pointer) switch
        {
            "environment" => ("environment", "write DEV (development) or PROD (production)"),
            "id" => ("id", "an id is digits, as DataWorks sends it, e.g. 10001234"),
            "name" => ("name", "start with a letter, then letters, digits, '_' or '-', e.g. sales_prod"),
            _ when PointerDisplay.Parent(pointer).EndsWith("/accounts", StringComparison.Ordinal) => ("account id", "an account id is digits, e.g. 1234567890123456"),
            _ when PointerDisplay.Parent(pointer).EndsWith("/labels", StringComparison.Ordinal) => ("label", "a label is a word of letters, digits, '_', '.' or '-', e.g. sensitive"),
            _ => ("value", "see the policy guide for the expected format"),
        };
        var id = what == "name" && context.Kind == "Registry" ? DiagnosticIds.InvalidName : DiagnosticIds.InvalidValue;
        context.Found.Error(id, location, $"invalid {what} {Quote(value)} for {where}", hint);
    }

    private static readonly string[] s_actionKinds = ["block", "warn", "notify", "forward"];

    /// <summary>
    /// Two action kinds in one item want two list items; one kind beside keys that are not kinds (reason, message,
    /// channel...) is the common indentation slip: those keys belong inside the action, indented under it.
    /// </summary>
    /// <summary>The hint for a key written beside the one action kind of an item, where it should be inside it; else null.</summary>
    private static string? MisplacedActionKey(JsonObject? item, string key)
    {
        var kinds = item?.Select(p => p.Key).Where(k => s_actionKinds.Contains(k)).ToList() ?? [];
        return kinds.Count == 1 && !s_actionKinds.Contains(key)
            ? $"'{key}' is written beside {kinds[0]}, at the level of the list item: indent it under {kinds[0]}: (deeper than {kinds[0]} itself)"
            : null;
    }

    private static string SeveralActionKeysHint(JsonObject? item)
    {
        var kinds = item?.Select(p => p.Key).Where(k => s_actionKinds.Contains(k)).ToList() ?? [];
        var others = item?.Select(p => p.Key).Where(k => !s_actionKinds.Contains(k)).ToList() ?? [];
        if (kinds.Count == 1 && others.Count > 0)
        {
            var kind = kinds[0];
            var names = string.Join(", ", others.Select(k => $"'{k}'"));
            return $"{names} {(others.Count == 1 ? "belongs" : "belong")} inside {kind}: indent {(others.Count == 1 ? "it" : "them")} under {kind}: "
                + $"(deeper than {kind} itself), e.g. - {kind}: {{ {string.Join(", ", others.Select(k => k + ": ..."))} }}";
        }

        return "write each action as its own list item, e.g. - block: {...} and - notify: {...}";
    }

    private static void ReportPropertyCount(bool tooFew, string pointer, Context context)
    {
        var location = context.Map.Locate(pointer);
        var where = context.Where(pointer);
        var node = context.NodeAt(pointer) as JsonObject;
        var keys = node is null ? "" : string.Join(", ", node.Select(p => $"'{p.Key}'"));
        if (ActionItemPointer().IsMatch(pointer))
        {
            if (tooFew)
            {
                context.Found.Error(DiagnosticIds.MissingKey, location, $"the action {where} is empty",
                    "write one of block, warn, notify or forward, e.g. - block: { reason: \"...\" }");
            }
            else
            {
                context.Found.Error(DiagnosticIds.InvalidValue, location, $"the action {where} has several keys ({keys}): an action has exactly one",
                    SeveralActionKeysHint(node));
            }
        }
        else if (ExcludeItemPointer().IsMatch(pointer))
        {
            context.Found.Error(DiagnosticIds.MissingKey, location, $"the exclusion {where} is empty", "give it a match and/or a scope");
        }
        else if (HeaderPointer().IsMatch(pointer))
        {
            var header = PointerDisplay.LastToken(pointer);
            if (tooFew)
            {
                context.Found.Error(DiagnosticIds.MissingKey, location, $"header '{header}' has no value", "give it value: \"...\" or env: NAME");
            }
            else
            {
                context.Found.Error(DiagnosticIds.InvalidValue, location, $"header '{header}' has both 'value' and 'env'", "keep one of them");
            }
        }
        else if (tooFew && ExpectPointer().IsMatch(pointer))
        {
            context.Found.Error(DiagnosticIds.MissingKey, location, $"{where} is empty: the case expects nothing",
                "give at least one of verdict, matched, notMatched, matchedExactly, reasonContains, actions");
        }
        else
        {
            context.Found.Error(DiagnosticIds.InvalidValue, location, $"{where} has {(tooFew ? "too few" : "too many")} keys", "see the policy guide");
        }
    }

    private static string MissingKeyHint(string key, JsonSchema? property, string where, string kind) => (kind, key) switch
    {
        ("PolicyTest", "name") when where != "metadata" => "add name: a sentence that says what the case checks, e.g. name: blocks a deploy in a production workspace",
        ("PolicyTest", "spec") => "add spec: with cases",
        ("PolicyTest", "cases") => "add cases: with at least one case (name, event, expect)",
        ("PolicyTest", "event") => "add event: a path to a JSON event file (relative to the test file) or the event inline, e.g. event: ../samples/events/FileChange-DeployFile.json",
        ("PolicyTest", "expect") => "add expect: with the expected outcome, e.g. expect: { verdict: FAIL, matched: [my-policy] }",
        ("PolicyTest", "kind") => "add kind: block, warn, notify or forward",
        _ => MissingKeyHint(key, property, where),
    };

    private static string MissingKeyHint(string key, JsonSchema? property, string where) => key switch
    {
        "metadata" => "add metadata: { name: my-policy }",
        "name" => "add name: with a kebab-case name, e.g. name: prod-deploy-freeze",
        "spec" => "add spec: with at least match and actions",
        "match" => "add match: with an event pattern, e.g. match: { type: [\"dataworks:FileChange:DeployFile\"] }",
        "actions" => "add actions: with at least one action, e.g. actions: [{ block: { reason: \"...\" } }]",
        "reason" => "add reason: \"...\" (shown to the DataWorks user)",
        "channel" => "add channel: log, or the name of a declared Channel",
        "message" => "add message: \"...\" (the text sent to the channel)",
        "target" => "add target: log, or the name of a declared Target",
        "env" => "add env: NAME, the environment variable to read",
        _ when property?.Enumeration.Count > 0 => $"add {key}: one of {string.Join(", ", property.Enumeration)}",
        _ => $"add {key}: to {where}",
    };

    private static (string Expected, string Hint) Expected(ValidationErrorKind kind, JsonSchema? schema) => kind switch
    {
        ValidationErrorKind.StringExpected => ("text", "write text; quote it if it looks like a number or a boolean, e.g. \"123\""),
        ValidationErrorKind.IntegerExpected => ("a whole number", "write a whole number without quotes, e.g. 100"),
        ValidationErrorKind.NumberExpected => ("a number", "write a number without quotes"),
        ValidationErrorKind.BooleanExpected => ("true or false", "write true or false without quotes"),
        ValidationErrorKind.ObjectExpected => ("a mapping", "write key: value pairs, indented under the key, or { key: value }"),
        ValidationErrorKind.ArrayExpected => ("a list", "write a list: [a, b], or one '- item' per line"),
        ValidationErrorKind.NoTypeValidates when schema is not null && schema.Type.HasFlag(JsonObjectType.String) && schema.Type.HasFlag(JsonObjectType.Integer) =>
            ("text or a whole number", "write an id such as 10001234 or \"10001234\""),
        _ => ("of another type", "see the policy guide for the expected type"),
    };

    /// <summary>
    /// The document as JSON for NJsonSchema, with numbers beyond what Newtonsoft handles clamped: integers beyond
    /// 64 bits become BigInteger there (which its number checks cannot convert) and 1e400 overflows a double.
    /// Clamped values keep their type and their side of every range check; messages quote the original node.
    /// </summary>
    internal static string ToValidationJson(JsonNode root)
    {
        using var stream = new MemoryStream();
        using (var writer = new System.Text.Json.Utf8JsonWriter(stream))
        {
            Write(writer, root);
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());

        static void Write(System.Text.Json.Utf8JsonWriter writer, JsonNode? node)
        {
            switch (node)
            {
                case null:
                    writer.WriteNullValue();
                    break;
                case JsonObject obj:
                    writer.WriteStartObject();
                    foreach (var (key, value) in obj)
                    {
                        writer.WritePropertyName(key);
                        Write(writer, value);
                    }

                    writer.WriteEndObject();
                    break;
                case JsonArray array:
                    writer.WriteStartArray();
                    foreach (var item in array)
                    {
                        Write(writer, item);
                    }

                    writer.WriteEndArray();
                    break;
                case JsonValue value when value.GetValueKind() == System.Text.Json.JsonValueKind.Number:
                    writer.WriteRawValue(ClampNumber(value.ToJsonString()));
                    break;
                default:
                    node.WriteTo(writer);
                    break;
            }
        }
    }

    /// <summary>
    /// Nesting up to which <see cref="ToValidationToken"/> builds tokens directly; deeper documents take the text route,
    /// whose reader (Newtonsoft, at most 64 levels) decides what happens to them.
    /// </summary>
    private const int MaxDirectTokenDepth = 32;

    /// <summary>
    /// The Newtonsoft tokens that reading <see cref="ToValidationJson"/>'s text gives (as NJsonSchema reads it: integers
    /// as long, other numbers as double, strings never dates), built from the tree directly. Null where only the text
    /// route is known to give the same outcome: a string or key with UTF-16 surrogates (the JSON writer checks them; rare
    /// in policies, e.g. an emoji), a nesting
    /// deeper than <see cref="MaxDirectTokenDepth"/>, or a value of an unexpected kind.
    /// </summary>
    internal static JToken? ToValidationToken(JsonNode root) => ToToken(root, 0, schema: null);

    /// <summary>
    /// <see cref="ToValidationToken(JsonNode)"/> guided by the schema NJsonSchema will walk the tokens with: a value it
    /// never visits (a key its object's schema neither names nor gives a schema for, such as everything under a policy's
    /// match but detail; an item of a list whose schema has none) becomes a null token under its key or index, so that
    /// NJsonSchema gives exactly the errors, paths and pointers of the whole tree without a token per pattern node.
    /// The whole value is still checked for what sends a document the text route (surrogates, depth), so the route is
    /// the same.
    /// </summary>
    internal static JToken? ToValidationToken(JsonNode root, JsonSchema schema) => ToToken(root, 0, schema.ActualSchema);

    /// <summary>The tokens of a node; <paramref name="schema"/> is the schema NJsonSchema checks it with, null when unknown (then every node is built).</summary>
    private static JToken? ToToken(JsonNode? node, int depth, JsonSchema? schema) => node switch
    {
        null => JValue.CreateNull(),
        JsonObject obj when depth < MaxDirectTokenDepth => ToObjectToken(obj, depth, schema),
        JsonArray array when depth < MaxDirectTokenDepth => ToArrayToken(array, depth, schema),
        JsonValue value => ToToken(value),
        _ => null,
    };

    private static JObject? ToObjectToken(JsonObject obj, int depth, JsonSchema? schema)
    {
        // NJsonSchema visits an object's values only through its properties, pattern properties, additional properties'
        // schema, and the combinators and enum of the object's own schema (enum compares the whole text).
        var guided = schema is not null && VisitsOnlyItsOwnKeywords(schema) && schema.PatternProperties.Count == 0 && schema.AdditionalPropertiesSchema is null;
        var result = new JObject();
        foreach (var (key, value) in obj)
        {
            if (HasSurrogates(key))
            {
                return null;
            }

            var token = !guided ? ToToken(value, depth + 1, schema: null)
                : schema!.Properties.TryGetValue(key, out var property) ? ToToken(value, depth + 1, property.ActualSchema)
                : NotVisited(value, depth + 1);
            if (token is null)
            {
                return null;
            }

            result.Add(key, token);
        }

        return result;
    }

    private static JArray? ToArrayToken(JsonArray array, int depth, JsonSchema? schema)
    {
        // A list's items are visited through its item schema (or tuple items), and compared as text by uniqueItems.
        var guided = schema is not null && VisitsOnlyItsOwnKeywords(schema) && schema.Items.Count == 0 && !schema.UniqueItems;
        var itemSchema = guided ? schema!.Item?.ActualSchema : null;
        var items = new JArray();
        foreach (var item in array)
        {
            var token = !guided ? ToToken(item, depth + 1, schema: null)
                : itemSchema is not null ? ToToken(item, depth + 1, itemSchema)
                : NotVisited(item, depth + 1);
            if (token is null)
            {
                return null;
            }

            items.Add(token);
        }

        return items;
    }

    /// <summary>Whether a schema checks a value only with its own keywords (no combinator or enum that looks at the whole value).</summary>
    private static bool VisitsOnlyItsOwnKeywords(JsonSchema schema) =>
        schema.AllOf.Count == 0 && schema.AnyOf.Count == 0 && schema.OneOf.Count == 0 && schema.Not is null && schema.Enumeration.Count == 0;

    /// <summary>A null token in place of a value NJsonSchema does not visit; null (the text route) where building it would have given null.</summary>
    private static JValue? NotVisited(JsonNode? node, int depth) => Buildable(node, depth) ? JValue.CreateNull() : null;

    /// <summary>Whether <see cref="ToToken(JsonNode?, int, JsonSchema?)"/> gives tokens for a node, found without building them.</summary>
    private static bool Buildable(JsonNode? node, int depth)
    {
        switch (node)
        {
            case null:
                return true;
            case JsonObject obj when depth < MaxDirectTokenDepth:
                foreach (var (key, value) in obj)
                {
                    if (HasSurrogates(key) || !Buildable(value, depth + 1))
                    {
                        return false;
                    }
                }

                return true;
            case JsonArray array when depth < MaxDirectTokenDepth:
                foreach (var item in array)
                {
                    if (!Buildable(item, depth + 1))
                    {
                        return false;
                    }
                }

                return true;
            case JsonValue value:
                return value.GetValueKind() switch
                {
                    System.Text.Json.JsonValueKind.String => !HasSurrogates(value.GetValue<string>()),
                    System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False or System.Text.Json.JsonValueKind.Number => true,
                    _ => false,
                };
            default:
                return false;
        }
    }

    private static JValue? ToToken(JsonValue value)
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        switch (value.GetValueKind())
        {
            case System.Text.Json.JsonValueKind.String:
                var text = value.GetValue<string>();
                return HasSurrogates(text) ? null : new JValue(text);
            case System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False:
                return new JValue(value.GetValue<bool>());
            case System.Text.Json.JsonValueKind.Number:
                // As Newtonsoft's reader: a literal without '.' or exponent is an integer (long), any other a double.
                var number = ClampNumber(value.ToJsonString());
                return number.AsSpan().IndexOfAny('.', 'e', 'E') < 0
                    ? new JValue(long.Parse(number, System.Globalization.NumberStyles.Integer, invariant))
                    : new JValue(double.Parse(number, System.Globalization.NumberStyles.Float, invariant));
            default:
                return null;
        }
    }

    private static bool HasSurrogates(string text) => text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0;

    private static string ClampNumber(string text)
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        var negative = text.StartsWith('-');
        if (text.AsSpan().IndexOfAny('.', 'e', 'E') < 0)
        {
            return long.TryParse(text, System.Globalization.NumberStyles.Integer, invariant, out _) ? text
                : negative ? long.MinValue.ToString(invariant) : long.MaxValue.ToString(invariant);
        }

        return double.TryParse(text, System.Globalization.NumberStyles.Float, invariant, out var d) && double.IsFinite(d) ? text
            : negative ? "-1.7976931348623157E+308" : "1.7976931348623157E+308";
    }

    /// <summary>Whether a branch refused the value at <paramref name="pointer"/> for its type (a mapping where it takes text).</summary>
    private static bool WrongTypeAt(ICollection<ValidationError> branch, string pointer) =>
        branch.Any(e => (e.Kind is ValidationErrorKind.StringExpected or ValidationErrorKind.NumberExpected or ValidationErrorKind.IntegerExpected
            or ValidationErrorKind.BooleanExpected or ValidationErrorKind.ObjectExpected or ValidationErrorKind.ArrayExpected
            or ValidationErrorKind.NullExpected or ValidationErrorKind.NoTypeValidates) && PointerOf(e.Token) == pointer);

    private static int CountLeaves(ICollection<ValidationError> errors) =>
        errors.Sum(e => e is ChildSchemaValidationError child ? child.Errors.Values.Sum(CountLeaves) : 1);

    /// <summary>The JSON pointer of a Newtonsoft token, built from its ancestors (keys may contain dots).</summary>
    private static string PointerOf(JToken? token)
    {
        var tokens = new List<string>();
        for (var current = token; current is not null; current = current.Parent)
        {
            if (current is JProperty property)
            {
                tokens.Add(property.Name);
            }
            else if (current.Parent is JArray array)
            {
                tokens.Add(array.IndexOf(current).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        tokens.Reverse();
        return tokens.Aggregate("", YamlSourceMap.Append);
    }

    internal static string Describe(JsonNode? node) => node switch
    {
        null => "empty (null)",
        JsonObject => "a mapping",
        JsonArray => "a list",
        JsonValue value => value.GetValueKind() switch
        {
            System.Text.Json.JsonValueKind.String => $"text ('{Truncate(value.GetValue<string>())}')",
            System.Text.Json.JsonValueKind.Number => $"a number ({value.ToJsonString()})",
            System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => $"a boolean ({value.ToJsonString()})",
            _ => "a value",
        },
        _ => "a value",
    };

    internal static string Quote(JsonNode? node) => node switch
    {
        null => "null",
        JsonValue value when value.TryGetValue<string>(out var text) => $"'{Truncate(text)}'",
        _ => Truncate(node.ToJsonString()),
    };

    private static string Truncate(string text) => text.Length <= 60 ? text : text[..57] + "...";

    private static string ToKebabCase(string text)
    {
        var builder = new System.Text.StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsAsciiLetterUpper(c) && i > 0 && char.IsAsciiLetterLower(text[i - 1]))
            {
                builder.Append('-');
            }

            builder.Append(char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-');
        }

        var kebab = MultipleDashes().Replace(builder.ToString(), "-").Trim('-');
        return kebab.Length > 63 ? kebab[..63].TrimEnd('-') : kebab;
    }

    [GeneratedRegex("^(secret|token|password|passwd|pwd|api[-_]?key|access[-_]?key|access[-_]?token|secret[-_]?key|credentials?)$", RegexOptions.IgnoreCase)]
    private static partial Regex SecretKey();

    [GeneratedRegex("^/spec/actions$")]
    private static partial Regex ActionsPointer();

    [GeneratedRegex("^/spec/actions/[0-9]+$")]
    private static partial Regex ActionItemPointer();

    [GeneratedRegex("^/spec/exclude/[0-9]+$")]
    private static partial Regex ExcludeItemPointer();

    [GeneratedRegex("^/spec/exclude/[0-9]+/scope/environments/[0-9]+$")]
    private static partial Regex EnvironmentsPointer();

    [GeneratedRegex("^/spec/cases/[0-9]+/expect$")]
    private static partial Regex ExpectPointer();

    [GeneratedRegex("^/spec/headers/[^/]+$")]
    private static partial Regex HeaderPointer();

    [GeneratedRegex("-{2,}")]
    private static partial Regex MultipleDashes();
}
