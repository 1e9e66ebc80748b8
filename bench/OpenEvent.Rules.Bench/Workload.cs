using System.Globalization;
using System.Text;
using System.Text.Json;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Core.Tests.Compilation;

namespace OpenEvent.Rules.Bench;

/// <summary>
/// A reproducible DataWorks workload (shapes from the developer reference, sections 1 and 3): CloudEvents of a dozen
/// types, about 1 KB each, and governance policies scoped by type, workspace, operator, file name, status and numeric
/// fields. Workspaces and operators grow with the policy count (a big tenant has more workspaces, not 10,000 policies
/// on one), so each event matches a few policies at every size: what changes is the size of the set, not the answer.
/// </summary>
internal sealed class Workload
{
    private const string FileChange = "dataworks:FileChange:";

    private static readonly string[] Types =
    [
        FileChange + "CommitFile", FileChange + "DeployFile", FileChange + "RunFile", FileChange + "DeleteFile",
        "dataworks:NodeChange:NodeChangeCreated", "dataworks:NodeChange:NodeChangeUpdated", "dataworks:NodeChange:StartDiJob",
        "dataworks:InstanceStatusChanges:InstanceStatusChanges", "dataworks:DagStatusChanges:DagStatusChanges",
        "dataworks:DqcCheck:DqcCheckFinishedEvent", "dataworks:ResourcesDownload:DownloadResources", "dataworks:TableChange:CommitTable",
    ];

    // File names are a layer, a table and a period; the scan workload (ScanWorkload) draws from the same lists.
    internal static readonly string[] Layers = ["dws_", "ods_", "dim_", "ads_", "tmp_", "adhoc_"];
    internal static readonly string[] Tables = ["orders", "users", "sku", "payments", "events", "refunds", "stock", "sessions"];
    internal static readonly string[] Periods = ["", "_daily", "_hourly", "_tmp"];
    internal static readonly string[] Regions = ["cn-hangzhou", "cn-shanghai", "cn-beijing", "ap-southeast-1"];

    private readonly Random _random;
    private readonly int _workspaces;
    private readonly int _operators;

    private Workload(int patternCount, int seed)
    {
        _random = new Random(seed);
        _workspaces = Math.Max(2, patternCount / 40);
        _operators = Math.Max(2, patternCount / 40);
        PatternTexts = [.. Enumerable.Range(0, patternCount).Select(NextPattern)];
        Patterns = [.. PatternTexts.Select(TestPatterns.FromJson)];
    }

    public IReadOnlyList<string> PatternTexts { get; }

    public IReadOnlyList<PatternObject> Patterns { get; }

    public static Workload Create(int patternCount, int seed = 42) => new(patternCount, seed);

    /// <summary>
    /// Writes each pattern as a policy file (p00000.yaml, ...) in <paramref name="folder"/> that forwards the event to
    /// <paramref name="target"/>: the set the host benchmarks load. A JSON pattern is valid YAML flow syntax, so the
    /// patterns paste into policies as they are.
    /// </summary>
    public Task WritePoliciesAsync(string folder, string target) => WritePoliciesAsync(folder, target, PatternTexts);

