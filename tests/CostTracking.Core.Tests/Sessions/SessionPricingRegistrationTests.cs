using CostTracking.Storage;
using CostTracking.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CostTracking.Tests.Sessions;

[TestFixture]
public sealed class SessionPricingRegistrationTests
{
    [Test]
    public void GetSessionTracker_PolicyWithAStoreThatCannotReprice_FailsAtResolutionNamingBoth()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IUsageStore>(new PlainStore());
        services.AddCostTracking().UseGooglePlacesSessionPricing();
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<ISessionTracker>();

        act.Should().Throw<InvalidOperationException>().WithMessage("*google-places-session*PlainStore*ISessionRepricingStore*");
    }

    /// <summary>A store with only the required interface, as a third-party store might be.</summary>
    private sealed class PlainStore : IUsageStore
    {
        private readonly InMemoryUsageStore _inner = new();

        public ValueTask<RecordOutcome> RecordOperationAsync(UsageOperation operation, CancellationToken cancellationToken = default) => _inner.RecordOperationAsync(operation, cancellationToken);

        public ValueTask<RecordOutcome> RecordSessionStepAsync(SessionStepEntry entry, CancellationToken cancellationToken = default) => _inner.RecordSessionStepAsync(entry, cancellationToken);

        public Task<bool> CreateSessionAsync(string userId, string sessionId, string feature, DateTimeOffset createdAt, CancellationToken cancellationToken = default) => _inner.CreateSessionAsync(userId, sessionId, feature, createdAt, cancellationToken);

        public Task<UsageSession?> CloseSessionAsync(string userId, string sessionId, SessionStatus status, DateTimeOffset closedAt, CancellationToken cancellationToken = default) => _inner.CloseSessionAsync(userId, sessionId, status, closedAt, cancellationToken);

        public Task<UsageSession?> GetSessionAsync(string userId, string sessionId, CancellationToken cancellationToken = default) => _inner.GetSessionAsync(userId, sessionId, cancellationToken);

        public Task<UsagePage<UsageSessionSummary>> ListSessionsAsync(string userId, SessionQuery query, CancellationToken cancellationToken = default) => _inner.ListSessionsAsync(userId, query, cancellationToken);

        public Task<MonthlyUsageSummary> GetMonthlySummaryAsync(string userId, UsageType usageType, UsageMonth month, CancellationToken cancellationToken = default) => _inner.GetMonthlySummaryAsync(userId, usageType, month, cancellationToken);

        public Task<UsagePage<UsageOperation>> ListOperationsAsync(string userId, UsageType usageType, OperationQuery query, CancellationToken cancellationToken = default) => _inner.ListOperationsAsync(userId, usageType, query, cancellationToken);
    }
}
