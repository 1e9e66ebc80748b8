using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Model.Registry;

namespace OpenEvent.Rules.Parsing;

/// <summary>
/// Turns a schema-valid document into its authored model (<see cref="PolicyDefinition"/>,
/// <see cref="ChannelDefinition"/>, <see cref="TargetDefinition"/>). The schema has already checked keys and
/// types; this adds what a schema cannot say: templates (OER3034), secrets written inline (OER3035), which keys
/// go with which channel or target type, and the reserved name "log". Each method reports every problem of the
/// document and returns null when there was any error.
/// </summary>
internal static partial class PolicyDocumentParser
{
    public static PolicyDefinition? ParsePolicy(SourceDocument document, DiagnosticBag diagnostics) =>
        ParsePolicy(document, diagnostics, RegistryDefinition.Empty);

    /// <summary>Parses a policy, expanding what it names in <paramref name="registry"/> (sets, workspace and tenant names, selectors, windows).</summary>
    public static PolicyDefinition? ParsePolicy(SourceDocument document, DiagnosticBag diagnostics, RegistryDefinition registry)
    {
        var bag = new DiagnosticBag();
        var root = (JsonObject)document.Root!;
        var map = document.Map;
        var spec = (JsonObject)root["spec"]!;
        var (name, metadata, location) = ParseMetadata(root, map);

        var mode = Text(spec["mode"]) switch
        {
            "audit" => PolicyMode.Audit,
            "disabled" => PolicyMode.Disabled,
            _ => PolicyMode.Enforce,
        };
        var priority = spec["priority"] is { } priorityNode ? ToInt32(priorityNode) : 0;

        var match = ParsePattern(spec["match"], "/spec/match", map, registry, bag);
        var scope = spec["scope"] is JsonObject scopeNode ? RegistryReferences.ParseScope(scopeNode, "/spec/scope", map, registry, bag) : null;
        var enforceIn = spec["enforceIn"] is JsonObject stageNode ? RegistryReferences.ParseScope(stageNode, "/spec/enforceIn", map, registry, bag) : null;

        var (exclusions, exclusionsOk) = ParseExclusions(spec, map, registry, bag);
        var condition = ParseCondition(spec, map);
        var actions = ParseActions(spec, map, bag);

        diagnostics.AddRange(bag.Items);
        if (bag.HasErrors || match is null || !exclusionsOk)
        {
            return null;
        }

        return new PolicyDefinition(name, metadata, mode, priority, match, scope, exclusions, condition, actions, location)
        {
            AllowUnknownTypes = spec["allowUnknownTypes"] is JsonValue allow && allow.TryGetValue<bool>(out var allowed) && allowed,
            DetailErrors = Text(spec["detailErrors"]) switch
            {
                "match" => DetailErrorMode.Match,
                "fail-mode" => DetailErrorMode.FailMode,
                _ => DetailErrorMode.NoMatch,
            },
            DetailErrorsLocation = spec.ContainsKey("detailErrors") ? map.LocateKey("/spec/detailErrors") : null,
            EnforceIn = enforceIn,
        };
    }

    /// <summary>The policy's exclusions, and whether every exclusion's match parsed (a broken one must not drop silently).</summary>
    private static (ImmutableArray<ExclusionDefinition> Exclusions, bool Ok) ParseExclusions(
        JsonObject spec, YamlSourceMap map, RegistryDefinition registry, DiagnosticBag bag)
    {
        var exclusions = ImmutableArray.CreateBuilder<ExclusionDefinition>();
        var exclusionsOk = true;
        if (spec["exclude"] is JsonArray exclude)
        {
            for (var i = 0; i < exclude.Count; i++)
            {
                var pointer = YamlSourceMap.Append("/spec/exclude", i);
                var item = (JsonObject)exclude[i]!;
                PatternObject? exclusionMatch = null;
                if (item.ContainsKey("match"))
                {
                    exclusionMatch = ParsePattern(item["match"], pointer + "/match", map, registry, bag);
                    exclusionsOk &= exclusionMatch is not null;
                }

                var exclusionScope = item["scope"] is JsonObject s ? RegistryReferences.ParseScope(s, pointer + "/scope", map, registry, bag) : null;
                exclusions.Add(new ExclusionDefinition(exclusionMatch, exclusionScope, map.Locate(pointer)));
            }
        }

        return (exclusions.ToImmutable(), exclusionsOk);
    }

