using OpenEvent.Rules.Events;

namespace OpenEvent.Rules.Evaluation;

/// <summary>
/// Finds the policies whose <c>match</c>, <c>scope</c> and <c>exclude</c> let an event through (conditions come
/// after). Two implementations must agree on every event: <see cref="ReferencePolicyMatcher"/> (one policy at a
/// time, the test oracle) and the compiled matcher (indexed, for production).
/// </summary>
public interface IPolicyMatcher
{
    /// <summary>Adds to <paramref name="matches"/> the indexes (into the evaluated policy list) of the policies that apply, ascending.</summary>
    void Match(DataWorksEvent e, List<int> matches);
}
