using System.Text.Json;

namespace OpenEvent.Rules.Bench;

/// <summary>The shape-specific <c>data</c> fields of the scan workload's events (developer reference, section 3).</summary>
internal static class ScanPayloads
{
    private static readonly int[] FileTypes = [10, 23, 6, 1221, 225];

    public static void Write(Utf8JsonWriter w, char shape, string fileName, Random random)
    {
        switch (shape)
        {
            case 'F':
                File(w, fileName, random);
                break;
            case 'T':
                w.WriteString("tableName", fileName);
                w.WriteString("tableGuid", "odps.project." + fileName);
                w.WriteString("projectEnv", random.Next(2) == 0 ? "DEV" : "PROD");
                w.WriteBoolean("blockBusiness", true);
                break;
            case 'N':
                Node(w, fileName, random);
                break;
            case 'D':
                DiJob(w, random);
                break;
            case 'S':
                InstanceStatus(w, random);
                break;
            default:
                Other(w, shape, fileName, random);
                break;
        }
    }

    private static void Other(Utf8JsonWriter w, char shape, string fileName, Random random)
    {
        switch (shape)
        {
            case 'B':
                w.WriteNumber("rootNodeProjectId", 10_000_000 + random.Next(4000));
                w.WriteString("bizBeginTime", "2024-07-01");
                w.WriteString("bizEndTime", "2024-07-11");
                w.WriteBoolean("blockBusiness", true);
                break;
            case 'I':
                w.WriteNumber("instanceId", 4530001169L + random.Next(1_000_000));
                w.WriteString("projectType", random.Next(2) == 0 ? "DEV" : "PROD");
                w.WriteNumber("status", random.Next(1, 9));
                break;
            case 'G':
                w.WriteNumber("dagId", 4460001330L + random.Next(1_000_000));
                w.WriteString("projectEnv", random.Next(2) == 0 ? "DEV" : "PROD");
                w.WriteNumber("status", random.Next(1, 9));
                break;
            case 'M':
                w.WriteString("alertType", "TIMEOUT");
                w.WriteString("nodeName", fileName);
                break;
            case 'Q':
                w.WriteNumber("ruleId", 4411 + random.Next(100));
                w.WriteString("tableName", fileName);
                w.WriteNumber("checkResult", random.Next(-2, 3));
                w.WriteString("matchExpression", "ds=$[yyyymmdd]");
                break;
            case 'L':
                w.WriteString("fileName", fileName + ".csv");
                w.WriteNumber("fileSize", random.Next(1000, 10_000_000));
                w.WriteString("sqlText", "select sku_code, price from dim_sku where ds = '20240711'");
                break;
            default:
                w.WriteString("projectName", "ws_" + fileName);
                w.WriteBoolean("blockBusiness", true);
                break;
        }
    }

    private static void File(Utf8JsonWriter w, string fileName, Random random)
    {
        w.WriteString("extensionBizId", "bf71d0a6e3" + random.Next(1000));
        w.WriteBoolean("blockBusiness", true);
        w.WriteNumber("fileId", 500012830 + random.Next(100000));
        w.WriteNumber("fileVersion", random.Next(1, 40));
        w.WriteString("fileName", fileName);
        w.WriteNumber("fileType", FileTypes[random.Next(FileTypes.Length)]);
        w.WriteString("changeType", random.Next(3).ToString(System.Globalization.CultureInfo.InvariantCulture));
        w.WriteString("fileCreateTime", "2024-07-12 11:08:50");
        w.WriteNumber("nodeId", 700012003 + random.Next(100000));
    }

    private static void Node(Utf8JsonWriter w, string fileName, Random random)
    {
        w.WriteString("projectEnv", random.Next(2) == 0 ? "DEV" : "PROD");
        w.WriteNumber("nodeId", 700012003 + random.Next(100000));
        w.WriteString("nodeName", fileName);
        w.WriteString("programType", "ODPS_SQL");
        w.WriteString("cronExpress", "00 04 00 * * ?");
        w.WriteNumber("priority", random.Next(1, 9));
        w.WriteNumber("status", random.Next(1, 7));
        w.WriteBoolean("blockBusiness", random.Next(4) == 0);
        w.WriteString("extensionBizName", random.Next(2) == 0 ? "sync_mysql_to_holo" : "node_" + fileName);
    }

    private static void DiJob(Utf8JsonWriter w, Random random)
    {
        w.WriteString("extensionBizName", random.Next(2) == 0 ? "sync_mysql_to_holo" : "sync_pg_to_odps");
        w.WriteBoolean("blockBusiness", true);
        w.WriteNumber("jobId", 5777 + random.Next(1000));
        w.WriteStartArray("tableMapping");
        for (var i = 0; i < 2; i++)
        {
            w.WriteStartObject();
            w.WriteString("srcDatasourceName", "mysql_public");
            w.WriteString("srcTable", "t" + random.Next(100));
            w.WriteString("dstDatasourceName", "holo_dw");
            w.WriteString("dstTable", "t" + random.Next(100));
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void InstanceStatus(Utf8JsonWriter w, Random random)
    {
        w.WriteNumber("nodeId", 1000123219 + random.Next(100000));
        w.WriteNumber("taskId", 4530001169L + random.Next(100000));
        w.WriteNumber("dagType", random.Next(6));
        w.WriteNumber("taskType", random.Next(3));
        w.WriteNumber("status", random.Next(1, 9));
        w.WriteNumber("modifyTime", 1652700577000);
    }
}
