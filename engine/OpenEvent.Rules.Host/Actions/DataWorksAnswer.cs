using OpenEvent.Rules.Catalog;

namespace OpenEvent.Rules.Host.Actions;

/// <summary>
/// The outbox action that answers an extension point event: <see cref="OutboxDispatcher"/> writes it, the DataWorks
/// sender (Actions/DataWorks) is the one sender of its <see cref="Type"/>. Its destination is the OpenAPI to call.
/// </summary>
internal static class DataWorksAnswer
{
    public const string Type = "dataworks";

    /// <summary>
    /// The API that answers <paramref name="e"/>: the catalog's for its type; for an extension point of a type the catalog
    /// does not know (data.blockBusiness: true), the generic CallbackExtension (reference 4.2), since DataWorks holds the
    /// operation until it is answered. None for a regular event.
    /// </summary>
    public static CallbackApi ApiFor(OpenEvent.Rules.Events.DataWorksEvent e) => e switch
    {
        { CatalogEntry.Callback: not CallbackApi.None and var api } => api,
        { IsExtensionPoint: false } => CallbackApi.None,
        // A type the catalog models as regular on a guess, sent with blockBusiness: true (ReviewFile is a DataStudio file
        // event, answered as its siblings are), or a type it does not know (the generic API).
        { CatalogEntry.Module: "DataStudio" } => CallbackApi.UpdateIdeEventResult,
        _ => CallbackApi.CallbackExtension,
    };

    /// <summary>The DataWorks OpenAPI that answers events of <paramref name="api"/>'s kind.</summary>
    public static string ApiName(CallbackApi api) => api switch
    {
        CallbackApi.UpdateIdeEventResult => "UpdateIDEEventResult",
        CallbackApi.UpdateWorkbenchEventResult => "UpdateWorkbenchEventResult",
        CallbackApi.CallbackExtension => "CallbackExtension",
        _ => throw new ArgumentOutOfRangeException(nameof(api), api, "this event type is not answered"),
    };
}
