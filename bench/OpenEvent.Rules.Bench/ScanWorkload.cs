using System.Globalization;
using System.Text.Json;
using OpenEvent.Rules.Core.Tests.Compilation;
using OpenEvent.Rules.Model.Patterns;

namespace OpenEvent.Rules.Bench;

/// <summary>
/// The scan benchmark's workload: a large stream of DataWorks CloudEvents (32 types from the developer reference's
/// catalog, about 1 KB each) drawn from one fixed population, so that every policy count is measured on the SAME events.
/// Tenants, workspaces, users and files have Zipf popularity (a few busy workspaces, a long tail), as real event
/// streams do. <c>data</c> comes before <c>type</c>: JSON member order is not guaranteed, and a matcher that needed
/// `type` first would be caught out. Policies follow <see cref="Workload"/>'s templates, scoped to workspaces and users
/// drawn uniformly from the population (each team writes its own policies), so a bigger set means more teams.
/// </summary>
internal sealed class ScanWorkload
{
    private const int Tenants = 100;
    private const int Workspaces = 4_000;
    private const int Users = 20_000;
    private const int FileNumbers = 500;

    // (type without "dataworks:", payload shape). Shapes: F file, T table, N node, D DI job, B backfill, S instance
    // status, I instance change, G DAG status, M monitor alert, Q data-quality result, R data-quality rule change,
    // P project, L download/upload.
    private static readonly (string Type, char Shape)[] Types =
    [
        ("FileChange:CommitFile", 'F'), ("FileChange:DeployFile", 'F'), ("FileChange:RunFile", 'F'), ("FileChange:DeleteFile", 'F'),
        ("TableChange:CommitTable", 'T'), ("TableChange:DeployTable", 'T'),
        ("NodeChange:NodeChangeCreated", 'N'), ("NodeChange:NodeChangeUpdated", 'N'), ("NodeChange:NodeChangeDeleted", 'N'),
        ("NodeChange:UndeployNode", 'N'), ("NodeChange:FreezeNode", 'N'), ("NodeChange:UnFreezeNode", 'N'),
        ("NodeChange:StartDiJob", 'D'), ("NodeChange:BatchStartDiJob", 'D'),
        ("BackfillDataOperate:BackfillData", 'B'), ("InstanceStatusChanges:InstanceStatusChanges", 'S'),
        ("InstanceChange:FreezeInstance", 'I'), ("InstanceChange:UnfreezeInstance", 'I'), ("InstanceChange:KillInstance", 'I'),
        ("InstanceChange:RerunInstance", 'I'), ("InstanceChange:SetInstanceSuccess", 'I'), ("InstanceChange:PreRerunInstance", 'I'),
        ("InstanceChange:PreKillInstance", 'I'), ("DagStatusChanges:DagStatusChanges", 'G'), ("MonitorAlert:WorkbenchMonitorAlert", 'M'),
        ("DqcCheck:DqcCheckFinishedEvent", 'Q'), ("DqcCheck:BatchCreateDataQualityRules", 'R'), ("DqcCheck:UpdateDataQualityRule", 'R'),
        ("ProjectChange:DeleteProject", 'P'), ("ResourcesDownload:DownloadResources", 'L'),
        ("ResourcesDownload:DownloadResourcesExecute", 'L'), ("ResourcesUpload:UploadDataToTable", 'L'),
    ];

    private static readonly string[] Layers = Workload.Layers;
    private static readonly string[] Tables = Workload.Tables;
    private static readonly string[] Periods = Workload.Periods;
    private static readonly string[] Regions = Workload.Regions;

    private readonly Random _random;
    private readonly Zipf _workspaces;
    private readonly Zipf _users;
    private readonly Zipf _types;
    private readonly Zipf _files;

    private ScanWorkload(int seed)
    {
        _random = new Random(seed);
        _workspaces = new Zipf(Workspaces, 1.0);
        _users = new Zipf(Users, 1.0);
        _types = new Zipf(Types.Length, 0.8);
        _files = new Zipf(FileNumbers, 1.0);
    }

    public static List<byte[]> Events(int count, int seed = 7)
    {
        var workload = new ScanWorkload(seed);
        return [.. Enumerable.Range(0, count).Select(_ => workload.NextEvent())];
    }

    /// <param name="mix">
    /// Which templates: the default mix anchors on exact workspace and user keys; <c>scan --mix operators</c> leans each
    /// template on another operator for its anchor, and <c>--mix substrings</c> on a part of a value (contains, a
    /// wildcard with stars at both ends), so that the figures do not hang on exact keys alone.
    /// </param>
    public static IReadOnlyList<PatternObject> Patterns(int count, ScanMix mix = ScanMix.Default, int seed = 42) =>
        [.. PatternTexts(count, mix, seed).Select(TestPatterns.FromJson)];

