namespace CostTracking;

/// <summary>Tracks multi-step workflows (sessions): start one, add its paid steps, close it, read it back.</summary>
/// <remarks>
/// A step is stored only in its session, never also among the standalone operations; its cost still counts in
/// the user's monthly summary as session cost. <see cref="ICostTracker"/> uses this service for records that
/// carry a session id. All members are thread-safe.
/// </remarks>
public interface ISessionTracker
{
    /// <summary>Starts a session explicitly; starting one that exists returns it unchanged.</summary>
    /// <param name="userId">The user the session belongs to.</param>
    /// <param name="feature">The workflow the session stands for, such as <c>google_maps</c>.</param>
    /// <param name="sessionId">The caller's id for the session, or <see langword="null"/> to generate one.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The session as stored.</returns>
    Task<UsageSession> StartSessionAsync(string userId, string feature, string? sessionId = null, CancellationToken cancellationToken = default);

    /// <summary>Records a paid call as a step of the session named by <see cref="UsageRecord.SessionId"/>, creating the session on its first step.</summary>
    /// <param name="record">The call; its <see cref="UsageRecord.SessionId"/> is required.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The step's operation id and whether this call recorded it or found it already in the session.</returns>
    /// <exception cref="ArgumentException">The record is invalid or has no session id; nothing was written.</exception>
    ValueTask<RecordUsageResult> AddStepAsync(UsageRecord record, CancellationToken cancellationToken = default);

    /// <summary>Closes a session as completed or abandoned; the first close wins and later ones change nothing.</summary>
    /// <param name="userId">The user the session belongs to.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="status"><see cref="SessionStatus.Completed"/> or <see cref="SessionStatus.Abandoned"/>.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The session as stored afterwards; check its <see cref="UsageSessionSummary.Status"/> to see which close won.</returns>
    /// <exception cref="SessionNotFoundException">The user has no such session.</exception>
    Task<UsageSession> FinalizeSessionAsync(string userId, string sessionId, SessionStatus status = SessionStatus.Completed, CancellationToken cancellationToken = default);

    /// <summary>Gets a session with all of its steps.</summary>
    /// <param name="userId">The user the session belongs to.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The session, or <see langword="null"/> when there is none.</returns>
    Task<UsageSession?> GetSessionAsync(string userId, string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Lists a user's sessions, newest first.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="query">Filters and paging; <see langword="null"/> for the first page of all sessions.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>One page of sessions (without their steps).</returns>
    Task<UsagePage<UsageSessionSummary>> GetUserSessionsAsync(string userId, SessionQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>Marks abandoned every in-progress session, of any user, that has gone without a change for longer than <see cref="SessionLifecycleOptions.IdleTimeout"/>.</summary>
    /// <param name="cancellationToken">A token to cancel the sweep; sessions already marked stay marked.</param>
    /// <returns>How many sessions this call marked abandoned.</returns>
    /// <remarks>
    /// Works through the store in pages of <see cref="SessionLifecycleOptions.SweepPageSize"/>. Each session is marked only if,
    /// at that moment, it is still in progress and idle: a step arriving meanwhile keeps it open (and is never lost), and a
    /// session completed meanwhile stays completed.
    /// </remarks>
    /// <exception cref="NotSupportedException">The registered store does not implement <see cref="Storage.IUsageMaintenanceStore"/>.</exception>
    Task<int> AbandonIdleSessionsAsync(CancellationToken cancellationToken = default);
}
