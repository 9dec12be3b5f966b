namespace CostTracking.Storage;

/// <summary>Persists operations, sessions and monthly summaries; the tracker decides what to record, a store only persists.</summary>
/// <remarks>
/// <para>Every store must guarantee, and is tested against, the following contract:</para>
/// <list type="bullet">
/// <item><description><b>Atomic.</b> <see cref="RecordOperationAsync"/> stores the operation and adds it to the monthly
/// summary of its user, usage type and UTC month (<see cref="UsageMonth.FromTimestamp"/> of its timestamp: totals,
/// per feature, per provider and per UTC day) as one all-or-nothing step. <see cref="RecordSessionStepAsync"/> appends the step, adds it to the session's totals and
/// to the monthly summary (as session cost) as one all-or-nothing step.</description></item>
/// <item><description><b>Exactly once.</b> An operation id already stored for the user and usage type (or a step id
/// already in the session) returns <see cref="RecordOutcome.AlreadyRecorded"/> and changes nothing, also when the
/// two calls race, and also when a call is retried after an unknown outcome.</description></item>
/// <item><description><b>Exact.</b> Money is kept as whole nano-dollars (<see cref="NanoUsd"/>); sums never
/// lose a nano. Concurrent writers never lose an update.</description></item>
/// <item><description><b>Sessions.</b> A step creates its session when absent (in progress, with the entry's
/// session feature, created at the step's timestamp). A step for a closed session is still appended and counted;
/// the status stays. Closing is first-wins: a session is never both completed and abandoned.</description></item>
/// <item><description><b>Listings</b> are newest first (by timestamp, then by id descending) and page with opaque
/// continuation tokens, so a page never repeats or skips an item that existed when the listing began.</description></item>
/// <item><description><b>Errors.</b> Arguments are validated by the caller (<see cref="UsageIds"/>); a store throws
/// <see cref="OperationCanceledException"/> when cancelled and its own documented exception for a failure of its
/// backend. A failed call leaves nothing half-written.</description></item>
/// </list>
/// <para>Metadata values reaching a store are already normalized to <see langword="null"/>, <see cref="string"/>,
/// <see cref="bool"/>, <see cref="long"/>, <see cref="double"/>, <see cref="IReadOnlyDictionary{TKey, TValue}"/>
/// of string to object and <see cref="IReadOnlyList{T}"/> of object, and a store returns them in those types.
/// Timestamps reaching a store are UTC and already truncated to whole microseconds.</para>
/// </remarks>
public interface IUsageStore
{
    /// <summary>Stores a standalone operation once and adds it to its monthly summary, atomically.</summary>
    /// <param name="operation">The operation.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>Whether the operation was stored now or was already stored.</returns>
    ValueTask<RecordOutcome> RecordOperationAsync(UsageOperation operation, CancellationToken cancellationToken = default);

    /// <summary>Appends a step to a session once (creating the session when absent) and adds it to the session's totals and its monthly summary, atomically.</summary>
    /// <param name="entry">The session and step.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>Whether the step was appended now or was already in the session.</returns>
    ValueTask<RecordOutcome> RecordSessionStepAsync(SessionStepEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Creates an empty, in-progress session unless the user already has one with that id.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="feature">The session's feature.</param>
    /// <param name="createdAt">The creation time.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns><see langword="true"/> when this call created the session; <see langword="false"/> when it existed.</returns>
    Task<bool> CreateSessionAsync(string userId, string sessionId, string feature, DateTimeOffset createdAt, CancellationToken cancellationToken = default);

    /// <summary>Closes an in-progress session with a final status; a closed session is left as it is (first close wins).</summary>
    /// <param name="userId">The user.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="status"><see cref="SessionStatus.Completed"/> or <see cref="SessionStatus.Abandoned"/>.</param>
    /// <param name="closedAt">The time to record as completed-at or abandoned-at.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The session afterwards, or <see langword="null"/> when the user has no such session.</returns>
    Task<UsageSession?> CloseSessionAsync(string userId, string sessionId, SessionStatus status, DateTimeOffset closedAt, CancellationToken cancellationToken = default);

    /// <summary>Gets a session with all of its steps in the order they were appended.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The session, or <see langword="null"/> when there is none.</returns>
    Task<UsageSession?> GetSessionAsync(string userId, string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Lists a user's sessions newest first (by creation time, then id), filtered and paged.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="query">Filters and paging, already validated.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>One page.</returns>
    /// <exception cref="ArgumentException">The continuation token is not one this store issued.</exception>
    Task<UsagePage<UsageSessionSummary>> ListSessionsAsync(string userId, SessionQuery query, CancellationToken cancellationToken = default);

    /// <summary>Gets a user's monthly summary for one usage type.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="usageType">The usage type.</param>
    /// <param name="month">The UTC month.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The summary; <see cref="MonthlyUsageSummary.Empty"/> when nothing was recorded.</returns>
    Task<MonthlyUsageSummary> GetMonthlySummaryAsync(string userId, UsageType usageType, UsageMonth month, CancellationToken cancellationToken = default);

    /// <summary>Lists a user's standalone operations of one usage type newest first (by timestamp, then id), paged.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="usageType">The usage type.</param>
    /// <param name="query">Paging, already validated.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>One page.</returns>
    /// <exception cref="ArgumentException">The continuation token is not one this store issued.</exception>
    Task<UsagePage<UsageOperation>> ListOperationsAsync(string userId, UsageType usageType, OperationQuery query, CancellationToken cancellationToken = default);
}
