using CostTracking.Firestore.Tests.Support;
using CostTracking.Storage;
using CostTracking.Testing;

namespace CostTracking.Firestore.Tests;

/// <summary>Runs the budget suite, unchanged, on the Firestore store on the emulator: a project of its own per test.</summary>
[TestFixture]
public sealed class FirestoreBudgetServiceContractTests : BudgetServiceContractTests
{
    private readonly FreshProjectStores _stores = new();

    [OneTimeSetUp]
    public void RequireEmulator() => FirestoreEmulator.Require();

    [TearDown]
    public void DisposeStores() => _stores.Dispose();

    protected override IUsageStore CreateStore() => _stores.Create();
}
