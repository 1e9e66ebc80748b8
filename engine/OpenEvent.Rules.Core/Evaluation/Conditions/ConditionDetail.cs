using System.Text.Json;

namespace OpenEvent.Rules.Evaluation.Conditions;

// The typed view of the event's detail (what GetIDEEventDetail returns) that C# conditions read as e.Detail. Every
// member is null-safe: a detail that is missing, or of another event type, reads as empty strings, zeros and empty
// lists (Exists says whether it is there). Raw gives the JSON itself for fields the view does not name.

/// <summary><c>e.Detail</c>: the event's detail (schemas/events/detail/*.schema.json).</summary>
public sealed class ConditionDetail
{
    private readonly ConditionNode _root;
    private DetailFile? _committed;
    private DetailFile? _deleted;
    private DetailFile? _execution;
    private DetailTable? _table;

    internal ConditionDetail(JsonElement eventDetail) => _root = new ConditionNode(eventDetail.ValueKind == JsonValueKind.Object ? eventDetail : default);

    /// <summary>A detail that is not there.</summary>
    internal static ConditionDetail Missing { get; } = new(default);

    /// <summary>True when the event has a detail (the policy reads it and it was fetched or supplied).</summary>
    public bool Exists => _root.Exists;

    /// <summary>The member the detail holds: CommittedFile, DeletedFile, FileExecutionCommand or TableModel ("" when none).</summary>
    public string Member => _root.Keys("").FirstOrDefault(k => _root.Node(k).Kind == "object") ?? "";

    /// <summary>The detail as JSON (EventDetail), for fields the view does not name: <c>e.Detail.Raw.Str("CommittedFile.UseType")</c>.</summary>
    public ConditionNode Raw => _root;

    /// <summary>The file version committed or deployed (commit-file, deploy-file).</summary>
    public DetailFile CommittedFile => _committed ??= new DetailFile(_root.Node("CommittedFile"));

    /// <summary>The file deleted (delete-file).</summary>
    public DetailFile DeletedFile => _deleted ??= new DetailFile(_root.Node("DeletedFile"));

    /// <summary>The code run (run-file).</summary>
    public DetailFile FileExecutionCommand => _execution ??= new DetailFile(_root.Node("FileExecutionCommand"));

    /// <summary>Whichever of CommittedFile, DeletedFile and FileExecutionCommand the detail holds (empty for a table).</summary>
    public DetailFile File => CommittedFile.Exists ? CommittedFile : DeletedFile.Exists ? DeletedFile : FileExecutionCommand;

    /// <summary>The table committed or deployed (commit-table, deploy-table).</summary>
    public DetailTable TableModel => _table ??= new DetailTable(_root.Node("TableModel"));

    /// <summary>The code of <see cref="File"/> read as SQL in the dialect of its file type (<see cref="DetailFile.Sql"/>).</summary>
    public SqlScript Sql => File.Sql;
}

/// <summary>A file of the detail: CommittedFile, DeletedFile or FileExecutionCommand (members a type does not send read as empty).</summary>
public sealed class DetailFile
{
    private readonly ConditionNode _node;
    private SqlScript? _sql;
    private DetailNodeConfiguration? _configuration;

    internal DetailFile(ConditionNode node) => _node = node;

    public bool Exists => _node.Exists && _node.Kind == "object";

    /// <summary>The code (SQL, shell, Python, a JSON configuration...); "" when absent.</summary>
    public string Content => _node.Str("Content", "") ?? "";

    /// <summary>CREATE, UPDATE or DELETE (CommittedFile).</summary>
    public string ChangeType => Text("ChangeType");

    /// <summary>UID of who committed the version (CommittedFile).</summary>
    public string Committor => Text("Committor");

    /// <summary>The version's description (CommittedFile).</summary>
    public string Comment => Text("Comment");

    public string FileName => Text("FileName");

    public long FileId => _node.Long("FileId");

    /// <summary>The code type: 10 ODPS SQL, 24 ODPS Script, 227 EMR Hive, 1093 Hologres SQL, 6 Shell, ...</summary>
    public int FileType => _node.Int("FileType");

    public long NodeId => _node.Long("NodeId");

    /// <summary>NORMAL, MANUAL, MANUAL_BIZ, SKIP, ADHOCQUERY or COMPONENT.</summary>
    public string UseType => Text("UseType");

    /// <summary>The data source (DataSourceName, or FilePropertyContent.DataSourceName for a committed file).</summary>
    public string DataSourceName => Either("DataSourceName");

    /// <summary>UID of the file owner (Owner, or FilePropertyContent.Owner).</summary>
    public string Owner => Either("Owner");

    /// <summary>The folder (FolderId, or FilePropertyContent.FolderId).</summary>
    public string FolderId => Either("FolderId");

    /// <summary>The latest version number (CurrentVersion, or FilePropertyContent.CurrentVersion).</summary>
    public long CurrentVersion => _node.Has("CurrentVersion") ? _node.Long("CurrentVersion") : _node.Long("FilePropertyContent.CurrentVersion");

    /// <summary>The scheduling configuration (CommittedFile.NodeConfiguration).</summary>
    public DetailNodeConfiguration Node => _configuration ??= new DetailNodeConfiguration(_node.Node("NodeConfiguration"));

    /// <summary>maxcompute, hive or hologres: how <see cref="Sql"/> reads <see cref="Content"/>, from <see cref="FileType"/>.</summary>
    public string Dialect => SqlScript.DialectName(SqlScript.DialectOfFileType(FileType));

