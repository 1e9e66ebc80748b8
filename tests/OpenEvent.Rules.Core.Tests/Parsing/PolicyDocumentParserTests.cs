using OpenEvent.Rules.Model;
using OpenEvent.Rules.Parsing;

namespace OpenEvent.Rules.Core.Tests.Parsing;

public sealed class PolicyDocumentParserTests
{
    private const string File = "p.yaml";

    private static SourceDocument SchemaValid(string yaml)
    {
        var bag = new DiagnosticBag();
        var document = Assert.Single(YamlDocumentReader.ReadText(File, yaml, bag));
        Assert.True(PolicySchemaValidator.GetDefaultAsync().GetAwaiter().GetResult().Validate(document, bag));
        Assert.Empty(bag.Items);
        return document;
    }

    private static (ChannelDefinition? Channel, IReadOnlyList<Diagnostic> Diagnostics) Channel(string spec)
    {
        var document = SchemaValid($"apiVersion: openevent.rules/v1\nkind: Channel\nmetadata: {{ name: ops }}\nspec:\n{spec}");
        var bag = new DiagnosticBag();
        return (PolicyDocumentParser.ParseChannel(document, bag), bag.Items);
    }

    private static (TargetDefinition? Target, IReadOnlyList<Diagnostic> Diagnostics) Target(string spec, string name = "sink")
    {
        var document = SchemaValid($"apiVersion: openevent.rules/v1\nkind: Target\nmetadata: {{ name: {name} }}\nspec:\n{spec}");
        var bag = new DiagnosticBag();
        return (PolicyDocumentParser.ParseTarget(document, bag), bag.Items);
    }

    private static Diagnostic SingleError(IReadOnlyList<Diagnostic> diagnostics, string id, int line, int column)
    {
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(new SourceLocation(File, line, column), diagnostic.Location);
        return diagnostic;
    }

    [Fact]
    public void ParseChannel_DingTalkFromEnvironment_Definition()
    {
        var (channel, diagnostics) = Channel("  type: dingtalk\n  urlFrom: { env: OER_DINGTALK_URL }\n  secretFrom: { env: OER_DINGTALK_SECRET }\n");

        Assert.Empty(diagnostics);
        Assert.NotNull(channel);
        Assert.Equal("ops", channel.Name);
        Assert.Equal(ChannelType.DingTalk, channel.Type);
        Assert.Equal(new SourceLocation(File, 3, 19), channel.Location);
        Assert.Null(channel.Url!.Value);
        Assert.Equal(new SecretReference("OER_DINGTALK_URL", new SourceLocation(File, 6, 19)), channel.Url.FromEnvironment);
        Assert.Equal("OER_DINGTALK_SECRET", channel.Secret!.EnvironmentVariable);
        Assert.Empty(channel.Headers);
    }

    [Fact]
    public void ParseChannel_WebhookWithHeaders_Definition()
    {
        var (channel, diagnostics) = Channel("""
              type: webhook
              url: https://hooks.example.com/oer
              headers:
                X-Team: { value: data-platform }
                Authorization: { env: OER_HOOK_AUTH }
            """);

        Assert.Empty(diagnostics);
        Assert.Equal(new ConfigValue("https://hooks.example.com/oer", null), channel!.Url);
        Assert.Equal(["Authorization", "X-Team"], channel.Headers.Keys);
        Assert.Equal(new ConfigValue("data-platform", null), channel.Headers["x-team"]);
        Assert.Equal("OER_HOOK_AUTH", channel.Headers["Authorization"].FromEnvironment!.EnvironmentVariable);
    }

