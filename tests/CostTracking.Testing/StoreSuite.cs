using CostTracking.Storage;

namespace CostTracking.Testing;

/// <summary>Hands the tests of a suite empty stores of their own, and releases them after each test.</summary>
/// <remarks>Created once per fixture, in its one-time set-up: a source that needs a server may fail or ignore the fixture there.</remarks>
public interface IUsageStoreSource
{
    /// <summary>Creates an empty store that no other test sees.</summary>
    /// <returns>The store; released by <see cref="ReleaseAll"/>.</returns>
    IUsageStore Create();

    /// <summary>Releases every store created so far (called after each test).</summary>
    void ReleaseAll();
}

/// <summary>Fresh in-memory stores: nothing to release.</summary>
public sealed class InMemoryStores : IUsageStoreSource
{
    /// <inheritdoc />
    public IUsageStore Create() => new InMemoryUsageStore();

    /// <inheritdoc />
    public void ReleaseAll()
    {
    }
}

/// <summary>The base of the service-level suites that run unchanged on every store: each test takes stores of its own from <typeparamref name="TStores"/>.</summary>
/// <typeparam name="TStores">Where the stores come from: <see cref="InMemoryStores"/>, or a source of Firestore stores on the emulator.</typeparam>
public abstract class StoreSuite<TStores>
    where TStores : IUsageStoreSource, new()
{
    private TStores? _stores;

    /// <summary>Creates the fixture's store source.</summary>
    [OneTimeSetUp]
    public void CreateStoreSource() => _stores = new TStores();

    /// <summary>Releases the stores the test used.</summary>
    [TearDown]
    public void ReleaseStores() => _stores?.ReleaseAll();

    /// <summary>Creates an empty store, of the calling test's own.</summary>
    /// <returns>The store; released after the test.</returns>
    protected IUsageStore CreateStore() => (_stores ?? throw new InvalidOperationException("The store source is created in the fixture's one-time set-up.")).Create();
}
