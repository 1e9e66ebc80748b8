using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using NJsonSchema;
using NJsonSchema.Validation;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Parsing;
using OpenEvent.Rules.Tests.Shared;

namespace OpenEvent.Rules.Core.Tests.Parsing;

/// <summary>
/// The schema check of policy documents, driven by two tables: documents it accepts, and documents with one mistake
/// each with the exact diagnostic (id, location, message and hint) it must report. A new check is a new row; the
/// Facts below cover what a row cannot (several diagnostics and their order, the PolicyTest schema).
/// </summary>
public sealed class PolicySchemaValidatorTests
{
    private const string File = "p.yaml";

    private const string ValidPolicy = """
        apiVersion: openevent.rules/v1
        kind: Policy
        metadata:
          name: prod-deploy-freeze
        spec:
          match:
            type: ["dataworks:FileChange:DeployFile"]
          actions:
            - block: { reason: "frozen" }
        """;

    internal static IReadOnlyList<Diagnostic> Validate(string yaml)
    {
        var bag = new DiagnosticBag();
        var documents = YamlDocumentReader.ReadText(File, yaml, bag);
        Assert.Empty(bag.Items);
        var validator = PolicySchemaValidator.GetDefaultAsync().GetAwaiter().GetResult();
        foreach (var document in documents)
        {
            validator.Validate(document, bag);
        }

        return bag.Items;
    }

    /// <summary>A document the schema accepts without a diagnostic, by name.</summary>
    private static readonly Dictionary<string, string> s_validDocuments = new(StringComparer.Ordinal)
    {
        ["minimal-policy"] = ValidPolicy,
        ["every-policy-key"] = """
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata:
              name: p1
              description: every key
              owner: data-platform
              labels: { team: dp, "app.kubernetes.io/name": oer }
            spec:
              mode: audit
              priority: -5
              match: { type: [{ prefix: "dataworks:" }], data: { fileType: [10] } }
              scope:
                tenants: [283780000010656]
                workspaces: ["10001234", 10001235]
                regions: [cn-hangzhou]
                environments: [prod, Dev]
                operators: []
              exclude:
                - match: { data: { operator: ["200000000001"] } }
                - scope: { workspaces: [1] }
              condition: data.fileOwner != data.operator
              conditionErrors: match
              actions:
                - block: { reason: "no" }
                - warn: { reason: "careful" }
                - notify: { channel: log, message: "{{ type }}" }
                - forward: { target: audit-sink }
            """,
        ["channels-and-targets"] = """
            apiVersion: openevent.rules/v1
            kind: Channel
            metadata: { name: ops-dingtalk }
            spec:
              type: dingtalk
              urlFrom: { env: OER_DINGTALK_URL }
              secretFrom: { env: OER_DINGTALK_SECRET }
            ---
            apiVersion: openevent.rules/v1
            kind: Channel
            metadata: { name: hook }
            spec:
              type: webhook
              url: https://hooks.example.com/oer
              headers:
                X-Team: { value: dp }
                Authorization: { env: OER_HOOK_AUTH }
            ---
            apiVersion: openevent.rules/v1
            kind: Target
            metadata: { name: audit-sink }
            spec: { type: file, path: audit/events.jsonl }
            ---
            apiVersion: openevent.rules/v1
            kind: Target
            metadata: { name: siem }
            spec: { type: http, urlFrom: { env: OER_SIEM_URL } }
            """,
        ["policy-test-every-expectation"] = """
            apiVersion: openevent.rules/v1
            kind: PolicyTest
            metadata: { name: t }
            spec:
              policies: [p]
              cases:
                - name: inline event, patch and every expectation
                  event: { type: "dataworks:FileChange:DeployFile", data: { projectId: 1 } }
                  patch: { data: { projectId: null } }
                  expect:
                    verdict: none
                    matched: [p]
                    notMatched: [q]
                    matchedExactly: []
                    reasonContains: x
                    actions: [{ kind: notify, policy: p, channel: log, messageContains: y }, { kind: forward, target: log }]
                - name: event file
                  event: ../samples/events/FileChange-DeployFile.json
                  expect: { verdict: OK }
            """,
    };

