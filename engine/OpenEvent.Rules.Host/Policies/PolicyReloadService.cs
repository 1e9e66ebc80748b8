using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Compilation;
using OpenEvent.Rules.FileSystem;
using OpenEvent.Rules.Host.Configuration;
using OpenEvent.Rules.Host.Observability;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Sources;
using OpenEvent.Rules.Validation;

namespace OpenEvent.Rules.Host.Policies;

/// <summary>
/// Loads the policy set at start (a broken first set stops the host with every diagnostic logged), then
/// reloads it when the folder changes or on SIGHUP. A valid change is compiled and swapped atomically; an
/// invalid one keeps the last good set, logs every diagnostic and is reported on /policies and /metrics.
/// The service is total: whatever a load throws (an engine fault, memory exhaustion in one step) becomes a
/// diagnostic (OER1018), and a load over its time budget is abandoned (OER1019) without holding the reload lock,
/// so that the next change or SIGHUP reloads. The folder is watched through its parent too, so that a folder
/// replaced by rename or a swapped release link is picked up at once.
/// </summary>
internal sealed partial class PolicyReloadService : BackgroundService
{
    /// <summary>How often the identity of the policy folder is compared, as a backstop for a missed parent notification.</summary>
    public static readonly TimeSpan IdentityCheckInterval = TimeSpan.FromSeconds(1);

    private readonly IPolicySource _source;
    private readonly PolicySetState _state;
    private readonly RulesMetrics _metrics;
    private readonly ReloadOptions _options;
    private readonly string[] _credentialVariables;
    private readonly int _waiverReviewDays;
    private readonly PolicySetFactory _compiler;
    private readonly TimeProvider _time;
    private readonly ILogger<PolicyReloadService> _logger;
    private readonly SemaphoreSlim _reloadRequested = new(0, 1);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _watchLock = new();

    private List<FileSystemWatcher> _folderWatchers = [];
    private List<FileSystemWatcher> _parentWatchers = [];
    private Dictionary<string, string?> _identities = new(StringComparer.Ordinal);
    private ITimer? _identityTimer;
    private CancellationTokenSource? _polling;
    private PosixSignalRegistration? _sighup;
    private int _abandonedRunning;
    private bool _disposed;

    public PolicyReloadService(IPolicySource source, PolicySetState state, RulesMetrics metrics, IOptions<RulesHostOptions> options,
        PolicySetFactory compiler, TimeProvider time, ILogger<PolicyReloadService> logger)
    {
        _source = source;
        _state = state;
        _metrics = metrics;
        _options = options.Value.Reload;
        _waiverReviewDays = options.Value.Waivers.ExpiringWithinDays;
        var dataWorks = options.Value.DataWorks;
        _credentialVariables = dataWorks.CredentialVariables();
        _compiler = compiler;
        _time = time;
        _logger = logger;
    }

