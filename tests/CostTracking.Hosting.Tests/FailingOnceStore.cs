using CostTracking.Pricing;
using CostTracking.Storage;

namespace CostTracking.Hosting.Tests;

/// <summary>An in-memory store whose first idle-session listing fails, as a database outage would.</summary>
internal sealed class FailingOnceStore : IUsageStore, IUsageMaintenanceStore
{
    private readonly InMemoryUsageStore _inner = new();
    private int _listings;

    public Task<UsagePage<SessionKey>> ListIdleSessionsAsync(DateTimeOffset idleBefore, int pageSize, string? continuationToken, CancellationToken cancellationToken = default) =>
        Interlocked.Increment(ref _listings) == 1
            ? throw new InvalidOperationException("The database is unavailable.")
            : _inner.ListIdleSessionsAsync(idleBefore, pageSize, continuationToken, cancellationToken);

    public Task<bool> AbandonIfIdleAsync(SessionKey key, DateTimeOffset idleBefore, DateTimeOffset abandonedAt, CancellationToken cancellationToken = default) => _inner.AbandonIfIdleAsync(key, idleBefore, abandonedAt, cancellationToken);

    public Task<int> DeleteSessionsCreatedBeforeAsync(DateTimeOffset createdBefore, int maxCount, CancellationToken cancellationToken = default) => _inner.DeleteSessionsCreatedBeforeAsync(createdBefore, maxCount, cancellationToken);

    public Task<int> DeleteOperationsRecordedBeforeAsync(DateTimeOffset recordedBefore, int maxCount, CancellationToken cancellationToken = default) => _inner.DeleteOperationsRecordedBeforeAsync(recordedBefore, maxCount, cancellationToken);

    public ValueTask<RecordOutcome> RecordOperationAsync(UsageOperation operation, CancellationToken cancellationToken = default) => _inner.RecordOperationAsync(operation, cancellationToken);

    public ValueTask<RecordOutcome> RecordSessionStepAsync(SessionStepEntry entry, CancellationToken cancellationToken = default) => _inner.RecordSessionStepAsync(entry, cancellationToken);

    public Task<bool> CreateSessionAsync(string userId, string sessionId, string feature, DateTimeOffset createdAt, CancellationToken cancellationToken = default) => _inner.CreateSessionAsync(userId, sessionId, feature, createdAt, cancellationToken);

    public Task<UsageSession?> CloseSessionAsync(string userId, string sessionId, SessionStatus status, DateTimeOffset closedAt, CancellationToken cancellationToken = default) => _inner.CloseSessionAsync(userId, sessionId, status, closedAt, cancellationToken);

    public Task<UsageSession?> GetSessionAsync(string userId, string sessionId, CancellationToken cancellationToken = default) => _inner.GetSessionAsync(userId, sessionId, cancellationToken);

    public Task<UsagePage<UsageSessionSummary>> ListSessionsAsync(string userId, SessionQuery query, CancellationToken cancellationToken = default) => _inner.ListSessionsAsync(userId, query, cancellationToken);

    public Task<MonthlyUsageSummary> GetMonthlySummaryAsync(string userId, UsageType usageType, UsageMonth month, CancellationToken cancellationToken = default) => _inner.GetMonthlySummaryAsync(userId, usageType, month, cancellationToken);

    public Task<UsagePage<UsageOperation>> ListOperationsAsync(string userId, UsageType usageType, OperationQuery query, CancellationToken cancellationToken = default) => _inner.ListOperationsAsync(userId, usageType, query, cancellationToken);
}