    /// <summary>A document with one mistake, and the one diagnostic the schema reports for it (every one has a hint: the fix).</summary>
    private sealed record OneMistake(string Yaml, string Id, int Line, int Column, string Message, string Hint);

    private static string InSpec(string line) => ValidPolicy.Replace("spec:\n", "spec:\n  " + line + "\n");

    private static string Named(string name) => ValidPolicy.Replace("name: prod-deploy-freeze", name);

    private static string WithoutSpec => ValidPolicy[..ValidPolicy.IndexOf("spec:", StringComparison.Ordinal)];

    private static string KebabCaseHint(string example) =>
        $"use lowercase letters, digits and '-', 1 to 63 characters, starting and ending with a letter or digit, e.g. '{example}'";

    private static readonly Dictionary<string, OneMistake> s_oneMistake = new(StringComparer.Ordinal)
    {
        // Documents: apiVersion, kind, the top level
        ["unknown-api-version"] = new(ValidPolicy.Replace("openevent.rules/v1", "openevent.rules/v2"), DiagnosticIds.UnknownKind, 1, 13,
            "unknown apiVersion 'openevent.rules/v2'", "use apiVersion: openevent.rules/v1"),
        ["unknown-kind"] = new(ValidPolicy.Replace("kind: Policy", "kind: Polcy"), DiagnosticIds.UnknownKind, 2, 7,
            "unknown kind 'Polcy'", "did you mean 'Policy'? kinds: Policy, Channel, Target, Budget, Registry, Waiver, PolicyTest"),
        ["missing-kind"] = new(ValidPolicy.Replace("kind: Policy\n", ""), DiagnosticIds.MissingKey, 1, 1,
            "missing required key 'kind'", "add kind: Policy (or Channel, Target, Registry, Waiver, Budget; PolicyTest in *.tests.yaml files)"),
        ["document-is-a-list"] = new("- a\n- b\n", DiagnosticIds.WrongType, 1, 1,
            "a document must be a mapping with apiVersion, kind, metadata and spec, not a list", "start the document with apiVersion: openevent.rules/v1 and kind: Policy"),
        ["unknown-top-level-key"] = new(ValidPolicy + "\nspecs: {}\n", DiagnosticIds.UnknownKey, 10, 1,
            "unknown key 'specs' in Policy", "did you mean 'spec'?"),
        ["missing-spec"] = new(WithoutSpec, DiagnosticIds.MissingKey, 1, 1,
            "missing required key 'spec' in Policy", "add spec: with at least match and actions"),

        // Keys
        ["unrelated-unknown-key"] = new(ValidPolicy + "\n  frobnicate: true\n", DiagnosticIds.UnknownKey, 10, 3,
            "unknown key 'frobnicate' in spec", "allowed keys in spec: mode, priority, match, scope, enforceIn, exclude, condition, conditionErrors, detailErrors, allowUnknownTypes, actions"),
        ["unknown-action-kind"] = new(ValidPolicy.Replace("- block:", "- blok:"), DiagnosticIds.UnknownKey, 9, 7,
            "unknown key 'blok' in spec.actions[0]", "did you mean 'block'?"),
        ["missing-name"] = new(Named("owner: me"), DiagnosticIds.MissingKey, 3, 1,
            "missing required key 'name' in metadata", "add name: with a kebab-case name, e.g. name: prod-deploy-freeze"),
        ["missing-channel-type"] = new("apiVersion: openevent.rules/v1\nkind: Channel\nmetadata: { name: c }\nspec: { urlFrom: { env: X } }\n",
            DiagnosticIds.MissingKey, 4, 1, "missing required key 'type' in spec", "add type: one of webhook, dingtalk, lark, slack"),

        // Secrets
        ["secret-key-in-channel"] = new("""
            apiVersion: openevent.rules/v1
            kind: Channel
            metadata: { name: ops }
            spec:
              type: dingtalk
              urlFrom: { env: URL }
              secret: SEC123
            """, DiagnosticIds.InlineSecret, 7, 3,
            "inline secret 'secret' in spec: secrets are never written in policy files", "use secretFrom: { env: NAME } and set NAME in the engine's environment"),
        ["token-key-in-target"] = new("""
            apiVersion: openevent.rules/v1
            kind: Target
            metadata: { name: siem }
            spec: { type: http, url: "https://siem.example.com", token: abc }
            """, DiagnosticIds.InlineSecret, 4, 54,
            "inline secret 'token' in spec: secrets are never written in policy files", "read it from an environment variable, e.g. headers: { Authorization: { env: NAME } }"),

        // Types
        ["priority-as-text"] = new(InSpec("priority: high"), DiagnosticIds.WrongType, 6, 13,
            "spec.priority must be a whole number, not text ('high')", "write a whole number without quotes, e.g. 100"),
        ["empty-spec"] = new(WithoutSpec + "spec:\n", DiagnosticIds.WrongType, 5, 6,
            "spec must be a mapping, not empty (null)", "write key: value pairs, indented under the key, or { key: value }"),
        ["actions-as-mapping"] = new(ValidPolicy.Replace("    - block: { reason: \"frozen\" }", "    block: { reason: \"frozen\" }"), DiagnosticIds.WrongType, 9, 5,
            "spec.actions must be a list, not a mapping", "write a list: [a, b], or one '- item' per line"),
        ["label-not-text"] = new(Named("name: prod-deploy-freeze\n  labels: { \"app.k8s.io/tier\": 1 }"), DiagnosticIds.WrongType, 5, 32,
            "metadata.labels.app.k8s.io/tier must be text, not a number (1)", "write text; quote it if it looks like a number or a boolean, e.g. \"123\""),
        ["scope-id-not-a-whole-number"] = new(InSpec("scope: { workspaces: [1.5] }"), DiagnosticIds.WrongType, 6, 25,
            "spec.scope.workspaces[0] must be text or a whole number, not a number (1.5)", "write an id such as 10001234 or \"10001234\""),
        // A mapping where ids, sets and selectors are taken meant a set or a selector: its misspelt key is named, and
        // suggested from the keys of both (not "must be text or a whole number").
        ["selector-key-misspelt"] = new(InSpec("scope: { workspaces: [{ lables: [core] }] }"), DiagnosticIds.UnknownKey, 6, 27,
            "unknown key 'lables' in spec.scope.workspaces[0]", "did you mean 'labels'?"),
        ["set-key-misspelt"] = new(InSpec("scope: { workspaces: [{ sett: core }] }"), DiagnosticIds.UnknownKey, 6, 27,
            "unknown key 'sett' in spec.scope.workspaces[0]", "did you mean 'set'?"),
        ["selector-labels-not-a-list"] = new(InSpec("scope: { workspaces: [{ labels: core }] }"), DiagnosticIds.WrongType, 6, 35,
            "spec.scope.workspaces[0].labels must be a list, not text ('core')", "write a list: [a, b], or one '- item' per line"),

        // Values
        ["bad-mode"] = new(InSpec("mode: audti"), DiagnosticIds.InvalidValue, 6, 9,
            "invalid value 'audti' for spec.mode", "did you mean 'audit'? allowed values: enforce, audit, disabled"),
        ["mode-as-number"] = new(InSpec("mode: 1"), DiagnosticIds.InvalidValue, 6, 9,
            "invalid value 1 for spec.mode", "allowed values: enforce, audit, disabled"),
        ["bad-environment"] = new(InSpec("scope: { environments: [prod, staging] }"), DiagnosticIds.UnknownScopeValue, 6, 33,
            "invalid environment 'staging' in spec.scope.environments[1]: DataWorks has DEV and PROD", "write DEV (development) or PROD (production)"),
        ["priority-out-of-range"] = new(InSpec("priority: 3000000000"), DiagnosticIds.InvalidValue, 6, 13,
            "spec.priority is out of range: 3000000000", "use a value between -2147483648 and 2147483647"),
        ["empty-reason"] = new(ValidPolicy.Replace("reason: \"frozen\"", "reason: \"\""), DiagnosticIds.InvalidValue, 9, 24,
            "spec.actions[0].block.reason must not be empty", "write some text, or remove the key"),
        ["header-with-value-and-env"] = new("""
            apiVersion: openevent.rules/v1
            kind: Target
            metadata: { name: siem }
            spec:
              type: http
              urlFrom: { env: SIEM_URL }
              headers:
                X-Team: { value: dp, env: TEAM }
            """, DiagnosticIds.InvalidValue, 8, 13,
            "header 'X-Team' has both 'value' and 'env'", "keep one of them"),
        ["bad-environment-variable-name"] = new("apiVersion: openevent.rules/v1\nkind: Channel\nmetadata: { name: c }\nspec: { type: webhook, urlFrom: { env: 1-URL } }\n",
            DiagnosticIds.InvalidValue, 4, 40, "invalid environment variable name '1-URL' for spec.urlFrom.env", "use letters, digits and '_', not starting with a digit, e.g. OER_WEBHOOK_URL"),
        ["bad-url"] = new("apiVersion: openevent.rules/v1\nkind: Channel\nmetadata: { name: c }\nspec: { type: webhook, url: not a url }\n",
            DiagnosticIds.InvalidValue, 4, 29, "invalid URL 'not a url' for spec.url", "write an absolute URL, e.g. https://hooks.example.com/oer, or read it from the environment with urlFrom: { env: NAME }"),

        // Actions and exclusions
        ["action-with-two-keys"] = new(ValidPolicy.Replace("- block: { reason: \"frozen\" }", "- block: { reason: \"frozen\" }\n      warn: { reason: \"x\" }"),
            DiagnosticIds.InvalidValue, 9, 7, "the action spec.actions[0] has several keys ('block', 'warn'): an action has exactly one",
            "write each action as its own list item, e.g. - block: {...} and - notify: {...}"),
        ["empty-action"] = new(ValidPolicy.Replace("- block: { reason: \"frozen\" }", "- {}"), DiagnosticIds.MissingKey, 9, 7,
            "the action spec.actions[0] is empty", "write one of block, warn, notify or forward, e.g. - block: { reason: \"...\" }"),
        ["no-actions"] = new(ValidPolicy.Replace("  actions:\n    - block: { reason: \"frozen\" }", "  actions: []"), DiagnosticIds.NoActions, 8, 12,
            "the policy has no actions", "add at least one action: block, warn, notify or forward, e.g. - block: { reason: \"...\" }"),
        ["empty-exclusion"] = new(InSpec("exclude: [{}]"), DiagnosticIds.MissingKey, 6, 13,
            "the exclusion spec.exclude[0] is empty", "give it a match and/or a scope"),

        // Names
        ["name-not-kebab-case"] = new(Named("name: Prod_DeployFreeze"), DiagnosticIds.InvalidName, 4, 9,
            "invalid name 'Prod_DeployFreeze': names are kebab-case", KebabCaseHint("prod-deploy-freeze")),
        ["name-leading-dash"] = new(Named("name: \"-leading\""), DiagnosticIds.InvalidName, 4, 9,
            "invalid name '-leading': names are kebab-case", KebabCaseHint("leading")),
        ["name-trailing-dash"] = new(Named("name: \"trailing-\""), DiagnosticIds.InvalidName, 4, 9,
            "invalid name 'trailing-': names are kebab-case", KebabCaseHint("trailing")),
        ["name-with-space"] = new(Named("name: \"has space\""), DiagnosticIds.InvalidName, 4, 9,
            "invalid name 'has space': names are kebab-case", KebabCaseHint("has-space")),
        ["name-of-64-characters"] = new(Named($"name: \"{new string('a', 64)}\""), DiagnosticIds.InvalidName, 4, 9,
            // The message shortens a long name; the suggestion is cut to the longest valid name.
            $"invalid name '{new string('a', 57)}...': names are kebab-case", KebabCaseHint(new string('a', 63))),
    };