    [Theory]
    [InlineData("dingtalk")]
    [InlineData("lark")]
    [InlineData("slack")]
    public void ParseChannel_RobotWithInlineUrl_Oer3035(string type)
    {
        var (channel, diagnostics) = Channel($"  type: {type}\n  url: https://robot.example.com/send?access_token=abc\n");

        Assert.Null(channel);
        var diagnostic = SingleError(diagnostics, DiagnosticIds.InlineSecret, 6, 8);
        Assert.Equal($"the url of a {type} channel contains its access token and must not be written in a policy file", diagnostic.Message);
        Assert.Equal("use urlFrom: { env: NAME } and set NAME in the engine's environment", diagnostic.Hint);
    }

    [Theory]
    // The schema's "uri" format takes every scheme: actions are only ever posted over HTTP.
    [InlineData("file:///etc/passwd")]
    [InlineData("gopher://127.0.0.1:6379/_INFO")]
    [InlineData("ftp://files.example.com/x")]
    [InlineData("\"https://hooks.example.com/x\\r\\nX-Evil: 1\"")]
    public void ParseChannelAndTarget_UrlNotHttp_Oer1014AtTheUrl(string url)
    {
        var (channel, channelDiagnostics) = Channel($"  type: webhook\n  url: {url}\n");
        var (target, targetDiagnostics) = Target($"  type: http\n  url: {url}\n");

        Assert.Null(channel);
        Assert.Equal("the url of channel 'ops' must be an absolute http:// or https:// URL without control characters",
            SingleError(channelDiagnostics, DiagnosticIds.InvalidValue, 6, 8).Message);
        Assert.Null(target);
        Assert.Equal("the url of target 'sink' must be an absolute http:// or https:// URL without control characters",
            SingleError(targetDiagnostics, DiagnosticIds.InvalidValue, 6, 8).Message);
    }

    [Fact]
    public void ParseChannelAndTarget_UrlWithUserInfo_Oer3035()
    {
        var (_, channel) = Channel("  type: webhook\n  url: https://user:pass@hooks.example.com/x\n");
        var (_, target) = Target("  type: http\n  url: https://user:pass@sink.example.com/x\n");

        Assert.Equal("the url of channel 'ops' holds credentials (user:password@)", SingleError(channel, DiagnosticIds.InlineSecret, 6, 8).Message);
        Assert.Equal("the url of target 'sink' holds credentials (user:password@)", SingleError(target, DiagnosticIds.InlineSecret, 6, 8).Message);
    }

    [Fact]
    public void ParseChannel_WebhookUrlWithTokenParameter_Oer3035()
    {
        var (_, diagnostics) = Channel("  type: webhook\n  url: https://hooks.example.com/x?team=dp&api_key=abc\n");

        var diagnostic = SingleError(diagnostics, DiagnosticIds.InlineSecret, 6, 8);
        Assert.Equal("the url of channel 'ops' holds a secret in its query parameter 'api_key'", diagnostic.Message);
    }

    [Theory]
    [InlineData("Authorization")]
    [InlineData("X-Api-Key")]
    [InlineData("X-Auth-Token")]
    [InlineData("X-Client-Secret")]
    public void ParseChannel_SecretHeaderInline_Oer3035AtTheValue(string header)
    {
        var (_, diagnostics) = Channel($"  type: webhook\n  urlFrom: {{ env: U }}\n  headers:\n    {header}: {{ value: abc }}\n");

        var diagnostic = SingleError(diagnostics, DiagnosticIds.InlineSecret, 8, header.Length + 16);
        Assert.Equal($"header '{header}' holds a secret and must not be written in a policy file", diagnostic.Message);
        Assert.Equal($"read it from the environment: {header}: {{ env: NAME }}", diagnostic.Hint);
    }

