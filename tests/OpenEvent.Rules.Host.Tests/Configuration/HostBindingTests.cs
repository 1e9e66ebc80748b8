using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Options;
using OpenEvent.Rules.Host;

namespace OpenEvent.Rules.Host.Tests.Configuration;

/// <summary>
/// Without a token the host must not be reachable from the network, whichever way its addresses are configured.
/// Each case starts the host executable as its own process (environment variables are per process) and reads the
/// sockets that process listens on from /proc, then tries to connect through a non-loopback address of this machine.
/// </summary>
public sealed class HostBindingTests
{
    private const string Token = "binding-token-0123456789abcdef";

    public static TheoryData<string, string[], string[], string?> LoopbackSources() => new()
    {
        { "--urls", ["--urls", "http://0.0.0.0:0"], [], null },
        { "--Kestrel:Endpoints", ["--Kestrel:Endpoints:e:Url", "http://0.0.0.0:0"], [], null },
        { "Kestrel__Endpoints", [], ["Kestrel__Endpoints__e__Url=http://0.0.0.0:0"], null },
        { "ASPNETCORE_Kestrel__Endpoints", [], ["ASPNETCORE_Kestrel__Endpoints__e__Url=http://[::]:0"], null },
        { "ASPNETCORE_URLS", [], ["ASPNETCORE_URLS=http://*:0"], null },
        { "DOTNET_URLS", [], ["DOTNET_URLS=http://+:0"], null },
        { "appsettings.json", [], [], """{"Kestrel":{"Endpoints":{"a":{"Url":"http://0.0.0.0:0"},"b":{"Url":"http://[::]:0"}}}}""" },
    };

