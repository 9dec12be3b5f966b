using CostTracking.Firestore.Tests.Support;
using CostTracking.Storage;
using CostTracking.Testing;

namespace CostTracking.Firestore.Tests;

/// <summary>Runs the hosted sweeper in a real host, unchanged, on the Firestore store on the emulator: a project of its own per test, since the sweep works across users.</summary>
[TestFixture]
public sealed class FirestoreSessionSweeperHostContractTests : SessionSweeperHostContractTests
{
    private readonly FreshProjectStores _stores = new();

    [OneTimeSetUp]
    public void RequireEmulator() => FirestoreEmulator.Require();

    [TearDown]
    public void DisposeStores() => _stores.Dispose();

    protected override IUsageStore CreateStore() => _stores.Create();
}
