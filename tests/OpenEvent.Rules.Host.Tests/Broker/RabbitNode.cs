using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using RabbitMQ.Client;

namespace OpenEvent.Rules.Host.Tests.Broker;

/// <summary>
/// A private RabbitMQ node (Debian's rabbitmq-server) for the tests of one collection: its own node name, free loopback
/// ports (AMQP, distribution, a private epmd), its own data, log and cookie folder, run as the rabbitmq user when the
/// tests run as root. Started once per collection (a start takes seconds), stopped and deleted on dispose; a test can
/// stop it and start it again (same data) to take the broker away. Also linked into the benchmark, which starts its own.
/// </summary>
public sealed class RabbitNode : IAsyncDisposable
{
    private const string ServerScript = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    private const string CtlScript = "/usr/lib/rabbitmq/bin/rabbitmqctl";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "oer-rabbit-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly string _node = $"oer-test-{Guid.NewGuid().ToString("N")[..8]}@localhost";
    private readonly int _distPort = FreePort();
    private readonly int _epmdPort = FreePort();
    private readonly List<string> _output = [];
    private Process? _server;

    public int Port { get; } = FreePort();

    /// <summary>amqp://127.0.0.1:port (the guest user may connect from loopback).</summary>
    public string Uri => $"amqp://127.0.0.1:{Port}";

    private static bool IsRoot => Environment.UserName == "root";

    /// <summary>Prepares the folders and starts the node.</summary>
    public async Task InitializeAsync()
    {
        if (!File.Exists(ServerScript))
        {
            throw new InvalidOperationException($"RabbitMQ is not installed ({ServerScript} is missing): apt-get install -y rabbitmq-server (.ci/run does it)");
        }

        foreach (var folder in new[] { "mnesia", "log", "home" })
        {
            Directory.CreateDirectory(Path.Combine(_root, folder));
        }

        var cookie = Path.Combine(_root, "home", ".erlang.cookie");
        await File.WriteAllTextAsync(cookie, "OERTEST" + Guid.NewGuid().ToString("N").ToUpperInvariant());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(cookie, UnixFileMode.UserRead);
        }
        await File.WriteAllTextAsync(Path.Combine(_root, "rabbitmq.conf"), "loopback_users.guest = true\n");
        await File.WriteAllTextAsync(Path.Combine(_root, "enabled_plugins"), "[].\n");
        if (IsRoot)
        {
            await RunAsync("chown", ["-R", "rabbitmq:rabbitmq", _root], TimeSpan.FromSeconds(10));
        }

        await StartAsync();
    }

    /// <summary>Starts the node (again) on the same ports and data, and waits until it takes connections.</summary>
    public async Task StartAsync()
    {
        var start = Command(ServerScript, []);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        _server = Process.Start(start)!;
        _server.OutputDataReceived += (_, e) => Keep(e.Data);
        _server.ErrorDataReceived += (_, e) => Keep(e.Data);
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        var started = Stopwatch.StartNew();
        while (true)
        {
            if (_server.HasExited)
            {
                throw new InvalidOperationException($"rabbitmq-server exited ({_server.ExitCode}) during its start: {Tail()}");
            }

            // await_startup refuses at once while the node is not registered with epmd yet: ask again.
            if (await RunAsync(CtlScript, ["-n", _node, "await_startup", "--timeout", "30"], TimeSpan.FromSeconds(40), asRabbit: true) == 0)
            {
                break;
            }

            if (started.Elapsed > TimeSpan.FromSeconds(90))
            {
                throw new InvalidOperationException($"rabbitmq node {_node} did not start within 90 s: {Tail()}");
            }

            await Task.Delay(250);
        }
    }

    /// <summary>Stops the node (the broker goes away for every client); its data stays for <see cref="StartAsync"/>.</summary>
    public async Task StopAsync()
    {
        if (_server is null)
        {
            return;
        }

        await RunAsync(CtlScript, ["-n", _node, "stop"], TimeSpan.FromSeconds(30), asRabbit: true);
        using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await _server.WaitForExitAsync(exited.Token);
        }
        catch (OperationCanceledException)
        {
            KillServer();
        }

        _server.Dispose();
        _server = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        KillServer();
        // The node started a private epmd on its own port; it outlives the node unless told to go.
        await RunAsync("epmd", ["-kill"], TimeSpan.FromSeconds(5));
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A connection for the test itself (publishing events, reading queues).</summary>
    public Task<IConnection> ConnectAsync() => new ConnectionFactory { Uri = new System.Uri(Uri) }.CreateConnectionAsync();

    /// <summary>rabbitmqctl against this node, e.g. to add a user; returns its output.</summary>
    public async Task<int> CtlAsync(params string[] arguments) => await RunAsync(CtlScript, ["-n", _node, .. arguments], TimeSpan.FromSeconds(30), asRabbit: true);

    private void KillServer()
    {
        var pidFile = Path.Combine(_root, "pid");
        if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
        {
            try
            {
                using var beam = Process.GetProcessById(pid);
                beam.Kill();
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }

        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true);
        }
    }

    private ProcessStartInfo Command(string program, IEnumerable<string> arguments, bool asRabbit = true)
    {
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = Path.Combine(_root, "home"),
            ["RABBITMQ_NODENAME"] = _node,
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RABBITMQ_DIST_PORT"] = _distPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ERL_EPMD_PORT"] = _epmdPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(_root, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(_root, "log"),
            ["RABBITMQ_FEATURE_FLAGS_FILE"] = Path.Combine(_root, "feature_flags"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(_root, "rabbitmq.conf"),
            ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(_root, "advanced.config"),
            ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(_root, "rabbitmq-env.conf"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(_root, "enabled_plugins"),
            ["RABBITMQ_PID_FILE"] = Path.Combine(_root, "pid"),
        };
        ProcessStartInfo start;
        if (asRabbit && IsRoot)
        {
            // runuser resets the environment it passes on: env sets the node's variables for the program itself.
            start = new ProcessStartInfo("runuser") { ArgumentList = { "-u", "rabbitmq", "--", "env" } };
            foreach (var (name, value) in environment)
            {
                start.ArgumentList.Add($"{name}={value}");
            }

            start.ArgumentList.Add(program);
        }
        else
        {
            start = new ProcessStartInfo(program);
            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.UseShellExecute = false;
        return start;
    }

    private async Task<int> RunAsync(string program, IEnumerable<string> arguments, TimeSpan timeout, bool asRabbit = false)
    {
        var start = Command(program, arguments, asRabbit);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return -1;
        }

        Keep(await output);
        Keep(await error);
        return process.ExitCode;
    }

    private void Keep(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
            if (_output.Count > 200)
            {
                _output.RemoveAt(0);
            }
        }
    }

    private string Tail()
    {
        lock (_output)
        {
            return string.Join('\n', _output.TakeLast(30));
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
