namespace CostTracking.Storage;

/// <summary>The store side of session timeouts and retention: cross-user sweeps, done in pages.</summary>
/// <remarks>
/// Implemented by the stores that ship with CostTracking. <see cref="AbandonIfIdleAsync"/> is atomic with respect to
/// steps and closes: a step recorded at the same moment is never lost, and a session is never both completed and
/// abandoned. Deleting a session deletes its steps; monthly summaries are never deleted.
/// </remarks>
public interface IUsageMaintenanceStore
{
    /// <summary>Lists in-progress sessions of all users whose last change is before a time, least recently changed first.</summary>
    /// <param name="idleBefore">Sessions last changed strictly before this time are listed.</param>
    /// <param name="pageSize">How many sessions a page holds at most.</param>
    /// <param name="continuationToken">The token of the previous page, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>One page of (user, session) keys.</returns>
    Task<UsagePage<SessionKey>> ListIdleSessionsAsync(DateTimeOffset idleBefore, int pageSize, string? continuationToken, CancellationToken cancellationToken = default);

    /// <summary>Marks a session abandoned if, at that moment, it is still in progress and last changed before <paramref name="idleBefore"/>.</summary>
    /// <param name="key">The session.</param>
    /// <param name="idleBefore">The idle cut-off.</param>
    /// <param name="abandonedAt">The time to record as abandoned-at.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns><see langword="true"/> when this call abandoned the session.</returns>
    Task<bool> AbandonIfIdleAsync(SessionKey key, DateTimeOffset idleBefore, DateTimeOffset abandonedAt, CancellationToken cancellationToken = default);

    /// <summary>Deletes up to <paramref name="maxCount"/> sessions of any user (with their steps) created before a time.</summary>
    /// <param name="createdBefore">Sessions created strictly before this time are deleted.</param>
    /// <param name="maxCount">How many sessions to delete at most in this call.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>How many sessions were deleted; 0 when none is left.</returns>
    Task<int> DeleteSessionsCreatedBeforeAsync(DateTimeOffset createdBefore, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>Deletes up to <paramref name="maxCount"/> standalone operations of any user recorded before a time; summaries stay.</summary>
    /// <param name="recordedBefore">Operations recorded strictly before this time are deleted.</param>
    /// <param name="maxCount">How many operations to delete at most in this call.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>How many operations were deleted; 0 when none is left.</returns>
    Task<int> DeleteOperationsRecordedBeforeAsync(DateTimeOffset recordedBefore, int maxCount, CancellationToken cancellationToken = default);
}

/// <summary>Names one session of one user.</summary>
/// <param name="UserId">The user.</param>
/// <param name="SessionId">The session.</param>
public readonly record struct SessionKey(string UserId, string SessionId);