    /// <summary>The C# condition with where its text starts (inside quotes or a block scalar), so compile errors point into it.</summary>
    private static ConditionDefinition? ParseCondition(JsonObject spec, YamlSourceMap map)
    {
        if (Text(spec["condition"]) is not { } expression)
        {
            return null;
        }

        var onError = Text(spec["conditionErrors"]) == "match" ? ConditionErrorMode.Match : ConditionErrorMode.NoMatch;
        var conditionAt = map.Locate("/spec/condition");
        return map.GetScalar("/spec/condition") switch
        {
            { Quoting: ScalarQuoting.DoubleQuoted, Raw: { Length: >= 2 } raw } when raw.Contains('\\') =>
                new ConditionDefinition(expression, onError, conditionAt) { ContentStart = conditionAt with { Column = conditionAt.Column + 1 }, QuotedText = raw[1..^1] },
            { Quoting: ScalarQuoting.SingleQuoted or ScalarQuoting.DoubleQuoted } =>
                new ConditionDefinition(expression, onError, conditionAt) { ContentStart = conditionAt with { Column = conditionAt.Column + 1 } },
            { Quoting: ScalarQuoting.Literal or ScalarQuoting.Folded, ContentStart: { } start } span =>
                new ConditionDefinition(expression, onError, conditionAt)
                {
                    ContentStart = start,
                    Style = span.Quoting == ScalarQuoting.Literal ? ConditionTextStyle.Literal : ConditionTextStyle.Folded,
                },
            _ => new ConditionDefinition(expression, onError, conditionAt),
        };
    }

    private static ImmutableArray<ActionDefinition> ParseActions(JsonObject spec, YamlSourceMap map, DiagnosticBag bag)
    {
        var actions = ImmutableArray.CreateBuilder<ActionDefinition>();
        var actionsArray = (JsonArray)spec["actions"]!;
        for (var i = 0; i < actionsArray.Count; i++)
        {
            if (ParseAction((JsonObject)actionsArray[i]!, YamlSourceMap.Append("/spec/actions", i), map, bag) is { } action)
            {
                actions.Add(action);
            }
        }

        return actions.ToImmutable();
    }

    public static ChannelDefinition? ParseChannel(SourceDocument document, DiagnosticBag diagnostics)
    {
        var bag = new DiagnosticBag();
        var root = (JsonObject)document.Root!;
        var map = document.Map;
        var spec = (JsonObject)root["spec"]!;
        var (name, _, location) = ParseMetadata(root, map);
        CheckReservedName(name, "channel", location, bag);

        var type = Text(spec["type"]) switch
        {
            "dingtalk" => ChannelType.DingTalk,
            "lark" => ChannelType.Lark,
            "slack" => ChannelType.Slack,
            _ => ChannelType.Webhook,
        };
        var typeName = Text(spec["type"])!;

        if (type != ChannelType.Webhook && spec.ContainsKey("url"))
        {
            bag.Error(DiagnosticIds.InlineSecret, map.Locate("/spec/url"),
                $"the url of a {typeName} channel contains its access token and must not be written in a policy file",
                "use urlFrom: { env: NAME } and set NAME in the engine's environment");
        }

        var url = ParseUrl(spec, $"channel '{name}'", map, bag, checkQuery: type == ChannelType.Webhook);
        var secret = spec["secretFrom"] is JsonObject secretFrom ? EnvReference(secretFrom, "/spec/secretFrom", map, bag) : null;
        if (secret is not null && type == ChannelType.Slack)
        {
            // Slack incoming webhooks are authorized by their URL alone; a secret here suggests a mix-up of channel types.
            bag.Warning(DiagnosticIds.InvalidValue, map.LocateKey("/spec/secretFrom"), "'secretFrom' is not used by slack channels",
                "remove it: a Slack incoming webhook needs only urlFrom; signing secrets apply to dingtalk and lark");
        }

        var headers = ParseHeaders(spec, map, bag);

        diagnostics.AddRange(bag.Items);
        return bag.HasErrors ? null : new ChannelDefinition(name, type, url, secret, headers, location);
    }

