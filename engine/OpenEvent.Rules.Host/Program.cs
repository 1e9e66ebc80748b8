namespace OpenEvent.Rules.Host;

public static class Program
{
    public static Task<int> Main(string[] args) => RulesHost.RunAsync(args);
}
