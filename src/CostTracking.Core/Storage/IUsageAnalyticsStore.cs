namespace CostTracking.Storage;

/// <summary>The store side of session analytics: counts and sums by status, and the sessions themselves for funnels.</summary>
public interface IUsageAnalyticsStore
{
    /// <summary>Counts sessions and sums their cost by status, for one user or everyone, over a range of creation times.</summary>
    /// <param name="range">The sessions to aggregate.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>Count and exact total cost per status.</returns>
    Task<IReadOnlyDictionary<SessionStatus, CostBreakdown>> AggregateSessionsAsync(SessionRange range, CancellationToken cancellationToken = default);

    /// <summary>Reads the sessions of a range with their steps, in no particular order.</summary>
    /// <param name="range">The sessions to read.</param>
    /// <param name="cancellationToken">A token to cancel the enumeration.</param>
    /// <returns>The sessions.</returns>
    IAsyncEnumerable<UsageSession> ReadSessionsAsync(SessionRange range, CancellationToken cancellationToken = default);
}

/// <summary>Sessions created in a time range, of one user or of everyone, optionally of one feature.</summary>
/// <param name="UserId">The user, or <see langword="null"/> for every user.</param>
/// <param name="From">The earliest creation time included.</param>
/// <param name="To">The creation time excluded: sessions created strictly before it are included.</param>
/// <param name="Feature">The session feature, or <see langword="null"/> for all.</param>
public sealed record SessionRange(string? UserId, DateTimeOffset From, DateTimeOffset To, string? Feature = null);
