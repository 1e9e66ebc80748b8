using OpenEvent.Rules.FileSystem;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Parsing;
using OpenEvent.Rules.Sources;

namespace OpenEvent.Rules.Core.Tests.Sources;

/// <summary>
/// Issue 10: nothing in a policy folder can stop or wedge a load. Real FIFOs, real symbolic links, /dev/zero, files
/// that vanish or lie about their size; each load runs under a deadline so that a regression fails instead of hanging.
/// These hazards are Linux file system objects: the tests return at once elsewhere.
/// </summary>
public sealed class PolicyFolderHazardTests : IDisposable
{
    private const string Channel = "apiVersion: openevent.rules/v1\nkind: Channel\nmetadata: { name: NAME }\nspec: { type: webhook, urlFrom: { env: OER_HOOK_URL } }\n";

    private readonly TempFolder _temp = new();

    public PolicyFolderHazardTests()
    {
        Policies = _temp.Path("policies");
        Directory.CreateDirectory(Policies);
        File.WriteAllText(Path.Combine(Policies, "good.yaml"), Channel.Replace("NAME", "good"));
    }

    private string Policies { get; }

    public void Dispose() => _temp.Dispose();

    private Task<PolicySnapshot> LoadAsync() =>
        FolderHazards.WithinAsync(() => new PolicyFolderSource([Policies]).LoadAsync());

    private static Diagnostic Single(PolicySnapshot snapshot, string id) => Assert.Single(snapshot.Diagnostics, d => d.Id == id);

    [Fact]
    public async Task Load_SymlinkToDevZero_Oer1017WithoutReadingIt()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        File.CreateSymbolicLink(Path.Combine(Policies, "zero.yaml"), "/dev/zero");

        var snapshot = await LoadAsync();

