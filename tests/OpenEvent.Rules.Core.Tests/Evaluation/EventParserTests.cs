using System.Text;
using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Events;

namespace OpenEvent.Rules.Core.Tests.Evaluation;

public sealed class EventParserTests
{
    private const string DeployFile = """
        {"specversion":"1.0","id":"e-1","source":"acs.dataworks","type":"dataworks:FileChange:DeployFile",
         "aliyunregionid":"cn-hangzhou",
         "data":{"eventCode":"deploy-file","tenantId":283780000010656,"projectId":10001234,"operator":"200012345678901","fileName":"dws_orders"}}
        """;

    private static readonly EventParser s_parser = new(EventCatalog.Default);

    private static List<(DataWorksEvent? Event, EventError? Error)> ParseAll(string input) => ParseAll(Encoding.UTF8.GetBytes(input));

    private static List<(DataWorksEvent? Event, EventError? Error)> ParseAll(byte[] input) =>
        EventInputReader.Split(input, "in.json")
            .Select(slice => (s_parser.TryParse(slice, out var error), error))
            .ToList();

    [Fact]
    public void Parse_StructuredCloudEvent_ResolvesCatalogKindAndScope()
    {
        var (e, error) = Assert.Single(ParseAll(DeployFile));

        Assert.Null(error);
        Assert.NotNull(e);
        Assert.Equal("e-1", e.Id);
        Assert.Equal("dataworks:FileChange:DeployFile", e.Type);
        Assert.True(e.IsExtensionPoint);
        Assert.Equal(new EventScope("283780000010656", "10001234", "cn-hangzhou", null, "200012345678901"), e.Scope);
        Assert.Equal(new EventOrigin("in.json", 0), e.Origin);
    }

    [Fact]
    public void Split_BatchArray_YieldsEachElementWithItsIndex()
    {
        var results = ParseAll($"[{DeployFile}, {DeployFile.Replace("e-1", "e-2")}]");

        Assert.Equal(["e-1", "e-2"], results.Select(r => r.Event!.Id));
        Assert.Equal([0, 1], results.Select(r => r.Event!.Origin.Index));
    }

    [Fact]
    public void Split_EmptyBatch_YieldsNothing()
    {
        Assert.Empty(ParseAll("[ ]"));
    }

    [Fact]
    public void Split_JsonLinesWithOneBadLine_ReportsItAndKeepsTheOthers()
    {
        var line = DeployFile.ReplaceLineEndings(" ");
        var results = ParseAll($"{line}\n{{not json}}\n\n{line.Replace("e-1", "e-3")}\n");

        Assert.Equal(3, results.Count);
        Assert.Equal("e-1", results[0].Event!.Id);
        Assert.Equal("invalid-json", results[1].Error!.Id);
        Assert.Equal(1, EventInputReader.Split(Encoding.UTF8.GetBytes($"{line}\n{{not json}}\n"), "x").ElementAt(1).Origin.Index);
        Assert.Equal("e-3", results[2].Event!.Id);
    }

