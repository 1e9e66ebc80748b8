using OpenEvent.Rules.Host.Ingestion;

namespace OpenEvent.Rules.Host.Tests.Ingestion;

/// <summary>
/// What a content type says about the body. The last accepted content type is remembered (a sender repeats it), so the
/// same answers must come whatever came before: a type after itself, after another, after a refused one.
/// </summary>
public sealed class EventContentTests
{
    private static readonly KeyValuePair<string, string>[] Binary = [new("ce-specversion", "1.0"), new("ce-id", "x")];

    private static readonly (string? ContentType, KeyValuePair<string, string>[] Headers, object Expected)[] Cases =
    [
        ("application/json", Binary, BodyKind.Binary),
        ("application/json", [], BodyKind.Structured),
        ("application/json", Binary, BodyKind.Binary),
        ("application/cloudevents+json", Binary, BodyKind.Structured),
        ("application/cloudevents-batch+json", [], BodyKind.Batch),
        ("application/xml", [], "unsupported-media-type"),
        ("application/json; charset=latin1", [], "unsupported-media-type"),
        ("Application/JSON; charset=UTF-8", Binary, BodyKind.Binary),
        ("text/json", [], BodyKind.Structured),
        (null, [], "unsupported-media-type"),
        ("application/cloudevents-batch+json", [], BodyKind.Batch),
        ("application/cloudevents-batch+json", Binary, BodyKind.Batch),
    ];

    [Fact]
    public void Classify_ContentTypesInAnyOrder_GiveTheSameAnswers()
    {
        var random = new Random(7);
        for (var round = 0; round < 20; round++)
        {
            foreach (var (contentType, headers, expected) in round == 0 ? Cases : [.. Cases.OrderBy(_ => random.Next())])
            {
                var content = new EventContent(contentType, headers);
                if (expected is BodyKind kind)
                {
                    Assert.Equal(kind, content.Classify());
                }
                else
                {
                    Assert.Equal(expected, Assert.Throws<RequestRejectedException>(() => content.Classify()).Id);
                }
            }
        }
    }
}
