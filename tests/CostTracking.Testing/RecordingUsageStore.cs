using CostTracking.Storage;

namespace CostTracking.Testing;

/// <summary>A store decorator that counts the calls reaching the store, to prove that rejected input never got that far.</summary>
/// <param name="inner">The store that does the work.</param>
public sealed partial class RecordingUsageStore(IUsageStore inner) : IUsageStore, IUsageMaintenanceStore, IUsageAnalyticsStore, IBudgetStore, ISessionRepricingStore
{
    private int _writes;
    private int _reads;

    /// <summary>Initializes a new instance of the <see cref="RecordingUsageStore"/> class over a fresh in-memory store.</summary>
    public RecordingUsageStore()
        : this(new InMemoryUsageStore())
    {
    }

    /// <summary>Gets the store that does the work.</summary>
    public IUsageStore Inner { get; } = inner;

    /// <summary>Gets how many write calls (record, step, create, close) reached the store.</summary>
    public int WriteCalls => Volatile.Read(ref _writes);

    /// <summary>Gets how many read calls reached the store.</summary>
    public int ReadCalls => Volatile.Read(ref _reads);

    /// <inheritdoc />
    public ValueTask<RecordOutcome> RecordOperationAsync(UsageOperation operation, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _writes);
        return Inner.RecordOperationAsync(operation, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<RecordOutcome> RecordSessionStepAsync(SessionStepEntry entry, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _writes);
        return Inner.RecordSessionStepAsync(entry, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> CreateSessionAsync(string userId, string sessionId, string feature, DateTimeOffset createdAt, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _writes);
        return Inner.CreateSessionAsync(userId, sessionId, feature, createdAt, cancellationToken);
    }

    /// <inheritdoc />
    public Task<UsageSession?> CloseSessionAsync(string userId, string sessionId, SessionStatus status, DateTimeOffset closedAt, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _writes);
        return Inner.CloseSessionAsync(userId, sessionId, status, closedAt, cancellationToken);
    }

    /// <inheritdoc />
    public Task<UsageSession?> GetSessionAsync(string userId, string sessionId, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _reads);
        return Inner.GetSessionAsync(userId, sessionId, cancellationToken);
    }

    /// <inheritdoc />
    public Task<UsagePage<UsageSessionSummary>> ListSessionsAsync(string userId, SessionQuery query, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _reads);
        return Inner.ListSessionsAsync(userId, query, cancellationToken);
    }

    /// <inheritdoc />
    public Task<MonthlyUsageSummary> GetMonthlySummaryAsync(string userId, UsageType usageType, UsageMonth month, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _reads);
        return Inner.GetMonthlySummaryAsync(userId, usageType, month, cancellationToken);
    }

    /// <inheritdoc />
    public Task<UsagePage<UsageOperation>> ListOperationsAsync(string userId, UsageType usageType, OperationQuery query, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _reads);
        return Inner.ListOperationsAsync(userId, usageType, query, cancellationToken);
    }
}
