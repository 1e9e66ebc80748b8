using System.Text.Json;
using NJsonSchema;
using OpenEvent.Rules.Catalog;

namespace OpenEvent.Rules.Core.Tests.Catalog;

/// <summary>
/// The embedded catalog against the reference (shared/reference/dataworks-events.md sections 2, 3 and 4.3), and the
/// family schemas against the samples in samples/events, so the catalog, schemas and samples cannot drift apart.
/// </summary>
public sealed class EventCatalogTests
{
    private static readonly EventCatalog Catalog = EventCatalog.Default;

    /// <summary>Every row of the reference event table (section 2): type and eventCode, copied verbatim.</summary>
    public static TheoryData<string, string> ReferenceEventTypes { get; } = new()
    {
        { "dataworks:NodeChange:NodeChangeCreated", "node-change-created" },
        { "dataworks:NodeChange:NodeChangeUpdated", "node-change-updated" },
        { "dataworks:FileChange:DeleteFile", "delete-file" },
        { "dataworks:FileChange:CommitFile", "commit-file" },
        { "dataworks:FileChange:DeployFile", "deploy-file" },
        { "dataworks:FileChange:RunFile", "run-file" },
        { "dataworks:FileChange:ReviewFile", "review-file" },
        { "dataworks:TableChange:CommitTable", "commit-table" },
        { "dataworks:TableChange:DeployTable", "deploy-table" },
        { "dataworks:NodeChange:StartDiJob", "start-diJob" },
        { "dataworks:NodeChange:BatchStartDiJob", "batch-start-diJob" },
        { "dataworks:NodeChange:NodeChangeDeleted", "node-change-deleted" },
        { "dataworks:NodeChange:UndeployNode", "undeploy-node" },
        { "dataworks:NodeChange:FreezeNode", "freeze-node" },
        { "dataworks:NodeChange:UnFreezeNode", "unfreeze-node" },
        { "dataworks:BackfillDataOperate:BackfillData", "backfill-data" },
        { "dataworks:InstanceStatusChanges:InstanceStatusChanges", "instance-status-changes" },
        { "dataworks:InstanceChange:FreezeInstance", "freeze-instance" },
        { "dataworks:InstanceChange:UnfreezeInstance", "unfreeze-instance" },
        { "dataworks:InstanceChange:KillInstance", "kill-instance" },
        { "dataworks:InstanceChange:RerunInstance", "rerun-instance" },
        { "dataworks:InstanceChange:SetInstanceSuccess", "set-instance-success" },
        { "dataworks:InstanceChange:DeleteTaskInstanceDependencies", "delete-task-instance-dependencies" },
        { "dataworks:InstanceChange:PreFreezeInstance", "pre-freeze-instance" },
        { "dataworks:InstanceChange:PreUnfreezeInstance", "pre-unfreeze-instance" },
        { "dataworks:InstanceChange:PreRerunInstance", "pre-rerun-instance" },
        { "dataworks:InstanceChange:PreSetInstanceSuccess", "pre-set-instance-success" },
        { "dataworks:InstanceChange:PreKillInstance", "pre-kill-instance" },
        { "dataworks:InstanceChange:ExpiredTaskInstancesDeleted", "expired-task-instances-deleted" },
        { "dataworks:DagStatusChanges:DagStatusChanges", "dag-status-changes" },
        { "dataworks:MonitorAlert:WorkbenchMonitorAlert", "workbench-monitor-alert" },
        { "dataworks:ApprovalChange:ApprovalChangeCreated", "approval-change-created" },
        { "dataworks:ApprovalChange:ApprovalChangeFinished", "approval-change-finished" },
        { "dataworks:ApprovalChange:ApprovalChangeBeforeCreate", "approval-change-before-create" },
        { "dataworks:DqcCheck:DqcCheckFeedbackEvent", "dqc-check-feedback-event" },
        { "dataworks:DqcCheck:DqcCheckFinishedEvent", "dqc-check-finished-event" },
        { "dataworks:DqcCheck:BatchCreateDataQualityRules", "batch-create-data-quality-rules" },
        { "dataworks:DqcCheck:BatchUpdateDataQualityRules", "batch-update-data-quality-rules" },
        { "dataworks:DqcCheck:BatchDeleteDataQualityRules", "batch-delete-data-quality-rules" },
        { "dataworks:DqcCheck:UpdateDataQualityRule", "update-data-quality-rule" },
        { "dataworks:DqcCheck:CreateDataQualityEvaluationTask", "create-data-quality-evaluation-task" },
        { "dataworks:DqcCheck:UpdateDataQualityEvaluationTask", "update-data-quality-evaluation-task" },
        { "dataworks:DqcCheck:CloneDataQualityEvaluationTask", "clone-data-quality-evaluation-task" },
        { "dataworks:DqcCheck:BatchDeleteDataQualityEvaluationTasks", "batch-delete-data-quality-evaluation-tasks" },
        { "dataworks:DqcCheck:CreateDataQualityEvaluationTaskNotification", "create-data-quality-evaluation-task-notification" },
        { "dataworks:DqcCheck:UpdateDataQualityEvaluationTaskNotification", "update-data-quality-evaluation-task-notification" },
        { "dataworks:DqcCheck:DeleteDataQualityEvaluationTaskNotification", "delete-data-quality-evaluation-task-notification" },
        { "dataworks:ProjectChange:DeleteProject", "delete-project" },
        { "dataworks:ProjectChange:ProjectDeleted", "project-deleted" },
        { "dataworks:ResourcesDownload:DownloadResources", "download-resources" },
        { "dataworks:ResourcesDownload:DownloadResourcesExecute", "download-resources-execute" },
        { "dataworks:ResourcesUpload:UploadDataToTable", "upload-data-to-table" },
    };