    /// <summary>The patterns as JSON, as policies hold them (the host benchmark writes them into policy files).</summary>
    public static IReadOnlyList<string> PatternTexts(int count, ScanMix mix = ScanMix.Default, int seed = 42)
    {
        var workload = new ScanWorkload(seed);
        Func<int, string> next = mix switch
        {
            ScanMix.Operators => workload.NextOperatorPattern,
            ScanMix.Substrings => workload.NextSubstringPattern,
            _ => workload.NextPattern,
        };
        return [.. Enumerable.Range(0, count).Select(next)];
    }

    private static string FullType(int index) => "dataworks:" + Types[index].Type;

    // Workspace id field per shape: appId (A), queryDwProjectId as a string (Q), else projectId (reference section 2).
    private static string WorkspaceField(char shape) => shape switch { 'S' or 'D' => "appId", 'L' => "queryDwProjectId", _ => "projectId" };

    private static string OperatorField(char shape) => shape == 'L' ? "operatorUid" : "operator";

    private static string WorkspaceId(int w) => (10_000_000 + w).ToString(CultureInfo.InvariantCulture);

    private static string User(int u) => (200012345000000L + u).ToString(CultureInfo.InvariantCulture);

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private string NextPattern(int i)
    {
        switch (i)
        {
            case 0: return """{"type":["dataworks:FileChange:DeployFile"],"data":{"fileName":[{"prefix":"tmp_"}]}}""";
            case 1: return """{"type":["dataworks:InstanceStatusChanges:InstanceStatusChanges"],"data":{"status":[5],"taskType":[0]}}""";
            case 2: return """{"source":["acs.dataworks"],"type":[{"suffix":"DeleteFile"}],"data":{"fileType":[10, 1221]}}""";
            case 3: return """{"type":[{"prefix":"dataworks:NodeChange:"}],"data":{"blockBusiness":[true],"extensionBizName":[{"wildcard":"sync_*_holo"}]}}""";
        }

        var type = _random.Next(Types.Length);
        var shape = Types[type].Shape;
        var ws = WorkspaceId(_random.Next(Workspaces));
        var wsValue = shape == 'L' ? "\"" + ws + "\"" : ws;
        var wsField = WorkspaceField(shape);
        var json = _random.Next(20) switch
        {
            < 7 when shape == 'F' && _random.Next(2) == 0 =>
                $$$"""{"type":["{{{FullType(type)}}}"],"data":{"projectId":[{{{ws}}}],"fileName":[{"prefix":"{{{Pick(Layers)}}}"}]}}""",
            < 7 => $$$"""{"type":["{{{FullType(type)}}}"],"data":{"{{{wsField}}}":[{{{wsValue}}}]}}""",
            < 10 => $$$"""{"type":["{{{FullType(type)}}}","{{{FullType(SameOperatorField(shape))}}}"],"data":{"{{{OperatorField(shape)}}}":["{{{User(_random.Next(Users))}}}"]}}""",
            < 12 => $$$"""{"type":[{"prefix":"dataworks:FileChange:"}],"data":{"projectId":[{{{ws}}}],"fileName":[{"wildcard":"{{{Pick(Layers)}}}*_daily"}]}}""",
            < 14 => $$$"""{"type":["dataworks:InstanceStatusChanges:InstanceStatusChanges"],"data":{"appId":[{{{ws}}}],"status":[5, 6]}}""",
            < 16 => $$$"""{"type":["dataworks:DqcCheck:DqcCheckFinishedEvent"],"data":{"projectId":[{{{ws}}}],"checkResult":[{"numeric":[">=", 1]}]}}""",
            < 18 => $$$"""{"type":["{{{FullType(type)}}}"],"aliyunregionid":["{{{Pick(Regions)}}}"],"data":{"{{{wsField}}}":[{{{wsValue}}}],"fileType":[{"anything-but":[23]}]}}""",
            18 => $$$"""{"type":["dataworks:ResourcesDownload:DownloadResources"],"data":{"queryDwProjectId":["{{{ws}}}"],"fileSize":[{"numeric":[">", {{{_random.Next(1, 50) * 100_000}}}]}]}}""",
            _ => $$$"""{"type":["{{{FullType(type)}}}"],"data":{"{{{wsField}}}":[{{{wsValue}}}],"$or":[{"fileName":[{"suffix":"_tmp"}]},{"changeType":["2"]}]}}""",
        };
        return json;
    }