    public static TargetDefinition? ParseTarget(SourceDocument document, DiagnosticBag diagnostics)
    {
        var bag = new DiagnosticBag();
        var root = (JsonObject)document.Root!;
        var map = document.Map;
        var spec = (JsonObject)root["spec"]!;
        var (name, _, location) = ParseMetadata(root, map);
        CheckReservedName(name, "target", location, bag);

        ConfigValue? url = null;
        string? path = null;
        var headers = ImmutableSortedDictionary.Create<string, ConfigValue>(StringComparer.OrdinalIgnoreCase);
        if (Text(spec["type"]) == "file")
        {
            foreach (var key in new[] { "url", "urlFrom", "headers" })
            {
                if (spec.ContainsKey(key))
                {
                    bag.Error(DiagnosticIds.InvalidValue, map.LocateKey("/spec/" + key), $"'{key}' does not apply to file targets",
                        "remove it: a file target appends each event to 'path'; use type: http to send events to a URL");
                }
            }

            path = Text(spec["path"]);
            if (path is null)
            {
                bag.Error(DiagnosticIds.MissingKey, map.LocateKey("/spec"), $"target '{name}' of type file needs 'path'",
                    "add path: with the JSON Lines file to append to, e.g. path: audit/events.jsonl");
            }
            else if (FileTargetPath.Problem(path) is { } problem)
            {
                bag.Error(DiagnosticIds.FileTargetPathOutside, map.Locate("/spec/path"), $"the path of file target '{name}' {problem}: '{TextExcerpt.Escape(path)}'",
                    "write a relative path with '/' between plain names, e.g. path: audit/events.jsonl; the host appends below its file-target folder (OpenEventRules:Actions:File:Directory)");
            }

            diagnostics.AddRange(bag.Items);
            return bag.HasErrors ? null : new TargetDefinition(name, TargetType.File, null, path, headers, location) { ReceivesBlocked = ReceivesBlocked(spec) };
        }

        if (spec.ContainsKey("path"))
        {
            bag.Error(DiagnosticIds.InvalidValue, map.LocateKey("/spec/path"), "'path' does not apply to http targets",
                "remove it, or use type: file to append events to a file");
        }

        url = ParseUrl(spec, $"target '{name}'", map, bag, checkQuery: true);
        headers = ParseHeaders(spec, map, bag);
        diagnostics.AddRange(bag.Items);
        return bag.HasErrors ? null : new TargetDefinition(name, TargetType.Http, url, null, headers, location) { ReceivesBlocked = ReceivesBlocked(spec) };
    }

    private static bool ReceivesBlocked(JsonObject spec) => spec["receivesBlocked"] is JsonValue value && value.TryGetValue<bool>(out var receives) && receives;

    /// <summary>
    /// The one place where event patterns are parsed, so that pattern parsing can be swapped or stubbed as a whole. Named
    /// sets are expanded first (<see cref="NamedSetExpander"/>): the pattern parser only sees plain operands.
    /// </summary>
    private static PatternObject? ParsePattern(JsonNode? node, string pointer, ISourceMap map, RegistryDefinition registry, DiagnosticBag diagnostics) =>
        NamedSetExpander.TryExpand(node, pointer, map, registry, diagnostics, out var expanded, out var expandedMap)
            ? PatternParser.Parse(expanded, pointer, expandedMap, diagnostics)
            : null;

    /// <summary>A kind: Budget document (the schema checked its keys: whole numbers of at least 1); null after an error.</summary>
    public static CostBudget? ParseBudget(SourceDocument document, DiagnosticBag diagnostics)
    {
        var root = (JsonObject)document.Root!;
        var map = document.Map;
        var spec = (JsonObject)root["spec"]!;
        var (_, _, location) = ParseMetadata(root, map);
        var ok = true;
        long? Limit(string key)
        {
            if (spec[key] is not JsonValue value)
            {
                return null;
            }

            if (value.TryGetValue<long>(out var limit))
            {
                return limit;
            }

            diagnostics.Error(DiagnosticIds.InvalidValue, map.Locate("/spec/" + key), $"'{key}' is too large",
                "write a whole number of cost units per event that fits in 64 bits (a set of thousands of policies costs a few million)");
            ok = false;
            return null;
        }

        var budget = new CostBudget
        {
            MaxPolicyCost = Limit("maxPolicyCost"),
            MaxSetCost = Limit("maxSetCost"),
            Location = location,
            MaxPolicyCostLocation = spec.ContainsKey("maxPolicyCost") ? map.LocateKey("/spec/maxPolicyCost") : location,
            MaxSetCostLocation = spec.ContainsKey("maxSetCost") ? map.LocateKey("/spec/maxSetCost") : location,
        };
        return ok ? budget : null;
    }

