using CostTracking.Firestore.Tests.Support;
using CostTracking.Testing;

namespace CostTracking.Firestore.Tests;

/// <summary>Runs the hosted sweeper in a real host, unchanged, on the Firestore store on the emulator: a project of its own per test, since the sweep works across users.</summary>
public sealed class FirestoreSessionSweeperHostContractTests : SessionSweeperHostContractTests<FreshProjectStores>;