    [Theory]
    [InlineData("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_")]
    [InlineData("OpenEventRules__Auth__Token", "OPENEVENTRULES__")]
    // The host reads its settings from these prefixes too: each of these is its token, or Kestrel's certificate password.
    [InlineData("DOTNET_OpenEventRules__Auth__Token", "DOTNET_")]
    [InlineData("aspnetcore_OPENEVENTRULES__AUTH__TOKEN", "ASPNETCORE_")]
    [InlineData("Kestrel__Certificates__Default__Password", "KESTREL__")]
    public void ParseChannel_HeaderFromAHostCredential_Oer3039(string variable, string prefix)
    {
        var (_, diagnostics) = Channel($"  type: webhook\n  urlFrom: {{ env: U }}\n  headers:\n    X-Key: {{ env: {variable} }}\n");

        var diagnostic = SingleError(diagnostics, DiagnosticIds.HostCredentialVariable, 8, 19);
        Assert.Equal($"the environment variable {variable} holds a credential of the host itself ({prefix}*): a policy file may not send it to a channel or target", diagnostic.Message);
    }

    [Fact]
    public void ParseChannel_HeaderFromAVariableOfItsOwn_Accepted() =>
        Assert.Empty(Channel("  type: webhook\n  urlFrom: { env: U }\n  headers:\n    X-Key: { env: OER_WEBHOOK_TOKEN }\n").Diagnostics);

    [Theory]
    [InlineData("Content-Length", "header 'Content-Length' is set by the host for each request; a policy may not set it")]
    [InlineData("idempotency-key", "header 'idempotency-key' is set by the host for each request; a policy may not set it")]
    [InlineData("Host", "header 'Host' is set by the host for each request; a policy may not set it")]
    [InlineData("\"X-A\\r\\nX-B\"", "'X-A\\r\\nX-B' is not an HTTP header name")]
    [InlineData("\"X Team\"", "'X Team' is not an HTTP header name")]
    public void ParseChannel_HeaderTheHostSetsOrNotAName_Oer1014(string header, string message)
    {
        // These were taken, or refused as "holds a secret" (Idempotency-Key has "key"), the wrong reason.
        var (_, diagnostics) = Channel($"  type: webhook\n  urlFrom: {{ env: U }}\n  headers:\n    {header}: {{ value: abc }}\n");

        var diagnostic = SingleError(diagnostics, DiagnosticIds.InvalidValue, 8, 5);
        Assert.Equal(message, diagnostic.Message);
    }

    [Fact]
    public void ParseChannel_SameHeaderTwoSpellings_Oer1007()
    {
        var (_, diagnostics) = Channel("  type: webhook\n  urlFrom: { env: U }\n  headers:\n    X-Team: { value: a }\n    x-team: { value: b }\n");

        var diagnostic = SingleError(diagnostics, DiagnosticIds.DuplicateKey, 9, 5);
        Assert.Equal("duplicate header 'x-team' (header names are case-insensitive)", diagnostic.Message);
    }

    [Fact]
    public void ParseChannel_NoUrl_Oer1013()
    {
        var (_, diagnostics) = Channel("  type: webhook\n");

        var diagnostic = SingleError(diagnostics, DiagnosticIds.MissingKey, 4, 1);
        Assert.Equal("channel 'ops' needs 'urlFrom' or 'url'", diagnostic.Message);
    }

    [Fact]
    public void ParseChannel_UrlAndUrlFrom_Oer1014()
    {
        var (_, diagnostics) = Channel("  type: webhook\n  url: https://a.example.com\n  urlFrom: { env: U }\n");

        var diagnostic = SingleError(diagnostics, DiagnosticIds.InvalidValue, 6, 3);
        Assert.Equal("channel 'ops' has both 'url' and 'urlFrom'", diagnostic.Message);
    }

    [Fact]
    public void ParseChannel_SlackWithSecret_WarningOnly()
    {
        var (channel, diagnostics) = Channel("  type: slack\n  urlFrom: { env: U }\n  secretFrom: { env: S }\n");

        Assert.NotNull(channel);
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal(DiagnosticIds.InvalidValue, diagnostic.Id);
        Assert.Equal("'secretFrom' is not used by slack channels", diagnostic.Message);
    }