    /// <summary><see cref="Content"/> read as SQL in <see cref="Dialect"/> (read once per condition).</summary>
    public SqlScript Sql => _sql ??= Exists ? SqlScript.Parse(Content, SqlScript.DialectOfFileType(FileType)) : SqlScript.Empty;

    /// <summary>The file as JSON, for fields the view does not name.</summary>
    public ConditionNode Raw => _node;

    private string Text(string path) => _node.Str(path, "") ?? "";

    private string Either(string name) => _node.Has(name) ? Text(name) : Text("FilePropertyContent." + name);
}

/// <summary>The scheduling configuration of a committed file's node.</summary>
public sealed class DetailNodeConfiguration
{
    private readonly ConditionNode _node;

    internal DetailNodeConfiguration(ConditionNode node) => _node = node;

    public bool Exists => _node.Exists && _node.Kind == "object";

    /// <summary>The cron expression, seconds first: <c>00 05 00 * * ?</c> (daily at 00:05).</summary>
    public string CronExpress => Text("CronExpress");

    /// <summary>The shortest time between two runs in a day of <see cref="CronExpress"/>, in minutes (1440 for once a day); -1 when unreadable.</summary>
    public int MinutesBetweenRuns => CronInterval.MinutesBetweenRuns(CronExpress);

    /// <summary>DAY or NOT_DAY (by minute or hour).</summary>
    public string CycleType => Text("CycleType");

    /// <summary>NORMAL, MANUAL, PAUSE or SKIP.</summary>
    public string SchedulerType => Text("SchedulerType");

    public string ResourceGroupId => Text("ResourceGroupId");

    /// <summary>ALL_ALLOWED, FAILURE_ALLOWED or ALL_DENIED.</summary>
    public string RerunMode => Text("RerunMode");

    public int AutoRerunTimes => _node.Int("AutoRerunTimes");

    public long AutoRerunIntervalMillis => _node.Long("AutoRerunIntervalMillis");

    /// <summary>Scheduling parameters, e.g. <c>bizdate=$bizdate</c>.</summary>
    public string ParaValue => Text("ParaValue");

    /// <summary>SELF, CHILD, USER_DEFINE or NONE.</summary>
    public string DependentType => Text("DependentType");

    /// <summary>The node ids of DependentNodeIdList (comma-separated in the detail).</summary>
    public IReadOnlyList<string> DependentNodeIds => Text("DependentNodeIdList").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The outputs of the parent nodes the node depends on (InputList[].Input).</summary>
    public IReadOnlyList<string> Inputs => Strings("InputList", "Input");

    /// <summary>The node's outputs (OutputList[].Output).</summary>
    public IReadOnlyList<string> Outputs => Strings("OutputList", "Output");

    /// <summary>The node's output tables (OutputList[].RefTableName).</summary>
    public IReadOnlyList<string> OutputTables => Strings("OutputList", "RefTableName");

    public ConditionNode Raw => _node;

    private string Text(string path) => _node.Str(path, "") ?? "";

    private List<string> Strings(string list, string field) =>
        [.. _node.Arr(list).Select(item => item.Str(field, "") ?? "").Where(s => s.Length > 0)];
}

/// <summary>The table model of a table event (TableModel).</summary>
public sealed class DetailTable
{
    private readonly ConditionNode _node;
    private List<DetailColumn>? _columns;

    internal DetailTable(ConditionNode node) => _node = node;

    public bool Exists => _node.Exists && _node.Kind == "object";

    public string TableName => Text("TableName");

    /// <summary>The table's comment ("" when none).</summary>
    public string Comment => Text("Comment");

    /// <summary>DEV or PROD.</summary>
    public string Env => Text("Env");

    public string DataSourceName => Text("DataSourceName");

    public string Location => Text("Location");

    /// <summary>The lifecycle in days; 0 when the table has none (absent, null or not positive).</summary>
    public long LifeCycle => Math.Max(0, _node.Long("LifeCycle"));

    /// <summary>Whether the table has a lifecycle (a positive number of days).</summary>
    public bool HasLifeCycle => LifeCycle > 0;

    /// <summary>The columns, partition columns included, in order.</summary>
    public IReadOnlyList<DetailColumn> Columns => _columns ??= [.. _node.Arr("Columns").Select(c => new DetailColumn(c))];

    /// <summary>The partition columns.</summary>
    public IReadOnlyList<DetailColumn> PartitionColumns => [.. Columns.Where(c => c.IsPartition)];

    public ConditionNode Raw => _node;

    private string Text(string path) => _node.Str(path, "") ?? "";
}

/// <summary>A column of a table model.</summary>
public sealed class DetailColumn
{
    private readonly ConditionNode _node;

    internal DetailColumn(ConditionNode node) => _node = node;

    public string Name => Text("ColumnName");

    /// <summary>BIGINT, STRING, DECIMAL(18,2), ...</summary>
    public string Type => Text("ColumnType");

    /// <summary>The column's comment ("" when none).</summary>
    public string Comment => Text("Comment");

    /// <summary>Whether the comment says something (not empty, not only spaces).</summary>
    public bool HasComment => !string.IsNullOrWhiteSpace(Comment);

    public bool IsPartition => _node.Bool("IsPartitionColumn");

    public ConditionNode Raw => _node;

    public override string ToString() => Name;

    private string Text(string path) => _node.Str(path, "") ?? "";
}
