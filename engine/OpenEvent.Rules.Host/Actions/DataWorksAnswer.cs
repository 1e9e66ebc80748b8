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
    public static CallbackApi ApiFor(OpenEvent.Rules.Events.DataWorksEvent e) =>
        e.CatalogEntry is { } entry ? entry.Callback : e.IsExtensionPoint ? CallbackApi.CallbackExtension : CallbackApi.None;

    /// <summary>The DataWorks OpenAPI that answers events of <paramref name="api"/>'s kind.</summary>
    public static string ApiName(CallbackApi api) => api switch
    {
        CallbackApi.UpdateIdeEventResult => "UpdateIDEEventResult",
        CallbackApi.UpdateWorkbenchEventResult => "UpdateWorkbenchEventResult",
        CallbackApi.CallbackExtension => "CallbackExtension",
        _ => throw new ArgumentOutOfRangeException(nameof(api), api, "this event type is not answered"),
    };
}
