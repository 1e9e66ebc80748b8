using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;

namespace OpenEvent.Rules.Host;

/// <summary>Recognises why Kestrel could not start, so that RunAsync can say it in one line.</summary>
internal static partial class StartFailure
{
    /// <summary>The address that is already taken (as Kestrel names it), or null when the failure is something else.</summary>
    public static string? AddressInUse(IOException exception)
    {
        var inUse = false;
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            inUse |= e is AddressInUseException || e is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse };
        }

        if (!inUse)
        {
            return null;
        }

        return BindMessage().Match(exception.Message) is { Success: true } match ? match.Groups["address"].Value : "the address";
    }

    [GeneratedRegex(@"bind to address (?<address>\S+?):? address already in use", RegexOptions.IgnoreCase)]
    private static partial Regex BindMessage();
}
