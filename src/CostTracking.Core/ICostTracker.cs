namespace CostTracking;

/// <summary>Records what each user costs you in paid API and AI calls, and reads it back.</summary>
/// <remarks>
/// Register it with <c>services.AddCostTracking()</c>. All members are thread-safe. Invalid arguments throw
/// <see cref="ArgumentException"/> (naming the bad value) before anything is written.
/// </remarks>
public interface ICostTracker
{
    /// <summary>Records one paid call: a standalone operation, or a session step when the record carries a session id.</summary>
    /// <param name="record">The call to record.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The operation id and whether this call recorded it or found it already recorded.</returns>
    /// <exception cref="ArgumentException">The record is invalid; nothing was written.</exception>
    ValueTask<RecordUsageResult> RecordUsageAsync(UsageRecord record, CancellationToken cancellationToken = default);

    /// <summary>Marks a session completed; finalizing it again changes nothing.</summary>
    /// <param name="userId">The user the session belongs to.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The session as stored afterwards. A session that was already abandoned stays abandoned.</returns>
    /// <exception cref="SessionNotFoundException">The user has no such session.</exception>
    Task<UsageSession> FinalizeSessionAsync(string userId, string sessionId, CancellationToken cancellationToken = default);

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

    /// <summary>Gets what a user spent on one usage type in one UTC month.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="usageType">The usage type.</param>
    /// <param name="month">The month.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>The summary; all zero when nothing was recorded.</returns>
    Task<MonthlyUsageSummary> GetMonthlySummaryAsync(string userId, UsageType usageType, UsageMonth month, CancellationToken cancellationToken = default);

    /// <summary>Lists a user's standalone operations of one usage type, newest first.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="usageType">The usage type.</param>
    /// <param name="query">Paging; <see langword="null"/> for the first page.</param>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>One page of operations.</returns>
    Task<UsagePage<UsageOperation>> GetOperationsAsync(string userId, UsageType usageType, OperationQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes sessions and standalone operations older than <see cref="SessionLifecycleOptions.SessionRetention"/> and <see cref="SessionLifecycleOptions.OperationRetention"/>; monthly summaries are kept.</summary>
    /// <param name="cancellationToken">A token to cancel the call.</param>
    /// <returns>How many sessions and operations were deleted; nothing when no retention is configured.</returns>
    /// <exception cref="NotSupportedException">Retention is configured but the registered store does not implement <see cref="Storage.IUsageMaintenanceStore"/>.</exception>
    Task<RetentionResult> ApplyRetentionAsync(CancellationToken cancellationToken = default);
}

/// <summary>What a retention pass deleted.</summary>
/// <param name="SessionsDeleted">How many sessions (with their steps) were deleted.</param>
/// <param name="OperationsDeleted">How many standalone operations were deleted.</param>
public readonly record struct RetentionResult(int SessionsDeleted, int OperationsDeleted);
