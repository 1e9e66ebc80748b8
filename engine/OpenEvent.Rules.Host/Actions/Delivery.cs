using System.Collections.Concurrent;
using System.Net;
using OpenEvent.Rules.Model;

namespace OpenEvent.Rules.Host.Actions;

/// <summary>The outcome of one delivery attempt. A permanent failure goes to the dead-letter table at once.</summary>
internal sealed record DeliveryResult(bool Success, bool Retryable, string? Error)
{
    public static DeliveryResult Delivered { get; } = new(true, false, null);

    public static DeliveryResult Retry(string error) => new(false, true, error);

    public static DeliveryResult Permanent(string error) => new(false, false, error);

    /// <summary>2xx delivered; 408, 429 and 5xx are worth retrying; any other status will not change by itself.</summary>
    public static DeliveryResult FromStatus(HttpStatusCode status, string body)
    {
        var code = (int)status;
        if (code is >= 200 and < 300)
        {
            return Delivered;
        }

        var error = $"HTTP {code} {status}: {Shorten(body)}";
        return code is 408 or 429 or >= 500 ? Retry(error) : Permanent(error);
    }

    public static string Shorten(string text, int max = 300)
    {
        var trimmed = text.Trim().ReplaceLineEndings(" ");
        // max characters kept before the "...", never half of a surrogate pair (a receiver's emoji became U+FFFD).
        return TextExcerpt.Cut(trimmed, max + 3);
    }
}

/// <summary>
/// Delivers one kind of stored action. Senders are chosen by the payload's "type" (webhook, dingtalk, lark, slack,
/// http, file, dataworks); a new destination (e.g. a message broker target) is one more implementation.
/// </summary>
internal interface IActionSender
{
    IReadOnlyCollection<string> Types { get; }

    /// <param name="payload">The item's payload, read (<see cref="ActionPayloads.Read"/>): the type the sender's <see cref="Types"/> name.</param>
    Task<DeliveryResult> SendAsync(OutboxItem item, ActionPayload payload, CancellationToken cancellationToken);
}

/// <summary>A stored action and its payload, read: one element of a batch.</summary>
internal readonly record struct BatchedAction(OutboxItem Item, ActionPayload Payload);

/// <summary>
/// A sender that delivers several actions of its types together for less than each alone (file targets: one write and one
/// flush per file). The outbox worker hands it the due forwards of one target at once; each gets its own result.
/// </summary>
internal interface IBatchActionSender : IActionSender
{
    /// <returns>One result per action, in the order of <paramref name="batch"/>.</returns>
    Task<IReadOnlyList<DeliveryResult>> SendBatchAsync(IReadOnlyList<BatchedAction> batch, CancellationToken cancellationToken);
}

/// <summary>Resolves configured values (<see cref="PayloadValue"/>) at delivery, where environment variables are read.</summary>
internal static class PayloadValues
{
    /// <summary>Thrown when a secret's environment variable is not set, or holds no usable value: the action is dead-lettered with this message.</summary>
    public sealed class MissingVariableException(string message) : Exception(message);

    /// <summary>
    /// The URL of a channel or target: an absolute http or https URL. One written in the policy is checked at load; one
    /// read from the environment is checked here (file:///..., gopher://... or CR/LF never reach the HTTP client). The
    /// URL is not echoed: it may hold a token.
    /// </summary>
    public static string ResolveUrl(PayloadValue? configured, string owner)
    {
        var url = Resolve(configured, $"url of {owner}") ?? throw new MissingVariableException($"{owner} has no url");
        if (!HttpSyntax.IsHttpUrl(url, out _))
        {
            var where = configured?.Env is { } variable ? $"the environment variable {variable}" : "the url";
            throw new MissingVariableException($"{where} of {owner} is not an absolute http:// or https:// URL without control characters: fix it, then run 'oer outbox retry'");
        }

        return url;
    }

    /// <summary>
    /// The host's credential variables as its settings name them (a DataWorks AccessKey moved to DW_AK_SECRET escapes
    /// <see cref="HostCredentials.Prefixes"/>): process-wide, added to by every host built in the process, never removed.
    /// </summary>
    private static readonly ConcurrentDictionary<string, byte> s_credentialVariables = new(StringComparer.OrdinalIgnoreCase);

    public static void ReserveCredentialVariables(IEnumerable<string?> variables)
    {
        foreach (var variable in variables)
        {
            if (!string.IsNullOrEmpty(variable))
            {
                s_credentialVariables.TryAdd(variable, 0);
            }
        }
    }

    public static string? Resolve(PayloadValue? configured, string what)
    {
        if (configured?.Env is { } variable)
        {
            // The load refuses a policy that names one (OER3039), but an action's payload travels: a message written into
            // a broker queue (or an outbox file) by anyone else names what it likes.
            if (HostCredentials.ReservedPrefix(variable) is not null || s_credentialVariables.ContainsKey(variable))
            {
                throw new MissingVariableException(
                    $"the environment variable {variable} ({what}) holds a credential of the host itself: no action may send it (OER3039); this action did not come from a loaded policy set");
            }

            return Variable(variable, what);
        }

        return configured?.Value;
    }

    /// <summary>One of the host's own credentials, named by its settings (the DataWorks AccessKey): read, never sent elsewhere.</summary>
    public static string Credential(string variable, string what) => Variable(variable, what);

    private static string Variable(string variable, string what)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrEmpty(value)
            ? throw new MissingVariableException($"the environment variable {variable} ({what}) is not set: set it in the host's environment, then run 'oer outbox retry'")
            : value;
    }

    /// <summary>Adds the configured headers (checked by <see cref="HeaderValues.Add"/>) and returns their values, which error texts must not echo.</summary>
    public static IReadOnlyList<string> AddHeaders(HttpRequestMessage request, IReadOnlyDictionary<string, PayloadValue>? headers, string owner)
    {
        if (headers is not { } map)
        {
            return [];
        }

        var values = new List<string>();
        foreach (var (name, value) in map)
        {
            if (Resolve(value, $"header {name} of {owner}") is { } resolved)
            {
                values.Add(resolved);
                HeaderValues.Add(request, name, resolved, owner);
            }
        }

        return values;
    }
}