    public static TheoryData<string> ValidDocuments() => new(s_validDocuments.Keys);

    public static TheoryData<string> OneMistakeDocuments() => new(s_oneMistake.Keys);

    [Theory]
    [MemberData(nameof(ValidDocuments))]
    public void Validate_ValidDocument_NoDiagnostics(string name) => Assert.Empty(Validate(s_validDocuments[name]));

    [Theory]
    [MemberData(nameof(OneMistakeDocuments))]
    public void Validate_OneMistake_ExactlyItsDiagnostic(string name)
    {
        var expected = s_oneMistake[name];

        var diagnostic = Assert.Single(Validate(expected.Yaml));

        Assert.Equal(
            (expected.Id, DiagnosticSeverity.Error, new SourceLocation(File, expected.Line, expected.Column), expected.Message, expected.Hint),
            (diagnostic.Id, diagnostic.Severity, diagnostic.Location, diagnostic.Message, diagnostic.Hint));
    }

    [Fact]
    public void Validate_PolicyTestDocument_CheckedAgainstTheTestSchema() =>
        Assert.Equal(
            [
                "p.yaml:1:1: error OER1013: missing required key 'metadata' in PolicyTest",
                "p.yaml:1:1: error OER1013: missing required key 'spec' in PolicyTest",
                "p.yaml:3:1: error OER1011: unknown key 'anything' in PolicyTest",
            ],
            Validate("apiVersion: openevent.rules/v1\nkind: PolicyTest\nanything: [1]\n").Select(d => d.ToString()));