    [Fact]
    public void ParseChannel_NamedLog_Oer3001()
    {
        var document = SchemaValid("apiVersion: openevent.rules/v1\nkind: Channel\nmetadata: { name: log }\nspec: { type: webhook, urlFrom: { env: U } }\n");
        var bag = new DiagnosticBag();

        Assert.Null(PolicyDocumentParser.ParseChannel(document, bag));

        var diagnostic = SingleError(bag.Items, DiagnosticIds.DuplicateName, 3, 19);
        Assert.Equal("'log' is the built-in channel and cannot be declared", diagnostic.Message);
        Assert.Equal("choose another name; channel: log works without a declaration", diagnostic.Hint);
    }

    [Fact]
    public void ParseTarget_File_Definition()
    {
        var (target, diagnostics) = Target("  type: file\n  path: audit/tenant-events.jsonl\n");

        Assert.Empty(diagnostics);
        Assert.Equal(new TargetDefinition("sink", TargetType.File, null, "audit/tenant-events.jsonl", target!.Headers, new SourceLocation(File, 3, 19)), target);
        Assert.Empty(target.Headers);
    }

    [Fact]
    public void ParseTarget_Http_Definition()
    {
        var (target, diagnostics) = Target("  type: http\n  urlFrom: { env: OER_SIEM_URL }\n  headers: { X-Source: { value: oer } }\n");

        Assert.Empty(diagnostics);
        Assert.Equal(TargetType.Http, target!.Type);
        Assert.Equal("OER_SIEM_URL", target.Url!.FromEnvironment!.EnvironmentVariable);
        Assert.Null(target.Path);
        Assert.Equal("oer", target.Headers["X-Source"].Value);
    }

    [Fact]
    public void ParseTarget_FileWithoutPath_Oer1013()
    {
        var (target, diagnostics) = Target("  type: file\n");

        Assert.Null(target);
        var diagnostic = SingleError(diagnostics, DiagnosticIds.MissingKey, 4, 1);
        Assert.Equal("target 'sink' of type file needs 'path'", diagnostic.Message);
    }