    private static readonly string[] NonEventSamples = ["fc-envelope-download.json", "batch.json"];

    public static TheoryData<string> SampleFiles()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.EnumerateFiles(RepositoryPaths.Combine("samples", "events"), "*.json").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            if (!NonEventSamples.Contains(name))
            {
                data.Add(name);
            }
        }

        return data;
    }

    public static TheoryData<string> FamilySchemaFiles()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.EnumerateFiles(RepositoryPaths.Combine("schemas", "events"), "*.schema.json").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            if (name != "catalog.schema.json")
            {
                data.Add(name);
            }
        }

        return data;
    }

    [Fact]
    public void Default_Loaded_HasOneEntryPerReferenceType()
    {
        var expected = ReferenceEventTypes.Select(row => (string)row[0]).Order(StringComparer.Ordinal).ToArray();
        var actual = Catalog.EventTypes.Select(t => t.Type).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(52, Catalog.EventTypes.Length);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Default_Loaded_EventCodesAreUnique()
    {
        var duplicates = Catalog.EventTypes.GroupBy(t => t.EventCode, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key);

        Assert.Empty(duplicates);
    }

    [Fact]
    public void Load_RepositoryFiles_MatchesEmbeddedCatalog()
    {
        var fromFiles = EventCatalog.Load(name => File.ReadAllText(RepositoryPaths.Combine("schemas", "events", name)));

        Assert.Equal(Catalog.EventTypes.Select(t => t.Type), fromFiles.EventTypes.Select(t => t.Type));
        Assert.Equal(Catalog.EventTypes.Select(t => t.Fields.Count), fromFiles.EventTypes.Select(t => t.Fields.Count));
    }

    [Fact]
    public void Load_ScopeWithComment_IgnoresTheComment()
    {
        var files = new Dictionary<string, string>
        {
            ["catalog.json"] = """
                { "eventTypes": [ { "type": "dataworks:A:B", "eventCode": "a-b", "module": "DataStudio", "level": "workspace",
                  "kind": "regular", "family": "f", "scope": { "$comment": "why", "workspace": { "paths": ["data.projectId"] } } } ] }
                """,
            ["f.schema.json"] = """{ "properties": { "data": { "properties": { "projectId": { "type": "integer" } } } } }""",
        };

        var info = EventCatalog.Load(name => files[name]).FindByType("dataworks:A:B")!;

        Assert.Equal([ScopeDimension.Workspace, ScopeDimension.Region], info.Scope.Keys.Order());
        Assert.Equal(["data.projectId"], info.Scope[ScopeDimension.Workspace].Paths.ToArray());
    }

    [Theory]
    [MemberData(nameof(ReferenceEventTypes))]
    public void FindByType_ReferenceType_HasReferenceEventCode(string type, string eventCode)
    {
        var info = Catalog.FindByType(type);

        Assert.NotNull(info);
        Assert.Equal(eventCode, info.EventCode);
    }

    [Theory]
    [MemberData(nameof(ReferenceEventTypes))]
    public void FindByEventCode_ReferenceCode_ReturnsReferenceType(string type, string eventCode)
    {
        var info = Catalog.FindByEventCode(eventCode);

        Assert.NotNull(info);
        Assert.Equal(type, info.Type);
    }

    [Theory]
    [InlineData("dataworks:NodeChange:UnfreezeNode")]
    [InlineData("NodeChange:UnFreezeNode")]
    [InlineData("dataworks:FileChange:commitFile")]
    [InlineData("")]
    public void FindByType_UnknownOrMisspelledType_ReturnsNull(string type)
    {
        Assert.Null(Catalog.FindByType(type));
    }

    [Theory]
    [InlineData("start-dijob")]
    [InlineData("approval-create-before")]
    [InlineData("commit_file")]
    public void FindByEventCode_UnknownOrMisspelledCode_ReturnsNull(string eventCode)
    {
        Assert.Null(Catalog.FindByEventCode(eventCode));
    }

    [Fact]
    public void FindByEventCode_StartDiJob_ReturnsDataIntegrationExtension()
    {
        var info = Catalog.FindByEventCode("start-diJob")!;

        Assert.Equal("dataworks:NodeChange:StartDiJob", info.Type);
        Assert.Equal("DataIntegration", info.Module);
        Assert.Equal(EventKind.ExtensionPoint, info.Kind);
        Assert.Equal("data-integration", info.Family);
    }

    [Fact]
    public void FindByType_ApprovalChangeBeforeCreate_IsInferredExtensionWithTableCode()
    {
        var info = Catalog.FindByType("dataworks:ApprovalChange:ApprovalChangeBeforeCreate")!;

        Assert.Equal("approval-change-before-create", info.EventCode);
        Assert.Equal(EventKind.ExtensionPoint, info.Kind);
        Assert.True(info.KindInferred);
        Assert.Equal("approval-before-create", info.Family);
        Assert.True(info.Fields.ContainsKey("data.eventType"));
    }

    [Fact]
    public void FindByType_ReviewFile_IsInferredRegularFileEvent()
    {
        var info = Catalog.FindByType("dataworks:FileChange:ReviewFile")!;

        Assert.Equal("review-file", info.EventCode);
        Assert.Equal(EventKind.Regular, info.Kind);
        Assert.True(info.KindInferred);
        Assert.Equal(CallbackApi.None, info.Callback);
        Assert.Equal("file-change", info.Family);
    }

    [Fact]
    public void EventTypes_AlsoRegular_OnlyCommitFile()
    {
        var alsoRegular = Catalog.EventTypes.Where(t => t.AlsoRegular).Select(t => t.Type);

        Assert.Equal(["dataworks:FileChange:CommitFile"], alsoRegular);
    }

    [Fact]
    public void EventTypes_KindInferred_ExactlyTheReferenceInferredRows()
    {
        string[] expected =
        [
            "dataworks:ApprovalChange:ApprovalChangeBeforeCreate",
            "dataworks:ApprovalChange:ApprovalChangeCreated",
            "dataworks:ApprovalChange:ApprovalChangeFinished",
            "dataworks:DqcCheck:DqcCheckFeedbackEvent",
            "dataworks:FileChange:ReviewFile",
            "dataworks:NodeChange:NodeChangeUpdated",
            "dataworks:ProjectChange:DeleteProject",
            "dataworks:ProjectChange:ProjectDeleted",
            "dataworks:ResourcesDownload:DownloadResources",
            "dataworks:ResourcesDownload:DownloadResourcesExecute",
            "dataworks:ResourcesUpload:UploadDataToTable",
        ];

        var actual = Catalog.EventTypes.Where(t => t.KindInferred).Select(t => t.Type).Order(StringComparer.Ordinal);

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void EventTypes_Level_TenantExactlyForConsoleAndUploadDownload()
    {
        foreach (var info in Catalog.EventTypes)
        {
            var expected = info.Module is "Console" or "UploadDownload" ? EventLevel.Tenant : EventLevel.Workspace;
            Assert.True(expected == info.Level, $"{info.Type}: expected {expected}, got {info.Level}");
        }
    }

    [Fact]
    public void EventTypes_Callback_PresentExactlyOnExtensionPoints()
    {
        foreach (var info in Catalog.EventTypes)
        {
            var hasCallback = info.Callback != CallbackApi.None;
            Assert.True(hasCallback == (info.Kind == EventKind.ExtensionPoint), $"{info.Type}: kind {info.Kind}, callback {info.Callback}");
        }
    }

    [Theory]
    [InlineData("dataworks:FileChange:CommitFile", CallbackApi.UpdateIdeEventResult)]
    [InlineData("dataworks:FileChange:DeleteFile", CallbackApi.UpdateIdeEventResult)]
    [InlineData("dataworks:TableChange:DeployTable", CallbackApi.UpdateIdeEventResult)]
    [InlineData("dataworks:NodeChange:UnFreezeNode", CallbackApi.UpdateWorkbenchEventResult)]
    [InlineData("dataworks:BackfillDataOperate:BackfillData", CallbackApi.UpdateWorkbenchEventResult)]
    [InlineData("dataworks:InstanceChange:PreKillInstance", CallbackApi.UpdateWorkbenchEventResult)]
    [InlineData("dataworks:NodeChange:StartDiJob", CallbackApi.CallbackExtension)]
    [InlineData("dataworks:NodeChange:BatchStartDiJob", CallbackApi.CallbackExtension)]
    [InlineData("dataworks:ApprovalChange:ApprovalChangeBeforeCreate", CallbackApi.CallbackExtension)]
    [InlineData("dataworks:DqcCheck:CloneDataQualityEvaluationTask", CallbackApi.CallbackExtension)]
    [InlineData("dataworks:ProjectChange:DeleteProject", CallbackApi.CallbackExtension)]
    [InlineData("dataworks:ResourcesDownload:DownloadResources", CallbackApi.CallbackExtension)]
    [InlineData("dataworks:ResourcesUpload:UploadDataToTable", CallbackApi.CallbackExtension)]
    [InlineData("dataworks:InstanceStatusChanges:InstanceStatusChanges", CallbackApi.None)]
    [InlineData("dataworks:ProjectChange:ProjectDeleted", CallbackApi.None)]
    public void FindByType_ExtensionOrRegular_HasReferenceCallbackApi(string type, CallbackApi expected)
    {
        Assert.Equal(expected, Catalog.FindByType(type)!.Callback);
    }

    [Theory]
    [InlineData("dataworks:FileChange:DeployFile", ScopeDimension.Tenant, "data.tenantId")]
    [InlineData("dataworks:FileChange:DeployFile", ScopeDimension.Workspace, "data.projectId")]
    [InlineData("dataworks:FileChange:DeployFile", ScopeDimension.Operator, "data.operator")]
    [InlineData("dataworks:FileChange:DeployFile", ScopeDimension.Region, "aliyunregionid")]
    [InlineData("dataworks:InstanceStatusChanges:InstanceStatusChanges", ScopeDimension.Workspace, "data.appId")]
    [InlineData("dataworks:NodeChange:StartDiJob", ScopeDimension.Workspace, "data.appId", "data.projectId")]
    [InlineData("dataworks:NodeChange:BatchStartDiJob", ScopeDimension.Environment, "data.env")]
    [InlineData("dataworks:InstanceChange:RerunInstance", ScopeDimension.Environment, "data.projectType")]
    [InlineData("dataworks:InstanceChange:ExpiredTaskInstancesDeleted", ScopeDimension.Operator, "data.owner")]
    [InlineData("dataworks:DagStatusChanges:DagStatusChanges", ScopeDimension.Environment, "data.projectEnv")]
    [InlineData("dataworks:ResourcesDownload:DownloadResources", ScopeDimension.Workspace, "data.queryDwProjectId")]
    [InlineData("dataworks:ResourcesDownload:DownloadResourcesExecute", ScopeDimension.Operator, "data.operatorUid")]
    [InlineData("dataworks:ResourcesUpload:UploadDataToTable", ScopeDimension.Workspace, "data.queryDwProjectId")]
    [InlineData("dataworks:ApprovalChange:ApprovalChangeCreated", ScopeDimension.Workspace, "data.appId", "data.process.approvalContent.workspaceId")]
    [InlineData("dataworks:ApprovalChange:ApprovalChangeFinished", ScopeDimension.Operator, "data.process.applicant")]
    [InlineData("dataworks:ApprovalChange:ApprovalChangeFinished", ScopeDimension.Environment, "data.process.approvalContent.projectEnv")]
    [InlineData("dataworks:ApprovalChange:ApprovalChangeBeforeCreate", ScopeDimension.Environment, "data.order.projectMeta.envCode")]
    [InlineData("dataworks:DqcCheck:DqcCheckFeedbackEvent", ScopeDimension.Operator, "data.createUser")]
    public void FindByType_Family_HasScopePaths(string type, ScopeDimension dimension, params string[] expectedPaths)
    {
        var source = Catalog.FindByType(type)!.Scope[dimension];

        Assert.Equal(expectedPaths, source.Paths.ToArray());
        Assert.Null(source.Constant);
    }

    [Theory]
    [InlineData("dataworks:TableChange:CommitTable", "DEV")]
    [InlineData("dataworks:TableChange:DeployTable", "PROD")]
    public void FindByType_TableEvent_HasConstantEnvironment(string type, string environment)
    {
        var source = Catalog.FindByType(type)!.Scope[ScopeDimension.Environment];

        Assert.Empty(source.Paths);
        Assert.Equal(environment, source.Constant);
    }

    [Theory]
    [InlineData("dataworks:InstanceStatusChanges:InstanceStatusChanges", ScopeDimension.Operator)]
    [InlineData("dataworks:MonitorAlert:WorkbenchMonitorAlert", ScopeDimension.Operator)]
    [InlineData("dataworks:DqcCheck:DqcCheckFinishedEvent", ScopeDimension.Operator)]
    [InlineData("dataworks:ResourcesDownload:DownloadResources", ScopeDimension.Tenant)]
    [InlineData("dataworks:ResourcesUpload:UploadDataToTable", ScopeDimension.Tenant)]
    [InlineData("dataworks:FileChange:CommitFile", ScopeDimension.Environment)]
    public void FindByType_FieldNotInPayload_HasNoScopeSource(string type, ScopeDimension dimension)
    {
        Assert.False(Catalog.FindByType(type)!.Scope.ContainsKey(dimension));
    }

    [Fact]
    public void EventTypes_ScopePaths_AreDocumentedFieldsOfTheirFamily()
    {
        var undocumented = Catalog.EventTypes
            .SelectMany(t => t.Scope.Values.SelectMany(s => s.Paths).Where(p => !t.Fields.ContainsKey(p)).Select(p => $"{t.Type}: {p}"))
            .ToArray();

        Assert.Empty(undocumented);
    }

    [Theory]
    [InlineData("dataworks:ResourcesDownload:DownloadResourcesExecute", "data.dataRowSize", "integer", "string")]
    [InlineData("dataworks:ResourcesDownload:DownloadResources", "data.queryDwProjectId", "string")]
    [InlineData("dataworks:ResourcesUpload:UploadDataToTable", "data.datasourceId", "string")]
    [InlineData("dataworks:NodeChange:NodeChangeCreated", "data.ownerId", "string")]
    [InlineData("dataworks:NodeChange:StartDiJob", "data.tableMapping.dstTable", "string")]
    [InlineData("dataworks:NodeChange:BatchStartDiJob", "data.tableMappings.tableMapping.srcTable", "string")]
    [InlineData("dataworks:NodeChange:StartDiJob", "data.appId", "integer", "string")]
    [InlineData("dataworks:FileChange:CommitFile", "data.changeType", "string")]
    [InlineData("dataworks:FileChange:CommitFile", "data.fileType", "integer")]
    [InlineData("dataworks:FileChange:CommitFile", "data.tenantId", "integer", "string")]
    [InlineData("dataworks:BackfillDataOperate:BackfillData", "data.multipleTimePeriods", "string")]
    [InlineData("dataworks:BackfillDataOperate:BackfillData", "data.includeNodeIds", "array")]
    [InlineData("dataworks:DagStatusChanges:DagStatusChanges", "data.bizDate", "string")]
    [InlineData("dataworks:MonitorAlert:WorkbenchMonitorAlert", "data.bizDate", "integer")]
    [InlineData("dataworks:MonitorAlert:WorkbenchMonitorAlert", "data.taskIds", "string")]
    [InlineData("dataworks:InstanceChange:ExpiredTaskInstancesDeleted", "data.operator", "string", "integer")]
    [InlineData("dataworks:ApprovalChange:ApprovalChangeCreated", "data.process.approvalContent.workspaceId", "integer", "string")]
    [InlineData("dataworks:ApprovalChange:ApprovalChangeCreated", "data.arrayData.odpsTable", "string")]
    [InlineData("dataworks:ApprovalChange:ApprovalChangeCreated", "data.arrayData.type", "integer")]
    [InlineData("dataworks:ApprovalChange:ApprovalChangeBeforeCreate", "data.order.projectMeta.envCode", "integer")]
    [InlineData("dataworks:DqcCheck:UpdateDataQualityRule", "data.rules.checkingConfig.thresholds.critical.expression", "string")]
    [InlineData("dataworks:DqcCheck:UpdateDataQualityRule", "data.target.tableGuid", "string")]
    [InlineData("dataworks:DqcCheck:CreateDataQualityEvaluationTask", "data.notifications.notifications.notificaionReceivers.receiverType", "string")]
    [InlineData("dataworks:FileChange:DeployFile", "aliyunpublishtime", "string")]
    [InlineData("dataworks:FileChange:DeployFile", "time", "string")]
    public void Fields_DocumentedField_HasSchemaTypes(string type, string path, params string[] jsonTypes)
    {
        var fields = Catalog.FindByType(type)!.Fields;

        Assert.True(fields.ContainsKey(path), $"{type} does not document {path}");
        Assert.Equal(jsonTypes, fields[path].JsonTypes.ToArray());
    }

    [Theory]
    [InlineData("dataworks:NodeChange:StartDiJob", "data.forceRun")]
    [InlineData("dataworks:ApprovalChange:ApprovalChangeCreated", "data.process.approvalContent.applyPeriod")]
    public void Fields_UndocumentedType_HasNoTypeConstraint(string type, string path)
    {
        Assert.Empty(Catalog.FindByType(type)!.Fields[path].JsonTypes);
    }

    [Theory]
    [InlineData("dataworks:ResourcesDownload:DownloadResources", "data.tenantId")]
    [InlineData("dataworks:ResourcesDownload:DownloadResources", "data.operator")]
    [InlineData("dataworks:FileChange:DeployFile", "data.dataRowSize")]
    [InlineData("dataworks:ApprovalChange:ApprovalChangeBeforeCreate", "data.eventCode")]
    public void Fields_FieldOfAnotherFamily_IsNotDocumented(string type, string path)
    {
        Assert.False(Catalog.FindByType(type)!.Fields.ContainsKey(path));
    }

    [Theory]
    [MemberData(nameof(FamilySchemaFiles))]
    public async Task FamilySchema_LoadedByNJsonSchema_IsObjectSchemaWithDataAndUsedByCatalog(string fileName)
    {
        var schema = await JsonSchema.FromJsonAsync(await File.ReadAllTextAsync(RepositoryPaths.Combine("schemas", "events", fileName)));
        var family = fileName[..^".schema.json".Length];

        Assert.True(schema.Properties.ContainsKey("data"), $"{fileName} has no data property");
        Assert.True(schema.Properties.ContainsKey("aliyunregionid"), $"{fileName} has no aliyunregionid property");
        Assert.Contains(Catalog.EventTypes, t => t.Family == family);
    }

    [Fact]
    public void EventTypes_Family_HasSchemaFile()
    {
        var missing = Catalog.EventTypes.Select(t => t.Family).Distinct()
            .Where(f => !File.Exists(RepositoryPaths.Combine("schemas", "events", f + ".schema.json")));

        Assert.Empty(missing);
    }

    [Fact]
    public async Task CatalogSchema_CatalogFile_IsValid()
    {
        var schema = await JsonSchema.FromJsonAsync(await File.ReadAllTextAsync(RepositoryPaths.Combine("schemas", "events", "catalog.schema.json")));

        var errors = schema.Validate(await File.ReadAllTextAsync(RepositoryPaths.Combine("schemas", "events", "catalog.json")));

        Assert.Equal(string.Empty, string.Join(Environment.NewLine, errors.Select(e => e.ToString())));
    }

    [Theory]
    [MemberData(nameof(SampleFiles))]
    public async Task Sample_ValidatedAgainstFamilySchema_HasNoErrors(string fileName)
    {
        var text = await File.ReadAllTextAsync(RepositoryPaths.Combine("samples", "events", fileName));

        var errors = await ValidateAsync(text);

        // Joined so a failure shows every error in full.
        Assert.Equal(string.Empty, string.Join(Environment.NewLine, errors));
    }

    [Theory]
    [MemberData(nameof(SampleFiles))]
    public void Sample_TypeAndEventCode_MatchCatalogEntry(string fileName)
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.Combine("samples", "events", fileName)));
        var type = sample.RootElement.GetProperty("type").GetString()!;
        var info = Catalog.FindByType(type);

        Assert.NotNull(info);
        Assert.Equal(SampleFileName(type), fileName);
        Assert.Equal("acs.dataworks", sample.RootElement.GetProperty("source").GetString());
        Assert.True(Guid.TryParse(sample.RootElement.GetProperty("id").GetString(), out _), $"{fileName}: id is not a UUID");
        if (sample.RootElement.GetProperty("data").TryGetProperty("eventCode", out var eventCode))
        {
            Assert.Equal(info.EventCode, eventCode.GetString());
        }
    }

    [Theory]
    [MemberData(nameof(SampleFiles))]
    public void Sample_DataFields_AreAllDocumented(string fileName)
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.Combine("samples", "events", fileName)));
        var info = Catalog.FindByType(sample.RootElement.GetProperty("type").GetString()!)!;

        var undocumented = Paths(sample.RootElement, "").Where(p => !info.Fields.ContainsKey(p)).ToArray();

        Assert.Empty(undocumented);
    }

    [Fact]
    public void EventTypes_EveryEntry_HasSample()
    {
        var missing = Catalog.EventTypes
            .Where(t => !File.Exists(RepositoryPaths.Combine("samples", "events", SampleFileName(t.Type))))
            .Select(t => t.Type);

        Assert.Empty(missing);
    }

    [Fact]
    public async Task BatchSample_EveryEvent_IsValidAgainstItsFamilySchema()
    {
        using var batch = JsonDocument.Parse(await File.ReadAllTextAsync(RepositoryPaths.Combine("samples", "events", "batch.json")));

        Assert.Equal(JsonValueKind.Array, batch.RootElement.ValueKind);
        Assert.Equal(3, batch.RootElement.GetArrayLength());
        foreach (var element in batch.RootElement.EnumerateArray())
        {
            Assert.Equal(string.Empty, string.Join(Environment.NewLine, await ValidateAsync(element.GetRawText())));
        }
    }

    [Fact]
    public void FcEnvelopeSample_DownloadPreEvent_HasEnvelopeFieldsAndKnownCode()
    {
        using var envelope = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.Combine("samples", "events", "fc-envelope-download.json")));
        var root = envelope.RootElement;

        Assert.Equal("download-resources", root.GetProperty("eventType").GetString());
        Assert.Equal("resources-download", root.GetProperty("eventCategoryType").GetString());
        Assert.True(root.GetProperty("blockBusiness").GetBoolean());
        Assert.Equal(root.GetProperty("extensionBizId").GetString(), root.GetProperty("messageBody").GetProperty("extensionBizId").GetString());
        Assert.True(Guid.TryParse(root.GetProperty("messageId").GetString(), out _));
        Assert.Equal("dataworks:ResourcesDownload:DownloadResources", Catalog.FindByEventCode(root.GetProperty("eventType").GetString()!)!.Type);
    }

    private static string SampleFileName(string type) => type["dataworks:".Length..].Replace(':', '-') + ".json";

    private static async Task<string[]> ValidateAsync(string eventJson)
    {
        using var document = JsonDocument.Parse(eventJson);
        var info = Catalog.FindByType(document.RootElement.GetProperty("type").GetString()!)
            ?? throw new InvalidOperationException("Unknown event type in sample.");
        var schema = await JsonSchema.FromJsonAsync(
            await File.ReadAllTextAsync(RepositoryPaths.Combine("schemas", "events", info.Family + ".schema.json")));
        return schema.Validate(eventJson).Select(e => $"{info.Type}: {e}").ToArray();
    }

    /// <summary>Every property path of a JSON value, array elements folded into their array's path (as the catalog documents them).</summary>
    private static IEnumerable<string> Paths(JsonElement element, string prefix)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    var path = prefix.Length == 0 ? property.Name : prefix + "." + property.Name;
                    yield return path;
                    foreach (var nested in Paths(property.Value, path))
                    {
                        yield return nested;
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    foreach (var nested in Paths(item, prefix))
                    {
                        yield return nested;
                    }
                }

                break;
        }
    }
}