    [Theory]
    [InlineData("apiVersion: openevent.rules/v1\nkind: Policy\nmetadata: { name: ind }\nspec:\n  match:\n    type: [\"dataworks:FileChange:DeployFile\"]\n    actions:\n      - block: { reason: r }\n",
        "missing required key 'actions' in spec", "'actions' is written inside spec.match (line 7): indent it less, to the level of the other keys of spec")]
    [InlineData("apiVersion: openevent.rules/v1\nkind: Policy\nmetadata:\n  name: ind\n  spec:\n    match: { type: [x] }\n    actions: [ { block: { reason: r } } ]\n",
        "missing required key 'spec' in Policy", "'spec' is written inside metadata (line 5): indent it less, to the level of the other keys of Policy")]
    public void Validate_RequiredKeyIndentedTooDeep_HintSaysWhereItIs(string yaml, string message, string hint)
    {
        // The commonest indentation slip: the missing key is there, one mapping too deep.
        var missing = Assert.Single(Validate(yaml), d => d.Id == DiagnosticIds.MissingKey);
        Assert.Equal((message, hint), (missing.Message, missing.Hint));
    }

    [Fact]
    public void Validate_TypoInKey_Oer1011AtTheKeyWithDidYouMean()
    {
        var diagnostics = Validate(ValidPolicy.Replace("  actions:", "  acions:"));

        // Sorted by position: the missing key is reported at 'spec:', above the typo.
        Assert.Collection(diagnostics,
            missing =>
            {
                Assert.Equal(DiagnosticIds.MissingKey, missing.Id);
                Assert.Equal(new SourceLocation(File, 5, 1), missing.Location);
                Assert.Equal("missing required key 'actions' in spec", missing.Message);
                Assert.Equal("add actions: with at least one action, e.g. actions: [{ block: { reason: \"...\" } }]", missing.Hint);
            },
            unknown =>
            {
                Assert.Equal(DiagnosticIds.UnknownKey, unknown.Id);
                Assert.Equal(new SourceLocation(File, 8, 3), unknown.Location);
                Assert.Equal("unknown key 'acions' in spec", unknown.Message);
                Assert.Equal("did you mean 'actions'?", unknown.Hint);
            });
    }

