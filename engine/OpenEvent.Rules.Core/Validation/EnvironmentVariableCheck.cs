using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Validation;

/// <summary>
/// OER3046: a channel or target takes its URL, signing secret or a header from an environment variable that is not set
/// in the environment the set is loaded in. Without this, the first notification to that channel is where it shows, as
/// a dead letter. Not part of <see cref="PolicySetValidator"/>: a policy repository is validated in CI without the
/// production secrets, so this runs where they must be present (the host at each load, <c>oer validate --env</c>).
/// </summary>
public static class EnvironmentVariableCheck
{
    public static IReadOnlyList<Diagnostic> Check(PolicySetDefinition set, Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        var bag = new DiagnosticBag();
        foreach (var channel in set.Channels)
        {
            Check(bag, getVariable, $"channel '{channel.Name}'", "its notifications", channel.Url?.FromEnvironment, "URL");
            Check(bag, getVariable, $"channel '{channel.Name}'", "its notifications", channel.Secret, "signing secret");
            foreach (var (header, value) in channel.Headers)
            {
                Check(bag, getVariable, $"channel '{channel.Name}'", "its notifications", value.FromEnvironment, $"header {header}");
            }
        }

        foreach (var target in set.Targets)
        {
            Check(bag, getVariable, $"target '{target.Name}'", "the events forwarded to it", target.Url?.FromEnvironment, "URL");
            foreach (var (header, value) in target.Headers)
            {
                Check(bag, getVariable, $"target '{target.Name}'", "the events forwarded to it", value.FromEnvironment, $"header {header}");
            }
        }

        return bag.Items;
    }

    private static void Check(DiagnosticBag bag, Func<string, string?> getVariable, string owner, string lost, SecretReference? reference, string what)
    {
        if (reference is null || !string.IsNullOrEmpty(getVariable(reference.EnvironmentVariable)))
        {
            return;
        }

        bag.Warning(DiagnosticIds.UnsetEnvironmentVariable, reference.Location,
            $"{owner} reads its {what} from the environment variable {reference.EnvironmentVariable}, which is not set: {lost} would be dead-lettered",
            $"set {reference.EnvironmentVariable} in the environment of the host (e.g. export {reference.EnvironmentVariable}=...) and restart it");
    }
}