    private static (string Name, PolicyMetadata Metadata, SourceLocation Location) ParseMetadata(JsonObject root, YamlSourceMap map)
    {
        var metadata = (JsonObject)root["metadata"]!;
        var labels = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        if (metadata["labels"] is JsonObject labelsNode)
        {
            foreach (var (key, value) in labelsNode)
            {
                labels[key] = Text(value) ?? "";
            }
        }

        return (Text(metadata["name"])!,
            new PolicyMetadata(Text(metadata["description"]), Text(metadata["owner"]), labels.ToImmutable()),
            map.Locate("/metadata/name"));
    }

    private static void CheckReservedName(string name, string kind, SourceLocation location, DiagnosticBag bag)
    {
        if (name == PolicySetDefinition.BuiltInLog)
        {
            bag.Error(DiagnosticIds.DuplicateName, location, $"'log' is the built-in {kind} and cannot be declared",
                $"choose another name; {kind}: log works without a declaration");
        }
    }

    private static ActionDefinition? ParseAction(JsonObject item, string pointer, YamlSourceMap map, DiagnosticBag bag)
    {
        var (kind, body) = item.Single();
        var location = map.Locate(pointer);
        var bodyPointer = YamlSourceMap.Append(pointer, kind);
        var spec = (JsonObject)body!;
        switch (kind)
        {
            case "block" or "warn":
                var reason = MessageTemplateParser.Parse(Text(spec["reason"])!, bodyPointer + "/reason", map, bag);
                return reason is null ? null : kind == "block" ? new BlockAction(reason, location) : new WarnAction(reason, location);
            case "notify":
                var message = MessageTemplateParser.Parse(Text(spec["message"])!, bodyPointer + "/message", map, bag);
                return message is null ? null : new NotifyAction(Text(spec["channel"])!, message, location);
            default:
                return new ForwardAction(Text(spec["target"])!, location);
        }
    }

    private static ConfigValue? ParseUrl(JsonObject spec, string owner, YamlSourceMap map, DiagnosticBag bag, bool checkQuery)
    {
        var inline = Text(spec["url"]);
        var fromEnv = spec["urlFrom"] is JsonObject urlFrom ? EnvReference(urlFrom, "/spec/urlFrom", map, bag) : null;
        if (inline is not null && fromEnv is not null)
        {
            bag.Error(DiagnosticIds.InvalidValue, map.LocateKey("/spec/url"), $"{owner} has both 'url' and 'urlFrom'",
                "keep one: urlFrom: { env: NAME } when the URL holds a token, url: otherwise");
            return null;
        }

        if (inline is null && fromEnv is null)
        {
            bag.Error(DiagnosticIds.MissingKey, map.LocateKey("/spec"), $"{owner} needs 'urlFrom' or 'url'",
                "add urlFrom: { env: NAME } (or url: https://... when the URL holds no secret)");
            return null;
        }

        Uri? uri = null;
        if (inline is not null && !HttpSyntax.IsHttpUrl(inline, out uri))
        {
            // The schema's "uri" format takes file:///etc/passwd and gopher://...: actions are only ever posted over HTTP.
            bag.Error(DiagnosticIds.InvalidValue, map.Locate("/spec/url"), $"the url of {owner} must be an absolute http:// or https:// URL without control characters",
                "write it like https://hooks.example.com/path; other schemes (file, ftp, gopher...) are never delivered to");
            return null;
        }

        if (uri is { UserInfo.Length: > 0 })
        {
            bag.Error(DiagnosticIds.InlineSecret, map.Locate("/spec/url"), $"the url of {owner} holds credentials (user:password@)",
                "use urlFrom: { env: NAME } and set NAME in the engine's environment, or a header from the environment");
        }
        else if (checkQuery && uri is not null && SecretQueryParameter(uri) is { } parameter)
        {
            bag.Error(DiagnosticIds.InlineSecret, map.Locate("/spec/url"), $"the url of {owner} holds a secret in its query parameter '{parameter}'",
                "use urlFrom: { env: NAME } and set NAME in the engine's environment");
        }

        return new ConfigValue(inline, fromEnv);
    }