    // Anchors on $or of workspace fields, prefixes of file names, a user in another case, numeric ranges, suffixes,
    // wildcards and type lists, beside anything-but, exists and cidr members the index cannot use; one template in 40
    // has no anchor at all (anything-but on a type's file names), so some patterns match many events, as broad rules do.
    private string NextOperatorPattern(int i)
    {
        var type = _random.Next(Types.Length);
        var (name, shape) = Types[type];
        var family = name[..name.IndexOf(':', StringComparison.Ordinal)];
        var action = name[(name.IndexOf(':', StringComparison.Ordinal) + 1)..];
        var w = _random.Next(Workspaces);
        var ws = WorkspaceId(w);
        var wsValue = shape == 'L' ? "\"" + ws + "\"" : ws;
        var file = Pick(Layers) + Pick(Tables);
        var user = User(_random.Next(Users));
        var tenant = 283780000010000L + _random.Next(Tenants);
        var instance = 4530001169L + _random.Next(1_000_000);
        return _random.Next(40) switch
        {
            < 6 => $$$"""{"type":[{"prefix":"dataworks:{{{family}}}:"}],"data":{"$or":[{"projectId":[{{{ws}}}]},{"appId":[{{{ws}}}]},{"queryDwProjectId":["{{{ws}}}"]}]}}""",
            < 10 => $$$"""{"data":{"fileName":[{"prefix":"{{{file}}}_{{{_random.Next(FileNumbers)}}}"}],"projectId":[{"exists":true}]}}""",
            < 14 => $$$"""{"data":{"{{{OperatorField(shape)}}}":[{"equals-ignore-case":"{{{user}}}"}]},"aliyunregionid":[{"anything-but":["{{{Pick(Regions)}}}"]}]}""",
            < 18 => $$$"""{"type":["{{{FullType(type)}}}"],"data":{"tenantId":[{"numeric":[">=", {{{tenant}}}, "<", {{{tenant + 3}}}]}],"{{{WorkspaceField(shape)}}}":[{"numeric":["=", {{{10_000_000 + w}}}]}]}}""",
            < 22 => $$$"""{"type":[{"suffix":":{{{action}}}"}],"data":{"fileName":[{"wildcard":"{{{file}}}*_{{{_random.Next(FileNumbers)}}}"}]}}""",
            < 26 => $$$"""{"type":["{{{FullType(type)}}}","{{{FullType(SameOperatorField(shape))}}}"],"data":{"{{{OperatorField(shape)}}}":["{{{user}}}"],"fileType":[{"anything-but":[23, 99]}]}}""",
            < 30 => $$$"""{"aliyunpublishaddr":[{"cidr":"10.0.0.0/16"}],"data":{"fileName":[{"suffix":"_{{{_random.Next(FileNumbers)}}}"}],"{{{WorkspaceField(shape)}}}":[{{{wsValue}}}]}}""",
            < 34 => $$$"""{"type":[{"equals-ignore-case":"{{{FullType(type).ToUpperInvariant()}}}"}],"data":{"instanceId":[{"numeric":[">", {{{instance}}}, "<=", {{{instance + 1_000}}}]}]}}""",
            < 39 => $$$"""{"source":["acs.dataworks"],"data":{"$or":[{"operator":["{{{user}}}"]},{"operatorUid":["{{{user}}}"]}],"description":[{"exists":true}]}}""",
            _ => $$$"""{"type":["{{{FullType(type)}}}"],"data":{"fileName":[{"anything-but":{"prefix":"{{{Pick(Layers)}}}"}}]}}""",
        };
    }

    // Anchors on a part of a value only: `contains` and wildcards with a star at both ends (no head or tail to key on),
    // on the file name, the description and the event type, beside exact members for some; one template in 20 names no
    // type, so its patterns reach every event with a file name.
    private string NextSubstringPattern(int i)
    {
        var type = _random.Next(Types.Length);
        var (name, shape) = Types[type];
        var action = name[(name.IndexOf(':', StringComparison.Ordinal) + 1)..];
        var table = Pick(Tables);
        var number = _random.Next(FileNumbers).ToString(CultureInfo.InvariantCulture);
        var ws = WorkspaceId(_random.Next(Workspaces));
        var wsValue = shape == 'L' ? "\"" + ws + "\"" : ws;
        return _random.Next(20) switch
        {
            < 6 => $$$"""{"type":["{{{FullType(type)}}}"],"data":{"fileName":[{"contains":"{{{table}}}{{{Pick(Periods)}}}_{{{number}}}"}]}}""",
            < 10 => $$$"""{"type":["{{{FullType(type)}}}"],"data":{"fileName":[{"wildcard":"*_{{{table}}}*_{{{number}}}*"}]}}""",
            < 13 => $$$"""{"type":[{"wildcard":"*:{{{action}}}*"}],"data":{"{{{WorkspaceField(shape)}}}":[{{{wsValue}}}]}}""",
            < 16 => $$$"""{"data":{"fileName":[{"contains":"_{{{number}}}"}],"{{{WorkspaceField(shape)}}}":[{"exists":true}]},"type":[{"contains":"{{{action}}}"}]}""",
            < 19 => $$$"""{"type":["{{{FullType(type)}}}"],"data":{"$or":[{"fileName":[{"contains":"{{{table}}}_{{{number}}}"}]},{"description":[{"contains":"{{{table}}}_{{{number}}}"}]}]}}""",
            _ => $$$"""{"data":{"fileName":[{"wildcard":"*{{{table}}}*{{{number}}}"}]}}""",
        };
    }