    [Fact]
    public void Validate_ManyProblems_EveryOneReportedInOrder()
    {
        var diagnostics = Validate("""
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata:
              name: Bad_Name
              labels: { team: 1 }
            spec:
              mode: enforced
              priority: "1"
              match: [a]
              actions:
                - blok: { reason: x }
                - notify: { channel: log }
            """);

        Assert.Equal(
            ["OER1015 4:9", "OER1012 5:19", "OER1014 7:9", "OER1012 8:13", "OER1012 9:10", "OER1011 11:7", "OER1013 12:7"],
            diagnostics.Select(d => $"{d.Id} {d.Location.Line}:{d.Location.Column}"));
    }

    [Fact]
    public void Validate_NumbersBeyondNewtonsoft_ReportedWithTheirLiteral()
    {
        var diagnostics = Validate(ValidPolicy
            .Replace("  name: prod-deploy-freeze", "  name: prod-deploy-freeze\n  labels: { a: 1e400, b: 123456789012345678901234567890 }")
            .Replace("spec:\n", "spec:\n  scope: { workspaces: [123456789012345678901234567890] }\n"));

        Assert.Equal(
            ["OER1012 5:16 metadata.labels.a must be text, not a number (1e400)",
             "OER1012 5:26 metadata.labels.b must be text, not a number (123456789012345678901234567890)"],
            diagnostics.Select(d => $"{d.Id} {d.Location.Line}:{d.Location.Column} {d.Message}"));
    }

