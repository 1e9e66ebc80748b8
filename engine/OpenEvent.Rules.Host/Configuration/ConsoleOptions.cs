namespace OpenEvent.Rules.Host.Configuration;

/// <summary>OpenEventRules:Console: the web console the host serves at /console.</summary>
internal sealed class ConsoleOptions
{
    /// <summary>Serve the console (and keep the recent decisions it shows in memory).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How many recent decisions the console keeps in memory for its Decisions page (older ones are in the decision log).</summary>
    public int RecentDecisions { get; set; } = 500;

    /// <summary>
    /// Event bytes the recent decisions keep, at most (for the event and explain views); beyond it the oldest
    /// decisions lose their event and keep their summary.
    /// </summary>
    public long MaxRecentEventBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>How long a console login lasts (the session cookie's lifetime); the host's restart ends every session too.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Live decision streams (browser tabs on the Decisions page) open at once, at most.</summary>
    public int MaxStreams { get; set; } = 32;
}
