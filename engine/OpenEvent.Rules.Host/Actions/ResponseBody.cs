using System.Buffers;
using System.Text;
using OpenEvent.Rules.Host.Observability;

namespace OpenEvent.Rules.Host.Actions;

/// <summary>
/// A receiver's answer, read up to <see cref="MaxBytes"/>: its status decides the delivery, and its text only feeds an
/// error message or a chat robot's error code. HttpClient's default reads a whole answer into memory before the status
/// is seen, so one receiver answering 300 MB per attempt took the host from 100 MB to 2.2 GB. The text is masked for
/// the sender's secrets (and credential shapes) as a whole, before any error message cuts it, so that no part of a
/// secret echoed near the cut survives (a receiver chooses where its text is cut).
/// </summary>
internal static class ResponseBody
{
    public const int MaxBytes = 64 * 1024;

    /// <summary>Sends <paramref name="request"/> and reads the start of the answer, masked for <paramref name="secrets"/>; the caller disposes the response.</summary>
    public static async Task<(HttpResponseMessage Response, string Body)> SendAsync(HttpClient client, HttpRequestMessage request, IEnumerable<string?> secrets,
        CancellationToken cancellationToken)
    {
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        try
        {
            return (response, SecretRedactor.Redact(await ReadAsync(response.Content, cancellationToken), secrets));
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>The first <see cref="MaxBytes"/> of <paramref name="content"/> as UTF-8 text; the rest is never read.</summary>
    public static async Task<string> ReadAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxBytes);
        try
        {
            await using var stream = await content.ReadAsStreamAsync(cancellationToken);
            var total = 0;
            int read;
            while (total < MaxBytes && (read = await stream.ReadAsync(buffer.AsMemory(total, MaxBytes - total), cancellationToken)) > 0)
            {
                total += read;
            }

            return Encoding.UTF8.GetString(buffer, 0, total);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
