namespace OpenEvent.Rules.Host.Configuration;

/// <summary>
/// OpenEventRules:Detail: fetching an event's detail (DataWorks GetIDEEventDetail: the committed code, the node
/// configuration, the table model) for the policies that read it. The call is signed like the answers, with the same
/// AccessKey and endpoint (OpenEventRules:DataWorks:*), made only when a policy that reads the detail matched
/// everything else, once per event.
/// </summary>
internal sealed class DetailOptions
{
    /// <summary>Whether the host asks DataWorks for details; false: every policy that needs one follows its detailErrors.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How long one GetIDEEventDetail call may take, answer read included; then the policies that needed it follow their
    /// detailErrors. Held to at most half of DataWorks:AnswerWithin (<see cref="EffectiveTimeout"/>), so that the policies
    /// decide, and the answer is stored, before the fallback answers.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The timeout a call gets: <see cref="Timeout"/>, at most half of <paramref name="answerWithin"/>.</summary>
    public TimeSpan EffectiveTimeout(TimeSpan answerWithin) => Timeout < answerWithin / 2 ? Timeout : answerWithin / 2;

    /// <summary>The largest answer read (bytes); a larger one is a failure of the call.</summary>
    public int MaxBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Details kept in memory by event id, at most (an event evaluated again, or redelivered, is not fetched again).</summary>
    public int CacheEntries { get; set; } = 1000;

    /// <summary>Bytes of details kept in memory, at most; the oldest are dropped first.</summary>
    public long CacheBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>How long a detail is kept.</summary>
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromMinutes(10);
}
