namespace OpenEvent.Rules.Model;

/// <summary>
/// The environment variables that hold the host's own credentials: the DataWorks AccessKey and STS token
/// (<c>ALIBABA_CLOUD_*</c>), every setting (<c>OpenEventRules__*</c>, the token among them, also read with the
/// <c>DOTNET_</c> and <c>ASPNETCORE_</c> prefixes) and Kestrel's certificate passwords (<c>Kestrel__*</c>). A channel or
/// target reading one would send it wherever its URL points: a policy file may not name them (OER3039), and the host
/// refuses them again when an action is delivered, whatever the action's message says.
/// </summary>
public static class HostCredentials
{
    public static IReadOnlyList<string> Prefixes { get; } = ["ALIBABA_CLOUD_", "OPENEVENTRULES__", "DOTNET_", "ASPNETCORE_", "KESTREL__"];

    /// <summary>The prefix that makes <paramref name="variable"/> one of the host's credentials, or null.</summary>
    public static string? ReservedPrefix(string variable) =>
        Prefixes.FirstOrDefault(prefix => variable.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));
}
