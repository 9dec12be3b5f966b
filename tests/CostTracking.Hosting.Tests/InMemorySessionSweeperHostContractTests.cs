using CostTracking.Testing;

namespace CostTracking.Hosting.Tests;

/// <summary>The hosted sweeper in a real host on the in-memory store: a fresh store per test.</summary>
public sealed class InMemorySessionSweeperHostContractTests : SessionSweeperHostContractTests<InMemoryStores>;
