using Microsoft.AspNetCore.Http;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Endpoints;
using OpenEvent.Rules.Host.Ingestion;

namespace OpenEvent.Rules.Host.Tests.Endpoints;

/// <summary>
/// How the host reads a request body against what the client declared: a declared length is a claim, not a fact. The
/// body stream below records the buffers the host hands it, which is where memory would be set aside.
/// </summary>
public sealed class RequestBodyTests
{
    [Fact]
    public async Task ReadAsync_LargeDeclaredLengthWithFewBytes_SetsNoArrayOfThatSizeAside()
    {
        // 900 KB declared (within every limit), 1,000 bytes sent: the host must not allocate for the claim.
        var sent = new byte[1000];
        Random.Shared.NextBytes(sent);
        var body = new RecordingStream(sent);

        var read = await RequestBody.ReadAsync(Request(body, declared: 900_000), BodyKind.Structured, new LimitOptions(), CancellationToken.None);

        Assert.Equal(sent, read.ToArray());
        Assert.InRange(body.LargestBuffer, 1, RequestBody.ExactUpTo);
    }

    [Fact]
    public async Task ReadAsync_SmallDeclaredLength_IsReadIntoAnArrayOfExactlyThatSize()
    {
        var sent = new byte[1000];
        Random.Shared.NextBytes(sent);
        var body = new RecordingStream(sent);

        var read = await RequestBody.ReadAsync(Request(body, declared: sent.Length), BodyKind.Structured, new LimitOptions(), CancellationToken.None);

        Assert.Equal(sent, read.ToArray());
        Assert.Equal(sent.Length, body.LargestBuffer);
    }

    private static HttpRequest Request(Stream body, long declared)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = body;
        context.Request.ContentLength = declared;
        context.Request.ContentType = "application/cloudevents+json";
        return context.Request;
    }

    /// <summary>A body that gives <paramref name="bytes"/> then ends, and remembers the largest buffer it was asked to fill.</summary>
    private sealed class RecordingStream(byte[] bytes) : MemoryStream(bytes)
    {
        public int LargestBuffer { get; private set; }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            LargestBuffer = Math.Max(LargestBuffer, buffer.Length);
            return base.ReadAsync(buffer, cancellationToken);
        }
    }
}