        var diagnostic = Assert.Single(snapshot.Diagnostics);
        Assert.Equal(DiagnosticIds.LinkOutsideFolder, diagnostic.Id);
        Assert.Equal(new SourceLocation(Path.Join(Policies, "zero.yaml"), 0, 0), diagnostic.Location);
        Assert.Equal($"'{Path.Join(Policies, "zero.yaml")}' is a symbolic link to '/dev/zero', outside the policy folder: it is not read", diagnostic.Message);
        Assert.Equal(["good"], snapshot.Set.Channels.Select(c => c.Name));
    }

    [Fact]
    public void ReadFile_DevZeroGivenByName_Oer1016NotOpened()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var bag = new DiagnosticBag();

        var documents = YamlDocumentReader.ReadFile("/dev/zero", bag, "zero.yaml");

        Assert.Empty(documents);
        var diagnostic = Assert.Single(bag.Items);
        Assert.Equal(DiagnosticIds.NotRegularFile, diagnostic.Id);
        Assert.Equal(new SourceLocation("zero.yaml", 0, 0), diagnostic.Location);
        Assert.Equal("'zero.yaml' is a character device, not a regular file: it is not read", diagnostic.Message);
    }

    [Fact]
    public async Task Load_FifoNamedLikeAPolicy_Oer1016WithinTheDeadline()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        FolderHazards.MakeFifo(Path.Combine(Policies, "x.yaml"));

        var snapshot = await LoadAsync();

        var diagnostic = Assert.Single(snapshot.Diagnostics);
        Assert.Equal(DiagnosticIds.NotRegularFile, diagnostic.Id);
        Assert.Equal(new SourceLocation(Path.Join(Policies, "x.yaml"), 0, 0), diagnostic.Location);
        Assert.Equal($"'{Path.Join(Policies, "x.yaml")}' is a named pipe (FIFO), not a regular file: it is not read", diagnostic.Message);
        Assert.Equal("policy files must be regular files: remove it, or replace it with a file", diagnostic.Hint);
        Assert.Equal(["good"], snapshot.Set.Channels.Select(c => c.Name));
    }

    [Fact]
    public async Task Load_FifoBehindALinkInsideTheFolder_Oer1016()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        Directory.CreateDirectory(Path.Combine(Policies, "pipes"));
        FolderHazards.MakeFifo(Path.Combine(Policies, "pipes", "p"));
        File.CreateSymbolicLink(Path.Combine(Policies, "pipe.yaml"), "pipes/p");

        var snapshot = await LoadAsync();

        Assert.Equal(new SourceLocation(Path.Join(Policies, "pipe.yaml"), 0, 0), Single(snapshot, DiagnosticIds.NotRegularFile).Location);
    }

    [Fact]
    public async Task Load_SymlinkToASecretOutsideTheFolder_Oer1017AndTheSecretIsNeverEchoed()
    {
        var secret = FolderHazards.WriteSecretFile(_temp.Path("run", "secrets"));
        File.CreateSymbolicLink(Path.Combine(Policies, "zz.yaml"), secret);

        var snapshot = await LoadAsync();

        var diagnostic = Assert.Single(snapshot.Diagnostics);
        Assert.Equal(DiagnosticIds.LinkOutsideFolder, diagnostic.Id);
        Assert.Equal(new SourceLocation(Path.Join(Policies, "zz.yaml"), 0, 0), diagnostic.Location);
        Assert.Equal($"'{Path.Join(Policies, "zz.yaml")}' is a symbolic link to '{secret}', outside the policy folder: it is not read", diagnostic.Message);
        Assert.DoesNotContain(FolderHazards.Secret, diagnostic.ToString() + diagnostic.Hint);
    }

    [Fact]
    public async Task Load_SymlinkedFolderLeadingOut_Oer1017AndItsPoliciesAreNotLoaded()
    {
        var outside = _temp.Path("elsewhere");
        _temp.Write("elsewhere/other.yaml", Channel.Replace("NAME", "other"));
        Directory.CreateSymbolicLink(Path.Combine(Policies, "shared"), outside);

        var snapshot = await LoadAsync();

        var diagnostic = Assert.Single(snapshot.Diagnostics);
        Assert.Equal(DiagnosticIds.LinkOutsideFolder, diagnostic.Id);
        Assert.Equal(new SourceLocation(Path.Join(Policies, "shared"), 0, 0), diagnostic.Location);
        Assert.Equal(["good"], snapshot.Set.Channels.Select(c => c.Name));
    }

    [Fact]
    public async Task Load_RelativeLinkClimbingOutThroughDotDot_Oer1017()
    {
        var secret = FolderHazards.WriteSecretFile(_temp.Path("run"));
        Directory.CreateDirectory(Path.Combine(Policies, "sub"));
        File.CreateSymbolicLink(Path.Combine(Policies, "sub", "up.yaml"), "../../run/oer-token");

        var snapshot = await LoadAsync();

        Assert.Equal($"'{Path.Join(Policies, "sub", "up.yaml")}' is a symbolic link to '{secret}', outside the policy folder: it is not read",
            Single(snapshot, DiagnosticIds.LinkOutsideFolder).Message);
    }

    [Fact]
    public async Task Load_LinksThatStayInsideTheFolder_AreFollowed()
    {
        // Shared files kept in a hidden folder (never listed itself) and linked in where they apply.
        _temp.Write("policies/.library/shared.yaml", Channel.Replace("NAME", "shared"));
        _temp.Write("policies/.library/team/team.yaml", Channel.Replace("NAME", "team"));
        File.CreateSymbolicLink(Path.Combine(Policies, "alias.yaml"), ".library/shared.yaml");
        Directory.CreateSymbolicLink(Path.Combine(Policies, "current"), Path.Combine(Policies, ".library", "team"));

        var snapshot = await LoadAsync();

        Assert.Empty(snapshot.Diagnostics);
        Assert.Equal(["good", "shared", "team"], snapshot.Set.Channels.Select(c => c.Name).Order());
    }

    [Fact]
    public async Task Load_PolicyFolderItselfALinkToARelease_IsFollowed()
    {
        _temp.Write("releases/42/p.yaml", Channel.Replace("NAME", "release-42"));
        var link = _temp.Path("current");
        Directory.CreateSymbolicLink(link, _temp.Path("releases", "42"));

        var snapshot = await FolderHazards.WithinAsync(() => new PolicyFolderSource([link]).LoadAsync());

        Assert.Empty(snapshot.Diagnostics);
        Assert.Equal(["release-42"], snapshot.Set.Channels.Select(c => c.Name));
    }

    [Fact]
    public async Task Load_DanglingLink_Oer1009NamingTheLink()
    {
        File.CreateSymbolicLink(Path.Combine(Policies, "gone.yaml"), "nowhere.yaml");

        var snapshot = await LoadAsync();

        var diagnostic = Single(snapshot, DiagnosticIds.UnreadablePath);
        Assert.Equal(new SourceLocation(Path.Join(Policies, "gone.yaml"), 0, 0), diagnostic.Location);
        Assert.Equal($"cannot read '{Path.Join(Policies, "gone.yaml")}': it is a symbolic link to 'nowhere.yaml', which does not exist or loops", diagnostic.Message);
    }

    [Fact]
    public async Task Load_HugeFile_Oer1004AndTheOtherFilesStillLoad()
    {
        using (var stream = new FileStream(Path.Combine(Policies, "huge.yaml"), FileMode.CreateNew))
        {
            stream.SetLength(YamlDocumentReader.MaxFileBytes * 3);
        }

        var snapshot = await LoadAsync();

        var diagnostic = Assert.Single(snapshot.Diagnostics);
        Assert.Equal(DiagnosticIds.FileTooLarge, diagnostic.Id);
        Assert.Equal("file is 30 MB, larger than the 10 MB limit", diagnostic.Message);
        Assert.Equal(["good"], snapshot.Set.Channels.Select(c => c.Name));
    }

    [Fact]
    public void BoundedRead_FileReportingZeroBytes_CapAppliesToTheBytesActuallyRead()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // procfs files report a length of 0 and hold kilobytes: the reported length must never be trusted.
        const string path = "/proc/self/maps";
        Assert.Equal(0, new FileInfo(path).Length);

        var capped = BoundedFileReader.Read(path, maxBytes: 100);
        var whole = BoundedFileReader.Read(path, maxBytes: YamlDocumentReader.MaxFileBytes);

        Assert.Equal(FileReadStatus.TooLarge, capped.Status);
        Assert.Equal(101, capped.Length);
        Assert.Empty(capped.Bytes);
        Assert.Equal(FileReadStatus.Read, whole.Status);
        Assert.True(whole.Bytes.Length > 100, $"read {whole.Bytes.Length} bytes");
    }

    // A file found by the walk is opened at the real path the walk found (not resolved again per file); what is opened is
    // then checked. Each hazard below is swapped in between the listing and the read, where that shortcut could matter.

    /// <summary>Lists the folder's one file, swaps something in for it, then reads it as the loader does.</summary>
    private (byte[]? Bytes, Diagnostic Diagnostic) ReadSwapped(Action<PolicyFolderLoader.PolicyFile> swap)
    {
        var bag = new DiagnosticBag();
        var file = Assert.Single(PolicyFolderLoader.FindPolicyFiles([Policies], bag));
        Assert.Equal(Path.Join(FileProbe.RealPath(Policies), "good.yaml"), file.RealPath);
        swap(file);

        var bytes = Task.Run(() => YamlDocumentReader.ReadFileBytes(file.FullPath, bag, file.DisplayPath, file.Folder, file.RealPath))
            .WaitAsync(TimeSpan.FromSeconds(20)).GetAwaiter().GetResult();

        return (bytes, Assert.Single(bag.Items));
    }

    [Fact]
    public void ReadFile_FileSwappedForALinkOutsideAfterListing_Oer1017NamingTheTarget()
    {
        var secret = FolderHazards.WriteSecretFile(_temp.Path("run", "secrets"));

        var (bytes, diagnostic) = ReadSwapped(file =>
        {
            File.Delete(file.FullPath);
            File.CreateSymbolicLink(file.FullPath, secret);
        });

        Assert.Null(bytes);
        Assert.Equal(DiagnosticIds.LinkOutsideFolder, diagnostic.Id);
        Assert.Equal($"'{Path.Join(Policies, "good.yaml")}' is a symbolic link to '{secret}', outside the policy folder: it is not read", diagnostic.Message);
        Assert.DoesNotContain(FolderHazards.Secret, diagnostic.ToString() + diagnostic.Hint);
    }

    [Fact]
    public void ReadFile_FolderSwappedForALinkOutsideAfterListing_Oer1017()
    {
        var nested = Path.Combine(Policies, "team");
        Directory.CreateDirectory(nested);
        File.Move(Path.Combine(Policies, "good.yaml"), Path.Combine(nested, "good.yaml"));
        var outside = _temp.Path("elsewhere");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "good.yaml"), Channel.Replace("NAME", "outside"));
        var bag = new DiagnosticBag();
        var file = Assert.Single(PolicyFolderLoader.FindPolicyFiles([Policies], bag));

        // The folder holding the listed file becomes a link leading out of the policy folder.
        Directory.Move(nested, nested + "-old");
        Directory.CreateSymbolicLink(nested, outside);
        var bytes = YamlDocumentReader.ReadFileBytes(file.FullPath, bag, file.DisplayPath, file.Folder, file.RealPath);

        Assert.Null(bytes);
        var diagnostic = Assert.Single(bag.Items);
        Assert.Equal(DiagnosticIds.LinkOutsideFolder, diagnostic.Id);
        Assert.Equal($"'{Path.Join(Policies, "team", "good.yaml")}' is a symbolic link to '{Path.Join(FileProbe.RealPath(outside), "good.yaml")}', outside the policy folder: it is not read",
            diagnostic.Message);
    }

    [Fact]
    public void ReadFile_FileSwappedForAFifoAfterListing_Oer1016WithinTheDeadline()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var (bytes, diagnostic) = ReadSwapped(file =>
        {
            File.Delete(file.FullPath);
            FolderHazards.MakeFifo(file.FullPath);
        });

        Assert.Null(bytes);
        Assert.Equal(DiagnosticIds.NotRegularFile, diagnostic.Id);
        Assert.Equal($"'{Path.Join(Policies, "good.yaml")}' is a named pipe (FIFO), not a regular file: it is not read", diagnostic.Message);
    }

    [Fact]
    public void ReadFile_FileGrownPastTheBoundAfterListing_Oer1004()
    {
        var (bytes, diagnostic) = ReadSwapped(file =>
        {
            using var stream = new FileStream(file.FullPath, FileMode.Open);
            stream.SetLength(YamlDocumentReader.MaxFileBytes * 3);
        });

        Assert.Null(bytes);
        Assert.Equal(DiagnosticIds.FileTooLarge, diagnostic.Id);
        Assert.Equal("file is 30 MB, larger than the 10 MB limit", diagnostic.Message);
    }

    [Fact]
    public void ReadFile_FileRemovedBetweenListingAndReading_Oer1009()
    {
        var bag = new DiagnosticBag();
        var file = Assert.Single(PolicyFolderLoader.FindPolicyFiles([Policies], bag));
        File.Delete(file.FullPath);

        var documents = YamlDocumentReader.ReadFile(file.FullPath, bag, file.DisplayPath, file.Folder);

        Assert.Empty(documents);
        var diagnostic = Assert.Single(bag.Items);
        Assert.Equal(DiagnosticIds.UnreadablePath, diagnostic.Id);
        Assert.Equal($"cannot read '{file.DisplayPath}': it does not exist (or was removed or renamed while the policies were read)", diagnostic.Message);
    }

    [Fact]
    public async Task Load_FilesAppearingAndVanishingDuringLoads_OnlyDiagnosticsNeverExceptions()
    {
        using var stop = new CancellationTokenSource();
        var churn = Task.Run(() =>
        {
            // Files appear complete (written aside, then renamed in) and vanish, as fast as the machine allows.
            var staging = _temp.Path("staging.yaml");
            var target = Path.Combine(Policies, "churn.yaml");
            var nested = Path.Combine(Policies, "nested");
            while (!stop.IsCancellationRequested)
            {
                File.WriteAllText(staging, Channel.Replace("NAME", "churn"));
                File.Move(staging, target, overwrite: true);
                Directory.CreateDirectory(nested);
                File.Delete(target);
                Directory.Delete(nested);
            }
        });

        try
        {
            for (var i = 0; i < 40; i++)
            {
                var snapshot = await LoadAsync();

                Assert.All(snapshot.Diagnostics, d =>
                {
                    Assert.Equal(DiagnosticIds.UnreadablePath, d.Id);
                    Assert.StartsWith($"cannot read '{Path.Join(Policies, "churn.yaml")}': it does not exist", d.Message);
                });
                Assert.Contains("good", snapshot.Set.Channels.Select(c => c.Name));
            }
        }
        finally
        {
            await stop.CancelAsync();
            await churn;
        }
    }

    [Fact]
    public void Diagnostic_HugeOrMultiLineText_BoundedAndEscaped()
    {
        var diagnostic = new Diagnostic(DiagnosticIds.DuplicateKey, DiagnosticSeverity.Error, new SourceLocation("a\nb.yaml", 1, 1),
            "duplicate key '" + new string('k', 10_000) + "'", "line one\nline two");

        Assert.Equal(TextExcerpt.MaxDiagnosticText, diagnostic.Message.Length);
        Assert.EndsWith("kkk...", diagnostic.Message);
        Assert.Equal("line one\\nline two", diagnostic.Hint);
        Assert.Equal("a\\nb.yaml:1:1: error OER1007: " + diagnostic.Message, diagnostic.ToString());
        Assert.Equal(TextExcerpt.MaxDiagnosticText, (diagnostic with { Message = new string('m', 9_999) }).Message.Length);
    }

    [Fact]
    public async Task Load_HugeDuplicatedKey_TheDiagnosticQuotesAnExcerptOnly()
    {
        var key = "k" + new string('x', 20_000);
        File.WriteAllText(Path.Combine(Policies, "keys.yaml"), $"? {key}\n: 1\n? {key}\n: 2\n"); // explicit keys: implicit ones stop at 1,024 characters

        var snapshot = await LoadAsync();

        Assert.All(snapshot.Diagnostics, d =>
        {
            Assert.True(d.Message.Length <= TextExcerpt.MaxDiagnosticText, d.Id);
            Assert.True((d.Hint?.Length ?? 0) <= TextExcerpt.MaxDiagnosticText, d.Id);
        });
        var duplicate = Assert.Single(snapshot.Diagnostics, d => d.Id == DiagnosticIds.DuplicateKey);
        Assert.Equal($"duplicate key '{key[..57]}...': it is already defined above", duplicate.Message);
    }
}