    /// <summary>
    /// The tokens given to NJsonSchema are built from the tree directly (no JSON text in between): they must be exactly
    /// what reading the document's JSON text gives, as NJsonSchema reads it (same structure, token types and values), for
    /// every document of the tables above, of the repository's policies, samples and broken fixtures, and for the
    /// unusual scalars below.
    /// </summary>
    [Fact]
    public void ToValidationToken_EveryKnownDocument_SameTokensAsReadingItsJsonText()
    {
        var documents = KnownDocuments();
        foreach (var document in documents)
        {
            var direct = PolicySchemaValidator.ToValidationToken(document.Root!);
            Assert.NotNull(direct);
            AssertSameTokens(ReadAsNJsonSchemaDoes(PolicySchemaValidator.ToValidationJson(document.Root!)), direct, document.File);
        }
    }

    /// <summary>Every document of the tables above, of the repository's policies, samples and broken fixtures, and unusual scalars.</summary>
    internal static List<SourceDocument> KnownDocuments()
    {
        var texts = s_validDocuments.Values.Concat(s_oneMistake.Values.Select(m => m.Yaml)).Append("""
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: n, labels: { a: 1e400, b: 123456789012345678901234567890, c: -123456789012345678901234567890, d: -1e400 } }
            spec:
              priority: -0
              match: { data: { x: [0x1F, 0o17, +12, 007, .5, 1., 3e2, 1.5E-3, -0.0, 9223372036854775807, -9223372036854775808, 9223372036854775808] } }
              flags: [true, false, ~, null, "", "text", 'q''s', "1", "\u00e9", yes, 1_000, .inf, .nan]
              nested: [[[{ a: [] }]], {}]
              "k/e~y": "a\tb\n\"c\""
            """);
        var files = new[] { "policies", "samples", Path.Combine("tests", "fixtures") }
            .Select(folder => RepositoryPaths.Combine(folder))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*.y*ml", SearchOption.AllDirectories))
            .ToList();
        var documents = texts.SelectMany(text => YamlDocumentReader.ReadText(File, text, new DiagnosticBag()))
            .Concat(files.SelectMany(file => YamlDocumentReader.ReadFile(file, new DiagnosticBag())))
            .ToList();
        Assert.True(files.Count > 20 && documents.Count > 100, $"{files.Count} files, {documents.Count} documents");

        return documents;
    }

