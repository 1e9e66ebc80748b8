using BenchmarkDotNet.Running;

namespace OpenEvent.Rules.Bench;

internal static class Program
{
    /// <summary>
    /// <c>scan [events]</c> the matcher over a large event stream against a bare JSON pass;
    /// <c>host [policies] [Full|Normal]</c> compares the host path (bytes in to actions stored) with a minimal endpoint;
    /// <c>compile [policies]</c> times a policy folder's load and compile stage by stage;
    /// <c>load [policies...]</c> runs the HTTP load benchmark of the host; <c>broker [policies]</c> the end-to-end
    /// comparison of HTTP ingest on SQLite with 1 and 2 hosts on a RabbitMQ broker; anything else goes to BenchmarkDotNet
    /// (e.g. <c>--filter '*'</c>).
    /// </summary>
    private static Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "load")
        {
            return LoadBenchmark.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "scan")
        {
            return ScanBenchmark.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "host")
        {
            return HostBenchmark.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "compile")
        {
            return CompileBenchmark.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "broker")
        {
            return BrokerBenchmark.RunAsync(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return Task.FromResult(0);
    }
}
