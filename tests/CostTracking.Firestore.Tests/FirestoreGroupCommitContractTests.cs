using CostTracking.Storage;
using CostTracking.Testing;

namespace CostTracking.Firestore.Tests;

/// <summary>Runs the shared store contract, unchanged, against the Firestore store in group-commit mode: one project and one store for the fixture, a fresh user per test.</summary>
[TestFixture]
public sealed class FirestoreGroupCommitContractTests : UsageStoreContractTests
{
    private readonly List<HttpClient> _clients = [];
    private FirestoreUsageStore? _store;

    [OneTimeSetUp]
    public void CreateStore()
    {
        FirestoreEmulator.Require();
        var client = new HttpClient();
        _clients.Add(client);
        _store = new FirestoreUsageStore(client, new FirestoreStoreOptions
        {
            ProjectId = FirestoreEmulator.NewProjectId(),
            EmulatorHost = FirestoreEmulator.Host,
            WriteMode = FirestoreWriteMode.GroupCommit,
        });
    }

    [OneTimeTearDown]
    public async Task DisposeStoreAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        _clients.ForEach(c => c.Dispose());
    }

    protected override Task<IUsageStore> CreateStoreAsync() => Task.FromResult<IUsageStore>(_store!);
}