    [Fact]
    public void Split_PrettyPrintedEventWithAMistake_IsOneEventWithOneErrorAtItsLine()
    {
        const string pretty = "{\"specversion\":\"1.0\",\n \"id\":\"a\",\n \"source\":\"acs.dataworks\"\n \"type\":\"x\"}\n";

        var (_, error) = Assert.Single(ParseAll(pretty));

        Assert.Equal("invalid-json", error!.Id);
        Assert.StartsWith("the event is not valid JSON (line 4, byte 2): ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SpecversionAsANumber_SaysItMustBeTheString()
    {
        var (_, error) = Assert.Single(ParseAll("""{"specversion":1.0,"id":"x","type":"t"}"""));
        Assert.Equal("unsupported-specversion", error!.Id);
        Assert.Equal("specversion is 1.0 (not a string); CloudEvents 1.0 writes it as the string \"1.0\"", error.Message);
    }

    [Fact]
    public void Parse_InvalidJson_ReportsInvalidJson()
    {
        var (_, error) = Assert.Single(ParseAll("{\"specversion\": \"1.0\", "));
        Assert.Equal("invalid-json", error!.Id);
    }

    [Fact]
    public void Parse_InvalidUtf8_ReportsOffsetOfFirstBadByte()
    {
        var bytes = Encoding.UTF8.GetBytes(DeployFile.Replace("dws_orders", "dws_XX"));
        var at = Array.IndexOf(bytes, (byte)'X');
        bytes[at] = 0xC3;
        bytes[at + 1] = 0x28;

        var (_, error) = Assert.Single(ParseAll(bytes));

        Assert.Equal("invalid-utf8", error!.Id);
        Assert.Equal($"the event is not valid UTF-8 (first bad byte at offset {at})", error.Message);
    }

    [Fact]
    public void Parse_TenThousandDeepNesting_ReportsTooDeepWithoutCrashing()
    {
        var deep = "{\"specversion\":\"1.0\",\"id\":\"x\",\"type\":\"t\",\"data\":{\"a\":" + new string('[', 10_000) + new string(']', 10_000) + "}}";

        var (_, error) = Assert.Single(ParseAll(deep));

        Assert.Equal("too-deep", error!.Id);
    }

    [Fact]
    public void Parse_TwentyMegabyteStringField_ReportsTooLarge()
    {
        var huge = DeployFile.Replace("dws_orders", new string('x', 20 * 1024 * 1024));

        var (_, error) = Assert.Single(ParseAll(huge));

        Assert.Equal("too-large", error!.Id);
        Assert.StartsWith("the event is 20,", error.Message);
    }

    [Fact]
    public void Parse_MissingType_ReportsMissingType()
    {
        var (_, error) = Assert.Single(ParseAll("""{"specversion":"1.0","id":"x","source":"acs.dataworks"}"""));
        Assert.Equal("missing-type", error!.Id);
        Assert.Equal("the event has no 'type' string attribute", error.Message);
    }

    [Fact]
    public void Parse_PartialEvent_IsTheCloudEventOfItsCodeWithAnIdFromItsBytes_AndIsNotAnswered()
    {
        const string bare = """{"eventCode":"deploy-file","tenantId":283780000010656,"projectId":10001234,"operator":"7","blockBusiness":true}""";

        var (e, error) = Assert.Single(ParseAll(bare));
        var (again, _) = Assert.Single(ParseAll(bare));
        var (other, _) = Assert.Single(ParseAll(bare.Replace("10001234", "10001235", StringComparison.Ordinal)));

        Assert.Null(error);
        Assert.True(e!.IsPartial);
        Assert.Equal("dataworks:FileChange:DeployFile", e.Type);
        Assert.Equal("acs.dataworks", e.Source);
        Assert.Equal("1.0", e.Root.GetProperty("specversion").GetString());
        Assert.StartsWith("partial-", e.Id, StringComparison.Ordinal);
        Assert.Equal(e.Id, again!.Id); // EventBridge's retry of the same body is the same event
        Assert.NotEqual(e.Id, other!.Id);
        Assert.Equal(10001234, e.Data.GetProperty("projectId").GetInt64());
        Assert.Equal(new EventScope("283780000010656", "10001234", null, null, "7"), e.Scope);
        // Its id is not one DataWorks knows, so it is decided as a regular event, though its type is an extension point.
        Assert.False(e.IsExtensionPoint);
        Assert.True(e.BlockBusiness);
    }

    [Theory]
    [InlineData("""{"eventCode":"review-file","projectId":1}""", "dataworks:FileChange:ReviewFile")]
    [InlineData("""{"eventCode":"approve-file","projectId":1}""", "dataworks:Unknown:ApproveFile")]
    [InlineData("""{"eventCode":"start-diJob","appId":1}""", "dataworks:NodeChange:StartDiJob")]
    public void Parse_PartialEvent_CodeTheCatalogDoesNotKnow_GetsATypeSpeltAsDataWorksSpellsThem(string bare, string type)
    {
        var (e, error) = Assert.Single(ParseAll(bare));
        Assert.Null(error);
        Assert.Equal(type, e!.Type);
    }

    [Theory]
    [InlineData("""{"eventCode":"a b"}""")]
    [InlineData("""{"eventCode":""}""")]
    [InlineData("""{"eventCode":"x\ny"}""")]
    [InlineData("""{"eventCode":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}""")] // 101 characters
    public void Parse_PartialEvent_CodeThatCannotNameAType_IsRefused(string bare)
    {
        var (_, error) = Assert.Single(ParseAll(bare));
        Assert.Equal("unknown-event-code", error!.Id);
    }

    [Theory]
    [InlineData("../../etc")]
    [InlineData("file-change\u001b[31m")]
    [InlineData("")]
    public void Parse_FunctionComputeEnvelope_CategoryThatCannotNameAType_IsUnknown(string category)
    {
        // The category is the sender's text: only a code word becomes part of the type, anything else reads Unknown.
        var fc = System.Text.Json.JsonSerializer.Serialize(new { messageId = "m-3", eventType = "approve-file", eventCategoryType = category, messageBody = new { projectId = 1 } });

        var (e, error) = Assert.Single(ParseAll(fc));

        Assert.Null(error);
        Assert.Equal("dataworks:Unknown:ApproveFile", e!.Type);
    }

    [Fact]
    public void Parse_BareDataWithoutAnEventCode_ExplainsPartialEventNeedsOne()
    {
        var (_, error) = Assert.Single(ParseAll("""{"projectId":1}"""));
        Assert.Equal("missing-type", error!.Id);
    }

    [Fact]
    public void Parse_FunctionComputeEnvelope_UnknownCode_IsAnUnknownTypeOfItsCategory_BlockingWhenItSaysSo()
    {
        var fc = """{"messageId":"m-2","eventType":"download-resources-v2","eventCategoryType":"resources-download","blockBusiness":true,"messageBody":{"queryDwProjectId":"1"}}""";

        var (e, error) = Assert.Single(ParseAll(fc));

        Assert.Null(error);
        Assert.Equal("dataworks:ResourcesDownload:DownloadResourcesV2", e!.Type);
        Assert.Null(e.CatalogEntry);
        Assert.True(e.IsExtensionPoint);
        Assert.False(e.IsPartial);
        Assert.Equal("m-2", e.Id);
    }

    [Theory]
    [InlineData("dataworks:FileChange:ReviewFile", true, true)]
    [InlineData("dataworks:FileChange:ReviewFile", false, false)]
    [InlineData("dataworks:NodeChange:NodeChangeUpdated", true, true)]
    [InlineData("dataworks:ApprovalChange:ApprovalChangeFinished", true, true)]
    [InlineData("dataworks:NodeChange:NodeChangeCreated", true, false)] // documented as regular: the catalog decides
    [InlineData("dataworks:FileChange:DeployFile", false, true)] // documented as an extension point: the catalog decides
    public void Parse_TypeWhoseKindIsInferredAsRegular_IsAnExtensionPointWhenItSaysItBlocks(string type, bool blockBusiness, bool expected)
    {
        var flag = blockBusiness ? "true" : "false";
        var (e, _) = Assert.Single(ParseAll($$$"""{"specversion":"1.0","id":"x","source":"acs.dataworks","type":"{{{type}}}","data":{"blockBusiness":{{{flag}}},"projectId":1}}"""));
        Assert.NotNull(e!.CatalogEntry);
        Assert.Equal(expected, e.IsExtensionPoint);
    }

    [Fact]
    public void Parse_DataNotAnObject_ReportsDataNotObject()
    {
        var (_, error) = Assert.Single(ParseAll("""{"specversion":"1.0","id":"x","type":"t","data":"text"}"""));
        Assert.Equal("data-not-object", error!.Id);
        Assert.Equal("'data' must be a JSON object, not a string", error.Message);
    }

    [Fact]
    public void Parse_DuplicateKeys_ReportsDuplicateKey()
    {
        var (_, error) = Assert.Single(ParseAll("""{"specversion":"1.0","id":"x","type":"a","type":"b"}"""));
        Assert.Equal("duplicate-key", error!.Id);
    }

    [Fact]
    public void Parse_NotAnObject_ReportsNotAnObject()
    {
        var (_, error) = Assert.Single(ParseAll("\"just a string\""));
        Assert.Equal("not-an-object", error!.Id);
    }

    [Theory]
    [InlineData(",\"blockBusiness\":false", false)]
    [InlineData(",\"blockBusiness\":true", true)]
    [InlineData("", null)]
    public void Parse_CommitFileWhateverBlockBusiness_IsAnExtensionPoint(string blockBusiness, bool? expected)
    {
        // The pre-event and its regular twin cannot be told apart (the official pre-event sample carries false): answer both.
        var commit = DeployFile.Replace("FileChange:DeployFile", "FileChange:CommitFile").Replace("\"deploy-file\"", "\"commit-file\"" + blockBusiness);
        var (e, _) = Assert.Single(ParseAll(commit));
        Assert.True(e!.IsExtensionPoint);
        Assert.Equal(expected, e.BlockBusiness);
    }

    [Theory]
    [InlineData("true", "false", true)]
    [InlineData("false", "true", true)]
    [InlineData("false", "false", false)]
    [InlineData("true", null, true)]
    public void Parse_FunctionComputeEnvelopeBlockBusiness_EitherTrueWins(string envelope, string? body, bool expected)
    {
        var inBody = body is null ? "" : $",\"blockBusiness\":{body}";
        var fc = $$$"""{"messageId":"m-bb","eventType":"download-resources","blockBusiness":{{{envelope}}},"messageBody":{"queryDwProjectId":"1"{{{inBody}}}}}""";

        var (e, error) = Assert.Single(ParseAll(fc));

        Assert.Null(error);
        Assert.Equal(expected, e!.BlockBusiness);
        Assert.Equal(expected, e.Data.GetProperty("blockBusiness").GetBoolean());
        Assert.True(e.IsExtensionPoint);
    }

    [Theory]
    [InlineData("""{"messageId":"m","eventType":"download-resources","messageBody":"{\"x\":\"\\ud800\"}"}""", "invalid-utf8")]
    [InlineData("""{"messageId":"m","eventType":"download-resources","messageBody":"{\"x\":\"\\udc00 \"}"}""", "invalid-utf8")]
    [InlineData("""{"messageId":"m","eventType":"download-resources","messageBody":{"x":"\ud800"}}""", "invalid-utf8")]
    [InlineData("""{"messageId":"m\udc00","eventType":"download-resources","messageBody":{}}""", "invalid-utf8")]
    [InlineData("""{"specversion":"1.0","id":"\ud800","type":"t","source":"acs.dataworks"}""", "invalid-utf8")]
    [InlineData("""{"messageId":"m","eventType":"download-resources","messageBody":"[1]"}""", "data-not-object")]
    [InlineData("""{"messageId":"m","eventType":"download-resources","messageBody":"{\"a\":1,\"a\":2}"}""", "duplicate-key")]
    [InlineData("""{"messageId":"m","eventType":"download-resources","messageBody":"{"}""", "data-not-object")]
    public void Parse_EscapedLoneSurrogateOrBadBodyString_ReportsAnErrorWithoutThrowing(string fc, string errorId)
    {
        var (e, error) = Assert.Single(ParseAll(fc));

        Assert.Null(e);
        Assert.Equal(errorId, error!.Id);
    }

    [Fact]
    public void Parse_UnknownTypeWithBlockBusiness_IsAnExtensionPoint()
    {
        var (e, _) = Assert.Single(ParseAll("""{"specversion":"1.0","id":"x","type":"dataworks:New:Thing","data":{"blockBusiness":true,"projectId":"42"}}"""));
        Assert.True(e!.IsExtensionPoint);
        Assert.Null(e.CatalogEntry);
        Assert.Equal("42", e.Scope.Workspace);
    }

    [Fact]
    public void Parse_FunctionComputeEnvelope_NormalizesToCloudEvent()
    {
        var fc = """
            {"messageId":"m-1","eventType":"download-resources","eventCategoryType":"resources-download","blockBusiness":true,
             "extensionBizId":"biz-9","messageBody":{"queryDwProjectId":"10001234","operatorUid":"149318960370001","dataRowSize":"5000"}}
            """;

        var (e, error) = Assert.Single(ParseAll(fc));

        Assert.Null(error);
        Assert.Equal("m-1", e!.Id);
        Assert.Equal("dataworks:ResourcesDownload:DownloadResources", e.Type);
        Assert.True(e.IsExtensionPoint);
        Assert.Equal("10001234", e.Scope.Workspace);
        Assert.Equal("149318960370001", e.Scope.Operator);
        Assert.Equal("biz-9", e.Data.GetProperty("extensionBizId").GetString());
        Assert.Equal("download-resources", e.Data.GetProperty("eventCode").GetString());
        Assert.Equal("resources-download", e.Root.GetProperty("eventcategorytype").GetString());
    }
}
