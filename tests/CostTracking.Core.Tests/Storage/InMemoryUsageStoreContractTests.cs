using CostTracking.Storage;
using CostTracking.Testing;

namespace CostTracking.Tests.Storage;

/// <summary>Runs the store contract against the embedded default store, one fresh store per test.</summary>
[TestFixture]
public sealed class InMemoryUsageStoreContractTests : UsageStoreContractTests
{
    protected override Task<IUsageStore> CreateStoreAsync() => Task.FromResult<IUsageStore>(new InMemoryUsageStore());
}
