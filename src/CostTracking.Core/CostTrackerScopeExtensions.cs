namespace CostTracking;

/// <summary>Begins a <see cref="CostTrackingScope"/> from an <see cref="ICostTracker"/>.</summary>
public static class CostTrackerScopeExtensions
{
    /// <summary>Begins a scope on the current asynchronous flow: paid calls the integrations see inside it are recorded for this user and session.</summary>
    /// <param name="tracker">The tracker; only used to find the method.</param>
    /// <param name="userId">The user paid calls are recorded for.</param>
    /// <param name="sessionId">The session paid calls are recorded as steps of, or <see langword="null"/> for standalone operations.</param>
    /// <returns>The scope; dispose it to end it.</returns>
    /// <exception cref="ArgumentException">An id is not valid (see <see cref="Storage.UsageIds"/>).</exception>
    public static CostTrackingScope BeginScope(this ICostTracker tracker, string userId, string? sessionId = null)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        return CostTrackingScope.Begin(userId, sessionId);
    }
}