    [Theory]
    [MemberData(nameof(LoopbackSources))]
    public async Task NoToken_EveryAddressSource_ListensOnLoopbackOnly(string source, string[] arguments, string[] environment, string? appSettings)
    {
        await using var host = await HostProcess.StartAsync(arguments, environment, appSettings);

        Assert.True(host.Started, $"{source}: the host did not start: {host.Output}");
        var sockets = host.ListeningSockets();
        Assert.NotEmpty(sockets);
        Assert.All(sockets, s => Assert.True(IPAddress.IsLoopback(s.Address), $"{source}: listening on {s}"));
        await AssertUnreachableFromTheNetworkAsync(sockets);
        using var client = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"http://127.0.0.1:{sockets[0].Port}/healthz")).StatusCode);
        Assert.Contains("listening on loopback only", host.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ASPNETCORE_HTTP_PORTS")]
    [InlineData("DOTNET_HTTP_PORTS")]
    public async Task NoToken_HttpPorts_ListensOnThatPortOnLoopbackOnly(string variable)
    {
        var port = FreePort();
        await using var host = await HostProcess.StartAsync([], [$"{variable}={port}"], null);

        Assert.True(host.Started, host.Output);
        var socket = Assert.Single(host.ListeningSockets());
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, port), socket);
        await AssertUnreachableFromTheNetworkAsync([socket]);
    }

    [Fact]
    public async Task WithToken_HttpPorts_ListensOnEveryInterface()
    {
        var port = FreePort();
        await using var host = await HostProcess.StartAsync([], [$"ASPNETCORE_HTTP_PORTS={port}", $"OpenEventRules__Auth__Token={Token}"], null);

        Assert.True(host.Started, host.Output);
        var socket = Assert.Single(host.ListeningSockets());
        Assert.Equal(port, socket.Port);
        Assert.True(socket.Address.Equals(IPAddress.Any) || socket.Address.Equals(IPAddress.IPv6Any), $"listening on {socket}");
    }

    [Fact]
    public void NoToken_EndpointAddedInCode_HostIsRefusedBeforeBinding()
    {
        // Kestrel applies the endpoint defaults when the endpoint is declared, so the host is refused as it is built
        // (oer serve and the host executable print the message and exit 1).
        var error = Assert.Throws<InvalidOperationException>(() => RulesHost.Build(
            ["--urls", "http://127.0.0.1:0", "--OpenEventRules:PoliciesPath", RunningHost.FixturePolicies],
            builder => builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenAnyIP(0))));

        Assert.Equal("no token is configured (OpenEventRules:Auth:Token), so the host listens on loopback only, but [::]:0 is not a loopback address: "
            + "set a token to accept events from the network, or listen on 127.0.0.1", error.Message);
    }

    [Fact]
    public async Task NoToken_EndpointThatBypassesTheBindHook_StartIsRefusedOnceBound()
    {
        // Code that replaces Kestrel's endpoint defaults removes the hook that checks endpoints before they bind; the
        // addresses the server reports once bound are checked too.
        var app = RulesHost.Build(["--urls", "http://127.0.0.1:0", "--OpenEventRules:PoliciesPath", RunningHost.FixturePolicies],
            builder => builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.ConfigureEndpointDefaults(_ => { });
                kestrel.ListenAnyIP(0);
            }));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());

        Assert.Matches(@"^no token is configured \(OpenEventRules:Auth:Token\), so the host listens on loopback only, but http://\[::\]:\d+ is not a loopback address", error.Message);
        await app.DisposeAsync();
    }

    // A port past 65535 ended the start in an unhandled exception; one that is not a number was read as part of the
    // host, and the host listened on port 80. With a token (no loopback rewrite) and without, and in a Kestrel endpoint.
    [Theory]
    [InlineData("urls", "http://127.0.0.1:99999", false)]
    [InlineData("urls", "http://127.0.0.1:abc", false)]
    [InlineData("urls", "http://127.0.0.1:-1", false)]
    [InlineData("urls", "http://[::1]:abc", false)]
    [InlineData("urls", "http://0.0.0.0:70000", true)]
    [InlineData("Kestrel:Endpoints:Api:Url", "http://127.0.0.1:65536", false)]
    [InlineData("Kestrel:Endpoints:Api:Url", "http://0.0.0.0:8o80", true)]
    public async Task RunAsync_AddressWithoutAValidPort_OneLineNamingItExit2(string key, string url, bool token)
    {
        using var errors = new StringWriter();
        string[] settings = ["--OpenEventRules:PoliciesPath", RunningHost.FixturePolicies, .. key == "urls" ? [] : (string[])["--urls", "http://127.0.0.1:0"], "--" + key, url];

        var exitCode = await RulesHost.RunAsync(token ? [.. settings, "--OpenEventRules:Auth:Token", Token] : settings, errors);

        Assert.Equal(2, exitCode);
        Assert.Equal(
            $"oer serve: invalid setting: {key} '{url}' has no valid port: write it like http://127.0.0.1:8080, with a port from 0 to 65535 (0: any free port) and an IPv6 address in brackets (http://[::1]:8080).",
            errors.ToString().Trim());
    }

    [Theory]
    [InlineData("                ", "OpenEventRules:Auth:Token is blank (only whitespace): no request could carry it. Set a long random token (e.g. openssl rand -hex 32), or remove it to listen on loopback only.")]
    [InlineData("\t \t \t \t \t \t \t \t ", "OpenEventRules:Auth:Token is blank (only whitespace): no request could carry it. Set a long random token (e.g. openssl rand -hex 32), or remove it to listen on loopback only.")]
    [InlineData(" 0123456789abcdef0123 ", "OpenEventRules:Auth:Token contains whitespace, control or non-ASCII characters, which no HTTP header can carry: use a long random token of visible ASCII characters (e.g. openssl rand -hex 32).")]
    [InlineData("0123456789abcdéf0123", "OpenEventRules:Auth:Token contains whitespace, control or non-ASCII characters, which no HTTP header can carry: use a long random token of visible ASCII characters (e.g. openssl rand -hex 32).")]
    [InlineData("short", "OpenEventRules:Auth:Token is shorter than 16 characters: use a long random token (e.g. openssl rand -hex 32).")]
    public async Task Start_TokenNoRequestCouldCarry_IsRefused(string token, string expected)
    {
        var app = RulesHost.Build(["--urls", "http://127.0.0.1:0", "--OpenEventRules:PoliciesPath", RunningHost.FixturePolicies, "--OpenEventRules:Auth:Token", token]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Equal([expected], error.Failures);
        await app.DisposeAsync();
    }

    [Fact]
    public async Task Start_BlankTokenFromTheEnvironment_ProcessExitsWithTheReason()
    {
        await using var host = await HostProcess.StartAsync([], ["OpenEventRules__Auth__Token=                "], null);

        Assert.False(host.Started);
        Assert.Equal(2, host.ExitCode);
        Assert.Contains("oer serve: invalid setting: OpenEventRules:Auth:Token is blank (only whitespace)", host.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("No token is configured", host.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_MalformedAppSettings_ProcessExitsWithOneLineNamingTheFile()
    {
        // .NET's own report was an unhandled InvalidDataException and a stack trace (exit 134).
        await using var host = await HostProcess.StartAsync([], [], """{"OpenEventRules":{""");

        Assert.False(host.Started);
        Assert.Equal(2, host.ExitCode);
        Assert.Contains("oer serve: invalid setting: Failed to load configuration from file", host.Output, StringComparison.Ordinal);
        Assert.Contains("appsettings.json", host.Output, StringComparison.Ordinal);
        Assert.Contains("LineNumber: 0 | BytePositionInLine: 19", host.Output, StringComparison.Ordinal); // where the JSON breaks
        Assert.DoesNotContain("   at ", host.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("OpenEventRule__Auth__Token=0123456789abcdef0123", "unknown setting OpenEventRule:Auth:Token (environment variable OpenEventRule__Auth__Token): did you mean OpenEventRules:Auth:Token?")]
    [InlineData("OpenEventRules_Auth_Token=0123456789abcdef0123", "unknown setting OpenEventRules_Auth_Token (environment variable OpenEventRules_Auth_Token): did you mean OpenEventRules:Auth:Token?")]
    public async Task Start_SettingWithAMisspeltSection_IsRefusedNamingTheSettingMeant(string variable, string expected)
    {
        // Ignored before: the host started without the token, saying only that none was configured.
        await using var host = await HostProcess.StartAsync([], [variable], null);

        Assert.False(host.Started);
        Assert.Equal(2, host.ExitCode);
        Assert.Contains("oer serve: " + expected, host.Output, StringComparison.Ordinal);
    }

    /// <summary>Connecting through a non-loopback address of this machine must be refused (skipped when it has none).</summary>
    private static async Task AssertUnreachableFromTheNetworkAsync(IEnumerable<IPEndPoint> sockets)
    {
        var external = NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus == OperationalStatus.Up && i.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        if (external is null)
        {
            return;
        }

        foreach (var socket in sockets)
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var error = await Assert.ThrowsAnyAsync<SocketException>(async () => await client.ConnectAsync(external, socket.Port, timeout.Token));
            Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The host executable in its own process, in its own working directory (where an appsettings.json is read).</summary>
    private sealed class HostProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly TempFolder _folder;
        private readonly ConcurrentQueue<string> _output;

        private HostProcess(Process process, TempFolder folder, ConcurrentQueue<string> output, bool started)
        {
            _process = process;
            _folder = folder;
            _output = output;
            Started = started;
        }

        public bool Started { get; }

        public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

        public string Output => string.Join('\n', _output);

        public static async Task<HostProcess> StartAsync(string[] arguments, string[] environment, string? appSettings)
        {
            var folder = new TempFolder();
            if (appSettings is not null)
            {
                folder.Write("appsettings.json", appSettings);
            }

            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = folder.Root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)
                || k.StartsWith("Kestrel__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("OpenEventRules__", StringComparison.OrdinalIgnoreCase)
                || k is "DOTNET_URLS" or "DOTNET_HTTP_PORTS" or "DOTNET_HTTPS_PORTS").ToList())
            {
                start.Environment.Remove(name);
            }

            foreach (var pair in environment)
            {
                var (name, value) = (pair[..pair.IndexOf('=', StringComparison.Ordinal)], pair[(pair.IndexOf('=', StringComparison.Ordinal) + 1)..]);
                start.Environment[name] = value;
            }

            foreach (var argument in (string[])[
                Path.Combine(AppContext.BaseDirectory, "OpenEvent.Rules.Host.dll"),
                "--OpenEventRules:PoliciesPath", RunningHost.FixturePolicies,
                "--OpenEventRules:Reload:Watch", "false",
                "--OpenEventRules:DecisionLog:Path", folder.Path("decisions.jsonl"),
                "--OpenEventRules:Outbox:Path", folder.Path("outbox.db"),
                .. arguments,
            ])
            {
                start.ArgumentList.Add(argument);
            }

            var output = new ConcurrentQueue<string>();
            var process = new Process { StartInfo = start };
            process.OutputDataReceived += (_, e) => Record(output, e.Data);
            process.ErrorDataReceived += (_, e) => Record(output, e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var started = false;
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline)
            {
                if (output.Any(line => line.Contains("Application started", StringComparison.Ordinal)))
                {
                    started = true;
                    break;
                }

                if (process.HasExited)
                {
                    await process.WaitForExitAsync();
                    break;
                }

                await Task.Delay(50);
            }

            return new HostProcess(process, folder, output, started);
        }

        private static void Record(ConcurrentQueue<string> output, string? line)
        {
            if (line is not null)
            {
                output.Enqueue(line);
            }
        }

        /// <summary>The TCP sockets this process listens on: its socket inodes (/proc/PID/fd) looked up in /proc/PID/net/tcp and tcp6.</summary>
        public IReadOnlyList<IPEndPoint> ListeningSockets()
        {
            var inodes = new HashSet<string>(StringComparer.Ordinal);
            foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{_process.Id}/fd"))
            {
                try
                {
                    if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal))
                    {
                        inodes.Add(target[8..^1]);
                    }
                }
                catch (IOException)
                {
                }
            }

            var sockets = new List<IPEndPoint>();
            foreach (var table in new[] { "tcp", "tcp6" })
            {
                foreach (var line in File.ReadLines($"/proc/{_process.Id}/net/{table}").Skip(1))
                {
                    var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    const string listen = "0A";
                    if (fields.Length < 10 || fields[3] != listen || !inodes.Contains(fields[9]))
                    {
                        continue;
                    }

                    var local = fields[1].Split(':');
                    // The address is printed as 32-bit words in host (little-endian) order.
                    var bytes = Convert.FromHexString(local[0]);
                    for (var word = 0; word < bytes.Length; word += 4)
                    {
                        Array.Reverse(bytes, word, 4);
                    }

                    sockets.Add(new IPEndPoint(new IPAddress(bytes), Convert.ToInt32(local[1], 16)));
                }
            }

            return sockets;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
            _folder.Dispose();
        }
    }
}
