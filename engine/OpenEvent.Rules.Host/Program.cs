namespace OpenEvent.Rules.Host;

public static class Program
{
    // The executable's entry point owns the process's console; the library below it takes a writer.
#pragma warning disable RS0030
    public static Task<int> Main(string[] args) => RulesHost.RunAsync(args, Console.Error);
#pragma warning restore RS0030
}