    /// <summary>
    /// The tokens built under the schema's guidance (a null token for each value NJsonSchema never visits, such as the
    /// nodes of a pattern) give exactly the errors the whole tree gives, kind by kind, path by path, nested branches
    /// included, for every known document (valid ones, one mistake each, the broken fixtures), under the schema of its
    /// kind; and leave nodes out where the schema does not look (a policy's match).
    /// </summary>
    [Fact]
    public async Task ToValidationToken_GuidedBySchema_SameErrorsAsTheWholeTree()
    {
        var validator = await PolicySchemaValidator.GetDefaultAsync();
        var walker = new JsonSchemaValidator(new JsonSchemaValidatorSettings());
        var compared = 0;
        var errors = 0;
        foreach (var document in KnownDocuments())
        {
            if (PolicySchemaValidator.KindOf(document.Root) is not { } kind || validator.SchemaOf(kind) is not { } schema)
            {
                continue;
            }

            var whole = walker.Validate(PolicySchemaValidator.ToValidationToken(document.Root!)!, schema);
            var guided = walker.Validate(PolicySchemaValidator.ToValidationToken(document.Root!, schema)!, schema);
            Assert.Equal(DescribeErrors(whole), DescribeErrors(guided));
            compared++;
            errors += whole.Count;
        }

        Assert.True(compared > 100 && errors > 50, $"{compared} documents, {errors} errors");
        var policy = Assert.Single(YamlDocumentReader.ReadText(File, ValidPolicy, new DiagnosticBag()));
        var tokens = PolicySchemaValidator.ToValidationToken(policy.Root!, validator.SchemaOf("Policy")!)!;
        Assert.Equal(JTokenType.Null, tokens.SelectToken("spec.match.type")!.Type);
        Assert.Equal("frozen", (string?)tokens.SelectToken("spec.actions[0].block.reason"));
    }

    /// <summary>
    /// The schemas are built by PolicySchemaReader, not by NJsonSchema's own reader: every known document gets exactly
    /// the errors it gets under the schemas JsonSchema.FromJsonAsync reads from the same files.
    /// </summary>
    [Fact]
    public async Task Validate_SchemasBuiltByTheReader_SameErrorsAsFromJsonAsyncSchemas()
    {
        var validator = await PolicySchemaValidator.GetDefaultAsync();
        async Task<JsonSchema> Load(string file) => await JsonSchema.FromJsonAsync(System.IO.File.ReadAllText(RepositoryPaths.Combine("schemas", file)));
        var policy = await Load("policy.schema.json");
        var reference = new Dictionary<string, JsonSchema>
        {
            ["Policy"] = policy.Definitions["policy"], ["Channel"] = policy.Definitions["channel"], ["Target"] = policy.Definitions["target"],
            ["Budget"] = policy.Definitions["budget"], ["Registry"] = (await Load("registry.schema.json")).Definitions["registry"],
            ["Waiver"] = (await Load("waiver.schema.json")).Definitions["waiver"], ["PolicyTest"] = await Load("policy-test.schema.json"),
        };
        var walker = new JsonSchemaValidator(new JsonSchemaValidatorSettings());
        var kinds = new HashSet<string>();
        var errors = 0;
        foreach (var document in KnownDocuments())
        {
            if (PolicySchemaValidator.KindOf(document.Root) is not { } kind)
            {
                continue;
            }

            var token = PolicySchemaValidator.ToValidationToken(document.Root!)!;
            var expected = DescribeErrors(walker.Validate(token, reference[kind].ActualSchema));
            Assert.Equal(expected, DescribeErrors(walker.Validate(token, validator.SchemaOf(kind)!)));
            kinds.Add(kind);
            errors += expected.Count;
        }

        Assert.True(kinds.Count == 7 && errors > 50, $"{string.Join(", ", kinds)}; {errors} errors");
    }

    [Fact]
    public async Task ToValidationToken_GuidedBySchema_SurrogateInAValueNotVisited_StillTakesTheTextRoute()
    {
        var validator = await PolicySchemaValidator.GetDefaultAsync();
        var document = Assert.Single(YamlDocumentReader.ReadText(File, ValidPolicy.Replace("type: [", "data: { x: [\"\U0001F600\"] }\n    type: ["), new DiagnosticBag()));

        Assert.Null(PolicySchemaValidator.ToValidationToken(document.Root!, validator.SchemaOf("Policy")!));
    }