    [Theory]
    [InlineData("/etc/cron.d/archive", "is absolute")]
    [InlineData("~/archive.jsonl", "is absolute")]
    [InlineData("C:archive.jsonl", "is absolute")]
    [InlineData("../data/outbox.db", "climbs out of its folder with '..'")]
    [InlineData("audit/../../x.jsonl", "climbs out of its folder with '..'")]
    [InlineData("audit//x.jsonl", "has an empty or '.' segment")]
    [InlineData("audit/", "has an empty or '.' segment")]
    [InlineData("./x.jsonl", "has an empty or '.' segment")]
    [InlineData("audit\\x.jsonl", "holds a backslash or a control character")]
    [InlineData("audit\u001b[2J.jsonl", "holds a backslash or a control character")]
    public void ParseTarget_FilePathLeavingItsFolder_Oer3062(string path, string problem)
    {
        var (target, diagnostics) = Target($"  type: file\n  path: \"{path.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\u001b", "\\e", StringComparison.Ordinal)}\"\n");

        Assert.Null(target);
        var diagnostic = SingleError(diagnostics, DiagnosticIds.FileTargetPathOutside, 6, 9);
        Assert.Equal($"the path of file target 'sink' {problem}: '{TextExcerpt.Escape(path)}'", diagnostic.Message);
        Assert.StartsWith("write a relative path with '/' between plain names, e.g. path: audit/events.jsonl", diagnostic.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseTarget_FilePathOverTheLengthBound_Oer3062()
    {
        var (_, diagnostics) = Target($"  type: file\n  path: {string.Join('/', Enumerable.Repeat("abcdefgh", 60))}\n");

        Assert.StartsWith("the path of file target 'sink' is longer than 512 characters: '", SingleError(diagnostics, DiagnosticIds.FileTargetPathOutside, 6, 9).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseTarget_FileWithUrl_Oer1014()
    {
        var (_, diagnostics) = Target("  type: file\n  path: a.jsonl\n  url: https://a.example.com\n");

        var diagnostic = SingleError(diagnostics, DiagnosticIds.InvalidValue, 7, 3);
        Assert.Equal("'url' does not apply to file targets", diagnostic.Message);
    }

    [Fact]
    public void ParseTarget_HttpWithPath_Oer1014()
    {
        var (_, diagnostics) = Target("  type: http\n  urlFrom: { env: U }\n  path: a.jsonl\n");

        var diagnostic = SingleError(diagnostics, DiagnosticIds.InvalidValue, 7, 3);
        Assert.Equal("'path' does not apply to http targets", diagnostic.Message);
    }

    [Fact]
    public void ParseTarget_NamedLog_Oer3001()
    {
        var (_, diagnostics) = Target("  type: file\n  path: a.jsonl\n", name: "log");

        Assert.Equal("'log' is the built-in target and cannot be declared", SingleError(diagnostics, DiagnosticIds.DuplicateName, 3, 19).Message);
    }

    [Fact]
    public void ParsePolicy_EveryKey_Definition()
    {
        var document = SchemaValid("""
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata:
              name: prod-deploy-freeze
              description: no deploys
              owner: dp
              labels: { team: dp }
            spec:
              mode: audit
              priority: 100
              match: { type: ["dataworks:FileChange:DeployFile"] }
              scope: { workspaces: [10001234, "10001235", 10001234], environments: [prod] }
              exclude:
                - scope: { operators: [200000000001] }
              condition: data.fileOwner != data.operator
              conditionErrors: match
              actions:
                - block: { reason: "Deploying {{ data.fileName }} is frozen" }
                - notify: { channel: log, message: "{{ policy.name }}" }
                - forward: { target: log }
            """);
        var bag = new DiagnosticBag();

        var policy = PolicyDocumentParser.ParsePolicy(document, bag);

        Assert.Empty(bag.Items);
        Assert.NotNull(policy);
        Assert.Equal("prod-deploy-freeze", policy.Name);
        Assert.Equal(new SourceLocation(File, 4, 9), policy.Location);
        Assert.Equal(new PolicyMetadata("no deploys", "dp", policy.Metadata.Labels), policy.Metadata);
        Assert.Equal("dp", policy.Metadata.Labels["team"]);
        Assert.Equal(PolicyMode.Audit, policy.Mode);
        Assert.Equal(100, policy.Priority);
        Assert.Equal(["10001234", "10001235"], policy.Scope!.Workspaces.ToArray());
        Assert.Equal(["PROD"], policy.Scope.Environments.ToArray());
        var exclusion = Assert.Single(policy.Exclude);
        Assert.Null(exclusion.Match);
        Assert.Equal(["200000000001"], exclusion.Scope!.Operators.ToArray());
        Assert.Equal(new ConditionDefinition("data.fileOwner != data.operator", ConditionErrorMode.Match, new SourceLocation(File, 15, 14)), policy.Condition);
        Assert.Collection(policy.Actions,
            a => Assert.Equal(new SourceLocation(File, 18, 7), Assert.IsType<BlockAction>(a).Location),
            a => Assert.Equal("log", Assert.IsType<NotifyAction>(a).Channel),
            a => Assert.Equal("log", Assert.IsType<ForwardAction>(a).Target));
    }

    [Fact]
    public void ParsePolicy_TemplateError_Oer3034AndNoPolicy()
    {
        var document = SchemaValid("""
            apiVersion: openevent.rules/v1
            kind: Policy
            metadata: { name: p }
            spec:
              match: { type: ["dataworks:FileChange:DeployFile"] }
              actions:
                - block: { reason: "frozen {{ data.fileName" }
            """);
        var bag = new DiagnosticBag();

        Assert.Null(PolicyDocumentParser.ParsePolicy(document, bag));

        SingleError(bag.Items, DiagnosticIds.TemplateSyntax, 7, 32);
    }
}
