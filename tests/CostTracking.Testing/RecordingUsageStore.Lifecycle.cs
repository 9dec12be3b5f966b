using CostTracking.Pricing;
using CostTracking.Storage;

namespace CostTracking.Testing;

/// <summary>The lifecycle interfaces, passed through to the inner store (which must implement them) and counted.</summary>
public sealed partial class RecordingUsageStore
{
    /// <inheritdoc />
    public Task<UsagePage<SessionKey>> ListIdleSessionsAsync(DateTimeOffset idleBefore, int pageSize, string? continuationToken, CancellationToken cancellationToken = default) =>
        Read(() => As<IUsageMaintenanceStore>().ListIdleSessionsAsync(idleBefore, pageSize, continuationToken, cancellationToken));

    /// <inheritdoc />
    public Task<bool> AbandonIfIdleAsync(SessionKey key, DateTimeOffset idleBefore, DateTimeOffset abandonedAt, CancellationToken cancellationToken = default) =>
        Write(() => As<IUsageMaintenanceStore>().AbandonIfIdleAsync(key, idleBefore, abandonedAt, cancellationToken));

    /// <inheritdoc />
    public Task<int> DeleteSessionsCreatedBeforeAsync(DateTimeOffset createdBefore, int maxCount, CancellationToken cancellationToken = default) =>
        Write(() => As<IUsageMaintenanceStore>().DeleteSessionsCreatedBeforeAsync(createdBefore, maxCount, cancellationToken));

    /// <inheritdoc />
    public Task<int> DeleteOperationsRecordedBeforeAsync(DateTimeOffset recordedBefore, int maxCount, CancellationToken cancellationToken = default) =>
        Write(() => As<IUsageMaintenanceStore>().DeleteOperationsRecordedBeforeAsync(recordedBefore, maxCount, cancellationToken));

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<SessionStatus, CostBreakdown>> AggregateSessionsAsync(SessionRange range, CancellationToken cancellationToken = default) =>
        Read(() => As<IUsageAnalyticsStore>().AggregateSessionsAsync(range, cancellationToken));

    /// <inheritdoc />
    public IAsyncEnumerable<UsageSession> ReadSessionsAsync(SessionRange range, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _reads);
        return As<IUsageAnalyticsStore>().ReadSessionsAsync(range, cancellationToken);
    }

    /// <inheritdoc />
    public Task<ReservationOutcome> TryReserveAsync(ReservationRequest request, CancellationToken cancellationToken = default) =>
        Write(() => As<IBudgetStore>().TryReserveAsync(request, cancellationToken));

    /// <inheritdoc />
    public Task<bool> ReleaseReservationAsync(string userId, UsageMonth month, string reservationId, CancellationToken cancellationToken = default) =>
        Write(() => As<IBudgetStore>().ReleaseReservationAsync(userId, month, reservationId, cancellationToken));

    /// <inheritdoc />
    public Task<BudgetUsage> GetBudgetUsageAsync(string userId, UsageMonth month, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Read(() => As<IBudgetStore>().GetBudgetUsageAsync(userId, month, now, cancellationToken));

    /// <inheritdoc />
    public Task<bool> TryMarkAlertAsync(string userId, string alertKey, DateTimeOffset raisedAt, CancellationToken cancellationToken = default) =>
        Write(() => As<IBudgetStore>().TryMarkAlertAsync(userId, alertKey, raisedAt, cancellationToken));

    /// <inheritdoc />
    public Task<bool> RepriceSessionAsync(SessionKey key, SessionRepricing repricing, DateTimeOffset repricedAt, CancellationToken cancellationToken = default) =>
        Write(() => As<ISessionRepricingStore>().RepriceSessionAsync(key, repricing, repricedAt, cancellationToken));

    private T As<T>()
        where T : class =>
        Inner as T ?? throw new NotSupportedException($"The inner store {Inner.GetType().Name} does not implement {typeof(T).Name}.");

    private Task<T> Read<T>(Func<Task<T>> call)
    {
        Interlocked.Increment(ref _reads);
        return call();
    }

    private Task<T> Write<T>(Func<Task<T>> call)
    {
        Interlocked.Increment(ref _writes);
        return call();
    }
}