    /// <summary>NJsonSchema's errors as text: kind, property, path and token path of each, nested branches in order.</summary>
    private static List<string> DescribeErrors(IEnumerable<ValidationError> errors) =>
        [.. errors.SelectMany(e => (e as ChildSchemaValidationError)?.Errors.Values.SelectMany(DescribeErrors)
            .Select(child => "  " + child).Prepend(Describe(e)) ?? [Describe(e)])];

    private static string Describe(ValidationError error) =>
        $"{error.Kind} {error.Property} {error.Path} {error.Token?.Path} {error.Token?.Type}";

    [Theory]
    [InlineData("a: \"\\U0001F600\"")] // a surrogate pair (an emoji) written as an escape
    [InlineData("\"\U0001F600\": 1")] // an emoji in a key
    [InlineData("a: [x, \"\U0001F600\"]")] // an emoji in a list
    public void ToValidationToken_SurrogatesInTheDocument_TakeTheTextRoute(string yaml)
    {
        var document = Assert.Single(YamlDocumentReader.ReadText(File, yaml, new DiagnosticBag()));

        Assert.Null(PolicySchemaValidator.ToValidationToken(document.Root!));
    }

    [Fact]
    public void ToValidationToken_NestingDeeperThan32_TakesTheTextRoute()
    {
        var document = Assert.Single(YamlDocumentReader.ReadText(File, "a: " + new string('[', 32) + new string(']', 32), new DiagnosticBag()));
        var shallower = Assert.Single(YamlDocumentReader.ReadText(File, "a: " + new string('[', 31) + new string(']', 31), new DiagnosticBag()));

        Assert.Null(PolicySchemaValidator.ToValidationToken(document.Root!));
        Assert.NotNull(PolicySchemaValidator.ToValidationToken(shallower.Root!));
    }

    [Fact]
    public void Validate_SurrogatePairInAValue_CheckedLikeAnyText()
    {
        var diagnostics = Validate(ValidPolicy.Replace("reason: \"frozen\"", "reason: \"frozen \U0001F600\"").Replace("  name: prod-deploy-freeze", "  name: prod-deploy-freeze\n  owner: [\"\U0001F600\"]"));

        Assert.Equal(["OER1012 5:10 metadata.owner must be text, not a list"], diagnostics.Select(d => $"{d.Id} {d.Location.Line}:{d.Location.Column} {d.Message}"));
    }

    /// <summary>What NJsonSchema's JsonSchemaValidator.Validate(string) reads from JSON text.</summary>
    private static JToken ReadAsNJsonSchemaDoes(string json)
    {
        using var reader = new JsonTextReader(new StringReader(json)) { DateParseHandling = DateParseHandling.None };
        return JToken.ReadFrom(reader);
    }

    private static void AssertSameTokens(JToken expected, JToken actual, string where)
    {
        Assert.True(expected.Type == actual.Type, $"{where} {expected.Path}: {expected.Type} expected, {actual.Type} built");
        switch (expected)
        {
            case JObject obj:
                var actualProperties = ((JObject)actual).Properties().ToList();
                Assert.Equal(obj.Properties().Select(p => p.Name), actualProperties.Select(p => p.Name));
                foreach (var (property, built) in obj.Properties().Zip(actualProperties))
                {
                    AssertSameTokens(property.Value, built.Value, where);
                }

                break;
            case JArray array:
                Assert.Equal(array.Count, ((JArray)actual).Count);
                foreach (var (item, built) in array.Zip((JArray)actual))
                {
                    AssertSameTokens(item, built, where);
                }

                break;
            default:
                var expectedValue = ((JValue)expected).Value;
                var actualValue = ((JValue)actual).Value;
                Assert.True(Equals(expectedValue, actualValue) && expectedValue?.GetType() == actualValue?.GetType(),
                    $"{where} {expected.Path}: {expectedValue} ({expectedValue?.GetType()}) expected, {actualValue} ({actualValue?.GetType()}) built");
                break;
        }
    }
}
