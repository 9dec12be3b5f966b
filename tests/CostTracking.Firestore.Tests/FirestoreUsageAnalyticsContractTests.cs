using CostTracking.Firestore.Tests.Support;
using CostTracking.Storage;
using CostTracking.Testing;

namespace CostTracking.Firestore.Tests;

/// <summary>Runs the analytics suite, unchanged, on the Firestore store on the emulator: a project of its own per test, since analytics for everyone read every user.</summary>
[TestFixture]
public sealed class FirestoreUsageAnalyticsContractTests : UsageAnalyticsContractTests
{
    private readonly FreshProjectStores _stores = new();

    [OneTimeSetUp]
    public void RequireEmulator() => FirestoreEmulator.Require();

    [TearDown]
    public void DisposeStores() => _stores.Dispose();

    protected override IUsageStore CreateStore() => _stores.Create();
}
