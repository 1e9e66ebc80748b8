using System.Collections.Immutable;
using System.Text.Json;

namespace OpenEvent.Rules.Catalog;

public enum EventKind
{
    /// <summary>Sent after the operation; nothing to answer.</summary>
    Regular,

    /// <summary>Sent before the operation, which DataWorks holds until an extension answers OK / WARN / FAIL.</summary>
    ExtensionPoint,
}

public enum EventLevel
{
    Workspace,
    Tenant,
}

/// <summary>The DataWorks OpenAPI that answers an extension point event (reference section 4.3).</summary>
public enum CallbackApi
{
    None,
    UpdateIdeEventResult,
    UpdateWorkbenchEventResult,
    CallbackExtension,
}

public enum ScopeDimension
{
    Tenant,
    Workspace,
    Region,
    Environment,
    Operator,
}

/// <summary>
/// Where one scope value lives for an event type: the first of <see cref="Paths"/> present in the event
/// (dotted paths over the CloudEvent, e.g. "data.projectId"), else <see cref="Constant"/> (e.g. table
/// commits are implied DEV).
/// </summary>
public sealed record ScopeSource(ImmutableArray<string> Paths, string? Constant);

/// <summary>A documented field: its dotted path (e.g. "data.fileName", "data.tableMapping.dstTable") and JSON types.</summary>
public sealed record FieldInfo(string Path, ImmutableArray<string> JsonTypes)
{
    /// <summary>The values the schema lists for the field (its <c>enum</c>); empty when any value of its types may come.</summary>
    public ImmutableArray<JsonElement> Values { get; init; } = [];
}

/// <summary>One DataWorks event type of the catalog (schemas/events/catalog.json).</summary>
public sealed record EventTypeInfo(
    string Type,
    string EventCode,
    string Module,
    EventLevel Level,
    EventKind Kind,
    bool AlsoRegular,
    bool KindInferred,
    string Family,
    CallbackApi Callback,
    ImmutableDictionary<ScopeDimension, ScopeSource> Scope,
    ImmutableDictionary<string, FieldInfo> Fields)
{
    /// <summary>What GetIDEEventDetail returns for this type (a policy sees it as <c>detail</c>); null for types without detail.</summary>
    public DetailSchema? Detail { get; init; }
}

/// <summary>
/// The detail of an event type (schemas/events/detail/<c>Name</c>.schema.json): the one member GetIDEEventDetail's
/// EventDetail holds for it (<see cref="Member"/>, e.g. CommittedFile) and its documented fields as dotted paths under
/// <c>detail</c> ("detail.CommittedFile.NodeConfiguration.CronExpress").
/// </summary>
public sealed record DetailSchema(string Name, string Member, ImmutableDictionary<string, FieldInfo> Fields)
{
    /// <summary>The name of the detail in patterns, templates and the event a policy sees.</summary>
    public const string Root = "detail";
}