    /// <summary>Abandoned reloads whose work has not ended yet (it was cancelled, but a step may not look at its token).</summary>
    public int AbandonedReloadsRunning => Volatile.Read(ref _abandonedRunning);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // SIGHUP means "reload", not "terminate", from the first moment: registered here, before the first load, not in
        // ExecuteAsync, which runs on the pool once the start is over. The host answered /readyz before that ran, and a
        // SIGHUP in between took the process's default action (a test sending it after /readyz saw no reload, under load).
        _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            RequestReload();
        });

        // Watch before the first load, so that no change between the load and the watch is missed.
        if (_options.Watch)
        {
            lock (_watchLock)
            {
                _identities = CurrentIdentities();
                _parentWatchers = CreateParentWatchers();
                _folderWatchers = CreateFolderWatchers();
                _polling = _folderWatchers.Count == 0 ? StartPolling() : null;
            }

            _identityTimer = _time.CreateTimer(_ => CheckIdentity(), null, IdentityCheckInterval, IdentityCheckInterval);
        }

        // The first load happens before the server accepts requests, so a broken set fails the start.
        if (!await ReloadAsync(initial: true, cancellationToken))
        {
            throw new InvalidOperationException(
                $"the policies in '{string.Join(", ", _source.WatchedFolders)}' are invalid; fix the errors logged above ('oer validate {string.Join(" ", _source.WatchedFolders)}' lists them too).");
        }

        await base.StartAsync(cancellationToken);
    }

    /// <summary>Asks for a reload (coalesced with any pending request).</summary>
    public void RequestReload()
    {
        try
        {
            _reloadRequested.Release();
        }
        catch (SemaphoreFullException)
        {
            // A reload is already pending; it will see this change too.
        }
        catch (ObjectDisposedException)
        {
            // A notification that arrives while the host stops.
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _reloadRequested.WaitAsync(stoppingToken);

                // Fold the burst of events an editor or a git checkout produces into one reload.
                await Task.Delay(TimeSpan.FromMilliseconds(_options.DebounceMilliseconds), _time, stoppingToken);
                while (_reloadRequested.Wait(0, CancellationToken.None))
                {
                }

                await ReloadAsync(initial: false, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // ReloadAsync reports every failure itself; this is the last net, so that no exception can ever end the
                // service (a BackgroundService that throws stops the whole host).
                Fail(null, [LoadFault.ToDiagnostic(ex, FolderLocation(), "reloading the policies")], "the reload failed unexpectedly");
            }
        }
    }

    public override void Dispose()
    {
        lock (_watchLock)
        {
            _disposed = true;
            _sighup?.Dispose();
            _identityTimer?.Dispose();
            _polling?.Cancel();
            _polling?.Dispose();
            DisposeAll(_folderWatchers);
            DisposeAll(_parentWatchers);
        }

        base.Dispose();
    }

    /// <summary>
    /// Loads, validates and compiles the source; swaps it in when valid. Returns whether it was. Never throws but for
    /// <paramref name="cancellationToken"/>: every failure is reported on /policies, in the log and in the metrics.
    /// </summary>
    public async Task<bool> ReloadAsync(bool initial, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            RefreshWatchers();
            if (await LoadWithinBudgetAsync(cancellationToken) is not { } outcome)
            {
                Fail(null, [new Diagnostic(DiagnosticIds.ReloadTimedOut, DiagnosticSeverity.Error, FolderLocation(),
                        $"the reload took longer than {_options.TimeoutSeconds} s and was abandoned",
                        "find what makes loading slow (a C# condition that takes long to compile, a very large folder); the next change or SIGHUP reloads again; raise OpenEventRules:Reload:TimeoutSeconds if the set is just big")],
                    $"the reload took longer than {_options.TimeoutSeconds} s and was abandoned", abandoned: true);
                return false;
            }

            if (outcome.Compiled is not { } compiled)
            {
                Fail(outcome.Snapshot?.Revision, outcome.Diagnostics, $"{outcome.Diagnostics.Count(d => d.IsError)} error(s) in the policy set");
                return false;
            }

            Serve(compiled, outcome.Snapshot!, initial);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The load, on its own task with its own cancellation, so that it can be abandoned: null when Reload:TimeoutSeconds
    /// passed first (the lock is released then, whether or not the work notices its token).
    /// </summary>
    private async Task<LoadOutcome?> LoadWithinBudgetAsync(CancellationToken cancellationToken)
    {
        var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var work = Task.Run(() => LoadAsync(budget.Token), CancellationToken.None);
        var timeout = TimeSpan.FromSeconds(_options.TimeoutSeconds);
        using (var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            await Task.WhenAny(work, Task.Delay(timeout, _time, timer.Token));
            await timer.CancelAsync();
        }

        if (!work.IsCompleted)
        {
            // Not awaited: a cancellation callback of the abandoned work must not hold this reload either.
            _ = budget.CancelAsync();
            Abandon(work, budget);
            cancellationToken.ThrowIfCancellationRequested();
            return null;
        }

        budget.Dispose();
        return await work;
    }

    /// <summary>Swaps the compiled set in and says so: metrics, the unset variables it names, the log line.</summary>
    private void Serve(CompiledPolicySet compiled, PolicySnapshot snapshot, bool initial)
    {
        LogDiagnostics(snapshot.Diagnostics);
        _state.Swap(new LoadedPolicySet(compiled, snapshot, _time.GetUtcNow()));
        _metrics.ReloadSucceeded(snapshot.Set.Policies.Length);
        // What the set's environment and clock say: unset variables, and waivers that end soon or have ended (an ended
        // waiver no longer applies; it is named so that somebody removes or renews it).
        foreach (var warning in EnvironmentVariableCheck.Check(snapshot.Set).Concat(WaiverReview.Review(snapshot.Set, _time.GetUtcNow(), _waiverReviewDays)))
        {
            LogDiagnosticWarning(_logger, warning.ToString(), " (hint: " + warning.Hint + ")");
        }

        if (_logger.IsEnabled(LogLevel.Information))
        {
            LogLoaded(_logger, initial ? "Loaded" : "Reloaded", Count(snapshot.Set.Policies.Length, "policy", "policies"), Count(snapshot.Files.Length, "file", "files"),
                string.Join(", ", _source.WatchedFolders), snapshot.Revision);
        }
    }

    /// <summary>A first load that fails means the host does not start: there is no previous set to keep serving.</summary>
    private void LogRejected(bool initial, int errors)
    {
        if (initial)
        {
            LogInitialLoadRejected(_logger, errors);
        }
        else
        {
            LogReloadRejected(_logger, errors, _state.Current?.Revision ?? "none");
        }
    }

    private static string Count(int count, string one, string many) => $"{count} {(count == 1 ? one : many)}";

    /// <summary>What one load produced: a compiled set, or the diagnostics that refuse it. Never throws but for <paramref name="cancellationToken"/>.</summary>
    private async Task<LoadOutcome> LoadAsync(CancellationToken cancellationToken)
    {
        PolicySnapshot snapshot;
        try
        {
            snapshot = await _source.LoadAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new LoadOutcome(null, null, [new Diagnostic(DiagnosticIds.UnreadablePath, DiagnosticSeverity.Error, FolderLocation(),
                TextExcerpt.Of(ex.Message, LoadFault.MaxMessageExcerpt), "check that the policy folder exists and is readable")]);
        }
        catch (Exception ex) when (LoadFault.IsFault(ex, cancellationToken))
        {
            return new LoadOutcome(null, null, [LoadFault.ToDiagnostic(ex, FolderLocation(), "loading the policies")]);
        }

        snapshot = WithHostChecks(snapshot);
        if (snapshot.HasErrors)
        {
            // The set is refused either way; its conditions' errors are reported with the others, in file order.
            ImmutableArray<Diagnostic> conditions;
            try
            {
                conditions = _compiler.CheckConditions(snapshot, cancellationToken);
            }
            catch (Exception ex) when (LoadFault.IsFault(ex, cancellationToken))
            {
                conditions = [LoadFault.ToDiagnostic(ex, FolderLocation(), "compiling the C# conditions")];
            }

            return new LoadOutcome(snapshot, null, [.. PolicyFolderLoader.InFileOrder([.. snapshot.Diagnostics, .. conditions], snapshot.Files)]);
        }

        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return new LoadOutcome(snapshot, _compiler.Compile(snapshot), []);
        }
        catch (PolicyCompilationException ex)
        {
            return new LoadOutcome(snapshot, null, [.. PolicyFolderLoader.InFileOrder([.. snapshot.Diagnostics, .. ex.Diagnostics], snapshot.Files)]);
        }
        catch (Exception ex) when (LoadFault.IsFault(ex, cancellationToken))
        {
            return new LoadOutcome(snapshot, null, [.. snapshot.Diagnostics, LoadFault.ToDiagnostic(ex, FolderLocation(), "compiling the policy set")]);
        }
    }

    /// <summary>
    /// What the host refuses beyond the policies' own checks: a folder without a policy file (every operation would be
    /// let through: a deleted or emptied folder, a wrong path), and a channel or target that reads one of the host's
    /// credential variables as its settings name them (OER3039 for the default names comes from the parser).
    /// </summary>
    private PolicySnapshot WithHostChecks(PolicySnapshot snapshot)
    {
        List<Diagnostic> refused = [.. EnvironmentVariableCheck.CheckCredentials(snapshot.Set, _credentialVariables)];
        if (snapshot.Files.IsEmpty)
        {
            refused.Add(new Diagnostic(DiagnosticIds.NoPolicyFiles, DiagnosticSeverity.Error, FolderLocation(),
                "the policy folder holds no policy files (*.yaml, *.yml): with no policy the host would let every operation through",
                "put the policy files back, or point OpenEventRules:PoliciesPath (oer serve --policies) at the folder that holds them"));
        }

        return refused.Count == 0 ? snapshot : snapshot with { Diagnostics = [.. snapshot.Diagnostics, .. refused] };
    }

    /// <summary>The abandoned work may still finish: what it built is released, and its outcome never swapped in.</summary>
    private void Abandon(Task<LoadOutcome> work, CancellationTokenSource budget)
    {
        Interlocked.Increment(ref _abandonedRunning);
        _ = work.ContinueWith(task =>
        {
            Interlocked.Decrement(ref _abandonedRunning);
            budget.Dispose();
            if (task.IsCompletedSuccessfully)
            {
#pragma warning disable RS0030 // a continuation of a completed task: Result does not block here
                task.Result.Compiled?.Dispose();
#pragma warning restore RS0030
            }
            else
            {
                _ = task.Exception; // observed: the work was cancelled on purpose
            }

            LogAbandonedEnded(_logger);
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void Fail(string? revision, ImmutableArray<Diagnostic> diagnostics, string reason, bool abandoned = false)
    {
        LogDiagnostics(diagnostics);

        var serving = _state.Current?.Revision ?? "none";
        var consequence = _state.Current is null ? "no policy set is served" : $"the previous set (revision {serving}) keeps serving";
        _state.Fail(new ReloadFailure(_time.GetUtcNow(), revision ?? "", diagnostics, $"{reason}; {consequence}"));
        if (abandoned)
        {
            _metrics.ReloadAbandoned();
            LogReloadAbandoned(_logger, _options.TimeoutSeconds, serving);
        }
        else
        {
            _metrics.ReloadFailed();
            LogRejected(initial: _state.Current is null, diagnostics.Count(d => d.IsError));
        }
    }

    private void LogDiagnostics(IEnumerable<Diagnostic> diagnostics)
    {
        foreach (var diagnostic in diagnostics)
        {
            var hint = diagnostic.Hint is null ? "" : " (hint: " + diagnostic.Hint + ")";
            if (diagnostic.IsError)
            {
                LogDiagnosticError(_logger, diagnostic.ToString(), hint);
            }
            else
            {
                LogDiagnosticWarning(_logger, diagnostic.ToString(), hint);
            }
        }
    }

    private SourceLocation FolderLocation() => new(string.Join(", ", _source.WatchedFolders), 0, 0);

    /// <summary>The backstop for a replaced folder whose parent notification was missed (or could not be watched).</summary>
    private void CheckIdentity()
    {
        try
        {
            Dictionary<string, string?> watched;
            lock (_watchLock)
            {
                watched = _identities;
            }

            foreach (var (folder, identity) in watched)
            {
                if (FileProbe.Identity(folder) != identity)
                {
                    RequestReload();
                    return;
                }
            }
        }
        catch (Exception ex)
        {
            LogIdentityCheckFailed(_logger, ex.Message);
        }
    }

    /// <summary>
    /// The folder is read by path at every reload, so a replaced folder is read as it is now; its watchers, though, are
    /// on the directory they were created on: when the path designates another directory now, they are made again.
    /// </summary>
    private void RefreshWatchers()
    {
        if (!_options.Watch)
        {
            return;
        }

        lock (_watchLock)
        {
            var current = CurrentIdentities();
            if (_disposed || current.All(pair => _identities.GetValueOrDefault(pair.Key) == pair.Value))
            {
                return;
            }

            if (_logger.IsEnabled(LogLevel.Information))
            {
                LogFolderReplaced(_logger, string.Join(", ", current.Select(pair => $"{pair.Key} -> {pair.Value?.Split('|')[0] ?? "(missing)"}")));
            }

            _identities = current;
            DisposeAll(_folderWatchers);
            _polling?.Cancel();
            _polling?.Dispose();
            _folderWatchers = CreateFolderWatchers();
            _polling = _folderWatchers.Count == 0 ? StartPolling() : null;
        }
    }

    // A missing folder is kept (with no identity), so that its return is noticed too; a single policy file has none.
    private Dictionary<string, string?> CurrentIdentities() =>
        _source.WatchedFolders.Where(f => !File.Exists(f)).Distinct(StringComparer.Ordinal).ToDictionary(f => f, FileProbe.Identity, StringComparer.Ordinal);

    private List<FileSystemWatcher> CreateFolderWatchers() => CreateWatchers(AddFolderWatchers);

    private List<FileSystemWatcher> CreateParentWatchers() => CreateWatchers(AddParentWatchers);

    private List<FileSystemWatcher> CreateWatchers(Action<List<FileSystemWatcher>> add)
    {
        var watchers = new List<FileSystemWatcher>();
        try
        {
            add(watchers);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // Typically the inotify instance limit; polling (and the identity check) keeps hot reload working.
            LogWatcherUnavailable(_logger, ex.Message);
            DisposeAll(watchers);
            watchers.Clear();
        }

        return watchers;
    }

    /// <summary>Without file notifications, a fingerprint of names, sizes and times is compared every two seconds.</summary>
    private CancellationTokenSource StartPolling()
    {
        var cancellation = new CancellationTokenSource();
        var token = cancellation.Token;
        _ = Task.Run(async () =>
        {
            var last = Fingerprint();
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2), _time);
            while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false))
            {
                var current = Fingerprint();
                if (current != last)
                {
                    last = current;
                    RequestReload();
                }
            }
        }, token).ContinueWith(_ => { }, TaskScheduler.Default);
        return cancellation;
    }

    private string Fingerprint()
    {
        var text = new System.Text.StringBuilder();
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = true,
            AttributesToSkip = FileAttributes.ReparsePoint, // a link loop must not make the enumeration endless
        };
        foreach (var folder in _source.WatchedFolders)
        {
            try
            {
                var files = Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*", options) : File.Exists(folder) ? [folder] : [];
                foreach (var file in files.Order(StringComparer.Ordinal))
                {
                    var info = new FileInfo(file);
                    text.Append(file).Append('|').Append(info.Length).Append('|').Append(info.LastWriteTimeUtc.Ticks).Append('\n');
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                text.Append(folder).Append("|unreadable\n");
            }
        }

        return text.ToString();
    }

    private void AddFolderWatchers(List<FileSystemWatcher> watchers)
    {
        foreach (var folder in _source.WatchedFolders)
        {
            // A single policy file is watched through its folder; a folder that is missing (mid-swap) is not watched at
            // all: its parent's watcher and the identity check notice when it is back.
            var directory = Directory.Exists(folder) ? folder : File.Exists(folder) ? Path.GetDirectoryName(Path.GetFullPath(folder)) : null;
            if (directory is null || !Directory.Exists(directory))
            {
                continue;
            }

            var watcher = new FileSystemWatcher(directory)
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
            };
            FileSystemEventHandler changed = (_, _) => RequestReload();
            watcher.Changed += changed;
            watcher.Created += changed;
            watcher.Deleted += changed;
            watcher.Renamed += (_, _) => RequestReload();
            watcher.Error += (_, _) => RequestReload();
            watcher.EnableRaisingEvents = true;
            watchers.Add(watcher);
        }
    }

    /// <summary>
    /// The folder's parent, not recursively: a folder replaced by rename (mv new policies) or a release link swapped
    /// (ln -sfn releases/43 policies) shows there, never in the old folder's own watcher.
    /// </summary>
    private void AddParentWatchers(List<FileSystemWatcher> watchers)
    {
        foreach (var folder in _source.WatchedFolders)
        {
            if (File.Exists(folder))
            {
                continue; // a single policy file: its folder is watched already
            }

            var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
            var name = Path.GetFileName(full);
            var parent = Path.GetDirectoryName(full);
            if (parent is null || name.Length == 0)
            {
                continue;
            }

            var watcher = new FileSystemWatcher(parent)
            {
                IncludeSubdirectories = false,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName,
            };
            FileSystemEventHandler changed = (_, e) =>
            {
                if (string.Equals(e.Name, name, StringComparison.Ordinal))
                {
                    RequestReload();
                }
            };
            watcher.Created += changed;
            watcher.Deleted += changed;
            watcher.Renamed += (_, e) =>
            {
                if (string.Equals(e.Name, name, StringComparison.Ordinal) || string.Equals(e.OldName, name, StringComparison.Ordinal))
                {
                    RequestReload();
                }
            };
            watcher.Error += (_, _) => RequestReload();
            watcher.EnableRaisingEvents = true;
            watchers.Add(watcher);
        }
    }

    private static void DisposeAll(List<FileSystemWatcher> watchers)
    {
        foreach (var watcher in watchers)
        {
            watcher.Dispose();
        }
    }

    /// <summary>A compiled set with its snapshot, or no set and every diagnostic to report (the snapshot's warnings included).</summary>
    private sealed record LoadOutcome(PolicySnapshot? Snapshot, CompiledPolicySet? Compiled, ImmutableArray<Diagnostic> Diagnostics);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The policy folder cannot be watched ({Reason}); polling it every 2 seconds instead")]
    private static partial void LogWatcherUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Verb} {Policies} from {Files} in {Folder} (revision {Revision})")]
    private static partial void LogLoaded(ILogger logger, string verb, string policies, string files, string folder, string revision);

    [LoggerMessage(Level = LogLevel.Error, Message = "The policy set has {Errors} error(s); nothing is served")]
    private static partial void LogInitialLoadRejected(ILogger logger, int errors);

    [LoggerMessage(Level = LogLevel.Error, Message = "Policy reload rejected with {Errors} error(s); revision {Revision} keeps serving")]
    private static partial void LogReloadRejected(ILogger logger, int errors, string revision);

    [LoggerMessage(Level = LogLevel.Error, Message = "Policy reload abandoned after {Seconds} s (OpenEventRules:Reload:TimeoutSeconds); revision {Revision} keeps serving, the next change or SIGHUP reloads")]
    private static partial void LogReloadAbandoned(ILogger logger, int seconds, string revision);

    [LoggerMessage(Level = LogLevel.Information, Message = "An abandoned policy reload has ended; what it built was discarded")]
    private static partial void LogAbandonedEnded(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "The policy folder was replaced ({Folders}); watching the new one")]
    private static partial void LogFolderReplaced(ILogger logger, string folders);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking whether the policy folder was replaced failed: {Reason}")]
    private static partial void LogIdentityCheckFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Diagnostic}{Hint}")]
    private static partial void LogDiagnosticError(ILogger logger, string diagnostic, string hint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Diagnostic}{Hint}")]
    private static partial void LogDiagnosticWarning(ILogger logger, string diagnostic, string hint);
}
