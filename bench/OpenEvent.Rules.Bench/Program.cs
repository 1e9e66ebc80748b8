using BenchmarkDotNet.Running;

namespace OpenEvent.Rules.Bench;

internal static class Program
{
    private static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
