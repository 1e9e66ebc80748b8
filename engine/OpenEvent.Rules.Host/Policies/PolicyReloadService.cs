using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Compilation;
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
/// </summary>
public sealed partial class PolicyReloadService : BackgroundService
{
    private readonly IPolicySource _source;
    private readonly PolicySetState _state;
    private readonly RulesMetrics _metrics;
    private readonly ReloadOptions _options;
    private readonly PolicySetFactory _compiler;
    private readonly TimeProvider _time;
    private readonly ILogger<PolicyReloadService> _logger;
    private readonly SemaphoreSlim _reloadRequested = new(0, 1);
    private readonly SemaphoreSlim _gate = new(1, 1);

    public PolicyReloadService(IPolicySource source, PolicySetState state, RulesMetrics metrics, IOptions<RulesHostOptions> options,
        PolicySetFactory compiler, TimeProvider time, ILogger<PolicyReloadService> logger)
    {
        _source = source;
        _state = state;
        _metrics = metrics;
        _options = options.Value.Reload;
        _compiler = compiler;
        _time = time;
        _logger = logger;
    }

    private List<FileSystemWatcher> _watchers = [];
    private CancellationTokenSource? _polling;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Watch before the first load, so that no change between the load and the watch is missed.
        if (_options.Watch)
        {
            _watchers = CreateWatchers();
            _polling = _watchers.Count == 0 ? StartPolling() : null;
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
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true; // SIGHUP means "reload", not "terminate".
            RequestReload();
        });
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await _reloadRequested.WaitAsync(stoppingToken);

                // Fold the burst of events an editor or a git checkout produces into one reload.
                await Task.Delay(TimeSpan.FromMilliseconds(_options.DebounceMilliseconds), _time, stoppingToken);
                while (_reloadRequested.Wait(0, CancellationToken.None))
                {
                }

                await ReloadAsync(initial: false, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override void Dispose()
    {
        _polling?.Cancel();
        _polling?.Dispose();
        foreach (var watcher in _watchers)
        {
            watcher.Dispose();
        }

        base.Dispose();
    }

    /// <summary>Loads, validates and compiles the source; swaps it in when valid. Returns whether it was.</summary>
    public async Task<bool> ReloadAsync(bool initial, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            PolicySnapshot snapshot;
            try
            {
                snapshot = await _source.LoadAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                snapshot = new PolicySnapshot(PolicySetDefinition.Empty,
                    [new Diagnostic(DiagnosticIds.UnreadablePath, DiagnosticSeverity.Error, SourceLocation.None, ex.Message)], [], "");
            }

            foreach (var diagnostic in snapshot.Diagnostics)
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

            if (snapshot.HasErrors)
            {
                var errors = snapshot.Diagnostics.Count(d => d.IsError);
                var summary = $"{errors} error(s) in the policy set; the previous set (revision {_state.Current?.Revision ?? "none"}) keeps serving";
                _state.Fail(new ReloadFailure(_time.GetUtcNow(), snapshot.Revision, snapshot.Diagnostics, summary));
                _metrics.ReloadFailed();
                LogRejected(initial, errors);
                return false;
            }

            CompiledPolicySet compiled;
            try
            {
                compiled = _compiler.Compile(snapshot);
            }
            catch (PolicyCompilationException ex)
            {
                _state.Fail(new ReloadFailure(_time.GetUtcNow(), snapshot.Revision, ex.Diagnostics, ex.Message));
                _metrics.ReloadFailed();
                LogRejected(initial, ex.Diagnostics.Length);
                return false;
            }

            _state.Swap(new LoadedPolicySet(compiled, snapshot, _time.GetUtcNow()));
            _metrics.ReloadSucceeded(snapshot.Set.Policies.Length);
            foreach (var unset in EnvironmentVariableCheck.Check(snapshot.Set))
            {
                LogDiagnosticWarning(_logger, unset.ToString(), " (hint: " + unset.Hint + ")");
            }

            LogLoaded(_logger, initial ? "Loaded" : "Reloaded", Count(snapshot.Set.Policies.Length, "policy", "policies"), Count(snapshot.Files.Length, "file", "files"),
                string.Join(", ", _source.WatchedFolders), snapshot.Revision);
            return true;
        }
        finally
        {
            _gate.Release();
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

    private List<FileSystemWatcher> CreateWatchers()
    {
        var watchers = new List<FileSystemWatcher>();
        try
        {
            AddWatchers(watchers);
        }
        catch (IOException ex)
        {
            // Typically the inotify instance limit; polling keeps hot reload working.
            LogWatcherUnavailable(_logger, ex.Message);
            foreach (var watcher in watchers)
            {
                watcher.Dispose();
            }

            watchers.Clear();
        }

        return watchers;
    }

    /// <summary>Without file notifications, a fingerprint of names, sizes and times is compared every two seconds.</summary>
    private CancellationTokenSource StartPolling()
    {
        var cancellation = new CancellationTokenSource();
        _ = Task.Run(async () =>
        {
            var last = Fingerprint();
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2), _time);
            while (await timer.WaitForNextTickAsync(cancellation.Token).ConfigureAwait(false))
            {
                var current = Fingerprint();
                if (current != last)
                {
                    last = current;
                    RequestReload();
                }
            }
        }, cancellation.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        return cancellation;
    }

    private string Fingerprint()
    {
        var text = new System.Text.StringBuilder();
        foreach (var folder in _source.WatchedFolders)
        {
            var files = Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories) : File.Exists(folder) ? [folder] : [];
            foreach (var file in files.Order(StringComparer.Ordinal))
            {
                var info = new FileInfo(file);
                text.Append(file).Append('|').Append(info.Length).Append('|').Append(info.LastWriteTimeUtc.Ticks).Append('\n');
            }
        }

        return text.ToString();
    }

    private void AddWatchers(List<FileSystemWatcher> watchers)
    {
        foreach (var folder in _source.WatchedFolders)
        {
            var directory = Directory.Exists(folder) ? folder : Path.GetDirectoryName(Path.GetFullPath(folder));
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "The policy folder cannot be watched ({Reason}); polling it every 2 seconds instead")]
    private static partial void LogWatcherUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Verb} {Policies} from {Files} in {Folder} (revision {Revision})")]
    private static partial void LogLoaded(ILogger logger, string verb, string policies, string files, string folder, string revision);

    [LoggerMessage(Level = LogLevel.Error, Message = "The policy set has {Errors} error(s); nothing is served")]
    private static partial void LogInitialLoadRejected(ILogger logger, int errors);

    [LoggerMessage(Level = LogLevel.Error, Message = "Policy reload rejected with {Errors} error(s); revision {Revision} keeps serving")]
    private static partial void LogReloadRejected(ILogger logger, int errors, string revision);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Diagnostic}{Hint}")]
    private static partial void LogDiagnosticError(ILogger logger, string diagnostic, string hint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Diagnostic}{Hint}")]
    private static partial void LogDiagnosticWarning(ILogger logger, string diagnostic, string hint);
}
