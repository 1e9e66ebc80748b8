using OpenEvent.Rules.Model;
using OpenEvent.Rules.Parsing;

namespace OpenEvent.Rules.Core.Tests.Parsing;

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

    private static Diagnostic Single(string yaml, string id, int line, int column)
    {
        var diagnostics = Validate(yaml);
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(new SourceLocation(File, line, column), diagnostic.Location);
        return diagnostic;
    }

    [Fact]
    public void Validate_MinimalPolicy_NoDiagnostics() => Assert.Empty(Validate(ValidPolicy));

    [Fact]
    public void Validate_EveryPolicyKey_NoDiagnostics()
    {
        Assert.Empty(Validate("""
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
            """));
    }

    [Fact]
    public void Validate_ChannelsAndTargets_NoDiagnostics()
    {
        Assert.Empty(Validate("""
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
            """));
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

    [Fact]
    public void Validate_ValidPolicyTestDocument_NoDiagnostics() =>
        Assert.Empty(Validate("""
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
            """));

    [Fact]
    public void Validate_UnknownApiVersion_Oer1010()
    {
        var diagnostic = Single(ValidPolicy.Replace("openevent.rules/v1", "openevent.rules/v2"), DiagnosticIds.UnknownKind, 1, 13);
        Assert.Equal("unknown apiVersion 'openevent.rules/v2'", diagnostic.Message);
        Assert.Equal("use apiVersion: openevent.rules/v1", diagnostic.Hint);
    }

    [Fact]
    public void Validate_UnknownKind_Oer1010WithDidYouMean()
    {
        var diagnostic = Single(ValidPolicy.Replace("kind: Policy", "kind: Polcy"), DiagnosticIds.UnknownKind, 2, 7);
        Assert.Equal("unknown kind 'Polcy'", diagnostic.Message);
        Assert.Equal("did you mean 'Policy'? kinds: Policy, Channel, Target, PolicyTest", diagnostic.Hint);
    }

    [Fact]
    public void Validate_MissingKind_Oer1013()
    {
        var diagnostic = Single(ValidPolicy.Replace("kind: Policy\n", ""), DiagnosticIds.MissingKey, 1, 1);
        Assert.Equal("missing required key 'kind'", diagnostic.Message);
    }

    [Fact]
    public void Validate_DocumentIsAList_Oer1012()
    {
        var diagnostic = Single("- a\n- b\n", DiagnosticIds.WrongType, 1, 1);
        Assert.Equal("a document must be a mapping with apiVersion, kind, metadata and spec, not a list", diagnostic.Message);
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
    public void Validate_UnrelatedUnknownKey_Oer1011ListingTheAllowedKeys()
    {
        var diagnostic = Single(ValidPolicy + "\n  frobnicate: true\n", DiagnosticIds.UnknownKey, 10, 3);
        Assert.Equal("unknown key 'frobnicate' in spec", diagnostic.Message);
        Assert.Equal("allowed keys in spec: mode, priority, match, scope, exclude, condition, conditionErrors, allowUnknownTypes, actions", diagnostic.Hint);
    }

    [Fact]
    public void Validate_UnknownTopLevelKey_Oer1011NamingTheKind()
    {
        var diagnostic = Single(ValidPolicy + "\nspecs: {}\n", DiagnosticIds.UnknownKey, 10, 1);
        Assert.Equal("unknown key 'specs' in Policy", diagnostic.Message);
        Assert.Equal("did you mean 'spec'?", diagnostic.Hint);
    }

    [Fact]
    public void Validate_UnknownActionKind_Oer1011InsideTheList()
    {
        var diagnostic = Single(ValidPolicy.Replace("- block:", "- blok:"), DiagnosticIds.UnknownKey, 9, 7);
        Assert.Equal("unknown key 'blok' in spec.actions[0]", diagnostic.Message);
        Assert.Equal("did you mean 'block'?", diagnostic.Hint);
    }

    [Fact]
    public void Validate_SecretKeyInChannel_Oer3035()
    {
        var diagnostic = Single("""
            apiVersion: openevent.rules/v1
            kind: Channel
            metadata: { name: ops }
            spec:
              type: dingtalk
              urlFrom: { env: URL }
              secret: SEC123
            """, DiagnosticIds.InlineSecret, 7, 3);
        Assert.Equal("inline secret 'secret' in spec: secrets are never written in policy files", diagnostic.Message);
        Assert.Equal("use secretFrom: { env: NAME } and set NAME in the engine's environment", diagnostic.Hint);
    }

    [Fact]
    public void Validate_TokenKeyInTarget_Oer3035()
    {
        var diagnostic = Single("""
            apiVersion: openevent.rules/v1
            kind: Target
            metadata: { name: siem }
            spec: { type: http, url: "https://siem.example.com", token: abc }
            """, DiagnosticIds.InlineSecret, 4, 54);
        Assert.Equal("inline secret 'token' in spec: secrets are never written in policy files", diagnostic.Message);
        Assert.Equal("read it from an environment variable, e.g. headers: { Authorization: { env: NAME } }", diagnostic.Hint);
    }

    [Fact]
    public void Validate_PriorityAsText_Oer1012()
    {
        var diagnostic = Single(ValidPolicy.Replace("spec:\n", "spec:\n  priority: high\n"), DiagnosticIds.WrongType, 6, 13);
        Assert.Equal("spec.priority must be a whole number, not text ('high')", diagnostic.Message);
        Assert.Equal("write a whole number without quotes, e.g. 100", diagnostic.Hint);
    }

    [Fact]
    public void Validate_EmptySpec_Oer1012()
    {
        var yaml = ValidPolicy[..ValidPolicy.IndexOf("spec:", StringComparison.Ordinal)] + "spec:\n";
        var diagnostic = Single(yaml, DiagnosticIds.WrongType, 5, 6);
        Assert.Equal("spec must be a mapping, not empty (null)", diagnostic.Message);
    }

    [Fact]
    public void Validate_ActionsAsMapping_Oer1012()
    {
        var diagnostic = Single(ValidPolicy.Replace("    - block: { reason: \"frozen\" }", "    block: { reason: \"frozen\" }"), DiagnosticIds.WrongType, 9, 5);
        Assert.Equal("spec.actions must be a list, not a mapping", diagnostic.Message);
        Assert.Equal("write a list: [a, b], or one '- item' per line", diagnostic.Hint);
    }

    [Fact]
    public void Validate_LabelNotText_Oer1012AtTheLabel()
    {
        var diagnostic = Single(ValidPolicy.Replace("  name: prod-deploy-freeze", "  name: prod-deploy-freeze\n  labels: { \"app.k8s.io/tier\": 1 }"),
            DiagnosticIds.WrongType, 5, 32);
        Assert.Equal("metadata.labels.app.k8s.io/tier must be text, not a number (1)", diagnostic.Message);
    }

    [Fact]
    public void Validate_ScopeIdNotAWholeNumber_Oer1012()
    {
        var diagnostic = Single(ValidPolicy.Replace("spec:\n", "spec:\n  scope: { workspaces: [1.5] }\n"), DiagnosticIds.WrongType, 6, 25);
        Assert.Equal("spec.scope.workspaces[0] must be text or a whole number, not a number (1.5)", diagnostic.Message);
    }

    [Fact]
    public void Validate_MissingName_Oer1013AtMetadata()
    {
        var diagnostic = Single(ValidPolicy.Replace("  name: prod-deploy-freeze", "  owner: me"), DiagnosticIds.MissingKey, 3, 1);
        Assert.Equal("missing required key 'name' in metadata", diagnostic.Message);
        Assert.Equal("add name: with a kebab-case name, e.g. name: prod-deploy-freeze", diagnostic.Hint);
    }

    [Fact]
    public void Validate_MissingSpec_Oer1013AtTheDocument()
    {
        var yaml = ValidPolicy[..ValidPolicy.IndexOf("spec:", StringComparison.Ordinal)];
        var diagnostic = Single(yaml, DiagnosticIds.MissingKey, 1, 1);
        Assert.Equal("missing required key 'spec' in Policy", diagnostic.Message);
    }

    [Fact]
    public void Validate_MissingChannelType_Oer1013ListingTheTypes()
    {
        var diagnostic = Single("apiVersion: openevent.rules/v1\nkind: Channel\nmetadata: { name: c }\nspec: { urlFrom: { env: X } }\n",
            DiagnosticIds.MissingKey, 4, 1);
        Assert.Equal("missing required key 'type' in spec", diagnostic.Message);
        Assert.Equal("add type: one of webhook, dingtalk, lark, slack", diagnostic.Hint);
    }

    [Fact]
    public void Validate_BadMode_Oer1014ListingAllowedValues()
    {
        var diagnostic = Single(ValidPolicy.Replace("spec:\n", "spec:\n  mode: audti\n"), DiagnosticIds.InvalidValue, 6, 9);
        Assert.Equal("invalid value 'audti' for spec.mode", diagnostic.Message);
        Assert.Equal("did you mean 'audit'? allowed values: enforce, audit, disabled", diagnostic.Hint);
    }

    [Fact]
    public void Validate_ModeAsNumber_Oer1014()
    {
        var diagnostic = Single(ValidPolicy.Replace("spec:\n", "spec:\n  mode: 1\n"), DiagnosticIds.InvalidValue, 6, 9);
        Assert.Equal("invalid value 1 for spec.mode", diagnostic.Message);
        Assert.Equal("allowed values: enforce, audit, disabled", diagnostic.Hint);
    }

    [Fact]
    public void Validate_BadEnvironment_Oer3024()
    {
        var diagnostic = Single(ValidPolicy.Replace("spec:\n", "spec:\n  scope: { environments: [prod, staging] }\n"), DiagnosticIds.UnknownScopeValue, 6, 33);
        Assert.Equal("invalid environment 'staging' in spec.scope.environments[1]: DataWorks has DEV and PROD", diagnostic.Message);
        Assert.Equal("write DEV (development) or PROD (production)", diagnostic.Hint);
    }

    [Fact]
    public void Validate_ActionWithTwoKeys_Oer1014()
    {
        var diagnostic = Single(ValidPolicy.Replace("- block: { reason: \"frozen\" }", "- block: { reason: \"frozen\" }\n      warn: { reason: \"x\" }"),
            DiagnosticIds.InvalidValue, 9, 7);
        Assert.Equal("the action spec.actions[0] has several keys ('block', 'warn'): an action has exactly one", diagnostic.Message);
    }

    [Fact]
    public void Validate_EmptyAction_Oer1013()
    {
        var diagnostic = Single(ValidPolicy.Replace("- block: { reason: \"frozen\" }", "- {}"), DiagnosticIds.MissingKey, 9, 7);
        Assert.Equal("the action spec.actions[0] is empty", diagnostic.Message);
    }

    [Fact]
    public void Validate_NoActions_Oer3036()
    {
        var diagnostic = Single(ValidPolicy.Replace("  actions:\n    - block: { reason: \"frozen\" }", "  actions: []"), DiagnosticIds.NoActions, 8, 12);
        Assert.Equal("the policy has no actions", diagnostic.Message);
    }

    [Fact]
    public void Validate_EmptyExclusion_Oer1013()
    {
        var diagnostic = Single(ValidPolicy.Replace("spec:\n", "spec:\n  exclude: [{}]\n"), DiagnosticIds.MissingKey, 6, 13);
        Assert.Equal("the exclusion spec.exclude[0] is empty", diagnostic.Message);
        Assert.Equal("give it a match and/or a scope", diagnostic.Hint);
    }

    [Fact]
    public void Validate_EmptyReason_Oer1014()
    {
        var diagnostic = Single(ValidPolicy.Replace("reason: \"frozen\"", "reason: \"\""), DiagnosticIds.InvalidValue, 9, 24);
        Assert.Equal("spec.actions[0].block.reason must not be empty", diagnostic.Message);
    }

    [Fact]
    public void Validate_PriorityOutOfRange_Oer1014()
    {
        var diagnostic = Single(ValidPolicy.Replace("spec:\n", "spec:\n  priority: 3000000000\n"), DiagnosticIds.InvalidValue, 6, 13);
        Assert.Equal("spec.priority is out of range: 3000000000", diagnostic.Message);
    }

    [Fact]
    public void Validate_HeaderWithValueAndEnv_Oer1014()
    {
        var diagnostic = Single("""
            apiVersion: openevent.rules/v1
            kind: Target
            metadata: { name: siem }
            spec:
              type: http
              urlFrom: { env: SIEM_URL }
              headers:
                X-Team: { value: dp, env: TEAM }
            """, DiagnosticIds.InvalidValue, 8, 13);
        Assert.Equal("header 'X-Team' has both 'value' and 'env'", diagnostic.Message);
    }

    [Fact]
    public void Validate_BadEnvironmentVariableName_Oer1014()
    {
        var diagnostic = Single("apiVersion: openevent.rules/v1\nkind: Channel\nmetadata: { name: c }\nspec: { type: webhook, urlFrom: { env: 1-URL } }\n",
            DiagnosticIds.InvalidValue, 4, 40);
        Assert.Equal("invalid environment variable name '1-URL' for spec.urlFrom.env", diagnostic.Message);
    }

    [Fact]
    public void Validate_BadUrl_Oer1014()
    {
        var diagnostic = Single("apiVersion: openevent.rules/v1\nkind: Channel\nmetadata: { name: c }\nspec: { type: webhook, url: not a url }\n",
            DiagnosticIds.InvalidValue, 4, 29);
        Assert.Equal("invalid URL 'not a url' for spec.url", diagnostic.Message);
    }

    [Fact]
    public void Validate_NotKebabCase_Oer1015WithASuggestion()
    {
        var diagnostic = Single(ValidPolicy.Replace("name: prod-deploy-freeze", "name: Prod_DeployFreeze"), DiagnosticIds.InvalidName, 4, 9);
        Assert.Equal("invalid name 'Prod_DeployFreeze': names are kebab-case", diagnostic.Message);
        Assert.Equal("use lowercase letters, digits and '-', 1 to 63 characters, starting and ending with a letter or digit, e.g. 'prod-deploy-freeze'",
            diagnostic.Hint);
    }

    [Theory]
    [InlineData("-leading")]
    [InlineData("trailing-")]
    [InlineData("has space")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void Validate_InvalidNames_Oer1015(string name) =>
        Single(ValidPolicy.Replace("name: prod-deploy-freeze", $"name: \"{name}\""), DiagnosticIds.InvalidName, 4, 9);

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
}
