using CostTracking.Storage;
using CostTracking.Testing;

namespace CostTracking.Firestore.Tests;

/// <summary>Runs the shared lifecycle store contract (timeouts, retention, analytics, budgets, re-pricing), unchanged, against the Firestore store on the emulator: one project and one store for the fixture, a fresh user per test.</summary>
[TestFixture]
public sealed class FirestoreLifecycleStoreContractTests : LifecycleStoreContractTests
{
    private readonly List<HttpClient> _clients = [];
    private IUsageStore? _store;

    [OneTimeSetUp]
    public void CreateStore()
    {
        FirestoreEmulator.Require();
        var client = new HttpClient();
        _clients.Add(client);
        _store = new FirestoreUsageStore(client, new FirestoreStoreOptions { ProjectId = FirestoreEmulator.NewProjectId(), EmulatorHost = FirestoreEmulator.Host });
    }

    [OneTimeTearDown]
    public void DisposeClients()
    {
        (_store as IDisposable)?.Dispose();
        _clients.ForEach(c => c.Dispose());
    }

    protected override Task<IUsageStore> CreateStoreAsync() => Task.FromResult(_store!);
}