    // A second type whose user sits in the same field (operator or operatorUid) as the first's.
    private int SameOperatorField(char shape)
    {
        while (true)
        {
            var other = _random.Next(Types.Length);
            if ((Types[other].Shape == 'L') == (shape == 'L'))
            {
                return other;
            }
        }
    }

    private byte[] NextEvent()
    {
        var type = _types.Next(_random);
        var workspace = _workspaces.Next(_random);
        var tenant = workspace % Tenants;
        var buffer = new MemoryStream(1200);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("specversion", "1.0");
            w.WriteString("id", Guid.NewGuid().ToString());
            w.WriteString("source", "acs.dataworks");
            w.WritePropertyName("data");
            w.WriteStartObject();
            WriteData(w, type, workspace, tenant);
            w.WriteEndObject();
            w.WriteString("type", FullType(type));
            w.WriteString("subject", "");
            w.WriteString("time", "2024-07-12T11:08:51+08:00");
            w.WriteString("datacontenttype", "application/json;charset=utf-8");
            w.WriteString("aliyunaccountid", (1234567890123000L + tenant).ToString(CultureInfo.InvariantCulture));
            w.WriteString("aliyunpublishtime", "2024-07-12T03:08:51.204Z");
            w.WriteString("aliyuneventbusname", "dataworks-bus");
            w.WriteString("aliyunregionid", Regions[tenant % Regions.Length]);
            w.WriteString("aliyunpublishaddr", "10.0.12.34");
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private void WriteData(Utf8JsonWriter w, int type, int workspace, int tenant)
    {
        var (name, shape) = Types[type];
        w.WriteString("eventCode", EventCode(name));
        w.WriteNumber("tenantId", 283780000010000L + tenant);
        var fileName = Pick(Layers) + Pick(Tables) + Pick(Periods) + (_random.Next(3) == 0 ? "" : "_" + _files.Next(_random));
        var user = User(_users.Next(_random));
        if (shape == 'L')
        {
            w.WriteString("queryDwProjectId", WorkspaceId(workspace));
            w.WriteString("operatorUid", user);
        }
        else
        {
            w.WriteNumber(WorkspaceField(shape), 10_000_000 + workspace);
            if (shape is not ('S' or 'M' or 'Q'))
            {
                w.WriteString("operator", user);
            }
        }

        ScanPayloads.Write(w, shape, fileName, _random);
        var written = (int)(w.BytesCommitted + w.BytesPending);
        w.WriteString("description", "Generated for the OpenEvent.Rules scan benchmark: " + new string('x', Math.Max(16, 640 - written + _random.Next(-64, 64))));
    }

    private static string EventCode(string type)
    {
        var action = type[(type.IndexOf(':', StringComparison.Ordinal) + 1)..];
        return string.Concat(action.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
    }

    /// <summary>Zipf-distributed ranks 0..n-1 (rank 0 the most popular), by inverse CDF.</summary>
    private sealed class Zipf
    {
        private readonly double[] _cdf;

        public Zipf(int n, double exponent)
        {
            _cdf = new double[n];
            var sum = 0.0;
            for (var k = 0; k < n; k++)
            {
                sum += 1 / Math.Pow(k + 1, exponent);
                _cdf[k] = sum;
            }

            for (var k = 0; k < n; k++)
            {
                _cdf[k] /= sum;
            }
        }

        public int Next(Random random)
        {
            var index = Array.BinarySearch(_cdf, random.NextDouble());
            return Math.Min(index < 0 ? ~index : index, _cdf.Length - 1);
        }
    }
}

/// <summary>The scan benchmark's mixes of patterns over the same events (<c>scan --mix</c>).</summary>
internal enum ScanMix
{
    /// <summary>Anchored on exact workspaces and users, as most governance policies are.</summary>
    Default,

    /// <summary>Each template anchored on another operator: $or, prefix, equals-ignore-case, ranges, suffix, wildcards, cidr.</summary>
    Operators,

    /// <summary>Anchored on a part of a value only: contains, and wildcards with a star at both ends.</summary>
    Substrings,
}
