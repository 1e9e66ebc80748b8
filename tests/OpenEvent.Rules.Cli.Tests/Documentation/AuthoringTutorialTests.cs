namespace OpenEvent.Rules.Cli.Tests.Documentation;

/// <summary>
/// Follows the tutorial of policy-guide.md as written (the steps marked <c>&lt;!-- tutorial: ... --&gt;</c>) in a fresh,
/// empty folder with the built oer, and compares each command's output with the page (see <see cref="DocumentedSession"/>).
/// </summary>
public sealed class AuthoringTutorialTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Tutorial_FollowedAsWritten_Works()
    {
        var steps = DocumentedSession.Read(RepositoryPaths.Combine("policy-guide.md"), "tutorial");
        Assert.Contains(steps, s => s is DocumentedSession.RunCommand { Arguments: ["oer", "impact", ..] });

        new DocumentedSession(_folder.Root).Replay(steps);
    }
}