    private static ImmutableSortedDictionary<string, ConfigValue> ParseHeaders(JsonObject spec, YamlSourceMap map, DiagnosticBag bag)
    {
        // Header names are case-insensitive on the wire, so two spellings of one name are one header.
        var headers = ImmutableSortedDictionary.CreateBuilder<string, ConfigValue>(StringComparer.OrdinalIgnoreCase);
        if (spec["headers"] is not JsonObject headersNode)
        {
            return headers.ToImmutable();
        }

        foreach (var (header, valueNode) in headersNode)
        {
            var pointer = YamlSourceMap.Append("/spec/headers", header);
            var value = (JsonObject)valueNode!;
            if (headers.ContainsKey(header))
            {
                bag.Error(DiagnosticIds.DuplicateKey, map.LocateKey(pointer), $"duplicate header '{header}' (header names are case-insensitive)",
                    "remove one of the two entries");
                continue;
            }

            var isName = header.Length <= MaxHeaderNameLength && HttpSyntax.IsHeaderName(header);
            if (!isName || s_hostHeaders.Contains(header))
            {
                // CR/LF in a name would split the request; Host, Content-Length, Idempotency-Key... are the host's to set.
                bag.Error(DiagnosticIds.InvalidValue, map.LocateKey(pointer), isName
                        ? $"header '{header}' is set by the host for each request; a policy may not set it"
                        : $"'{TextExcerpt.Of(header, 60)}' is not an HTTP header name",
                    "name a header of your own, e.g. X-Team: { value: data-platform } (letters, digits and - only)");
                continue;
            }

            if (Text(value["value"]) is { } inline)
            {
                if (SecretHeader().IsMatch(header))
                {
                    bag.Error(DiagnosticIds.InlineSecret, map.Locate(pointer + "/value"),
                        $"header '{header}' holds a secret and must not be written in a policy file",
                        $"read it from the environment: {header}: {{ env: NAME }}");
                }

                headers[header] = new ConfigValue(inline, null);
            }
            else
            {
                headers[header] = new ConfigValue(null, EnvReference(value, pointer, map, bag));
            }
        }

        return headers.ToImmutable();
    }

    private static SecretReference EnvReference(JsonObject node, string pointer, YamlSourceMap map, DiagnosticBag bag)
    {
        var name = Text(node["env"])!;
        var location = map.Locate(pointer + "/env");
        if (HostCredentials.ReservedPrefix(name) is { } reserved)
        {
            bag.Error(DiagnosticIds.HostCredentialVariable, location,
                $"the environment variable {name} holds a credential of the host itself ({reserved}*): a policy file may not send it to a channel or target",
                "give the channel or target a variable of its own, e.g. OER_WEBHOOK_TOKEN, set to the value the receiver expects");
        }

        return new(name, location);
    }

    private static string? SecretQueryParameter(Uri uri)
    {
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = Uri.UnescapeDataString(pair.Split('=')[0]);
            if (SecretParameter().IsMatch(name))
            {
                return name;
            }
        }

        return null;
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static int ToInt32(JsonNode node)
    {
        var element = node.GetValue<JsonElement>();
        return element.TryGetInt32(out var value) ? value
            : element.TryGetDecimal(out var d) && d == decimal.Truncate(d) && d is >= int.MinValue and <= int.MaxValue ? (int)d
            : 0;
    }

    [GeneratedRegex("^authorization$|token|secret|key|password|passwd|signature|cookie", RegexOptions.IgnoreCase)]
    private static partial Regex SecretHeader();

    /// <summary>The longest header name a policy may write.</summary>
    private const int MaxHeaderNameLength = 128;

    // Headers the host writes on every delivery, or that change how the request is framed or routed.
    private static readonly HashSet<string> s_hostHeaders = new(
        ["Host", "Content-Length", "Content-Type", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "TE", "Trailer", "Expect",
            "Proxy-Authorization", "Proxy-Connection", "Idempotency-Key"],
        StringComparer.OrdinalIgnoreCase);

    [GeneratedRegex("^(sig|sign|signature|key|auth)$|token|secret|passw|api[-_]?key|access[-_]?key|credential", RegexOptions.IgnoreCase)]
    private static partial Regex SecretParameter();
}
