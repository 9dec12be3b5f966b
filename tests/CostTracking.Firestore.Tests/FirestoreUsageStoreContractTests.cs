using CostTracking.Firestore.Tests.Support;
using CostTracking.Storage;
using CostTracking.Testing;

namespace CostTracking.Firestore.Tests;

/// <summary>Runs the shared store contract, unchanged, against the Firestore store on the emulator: one project and one store for the fixture, a fresh user per test.</summary>
[TestFixture]
public sealed class FirestoreUsageStoreContractTests : UsageStoreContractTests
{
    private readonly List<HttpClient> _clients = [];
    private FirestoreUsageStore? _store;

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
        _store?.Dispose();
        _clients.ForEach(c => c.Dispose());
    }

    protected override Task<IUsageStore> CreateStoreAsync() => Task.FromResult<IUsageStore>(_store!);
}
