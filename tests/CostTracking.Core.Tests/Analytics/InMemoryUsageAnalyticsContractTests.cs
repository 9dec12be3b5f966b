using CostTracking.Testing;

namespace CostTracking.Tests.Analytics;

/// <summary>The analytics suite on the in-memory store: a fresh store per test.</summary>
public sealed class InMemoryUsageAnalyticsContractTests : UsageAnalyticsContractTests<InMemoryStores>;
