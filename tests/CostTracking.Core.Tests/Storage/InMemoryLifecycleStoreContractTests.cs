using CostTracking.Storage;
using CostTracking.Testing;

namespace CostTracking.Tests.Storage;

/// <summary>The in-memory store against the lifecycle contract: a fresh store per test.</summary>
public sealed class InMemoryLifecycleStoreContractTests : LifecycleStoreContractTests
{
    protected override Task<IUsageStore> CreateStoreAsync() => Task.FromResult<IUsageStore>(new InMemoryUsageStore());
}
