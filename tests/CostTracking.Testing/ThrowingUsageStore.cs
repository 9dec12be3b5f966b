using CostTracking.Storage;

namespace CostTracking.Testing;

/// <summary>A store whose writes fail, standing in for a database that is down.</summary>
public sealed class ThrowingUsageStore : IUsageStore
{
    private readonly InMemoryUsageStore _inner = new();

    public ValueTask<RecordOutcome> RecordOperationAsync(UsageOperation operation, CancellationToken cancellationToken = default) =>
        throw new IOException("The store is down.");

    public ValueTask<RecordOutcome> RecordSessionStepAsync(SessionStepEntry entry, CancellationToken cancellationToken = default) =>
        throw new IOException("The store is down.");

    public Task<bool> CreateSessionAsync(string userId, string sessionId, string feature, DateTimeOffset createdAt, CancellationToken cancellationToken = default) =>
        _inner.CreateSessionAsync(userId, sessionId, feature, createdAt, cancellationToken);

    public Task<UsageSession?> CloseSessionAsync(string userId, string sessionId, SessionStatus status, DateTimeOffset closedAt, CancellationToken cancellationToken = default) =>
        _inner.CloseSessionAsync(userId, sessionId, status, closedAt, cancellationToken);

    public Task<UsageSession?> GetSessionAsync(string userId, string sessionId, CancellationToken cancellationToken = default) =>
        _inner.GetSessionAsync(userId, sessionId, cancellationToken);

    public Task<UsagePage<UsageSessionSummary>> ListSessionsAsync(string userId, SessionQuery query, CancellationToken cancellationToken = default) =>
        _inner.ListSessionsAsync(userId, query, cancellationToken);

    public Task<MonthlyUsageSummary> GetMonthlySummaryAsync(string userId, UsageType usageType, UsageMonth month, CancellationToken cancellationToken = default) =>
        _inner.GetMonthlySummaryAsync(userId, usageType, month, cancellationToken);

    public Task<UsagePage<UsageOperation>> ListOperationsAsync(string userId, UsageType usageType, OperationQuery query, CancellationToken cancellationToken = default) =>
        _inner.ListOperationsAsync(userId, usageType, query, cancellationToken);
}
