using CostTracking.Storage;
using CostTracking.Testing;

namespace CostTracking.Firestore.Tests.Support;

/// <summary>
/// Hands out Firestore stores on the emulator, each in a project of its own (project ids cost nothing there), and disposes
/// them and their clients. For the service-level suites whose calls read across users (analytics for everyone, the idle
/// sweep, retention): a project per test keeps other tests' data out of them.
/// </summary>
public sealed class FreshProjectStores : IUsageStoreSource
{
    private readonly List<FirestoreUsageStore> _stores = [];
    private readonly List<HttpClient> _clients = [];

    /// <summary>Ignores the fixture when no emulator could be had, or fails it when COSTTRACKING_REQUIRE_EMULATOR=1.</summary>
    public FreshProjectStores() => FirestoreEmulator.Require();

    /// <summary>A store with its own HttpClient in a new, empty project.</summary>
    /// <returns>The store; disposed by <see cref="ReleaseAll"/>.</returns>
    public IUsageStore Create()
    {
        var client = new HttpClient();
        _clients.Add(client);
        var store = new FirestoreUsageStore(client, new FirestoreStoreOptions { ProjectId = FirestoreEmulator.NewProjectId(), EmulatorHost = FirestoreEmulator.Host });
        _stores.Add(store);
        return store;
    }

    /// <summary>Disposes every store handed out so far, then their clients.</summary>
    public void ReleaseAll()
    {
        _stores.ForEach(s => s.Dispose());
        _stores.Clear();
        _clients.ForEach(c => c.Dispose());
        _clients.Clear();
    }
}