    /// <summary>As <see cref="WritePoliciesAsync(string, string)"/> for any list of JSON patterns (the scan workload's).</summary>
    public static async Task WritePoliciesAsync(string folder, string target, IReadOnlyList<string> patternTexts)
    {
        Directory.CreateDirectory(folder);
        for (var i = 0; i < patternTexts.Count; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(folder, $"p{i:D5}.yaml"), $"""
                apiVersion: openevent.rules/v1
                kind: Policy
                metadata: {"{"} name: p{i:D5} {"}"}
                spec:
                  match: {patternTexts[i]}
                  actions: [ {"{"} forward: {"{"} target: {target} {"}"} {"}"} ]
                """);
        }
    }

    public List<byte[]> Events(int count) => [.. Enumerable.Range(0, count).Select(_ => NextEvent())];

    private string NextPattern(int i)
    {
        // A handful of tenant-wide policies first; the rest are scoped to a workspace or an operator.
        switch (i)
        {
            case 0: return """{"type":["dataworks:FileChange:DeployFile"],"data":{"fileName":[{"prefix":"tmp_"}]}}""";
            case 1: return """{"type":["dataworks:InstanceStatusChanges:InstanceStatusChanges"],"data":{"status":[5],"taskType":[0]}}""";
            case 2: return """{"source":["acs.dataworks"],"type":[{"suffix":"DeleteFile"}],"data":{"fileType":[10, 1221]}}""";
            case 3: return """{"type":[{"prefix":"dataworks:NodeChange:"}],"data":{"blockBusiness":[true],"extensionBizName":[{"wildcard":"sync_*_holo"}]}}""";
        }

        // Templates with @-placeholders read closer to the policies they stand for than nested interpolation.
        var template = _random.Next(20) switch
        {
            < 7 => Pick(Types).StartsWith(FileChange, StringComparison.Ordinal) && _random.Next(2) == 0
                ? """{"type":["@FILETYPE"],"data":{"projectId":[@W],"fileName":[{"prefix":"@LAYER"}]}}"""
                : """{"type":["@TYPE"],"data":{"projectId":[@W]}}""",
            < 10 => """{"type":["@TYPE","@TYPE2"],"data":{"operator":["@OP"]}}""",
            < 12 => """{"type":[{"prefix":"dataworks:FileChange:"}],"data":{"projectId":[@W],"fileName":[{"wildcard":"@LAYER*_daily"}]}}""",
            < 14 => """{"type":["dataworks:InstanceStatusChanges:InstanceStatusChanges"],"data":{"appId":[@W],"status":[5, 6]}}""",
            < 16 => """{"type":["dataworks:DqcCheck:DqcCheckFinishedEvent"],"data":{"projectId":[@W],"checkResult":[{"numeric":[">=", 1]}]}}""",
            < 18 => """{"type":["@TYPE"],"aliyunregionid":["@REGION"],"data":{"projectId":[@W],"fileType":[{"anything-but":[23]}]}}""",
            18 => """{"type":["dataworks:ResourcesDownload:DownloadResources"],"data":{"queryDwProjectId":["@W"],"fileSize":[{"numeric":[">", @SIZE]}]}}""",
            _ => """{"type":["@TYPE"],"data":{"projectId":[@W],"$or":[{"fileName":[{"suffix":"_tmp"}]},{"changeType":["2"]}]}}""",
        };

        return template
            .Replace("@FILETYPE", Pick(Types[..4]), StringComparison.Ordinal)
            .Replace("@TYPE2", Pick(Types), StringComparison.Ordinal)
            .Replace("@TYPE", Pick(Types), StringComparison.Ordinal)
            .Replace("@W", (10_000_000 + _random.Next(_workspaces)).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("@OP", Operator(_random.Next(_operators)), StringComparison.Ordinal)
            .Replace("@LAYER", Pick(Layers), StringComparison.Ordinal)
            .Replace("@REGION", Pick(Regions), StringComparison.Ordinal)
            .Replace("@SIZE", (_random.Next(1, 50) * 100_000).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    private byte[] NextEvent()
    {
        var type = Pick(Types);
        var workspace = 10_000_000 + _random.Next(_workspaces);
        var buffer = new MemoryStream(1400);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("specversion", "1.0");
            w.WriteString("id", Guid.NewGuid().ToString()); // varies per event; dedupe keys are not matched on
            w.WriteString("source", "acs.dataworks");
            w.WriteString("type", type);
            w.WriteString("subject", "");
            w.WriteString("time", "2024-07-12T11:08:51+08:00");
            w.WriteString("datacontenttype", "application/json;charset=utf-8");
            w.WriteString("aliyunaccountid", "1234567890123456");
            w.WriteString("aliyunpublishtime", "2024-07-12T03:08:51.204Z");
            w.WriteString("aliyuneventbusname", "dataworks-bus");
            w.WriteString("aliyunregionid", Pick(Regions));
            w.WriteString("aliyunpublishaddr", "10.0.12.34");
            w.WritePropertyName("data");
            w.WriteStartObject();
            WriteData(w, type, workspace);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private void WriteData(Utf8JsonWriter w, string type, int workspace)
    {
        var code = type[(type.LastIndexOf(':') + 1)..];
        w.WriteString("eventCode", string.Concat(code.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString())));
        w.WriteNumber("tenantId", 283780000010656);
        var fileName = Pick(Layers) + Pick(Tables) + Pick(Periods);
        switch (type)
        {
            case var t when t.StartsWith(FileChange, StringComparison.Ordinal):
                w.WriteNumber("projectId", workspace);
                w.WriteString("operator", Operator(_random.Next(_operators)));
                w.WriteString("extensionBizId", "bf71d0a6e3" + _random.Next(1000));
                w.WriteBoolean("blockBusiness", true);
                w.WriteNumber("fileId", 500012830 + _random.Next(100000));
                w.WriteNumber("fileVersion", _random.Next(1, 40));
                w.WriteString("fileName", fileName);
                w.WriteString("fileOwner", Operator(_random.Next(_operators)));
                w.WriteNumber("fileType", Pick([10, 23, 6, 1221, 225]));
                w.WriteString("changeType", Pick(["0", "1", "2"]));
                w.WriteString("fileCreateTime", "2024-07-12 11:08:50");
                w.WriteString("dataSourceName", "odps_first");
                w.WriteNumber("nodeId", 700012003 + _random.Next(100000));
                w.WriteNumber("resourceType", 1);
                break;
            case "dataworks:InstanceStatusChanges:InstanceStatusChanges":
                w.WriteNumber("appId", workspace);
                w.WriteNumber("nodeId", 1000123219 + _random.Next(100000));
                w.WriteNumber("taskId", 4530001169L + _random.Next(100000));
                w.WriteNumber("dagId", 4460001330L + _random.Next(100000));
                w.WriteNumber("dagType", _random.Next(6));
                w.WriteNumber("taskType", _random.Next(3));
                w.WriteNumber("flowId", 1);
                w.WriteNumber("opCode", 31);
                w.WriteNumber("status", _random.Next(1, 9));
                w.WriteNumber("createTime", 1652543233000);
                w.WriteNumber("modifyTime", 1652700577000);
                w.WriteNumber("beginWaitResTime", 1652700577000);
                break;
            case "dataworks:DqcCheck:DqcCheckFinishedEvent":
                w.WriteNumber("projectId", workspace);
                w.WriteNumber("id", 90001 + _random.Next(1000));
                w.WriteNumber("ruleId", 4411);
                w.WriteString("ruleName", "row count of " + fileName);
                w.WriteString("tableName", fileName);
                w.WriteString("methodName", Pick(["table_count", "avg", "null_value"]));
                w.WriteNumber("blockType", _random.Next(2));
                w.WriteNumber("checkResult", _random.Next(-2, 3));
                w.WriteString("externalType", "CWF2");
                w.WriteString("actualExpression", "ds=20230210");
                w.WriteString("matchExpression", "ds=$[yyyymmdd]");
                break;
            case "dataworks:ResourcesDownload:DownloadResources":
                w.WriteString("moduleType", "sqlx_query");
                w.WriteString("operatorUid", Operator(_random.Next(_operators)));
                w.WriteString("fileName", fileName + ".csv");
                w.WriteNumber("fileSize", _random.Next(1000, 10_000_000));
                w.WriteString("datasourceId", "1111");
                w.WriteString("queryDwProjectId", workspace.ToString(CultureInfo.InvariantCulture));
                w.WriteString("dataRowSize", "123456");
                w.WriteString("sqlText", "select sku_code, sku_name, price, stock from dim_sku where ds = '20240711' and category in ('a', 'b')");
                break;
            case "dataworks:NodeChange:StartDiJob":
                w.WriteNumber("appId", workspace);
                w.WriteString("operator", Operator(_random.Next(_operators)));
                w.WriteString("extensionBizId", "59d0a350fc");
                w.WriteString("extensionBizName", Pick(["sync_mysql_to_holo", "sync_pg_to_odps"]));
                w.WriteBoolean("blockBusiness", true);
                w.WriteNumber("jobId", 5777);
                w.WriteBoolean("showTableMapping", true);
                w.WriteStartArray("tableMapping");
                for (var i = 0; i < 2; i++)
                {
                    w.WriteStartObject();
                    w.WriteString("srcDatasourceName", "mysql_public");
                    w.WriteString("srcDatabaseName", "di_test");
                    w.WriteString("srcTable", Pick(Tables));
                    w.WriteString("dstDatasourceName", "holo_dw");
                    w.WriteString("dstTable", Pick(Tables));
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                break;
            default:
                w.WriteNumber("projectId", workspace);
                w.WriteString("operator", Operator(_random.Next(_operators)));
                w.WriteString("projectEnv", Pick(["DEV", "PROD"]));
                w.WriteNumber("nodeId", 700012003 + _random.Next(100000));
                w.WriteString("nodeName", fileName);
                w.WriteString("tableName", fileName);
                w.WriteString("programType", "ODPS_SQL");
                w.WriteString("cronExpress", "00 04 00 * * ?");
                w.WriteString("schedulerType", "NORMAL");
                w.WriteNumber("priority", Pick([1, 3, 5, 7, 8]));
                w.WriteBoolean("repeatability", true);
                w.WriteNumber("status", _random.Next(1, 7));
                w.WriteString("bizDate", "2022-11-07 00:00:00");
                w.WriteNumber("createTime", 1720753730864);
                break;
        }

        // Realistic padding: payloads carry free text nobody matches on (descriptions, SQL), here ~250 bytes.
        w.WriteString("description", "Generated for the OpenEvent.Rules benchmark: " + new string('x', 200));
    }

    private static string Operator(int index) => (200012345000000L + index).ToString(CultureInfo.InvariantCulture);

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    public static string Describe(IReadOnlyList<byte[]> events) =>
        string.Create(CultureInfo.InvariantCulture, $"{events.Count} events, {events.Average(e => e.Length):F0} bytes on average");

    public static string Sample(byte[] cloudEvent) => Encoding.UTF8.GetString(cloudEvent);
}
