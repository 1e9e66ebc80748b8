using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Validation;

/// <summary>
/// The environment variables channels and targets read, checked against the environment the set is loaded in. Not part
/// of <see cref="PolicySetValidator"/>: a policy repository is validated in CI without the production secrets, so this
/// runs where they must be present (the host at each load, <c>oer validate --env</c>).
/// </summary>
public static class EnvironmentVariableCheck
{
    /// <summary>
    /// OER3046: a channel or target takes its URL, signing secret or a header from an environment variable that is not
    /// set. Without this, the first notification to that channel is where it shows, as a dead letter.
    /// </summary>
    public static IReadOnlyList<Diagnostic> Check(PolicySetDefinition set, Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        var bag = new DiagnosticBag();
        foreach (var (owner, lost, reference, what) in References(set))
        {
            if (string.IsNullOrEmpty(getVariable(reference.EnvironmentVariable)))
            {
                bag.Warning(DiagnosticIds.UnsetEnvironmentVariable, reference.Location,
                    $"{owner} reads its {what} from the environment variable {reference.EnvironmentVariable}, which is not set: {lost} would be dead-lettered",
                    $"set {reference.EnvironmentVariable} in the environment of the host (e.g. export {reference.EnvironmentVariable}=...) and restart it");
            }
        }

        return bag.Items;
    }

    /// <summary>
    /// OER3039 for a channel or target that reads one of the host's own credential variables as its settings name them
    /// (<paramref name="credentials"/>, e.g. a DataWorks AccessKey moved to DW_AK_SECRET): the parser refuses the default
    /// names by their prefixes, which a renamed variable escapes, and the policy would send the secret to its URL.
    /// </summary>
    public static IReadOnlyList<Diagnostic> CheckCredentials(PolicySetDefinition set, IReadOnlyCollection<string> credentials)
    {
        var bag = new DiagnosticBag();
        foreach (var (owner, _, reference, what) in References(set))
        {
            if (credentials.Contains(reference.EnvironmentVariable, StringComparer.OrdinalIgnoreCase))
            {
                bag.Error(DiagnosticIds.HostCredentialVariable, reference.Location,
                    $"{owner} reads its {what} from {reference.EnvironmentVariable}, which holds a credential of the host itself (its settings name it): a policy file may not send it to a channel or target",
                    "give the channel or target a variable of its own, e.g. OER_WEBHOOK_TOKEN, set to the value the receiver expects");
            }
        }

        return bag.Items;
    }

    private static IEnumerable<(string Owner, string Lost, SecretReference Reference, string What)> References(PolicySetDefinition set)
    {
        foreach (var channel in set.Channels)
        {
            var owner = $"channel '{channel.Name}'";
            IEnumerable<(SecretReference?, string)> read = [(channel.Url?.FromEnvironment, "URL"), (channel.Secret, "signing secret"), .. channel.Headers.Select(h => (h.Value.FromEnvironment, $"header {h.Key}"))];
            foreach (var (reference, what) in read)
            {
                if (reference is not null)
                {
                    yield return (owner, "its notifications", reference, what);
                }
            }
        }

        foreach (var target in set.Targets)
        {
            var owner = $"target '{target.Name}'";
            IEnumerable<(SecretReference?, string)> read = [(target.Url?.FromEnvironment, "URL"), .. target.Headers.Select(h => (h.Value.FromEnvironment, $"header {h.Key}"))];
            foreach (var (reference, what) in read)
            {
                if (reference is not null)
                {
                    yield return (owner, "the events forwarded to it", reference, what);
                }
            }
        }
    }
}
